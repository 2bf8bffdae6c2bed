/** Tables as the host stores them (Parquet) and as plugins see them (typed columns), both ways. */

import type { SchemaElement } from "hyparquet";
import type { BasicType } from "hyparquet-writer";
import type { ArrowType, Column } from "./arrow_ipc.ts";
import type { TableLimits } from "./limits.ts";
import { checkParquetClaims } from "./parquet_pages.ts";

/** The Parquet type each column type is written as; timestamps as milliseconds. */
const PARQUET_TYPE: Readonly<Record<string, BasicType>> = {
  bool: "BOOLEAN",
  int8: "INT32",
  int16: "INT32",
  int32: "INT32",
  uint8: "INT32",
  uint16: "INT32",
  uint32: "INT64",
  int64: "INT64",
  uint64: "INT64",
  float32: "FLOAT",
  float64: "DOUBLE",
  utf8: "STRING",
  binary: "BYTE_ARRAY",
};
/** How many of each timestamp unit make a millisecond. */
const PER_MS: Readonly<Record<string, number>> = { s: 1e-3, ms: 1, us: 1e3, ns: 1e6 };

/**
 * The columns of a Parquet file, typed (see {@link arrowType}), with hyparquet (loaded on first
 * use); nested columns are refused with an `Error` naming them, and so is a file whose footer or
 * page headers claim more than `limits` allow (see `checkParquetClaims`), before any of it is
 * decoded. `check` runs before each row group is decoded and after the last (a deadline's
 * check), and may throw to stop.
 *
 * @example
 * ```ts
 * import { tableLimits } from "./limits.ts";
 *
 * const bytes = await Deno.readFile("readings.parquet");
 * const [time, value] = await parquetToTable(bytes, tableLimits(256)); // { name: "time", type: "timestamp[ms]", values: [Date…] }
 * ```
 */
export async function parquetToTable(
  bytes: Uint8Array,
  limits: TableLimits,
  check: () => void = () => {},
): Promise<Column[]> {
  const [{ parquetMetadata, parquetRead, parquetSchema, snappyUncompress }, { compressors }] =
    await Promise.all([import("hyparquet"), import("hyparquet-compressors")]);
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const file = (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
  const metadata = parquetMetadata(file);
  const leaves = parquetSchema(metadata).children;
  const nested = leaves.find((leaf) => leaf.children.length > 0);
  if (nested) {
    throw new Error(`column ${nested.element.name} is nested; plugins are handed flat columns`);
  }
  const decompress = (codec: string, data: Uint8Array, size: number): Uint8Array => {
    if (codec === "UNCOMPRESSED") return data;
    const decompressor = compressors[codec as keyof typeof compressors];
    if (decompressor) return decompressor(data, size);
    if (codec !== "SNAPPY") throw new Error(`its pages use the unknown codec ${codec}`);
    const out = new Uint8Array(size);
    snappyUncompress(data, out);
    return out;
  };
  const names = leaves.map((l) => l.element.name);
  checkParquetClaims(new Uint8Array(file), metadata, names, limits, decompress);
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
  return leaves.map(({ element }) => {
    const values = joinChunks(chunks.get(element.name) ?? [], rows);
    const type = arrowType(element, values);
    const json = element.converted_type === "JSON" || element.logical_type?.type === "JSON";
    return { name: element.name, type, values: json ? Array.from(values, toJson) : values };
  });
}

/**
 * A table as Parquet bytes (hyparquet-writer, loaded on first use). Timestamps are written in
 * milliseconds, unsigned 32-bit integers as 64-bit ones.
 *
 * @example
 * ```ts
 * const bytes = await tableToParquet([{ name: "v", type: "float64", values: new Float64Array([1, 2]) }]);
 * ```
 */
export async function tableToParquet(table: readonly Column[]): Promise<Uint8Array> {
  const { parquetWriteBuffer } = await import("hyparquet-writer");
  const columnData = table.map(({ name, type, values }) => {
    const unit = /^timestamp\[(\w+)/.exec(type ?? "")?.[1];
    if (unit) {
      const perMs = PER_MS[unit];
      const ms = (v: unknown) => v == null ? null : BigInt(Math.floor(Number(v) / perMs));
      return { name, type: "TIMESTAMP" as const, data: Array.from(values, ms) };
    }
    const data = type === "uint32"
      ? Array.from(values, (v) => v == null ? null : BigInt(v as number))
      : values as unknown[];
    return { name, type: PARQUET_TYPE[type ?? ""], data };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData }));
}

/**
 * The column type of a Parquet column holding `values` as hyparquet decodes them: by physical
 * type, with timestamps and dates (decoded as `Date`s) as `timestamp[ms]`, decimals (numbers) as
 * float64, text and JSON as utf8, other bytes as binary.
 *
 * @example
 * ```ts
 * arrowType({ name: "v", type: "DOUBLE" }, [1.5]); // "float64"
 * ```
 */
export function arrowType(element: SchemaElement, values: ArrayLike<unknown>): ArrowType {
  let first: unknown;
  for (let i = 0; i < values.length && first == null; i++) first = values[i];
  if (first instanceof Date || element.type === "INT96") return "timestamp[ms]";
  if (element.converted_type?.startsWith("TIMESTAMP") || element.converted_type === "DATE") {
    return "timestamp[ms]";
  }
  if (typeof first === "number" && !["INT32", "FLOAT"].includes(element.type ?? "")) {
    return "float64";
  }
  switch (element.type) {
    case "BOOLEAN":
      return "bool";
    case "INT32":
      return element.converted_type === "UINT_32" ? "int64" : "int32";
    case "INT64":
      return "int64";
    case "FLOAT":
      return "float32";
    case "DOUBLE":
      return "float64";
  }
  const text = ["UTF8", "JSON", "ENUM"].includes(element.converted_type ?? "") ||
    typeof first === "string";
  return text || (first !== undefined && !(first instanceof Uint8Array)) ? "utf8" : "binary";
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

function toJson(value: unknown): string | null {
  return value == null ? null : typeof value === "string" ? value : JSON.stringify(value);
}
