/** The one mapping between column types and Parquet's: the schema element each type is stored as, and the type each element is read as. */

import type { SchemaElement } from "hyparquet";
import type { ColumnType } from "./column.ts";

/** The type every timestamp is stored as: microseconds since the epoch, in UTC. */
export const STORED_TIMESTAMP = "timestamp[us, UTC]" satisfies ColumnType;

/** What each type but timestamps is stored as: the physical type and its annotations. */
const ELEMENTS: Readonly<Record<string, Omit<SchemaElement, "name" | "repetition_type">>> = {
  bool: { type: "BOOLEAN" },
  // int8/int16 carry only the legacy INT_8/INT_16 annotation: hyparquet-writer encodes the
  // INTEGER logical type's bitWidth with the wrong Thrift type, which DuckDB rejects.
  int8: { type: "INT32", converted_type: "INT_8" },
  int16: { type: "INT32", converted_type: "INT_16" },
  int32: { type: "INT32" },
  int64: { type: "INT64" },
  uint8: { type: "INT32", converted_type: "UINT_8" },
  uint16: { type: "INT32", converted_type: "UINT_16" },
  // Unsigned 32-bit integers go on INT64 as they are: on INT32 they would wrap, and the writer's
  // statistics would be signed ones.
  uint32: { type: "INT64" },
  uint64: { type: "INT64", converted_type: "UINT_64" },
  float32: { type: "FLOAT" },
  float64: { type: "DOUBLE" },
  utf8: { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } },
  binary: { type: "BYTE_ARRAY" },
  date32: { type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } },
};

/**
 * The Parquet schema element a column of `type` is stored as: integers on INT32/INT64 (unsigned
 * 32-bit ones on INT64, as they do not fit INT32), text as UTF8 strings, dates as DATE, and
 * timestamps in a zone as INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true) — without one, as
 * INT64 TIMESTAMP(MICROS) local time. Values of a timestamp column must then be microseconds.
 *
 * @example
 * ```ts
 * parquetElement("t", "timestamp[us, UTC]", true);
 * // { name: "t", repetition_type: "OPTIONAL", type: "INT64", converted_type: "TIMESTAMP_MICROS", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" } }
 * ```
 */
export function parquetElement(name: string, type: ColumnType, nullable: boolean): SchemaElement {
  const repetition_type = nullable ? "OPTIONAL" : "REQUIRED";
  const element = ELEMENTS[type];
  if (element) return { name, repetition_type, ...element };
  if (!type.startsWith("timestamp[")) throw new Error(`${type} is not a column type`);
  const utc = type.includes(",");
  return {
    name,
    repetition_type,
    type: "INT64",
    ...(utc ? { converted_type: "TIMESTAMP_MICROS" as const } : {}),
    logical_type: { type: "TIMESTAMP", isAdjustedToUTC: utc, unit: "MICROS" },
  };
}

/**
 * The column type a Parquet leaf is read as, from its element alone: timestamps of every unit
 * (and INT96) as {@link STORED_TIMESTAMP}, dates as date32, decimals as float64, text, JSON and
 * enums as utf8, other bytes as binary, integers and floats by width and sign.
 *
 * @example
 * ```ts
 * columnTypeOf({ name: "t", type: "INT64", converted_type: "TIMESTAMP_MILLIS" }); // "timestamp[us, UTC]"
 * columnTypeOf({ name: "v", type: "DOUBLE" }); // "float64"
 * ```
 */
export function columnTypeOf(element: SchemaElement): ColumnType {
  const { type, converted_type: converted, logical_type: logical } = element;
  if (type === "INT96" || logical?.type === "TIMESTAMP" || converted?.startsWith("TIMESTAMP")) {
    return STORED_TIMESTAMP;
  }
  if (converted === "DATE" || logical?.type === "DATE") return "date32";
  if (converted === "DECIMAL" || logical?.type === "DECIMAL") return "float64";
  if (logical?.type === "INTEGER") {
    return `${logical.isSigned ? "int" : "uint"}${logical.bitWidth}` as ColumnType;
  }
  switch (converted) {
    case "INT_8":
      return "int8";
    case "INT_16":
      return "int16";
    case "UINT_8":
      return "uint8";
    case "UINT_16":
      return "uint16";
    case "UINT_32":
      return "uint32";
    case "UINT_64":
      return "uint64";
  }
  switch (type) {
    case "BOOLEAN":
      return "bool";
    case "INT32":
      return "int32";
    case "INT64":
      return "int64";
    case "FLOAT":
      return "float32";
    case "DOUBLE":
      return "float64";
  }
  const text = ["UTF8", "JSON", "ENUM"].includes(converted ?? "") ||
    ["STRING", "JSON", "ENUM", "UUID"].includes(logical?.type ?? "");
  return text ? "utf8" : "binary";
}
