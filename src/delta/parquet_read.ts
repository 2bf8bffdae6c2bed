/** Reading a table's Parquet data files into columns of row values, resolving columns by name, physical name or field id. */

import {
  type FileMetaData,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  type SchemaTree,
} from "hyparquet";
import { PARQUET_PARSERS } from "../table/mod.ts";
import { decompressorsFor } from "./decompressors.ts";
import { DeltaError } from "./errors.ts";
import {
  type ColumnMappingMode,
  type DataType,
  fieldId,
  physicalName,
  type PrimitiveName,
  type StructField,
} from "./schema.ts";
import { asyncBufferFrom, type Store } from "./storage.ts";
import { decimalFromUnscaled, shortestFloat32, type Value } from "./values.ts";

/** One row of a data file: logical column name to value. */
export type Row = Record<string, Value>;

/** A run of consecutive rows of a data file (one row group), and where it starts in the file. */
export interface RowBatch {
  /** Physical index, in the file, of `rows[0]` (deletion vectors address rows this way). */
  firstRowIndex: number;
  rows: Row[];
}

/**
 * The values of one column of a batch, by row: an array, or a typed array when the file's
 * values need no conversion and cannot be null (e.g. a required INT64 column read as `long`).
 */
export type Column = ArrayLike<Value>;

/** One row group of a data file as columns, and which of its rows are kept. */
export interface ColumnBatch {
  /** Physical index, in the file, of the group's first row (deletion vectors address rows this way). */
  firstRowIndex: number;
  /** The number of rows of the group (every column has this length). */
  length: number;
  /** One column per field read, in the fields' order. */
  columns: Column[];
  /** The indexes (ascending, below `length`) of the rows kept; `null` keeps every row. */
  selection: Uint32Array | null;
}

/** Turns one value as hyparquet returns it into the reader's value for a Delta type. */
type Converter = (raw: unknown) => Value;

const utf8 = new TextDecoder();

/** A signed big-endian two's-complement integer (Parquet decimal bytes). */
function bigEndianSigned(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return bytes.length > 0 && bytes[0] & 0x80 ? v - (1n << BigInt(bytes.length * 8)) : v;
}

function isNull(raw: unknown): raw is null | undefined {
  return raw === null || raw === undefined;
}

/**
 * Typed arrays whose elements already are the reader's values for a Delta type, so a column
 * decoded as one is kept as it is (typed arrays hold no nulls).
 */
const NATIVE: Partial<Record<PrimitiveName, new (length: number) => ArrayLike<Value>>> = {
  byte: Int32Array,
  short: Int32Array,
  integer: Int32Array,
  date: Int32Array,
  double: Float64Array,
  long: BigInt64Array,
  timestamp: BigInt64Array,
  timestamp_ntz: BigInt64Array,
};

/** The Parquet child of `node` that holds `field`, by the table's column mapping mode. */
function resolveChild(
  node: SchemaTree | undefined,
  field: StructField,
  mode: ColumnMappingMode,
): SchemaTree | undefined {
  if (node === undefined) return undefined;
  if (mode === "id") {
    const id = fieldId(field);
    if (id !== undefined) return node.children.find((c) => c.element.field_id === id);
  }
  const name = physicalName(field, mode);
  const exact = node.children.find((c) => c.element.name === name);
  if (exact !== undefined || mode !== "none") return exact;
  const lower = name.toLowerCase();
  return node.children.find((c) => c.element.name.toLowerCase() === lower);
}

/** The element node of a Parquet LIST, following hyparquet's 3-level / 2-level rule. */
function listElement(node: SchemaTree): SchemaTree {
  if (node.element.converted_type !== "LIST" || node.children.length !== 1) return node;
  const repeated = node.children[0];
  return repeated.children.length === 1 ? repeated.children[0] : repeated;
}

/** Parses a map key that hyparquet turned into an object key (a string) back to its type. */
function mapKey(type: DataType): (key: string) => Value {
  if (typeof type === "object") {
    return type.type === "decimal" ? (k) => decimalFromUnscaled(BigInt(k), type.scale) : (k) => k;
  }
  switch (type) {
    case "byte":
    case "short":
    case "integer":
    case "double":
    case "date":
      return (k) => Number(k);
    case "float":
      return (k) => shortestFloat32(Number(k));
    case "long":
    case "timestamp":
    case "timestamp_ntz":
      return (k) => BigInt(k);
    case "boolean":
      return (k) => k === "true";
    default:
      return (k) => k;
  }
}

/** Builds the converter of values of `type` stored under Parquet node `node` (absent: all null). */
function converter(
  type: DataType,
  node: SchemaTree | undefined,
  mode: ColumnMappingMode,
): Converter {
  if (node === undefined) return () => null;
  if (typeof type === "object") {
    switch (type.type) {
      case "struct": {
        const fields = type.fields.map((f) => {
          const child = resolveChild(node, f, mode);
          return [f.name, child?.element.name, converter(f.type, child, mode)] as const;
        });
        return (raw) => {
          if (isNull(raw)) return null;
          const obj = raw as Record<string, unknown>;
          const out: Row = {};
          for (const [name, source, convert] of fields) {
            out[name] = source === undefined ? null : convert(obj[source]);
          }
          return out;
        };
      }
      case "array": {
        const element = converter(type.elementType, listElement(node), mode);
        return (raw) => (isNull(raw) ? null : (raw as unknown[]).map(element));
      }
      case "map": {
        const entries = node.children[0]?.children ?? [];
        const valueNode = entries.find((c) => c.element.name === "value");
        const value = converter(type.valueType, valueNode, mode);
        const key = mapKey(type.keyType);
        return (raw) => {
          if (isNull(raw)) return null;
          const out = new Map<Value, Value>();
          for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
            out.set(key(k), value(v));
          }
          return out;
        };
      }
      case "decimal": {
        const element = node.element;
        const fileScale = element.scale ??
          (element.logical_type?.type === "DECIMAL" ? element.logical_type.scale : 0);
        const shift = 10n ** BigInt(Math.abs(type.scale - fileScale));
        return (raw) => {
          if (isNull(raw)) return null;
          let unscaled = raw instanceof Uint8Array
            ? bigEndianSigned(raw)
            : BigInt(raw as number | bigint);
          if (type.scale > fileScale) unscaled *= shift;
          else if (type.scale < fileScale) unscaled /= shift;
          return decimalFromUnscaled(unscaled, type.scale);
        };
      }
    }
  }
  switch (type) {
    case "string":
      return (
        raw,
      ) => (isNull(raw) ? null : raw instanceof Uint8Array ? utf8.decode(raw) : String(raw));
    case "binary":
      return (
        raw,
      ) => (isNull(raw)
        ? null
        : raw instanceof Uint8Array
        ? raw
        : new TextEncoder().encode(String(raw)));
    case "boolean":
      return (raw) => (isNull(raw) ? null : Boolean(raw));
    case "byte":
    case "short":
    case "integer":
    case "double":
    case "date":
      return (raw) => (isNull(raw) ? null : Number(raw));
    case "float":
      return (raw) => (isNull(raw) ? null : shortestFloat32(Number(raw)));
    case "long":
    case "timestamp":
    case "timestamp_ntz":
      return (raw) => (isNull(raw) ? null : BigInt(raw as number | bigint));
  }
}

/** Hides DECIMAL annotations from hyparquet (which would turn decimals into lossy numbers). */
function keepDecimalsRaw(metadata: FileMetaData): void {
  for (const element of metadata.schema) {
    if (element.converted_type === "DECIMAL" || element.logical_type?.type === "DECIMAL") {
      if (element.scale === undefined && element.logical_type?.type === "DECIMAL") {
        element.scale = element.logical_type.scale;
      }
      delete element.converted_type;
      delete element.logical_type;
    }
  }
}

/** Wraps a failure of the Parquet decoder as `CorruptData` naming the file. */
function corrupt(store: Store, path: string, e: unknown): unknown {
  if (e instanceof DeltaError) return e;
  return new DeltaError(
    "CorruptData",
    `${store.locate(path)} is not a readable Parquet data file: ${(e as Error).message}`,
    { path, cause: e },
  );
}

/** Part of a column as hyparquet delivers it, and the index in the file of its first row. */
type Chunk = { columnData: ArrayLike<unknown>; rowStart: number };

/** The values of rows `[from, from + count)` of a column delivered in chunks. */
function gather(
  chunks: Chunk[],
  from: number,
  count: number,
): ArrayLike<unknown> {
  const [first] = chunks;
  if (chunks.length === 1 && first.rowStart === from && first.columnData.length === count) {
    return first.columnData;
  }
  const into = new Array(count);
  for (const { columnData, rowStart: at } of chunks) {
    const end = Math.min(at + columnData.length, from + count);
    for (let i = Math.max(at, from); i < end; i++) into[i - from] = columnData[i - at];
  }
  return into;
}

/**
 * Reads the columns `fields` (logical schema fields, possibly nested) of a Parquet data file,
 * one row group at a time, as one column of values per field (in the fields' order). Columns
 * are found by name (mode `none`, case-insensitive as a fallback), by
 * `delta.columnMapping.physicalName` (`name`) or by Parquet field id (`id`); columns missing
 * from the file read as null; fields named in `constants` (e.g. partition values) are not read
 * but hold their constant on every row. Values follow the reader's conventions (see `Value`):
 * timestamps of any unit and INT96 become microseconds, decimals are exact. Every batch keeps
 * all its rows (`selection` is null).
 *
 * @example
 * ```ts
 * import { LocalStore, Table } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * const { schema } = snapshot;
 * for await (const batch of readColumns(store, "part-0.parquet", 1234, schema.fields, "none")) {
 *   console.log(batch.firstRowIndex, batch.length, batch.columns[0][0]);
 * }
 * ```
 */
export async function* readColumns(
  store: Store,
  path: string,
  size: number | undefined,
  fields: readonly StructField[],
  mode: ColumnMappingMode,
  constants: Row = {},
): AsyncGenerator<ColumnBatch> {
  let file, metadata: FileMetaData;
  try {
    file = await asyncBufferFrom(store, path, size);
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw corrupt(store, path, e);
  }
  keepDecimalsRaw(metadata);
  const compressors = await decompressorsFor(metadata);
  const root = parquetSchema(metadata);
  const specs = fields.map((f) => {
    const constant = Object.hasOwn(constants, f.name);
    const node = constant ? undefined : resolveChild(root, f, mode);
    return {
      name: f.name,
      source: node?.element.name,
      constant: constant ? constants[f.name] : null,
      native: typeof f.type === "string" ? NATIVE[f.type] : undefined,
      convert: converter(f.type, node, mode),
    };
  });
  const sources = [...new Set(specs.flatMap((c) => (c.source === undefined ? [] : [c.source])))];
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const count = Number(group.num_rows);
    const chunks = new Map(sources.map((s) => [s, [] as Chunk[]]));
    if (sources.length > 0 && count > 0) {
      try {
        await parquetRead({
          file,
          metadata,
          columns: sources,
          rowStart,
          rowEnd: rowStart + count,
          compressors,
          utf8: false,
          parsers: PARQUET_PARSERS,
          onChunk: ({ columnName, columnData, rowStart: at }) =>
            chunks.get(columnName)?.push({ columnData, rowStart: at }),
        });
      } catch (e) {
        throw corrupt(store, path, e);
      }
    }
    const columns = specs.map((c): Column => {
      if (c.source === undefined) return new Array<Value>(count).fill(c.constant);
      const raw = gather(chunks.get(c.source)!, rowStart, count);
      if (c.native !== undefined && raw instanceof c.native) return raw as Column;
      const values = new Array<Value>(count);
      let i = 0;
      try {
        for (; i < count; i++) values[i] = c.convert(raw[i]);
      } catch (e) {
        const reason = `column ${c.source} of row ${rowStart + i} does not hold ${c.name}'s type: ${
          (e as Error).message
        }`;
        throw corrupt(store, path, new Error(reason));
      }
      return values;
    });
    yield { firstRowIndex: rowStart, length: count, columns, selection: null };
    rowStart += count;
  }
}

/**
 * The row objects of the selected rows of a batch, with the first `fields.length` columns
 * (named by `fields`, in order); further columns of the batch are left out.
 *
 * @example
 * ```ts
 * const batch = { firstRowIndex: 0, length: 2, columns: [[1n, 2n]], selection: Uint32Array.of(1) };
 * batchRows(batch, [{ name: "id", type: "long", nullable: true, metadata: {} }]); // [{ id: 2n }]
 * ```
 */
export function batchRows(batch: ColumnBatch, fields: readonly StructField[]): Row[] {
  const { columns, selection } = batch;
  const names = fields.map((f) => f.name);
  const rows: Row[] = new Array(selection?.length ?? batch.length);
  for (let j = 0; j < rows.length; j++) {
    const i = selection === null ? j : selection[j];
    const row: Row = {};
    for (let k = 0; k < names.length; k++) row[names[k]] = columns[k][i];
    rows[j] = row;
  }
  return rows;
}

/**
 * Reads the columns `fields` of a Parquet data file as rows, one row group at a time: the
 * rows of {@link readColumns}, in the fields' order.
 *
 * @example
 * ```ts
 * import { LocalStore, Table } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * const { schema } = snapshot;
 * for await (const batch of readDataFile(store, "part-0.parquet", 1234, schema.fields, "none")) {
 *   console.log(batch.firstRowIndex, batch.rows.length);
 * }
 * ```
 */
export async function* readDataFile(
  store: Store,
  path: string,
  size: number | undefined,
  fields: StructField[],
  mode: ColumnMappingMode,
  constants: Row = {},
): AsyncGenerator<RowBatch> {
  for await (const batch of readColumns(store, path, size, fields, mode, constants)) {
    yield { firstRowIndex: batch.firstRowIndex, rows: batchRows(batch, fields) };
  }
}
