/** A table to Parquet: pond's one dialect (its schema mapping, timestamps as microseconds in UTC, and its writer options). */

import type { SchemaElement } from "hyparquet";
import type { Column, Table, TimeUnit } from "./column.ts";
import { TableError } from "./errors.ts";
import { microsFrom } from "./micros.ts";
import { parquetElement, STORED_TIMESTAMP } from "./parquet_types.ts";

/** Options of {@link writeParquet} and {@link tableToParquet}. */
export interface ParquetWriteOptions {
  /**
   * Rows per row group (default 100,000); a list gives the first groups' sizes in turn, the
   * last size repeating.
   */
  readonly rowGroupSize?: number | number[];
  /** Key-value metadata to put in the footer. */
  readonly metadata?: Record<string, string>;
}

/** One column's values as the writer takes them for its schema element. */
export interface ColumnData {
  readonly name: string;
  readonly data: ArrayLike<unknown>;
}

const TIMESTAMP_UNIT = /^timestamp\[(s|ms|us|ns)/;

/**
 * Parquet bytes of `columns` stored as `schema` (flat, pre-order, root first), written the way
 * every Parquet file of pond is: snappy, statistics on, 100,000 rows to a row group unless
 * `options` say otherwise, created by "pond". Binary columns (BYTE_ARRAY that is not text or
 * JSON: file bodies, encoded listings) are written PLAIN without statistics: their values are
 * rarely repeated and never range-filtered, so a dictionary and min/max only cost hashing and
 * comparing every body. Such a column is snappy-compressed only when a sample of it shrinks
 * (see {@link snappyPays}): compressing incompressible bodies (random, already compressed) costs
 * CPU and saves nothing. hyparquet-writer loads on first use, so commands that only read never
 * load it.
 *
 * @example
 * ```ts
 * import { parquetElement } from "./parquet_types.ts";
 *
 * const schema = [{ name: "root", num_children: 1 }, parquetElement("v", "float64", true)];
 * const bytes = await writeParquet(schema, [{ name: "v", data: [1.5, null] }]);
 * ```
 */
export async function writeParquet(
  schema: SchemaElement[],
  columns: readonly ColumnData[],
  options: ParquetWriteOptions = {},
): Promise<Uint8Array> {
  const [{ ByteWriter, parquetWrite }, { snappyCompress }] = await Promise.all([
    import("hyparquet-writer"),
    import("hyparquet-writer/src/snappy.js"),
  ]);
  const binary = new Set(schema.filter(isBinary).map((element) => element.name));
  // Sized for the binary values up front, so a file of large bodies is not copied each time
  // the buffer would double.
  const writer = new ByteWriter(WRITER_SLACK + binaryBytes(columns, binary));
  parquetWrite({
    writer,
    schema,
    columnData: columns.map(({ name, data }) => ({
      name,
      data: data as unknown[],
      ...(binary.has(name) && {
        encoding: "PLAIN" as const,
        statistics: false,
        codec: snappyPays(data, snappyCompress) ? "SNAPPY" as const : "UNCOMPRESSED" as const,
      }),
    })),
    rowGroupSize: options.rowGroupSize ?? 100_000,
    kvMetadata: options.metadata &&
      Object.entries(options.metadata).map(([key, value]) => ({ key, value })),
    createdBy: "pond",
  });
  return new Uint8Array(writer.getBuffer());
}

/** Bytes a Parquet file takes beyond its binary values, to start its buffer with: 64 KiB. */
const WRITER_SLACK = 64 * 1024;

/** The total length of the values of the `binary` columns. */
function binaryBytes(columns: readonly ColumnData[], binary: ReadonlySet<string>): number {
  let size = 0;
  for (const { name, data } of columns) {
    if (!binary.has(name)) continue;
    for (let i = 0; i < data.length; i++) {
      const value = data[i];
      if (value instanceof Uint8Array) size += value.length;
    }
  }
  return size;
}

/** Bytes of a binary column's values that {@link snappyPays} compresses to judge the column. */
const SAMPLE_BYTES = 16 * 1024;

/**
 * Whether snappy saves at least a tenth of a binary column: judged on its first values up to
 * {@link SAMPLE_BYTES}, so a column of random or already compressed bodies is written
 * uncompressed (any Parquet reader reads either), and one of text is compressed.
 */
function snappyPays(
  values: ArrayLike<unknown>,
  compress: (input: Uint8Array) => Uint8Array,
): boolean {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (let i = 0; i < values.length && size < SAMPLE_BYTES; i++) {
    const value = values[i];
    if (!(value instanceof Uint8Array)) continue;
    const part = value.subarray(0, SAMPLE_BYTES - size);
    parts.push(part);
    size += part.length;
  }
  if (size === 0) return true;
  const sample = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    sample.set(part, at);
    at += part.length;
  }
  return compress(sample).length <= size * 0.9;
}

/** Whether `element` is a leaf of raw bytes: BYTE_ARRAY with no text or JSON annotation. */
function isBinary(element: SchemaElement): boolean {
  if (element.type !== "BYTE_ARRAY" || element.num_children) return false;
  const logical = element.logical_type?.type;
  return element.converted_type !== "UTF8" && element.converted_type !== "JSON" &&
    element.converted_type !== "ENUM" && logical !== "STRING" && logical !== "JSON" &&
    logical !== "ENUM" && logical !== "GEOMETRY" && logical !== "GEOGRAPHY";
}

/**
 * A table as Parquet bytes in pond's dialect: each column stored as {@link parquetElement} maps
 * its type, optional unless it says `nullable: false`, every timestamp (bigints or integers in
 * its unit, or Dates) as INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true) — a timestamp without a
 * zone is read as UTC — and unsigned 32-bit integers as 64-bit ones. A column without a type is
 * `UntypedColumn`.
 *
 * @example
 * ```ts
 * const bytes = await tableToParquet([
 *   { name: "t", type: "timestamp[ms]", values: [1_700_000_000_000n] },
 *   { name: "v", type: "float64", values: new Float64Array([1.5]) },
 * ]);
 * ```
 */
export async function tableToParquet(
  table: Table,
  options: ParquetWriteOptions = {},
): Promise<Uint8Array> {
  const stored = table.map((column) => {
    if (!column.type) {
      throw new TableError(
        "UntypedColumn",
        `column ${column.name} has no type; give it one (e.g. float64, utf8, timestamp[ms])`,
      );
    }
    const unit = TIMESTAMP_UNIT.exec(column.type)?.[1] as TimeUnit | undefined;
    const type = unit ? STORED_TIMESTAMP : column.type;
    return { column, type, data: unit ? toMicros(column.values, unit) : storedValues(column) };
  });
  const schema = [
    { name: "root", num_children: stored.length },
    ...stored.map(({ column, type }) =>
      parquetElement(column.name, type, column.nullable !== false)
    ),
  ];
  return await writeParquet(
    schema,
    stored.map(({ column, data }) => ({ name: column.name, data })),
    options,
  );
}

/** A column's values as the writer takes them: unsigned 32-bit integers as bigints. */
function storedValues({ type, values }: Column): ArrayLike<unknown> {
  if (type !== "uint32") return values;
  return Array.from(values, (v) => v == null ? null : BigInt(v as number));
}

/** Timestamps in `unit` (bigints, integers or Dates) as bigint microseconds, rounded down. */
function toMicros(values: ArrayLike<unknown>, unit: TimeUnit): ArrayLike<unknown> {
  if (unit === "us" && values instanceof BigInt64Array) return values;
  return Array.from(
    values,
    (v) => v == null ? null : microsFrom(v as bigint | number | Date, unit),
  );
}
