/** JSON lines of rows, in the value conventions of the golden tables (for `pond delta scan --json`). */

import type { Row } from "./parquet_read.ts";
import type { DataType, StructField } from "./schema.ts";
import { formatDate, formatTimestamp, type Value } from "./values.ts";

const utf8 = new TextDecoder();

/** A value as a JSON object key (map keys): the text of its JSON form. */
function keyText(value: Value, type: DataType): string {
  if (typeof value === "string") return value;
  const json = jsonValue(value, type);
  return json.startsWith('"') ? JSON.parse(json) : json;
}

function number(value: number): string {
  return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
}

/** The JSON text of one value of a Delta type. */
function jsonValue(value: Value, type: DataType): string {
  if (value === null || value === undefined) return "null";
  if (typeof type === "object") {
    switch (type.type) {
      case "decimal":
        return String(value);
      case "struct": {
        const obj = value as Record<string, Value>;
        return `{${
          type.fields.map((f) =>
            `${JSON.stringify(f.name)}:${jsonValue(obj[f.name] ?? null, f.type)}`
          ).join(",")
        }}`;
      }
      case "array":
        return `[${(value as Value[]).map((v) => jsonValue(v, type.elementType)).join(",")}]`;
      case "map": {
        const entries = [...(value as Map<Value, Value>)].map(([k, v]) =>
          `${JSON.stringify(keyText(k, type.keyType))}:${jsonValue(v, type.valueType)}`
        );
        return `{${entries.join(",")}}`;
      }
    }
  }
  switch (type) {
    case "long":
      return String(value);
    case "byte":
    case "short":
    case "integer":
    case "float":
    case "double":
      return number(value as number);
    case "date":
      return JSON.stringify(formatDate(value as number));
    case "timestamp":
    case "timestamp_ntz":
      return JSON.stringify(formatTimestamp(value as bigint));
    case "binary":
      return JSON.stringify(utf8.decode(value as Uint8Array));
    default:
      return JSON.stringify(value);
  }
}

/**
 * One row as a JSON object text (no newline), keys in field order, values as the golden
 * tables' conventions say: `long` as plain (exact) numbers, `binary` as UTF-8 text,
 * `timestamp`/`timestamp_ntz` as `YYYY-MM-DDTHH:MM:SS.ffffff`, `date` as `YYYY-MM-DD`,
 * decimals as exact numbers, maps as objects, NaN/±Infinity as strings.
 *
 * @example
 * ```ts
 * rowToJson({ id: 1n, day: 18878 }, [
 *   { name: "id", type: "long", nullable: true, metadata: {} },
 *   { name: "day", type: "date", nullable: true, metadata: {} },
 * ]); // '{"id":1,"day":"2021-09-08"}'
 * ```
 */
export function rowToJson(row: Row, fields: readonly StructField[]): string {
  return `{${
    fields.map((f) => `${JSON.stringify(f.name)}:${jsonValue(row[f.name] ?? null, f.type)}`).join(
      ",",
    )
  }}`;
}
