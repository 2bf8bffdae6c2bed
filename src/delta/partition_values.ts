/** Partition values: the strings of `add.partitionValues` turned into typed row values. */

import { DeltaError, isDeltaError } from "./errors.ts";
import type { DataType } from "./schema.ts";
import {
  normalizeDecimal,
  parseDate,
  parseTimestamp,
  shortestFloat32,
  type Value,
} from "./values.ts";

/**
 * The typed value of a serialized partition value, per the protocol's "Partition Value
 * Serialization": `null` and `""` are null for every type; numbers, booleans, dates and
 * decimals parse from their text; `timestamp` accepts `YYYY-MM-DD HH:MM:SS[.ffffff]` (read as
 * UTC, as the protocol recommends writers store it) or ISO 8601 with a zone; binary is the
 * UTF-8 bytes of the text. `column` and `file` name the culprit when a value does not parse
 * (`CorruptLog`).
 *
 * @example
 * ```ts
 * parsePartitionValue("2021-09-08 11:11:11", "timestamp", "ts", "part-0.parquet"); // 1631099471000000n
 * parsePartitionValue("", "integer", "n", "part-0.parquet");                       // null
 * ```
 */
export function parsePartitionValue(
  raw: string | null | undefined,
  type: DataType,
  column: string,
  file: string,
): Value {
  if (raw === null || raw === undefined || raw === "") return null;
  try {
    return parse(raw, type);
  } catch (e) {
    const reason = isDeltaError(e) ? e.message : String(e);
    throw new DeltaError(
      "CorruptLog",
      `partition value ${JSON.stringify(raw)} of column ${column} of ${file} is not a valid ${
        typeof type === "string" ? type : type.type
      }: ${reason}`,
      { path: file, cause: e },
    );
  }
}

function parse(raw: string, type: DataType): Value {
  if (typeof type === "object") {
    if (type.type === "decimal") return normalizeDecimal(raw, type.scale);
    throw new DeltaError(
      "UnsupportedFeature",
      `a ${type.type} column cannot be a partition column`,
    );
  }
  switch (type) {
    case "string":
      return raw;
    case "byte":
    case "short":
    case "integer":
      return integer(raw);
    case "long":
      return BigInt(raw.trim());
    case "float":
      return shortestFloat32(Math.fround(number(raw)));
    case "double":
      return number(raw);
    case "boolean":
      if (raw.toLowerCase() === "true") return true;
      if (raw.toLowerCase() === "false") return false;
      throw new DeltaError("InvalidArgument", "expected true or false");
    case "date":
      return parseDate(
        raw.length > 10 && /^\d{4}-\d{2}-\d{2}[ T]/.test(raw) ? raw.slice(0, 10) : raw,
      );
    case "timestamp":
    case "timestamp_ntz":
      return parseTimestamp(raw);
    case "binary":
      return new TextEncoder().encode(raw);
  }
}

function number(raw: string): number {
  const n = Number(raw);
  if (Number.isNaN(n) && raw.trim() !== "NaN") {
    throw new DeltaError("InvalidArgument", "expected a number");
  }
  return n;
}

function integer(raw: string): number {
  const n = number(raw);
  if (!Number.isInteger(n)) throw new DeltaError("InvalidArgument", "expected an integer");
  return n;
}
