/** Parquet to a table: every leaf a column of its model type, timestamps of any unit as microseconds in UTC. */

import {
  type Compressors,
  type FileMetaData,
  parquetRead,
  type ParquetReadOptions,
  parquetSchema,
  type SchemaElement,
} from "hyparquet";
import type { Column } from "./column.ts";
import { TableError } from "./errors.ts";
import { microsFrom } from "./micros.ts";
import { columnTypeOf } from "./parquet_types.ts";

const text = new TextDecoder();

/**
 * How hyparquet hands values to the table model: timestamps of every unit (and INT96) as bigint
 * microseconds, rounded down; dates as day numbers; JSON as its text; geometries as their bytes.
 */
export const PARQUET_PARSERS: NonNullable<ParquetReadOptions["parsers"]> = {
  timestampFromMilliseconds: (ms: bigint) => microsFrom(ms, "ms"),
  timestampFromMicroseconds: (us: bigint) => microsFrom(us, "us"),
  timestampFromNanoseconds: (ns: bigint) => microsFrom(ns, "ns"),
  dateFromDays: (days: number) => days,
  jsonFromBytes: (bytes: Uint8Array | undefined) => bytes && text.decode(bytes),
  geometryFromBytes: (bytes: Uint8Array | undefined) => bytes,
  geographyFromBytes: (bytes: Uint8Array | undefined) => bytes,
};

/**
 * The top-level columns of a Parquet file, which must all be leaves; a group (struct, list,
 * map) is `NestedColumn` naming it.
 *
 * @example
 * ```ts
 * import { parquetMetadata } from "hyparquet";
 *
 * const file = (await Deno.readFile("readings.parquet")).buffer;
 * flatColumns(parquetMetadata(file)).map((e) => e.name); // ["time", "value"]
 * ```
 */
export function flatColumns(metadata: FileMetaData): SchemaElement[] {
  return parquetSchema(metadata).children.map(({ element, children }) => {
    if (children.length > 0) {
      throw new TableError(
        "NestedColumn",
        `column ${element.name} is nested; pond's tables are flat columns`,
      );
    }
    return element;
  });
}

/** Options of {@link tableFromParquet}. */
export interface TableFromParquetOptions {
  /** Decompressors beyond snappy (e.g. hyparquet-compressors'). */
  readonly compressors?: Compressors;
  /** Called before each row group is decoded and after the last; may throw to stop. */
  readonly check?: () => void;
}

/**
 * The columns of a Parquet file (`metadata` is its footer), in file order, each of the type
 * {@link columnTypeOf} gives its element, nullable unless the element is required. Numbers
 * without nulls come as typed arrays; timestamps as bigint microseconds since the epoch in UTC
 * (whatever unit the file used: milliseconds, microseconds, nanoseconds or INT96); dates as
 * days; text and JSON as strings; other bytes as Uint8Arrays; missing values as `null`.
 * Nested columns are `NestedColumn`.
 *
 * @example
 * ```ts
 * import { parquetMetadata } from "hyparquet";
 *
 * const file = (await Deno.readFile("readings.parquet")).buffer;
 * const [time] = await tableFromParquet(file, parquetMetadata(file));
 * time.type; // "timestamp[us, UTC]"
 * ```
 */
export async function tableFromParquet(
  file: ArrayBuffer,
  metadata: FileMetaData,
  options: TableFromParquetOptions = {},
): Promise<Column[]> {
  const { compressors, check = () => {} } = options;
  const elements = flatColumns(metadata);
  const rows = Number(metadata.num_rows);
  const chunks = new Map<string, { start: number; data: ArrayLike<unknown> }[]>();
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    check();
    const groupEnd = groupStart + Number(group.num_rows);
    await parquetRead({
      file,
      metadata,
      compressors,
      parsers: PARQUET_PARSERS,
      utf8: false,
      rowStart: groupStart,
      rowEnd: groupEnd,
      onChunk: ({ columnName, columnData, rowStart }) => {
        if (!chunks.has(columnName)) chunks.set(columnName, []);
        chunks.get(columnName)!.push({ start: rowStart, data: columnData });
      },
    });
    groupStart = groupEnd;
  }
  check();
  return elements.map((element) => ({
    name: element.name,
    type: columnTypeOf(element),
    values: joinChunks(chunks.get(element.name) ?? [], rows),
    nullable: element.repetition_type !== "REQUIRED",
  }));
}

/**
 * One column's chunks, in row order, as one array of `rows` values (a typed array when every
 * chunk is one); values a chunk holds past `rows` are dropped.
 */
function joinChunks(
  chunks: readonly { start: number; data: ArrayLike<unknown> }[],
  rows: number,
): ArrayLike<unknown> {
  const sorted = [...chunks].sort((a, b) => a.start - b.start);
  if (sorted.length === 1 && sorted[0].data.length === rows) return sorted[0].data;
  const kind = sorted[0]?.data.constructor;
  const typed = ArrayBuffer.isView(sorted[0]?.data) &&
    sorted.every((c) => c.data.constructor === kind);
  const out = typed
    ? new (kind as new (
      n: number,
    ) => { set(a: ArrayLike<unknown>, at: number): void } & ArrayLike<unknown>)(rows)
    : new Array<unknown>(rows);
  for (const { start, data } of sorted) {
    const fits = Math.max(0, Math.min(data.length, rows - start));
    if (typed) {
      (out as { set(a: ArrayLike<unknown>, at: number): void }).set(
        (data as unknown as { subarray(a: number, b: number): ArrayLike<unknown> }).subarray(
          0,
          fits,
        ),
        start,
      );
    } else for (let i = 0; i < fits; i++) (out as unknown[])[start + i] = data[i];
  }
  return out;
}
