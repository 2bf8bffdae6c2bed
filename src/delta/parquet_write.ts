/** Writes a batch of a Delta schema's columns to Parquet bytes, with the protocol's type mapping. */

import type { SchemaElement } from "hyparquet";
import {
  type ColumnType,
  parquetElement,
  type ParquetWriteOptions,
  STORED_TIMESTAMP,
  writeParquet,
} from "../table/mod.ts";
import { DeltaError } from "./errors.ts";
import type { DataType, StructField, StructType } from "./schema.ts";
import { decimalParts, parseDate, parseTimestamp } from "./values.ts";

/**
 * Column-major input: for each column name of the schema, its values, one per row.
 * Accepted JS values by Delta type (`null`/`undefined` is null):
 * - `string`: string; `binary`: Uint8Array; `boolean`: boolean
 * - `byte`/`short`/`integer`: integer number; `long`: bigint or safe-integer number
 * - `float`/`double`: number
 * - `date`: Date (its UTC day), `"YYYY-MM-DD"`, or a number of days since 1970-01-01
 * - `timestamp`/`timestamp_ntz`: Date, bigint microseconds since the epoch, or an ISO-8601
 *   string with up to 6 fractional digits (without a zone it is read as UTC / wall clock)
 * - `decimal(p,s)`: a decimal string (`"12.30"`), a number, or a bigint holding the unscaled value
 * - `struct`: an object by field name; `array`: an array; `map`: a Map or a plain object
 */
export type Columns = Record<string, ArrayLike<unknown>>;

/**
 * The values of a batch after conversion to the representation written to Parquet: strings,
 * numbers, bigints (`long`; timestamps as microseconds; decimals unscaled), days since the epoch
 * for dates, Uint8Arrays, objects (structs), arrays, `{key, value}[]` (maps) and `null`.
 * Statistics are computed from these.
 */
export interface NormalizedBatch {
  numRows: number;
  /** Normalized values by top-level column name, in schema order. */
  columns: Map<string, unknown[]>;
}

const DAY_MS = 86_400_000;
const INT_RANGES: Record<string, [number, number]> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-2147483648, 2147483647],
};
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function invalid(at: string, want: string, value: unknown): never {
  const shown = typeof value === "bigint" ? `${value}n` : JSON.stringify(value) ?? String(value);
  throw new DeltaError("InvalidArgument", `${at}: expected ${want}, got ${shown}`);
}

/** Bytes of a FIXED_LEN_BYTE_ARRAY large enough for any unscaled decimal of `precision` digits. */
function decimalByteLength(precision: number): number {
  let bytes = 1;
  while (2n ** BigInt(8 * bytes - 1) <= 10n ** BigInt(precision)) bytes++;
  return bytes;
}

/** The column type each primitive Delta type but `decimal` is stored as (see `parquetElement`). */
const COLUMN_TYPES: Readonly<Record<string, ColumnType>> = {
  string: "utf8",
  binary: "binary",
  boolean: "bool",
  byte: "int8",
  short: "int16",
  integer: "int32",
  long: "int64",
  float: "float32",
  double: "float64",
  date: "date32",
  timestamp: STORED_TIMESTAMP,
  timestamp_ntz: "timestamp[us]",
};

/** The Parquet schema elements (pre-order) of one Delta field. */
function fieldElements(name: string, type: DataType, nullable: boolean): SchemaElement[] {
  const repetition_type = nullable ? "OPTIONAL" : "REQUIRED";
  if (typeof type === "string") return [parquetElement(name, COLUMN_TYPES[type], nullable)];
  switch (type.type) {
    case "decimal": {
      const { precision, scale } = type;
      const decimal = {
        converted_type: "DECIMAL" as const,
        scale,
        precision,
        logical_type: { type: "DECIMAL" as const, scale, precision },
      };
      if (precision <= 9) return [{ name, repetition_type, type: "INT32", ...decimal }];
      if (precision <= 18) return [{ name, repetition_type, type: "INT64", ...decimal }];
      return [{
        name,
        repetition_type,
        type: "FIXED_LEN_BYTE_ARRAY",
        type_length: decimalByteLength(precision),
        ...decimal,
      }];
    }
    case "struct":
      return [
        { name, repetition_type, num_children: type.fields.length },
        ...type.fields.flatMap((f) => fieldElements(f.name, f.type, f.nullable)),
      ];
    case "array":
      return [
        {
          name,
          repetition_type,
          num_children: 1,
          converted_type: "LIST",
          logical_type: { type: "LIST" },
        },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        ...fieldElements("element", type.elementType, type.containsNull),
      ];
    case "map":
      return [
        {
          name,
          repetition_type,
          num_children: 1,
          converted_type: "MAP",
          logical_type: { type: "MAP" },
        },
        { name: "key_value", repetition_type: "REPEATED", num_children: 2 },
        ...fieldElements("key", type.keyType, false),
        ...fieldElements("value", type.valueType, type.valueContainsNull),
      ];
  }
}

/**
 * The Parquet schema (flat, pre-order, as hyparquet describes it) that stores a Delta struct
 * type: INT64 micros adjusted to UTC for `timestamp`, DATE for `date`, DECIMAL on INT32/INT64/
 * FIXED_LEN_BYTE_ARRAY by precision, 3-level LIST and MAP groups.
 *
 * @example
 * ```ts
 * parquetSchema({ type: "struct", fields: [{ name: "t", type: "timestamp", nullable: true, metadata: {} }] });
 * // [{ name: "root", num_children: 1 }, { name: "t", type: "INT64", converted_type: "TIMESTAMP_MICROS", ... }]
 * ```
 */
export function parquetSchema(schema: StructType): SchemaElement[] {
  return [
    { name: "root", num_children: schema.fields.length },
    ...schema.fields.flatMap((f) => fieldElements(f.name, f.type, f.nullable)),
  ];
}

/** `parse(text)`, or undefined when the text does not parse. */
function parsed<T>(parse: (text: string) => T, value: unknown): T | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return parse(value);
  } catch {
    return undefined;
  }
}

/** The unscaled value of a decimal given as text, number or (already unscaled) bigint. */
function unscaledDecimal(value: unknown, precision: number, scale: number, at: string): bigint {
  let unscaled: bigint;
  if (typeof value === "bigint") {
    unscaled = value;
  } else {
    const text = typeof value === "number" && Number.isFinite(value) ? value.toFixed(scale) : value;
    const parts = parsed(decimalParts, text);
    if (parts === undefined) invalid(at, `a decimal(${precision},${scale})`, value);
    const [digits, from] = parts;
    const factor = 10n ** BigInt(Math.abs(scale - from));
    if (from > scale && digits % factor !== 0n) {
      invalid(at, `a decimal with at most ${scale} fractional digits`, value);
    }
    unscaled = from > scale ? digits / factor : digits * factor;
  }
  const limit = 10n ** BigInt(precision);
  if (unscaled <= -limit || unscaled >= limit) {
    invalid(at, `a decimal(${precision},${scale})`, value);
  }
  return unscaled;
}

/** Converts one value of `type` to its normalized form (see {@link NormalizedBatch}). */
function normalizeValue(type: DataType, value: unknown, nullable: boolean, at: string): unknown {
  if (value === null || value === undefined) {
    if (!nullable) invalid(at, "a value (the column is not nullable)", value);
    return null;
  }
  if (typeof type === "string") {
    switch (type) {
      case "string":
        return typeof value === "string" ? value : invalid(at, "a string", value);
      case "binary":
        return value instanceof Uint8Array ? value : invalid(at, "a Uint8Array", value);
      case "boolean":
        return typeof value === "boolean" ? value : invalid(at, "a boolean", value);
      case "byte":
      case "short":
      case "integer": {
        const [min, max] = INT_RANGES[type];
        return Number.isInteger(value) && (value as number) >= min && (value as number) <= max
          ? value
          : invalid(at, `an integer in [${min}, ${max}]`, value);
      }
      case "long": {
        const v = typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value;
        return typeof v === "bigint" && v >= LONG_MIN && v <= LONG_MAX
          ? v
          : invalid(at, "a 64-bit integer", value);
      }
      case "float":
      case "double":
        return typeof value === "number" ? value : invalid(at, "a number", value);
      case "date": {
        if (value instanceof Date && !Number.isNaN(value.getTime())) {
          return Math.floor(value.getTime() / DAY_MS);
        }
        if (Number.isInteger(value)) return value;
        return parsed(parseDate, value) ?? invalid(at, "a date", value);
      }
      case "timestamp":
      case "timestamp_ntz": {
        if (typeof value === "bigint") return value;
        if (value instanceof Date && !Number.isNaN(value.getTime())) {
          return BigInt(value.getTime()) * 1000n;
        }
        return parsed(parseTimestamp, value) ??
          invalid(at, "a Date, bigint microseconds or ISO-8601 timestamp", value);
      }
    }
  }
  switch (type.type) {
    case "decimal":
      return unscaledDecimal(value, type.precision, type.scale, at);
    case "struct": {
      if (typeof value !== "object" || Array.isArray(value)) invalid(at, "an object", value);
      const obj = value as Record<string, unknown>;
      return Object.fromEntries(
        type.fields.map((
          f,
        ) => [f.name, normalizeValue(f.type, obj[f.name], f.nullable, `${at}.${f.name}`)]),
      );
    }
    case "array":
      return Array.isArray(value)
        ? value.map((v, i) => normalizeValue(type.elementType, v, type.containsNull, `${at}[${i}]`))
        : invalid(at, "an array", value);
    case "map": {
      const entries = value instanceof Map
        ? [...value.entries()]
        : typeof value === "object" && !Array.isArray(value)
        ? Object.entries(value as Record<string, unknown>)
        : invalid(at, "a Map or an object", value);
      return entries.map(([k, v]) => ({
        key: normalizeValue(type.keyType, k, false, `${at} key`),
        value: normalizeValue(type.valueType, v, type.valueContainsNull, `${at}[${String(k)}]`),
      }));
    }
  }
}

/**
 * Checks and converts every column of `schema` from `columns` (missing columns are all null)
 * to the normalized values that {@link encodeParquet} writes and statistics are computed from.
 * Values of the wrong type, nulls in non-nullable columns, unknown columns and columns of
 * different lengths throw `InvalidArgument` naming the column and row.
 *
 * @example
 * ```ts
 * import { parseSchema } from "./mod.ts";
 *
 * const schema = parseSchema('{"type":"struct","fields":[{"name":"id","type":"long","nullable":false,"metadata":{}}]}');
 * normalizeColumns(schema, { id: [1, 2] }); // { numRows: 2, columns: Map { "id" => [1n, 2n] } }
 * ```
 */
export function normalizeColumns(schema: StructType, columns: Columns): NormalizedBatch {
  const known = new Set(schema.fields.map((f) => f.name));
  for (const name of Object.keys(columns)) {
    if (!known.has(name)) {
      throw new DeltaError(
        "InvalidArgument",
        `column ${JSON.stringify(name)} is not in the schema`,
      );
    }
  }
  const lengths = new Set(Object.values(columns).map((c) => c.length));
  if (lengths.size > 1) {
    throw new DeltaError(
      "InvalidArgument",
      `columns have different lengths (${[...lengths].join(", ")})`,
    );
  }
  const numRows = lengths.size === 0 ? 0 : [...lengths][0];
  const out = new Map<string, unknown[]>();
  for (const field of schema.fields) {
    const values = columns[field.name];
    const normalized = new Array<unknown>(numRows);
    for (let i = 0; i < numRows; i++) {
      normalized[i] = normalizeValue(
        field.type,
        values?.[i],
        field.nullable,
        `${field.name} row ${i}`,
      );
    }
    out.set(field.name, normalized);
  }
  return { numRows, columns: out };
}

/**
 * Encodes a normalized batch of the columns of `schema` as one Parquet file, written the way
 * every Parquet file of pond is (see `writeParquet`: snappy, column statistics on). The writer
 * loads on first use: commands that only read never load it.
 *
 * @example
 * ```ts
 * import { LocalStore, Table } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * const { schema } = snapshot;
 * const bytes = await encodeParquet(schema, normalizeColumns(schema, { id: [1, 2, 3] }));
 * ```
 */
export async function encodeParquet(
  schema: StructType,
  batch: NormalizedBatch,
  options: ParquetWriteOptions = {},
): Promise<Uint8Array> {
  return await writeParquet(
    parquetSchema(schema),
    schema.fields.map((f: StructField) => ({ name: f.name, data: batch.columns.get(f.name)! })),
    options,
  );
}

/**
 * Turns row objects into {@link Columns} for the fields of `schema` (extra keys are refused).
 *
 * @example
 * ```ts
 * import { LocalStore, Table } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * const { schema } = snapshot;
 * columnsFromRows(schema, [{ id: 1, name: "a" }, { id: 2, name: null }]); // { id: [1, 2], name: ["a", null] }
 * ```
 */
export function columnsFromRows(
  schema: StructType,
  rows: readonly Record<string, unknown>[],
): Columns {
  const known = new Set(schema.fields.map((f) => f.name));
  const columns: Record<string, unknown[]> = Object.fromEntries(
    schema.fields.map((f) => [f.name, new Array(rows.length)]),
  );
  rows.forEach((row, i) => {
    for (const [key, value] of Object.entries(row)) {
      if (!known.has(key)) {
        throw new DeltaError(
          "InvalidArgument",
          `row ${i}: column ${JSON.stringify(key)} is not in the schema`,
        );
      }
      columns[key][i] = value;
    }
  });
  return columns;
}
