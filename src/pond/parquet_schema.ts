/** The schema of a Parquet body — its columns' names and types and its row count — from the footer alone, and of a series' versions merged. */
import { parquetMetadataAsync, parquetSchema } from "hyparquet";
import type { AsyncBuffer, SchemaElement, SchemaTree } from "hyparquet";
import { PondError } from "../errors.ts";
import type { NodePath } from "../tinyfs/mod.ts";
import { hostFileRanges } from "./host_files.ts";

/** One top-level column. */
export interface ColumnInfo {
  readonly name: string;
  /** The logical type where the file gives one (e.g. `TIMESTAMP(MILLIS, UTC)`), else the physical. */
  readonly type: string;
  readonly nullable: boolean;
}

/** What a Parquet footer says about the table. */
export interface TableSchema {
  readonly rows: number;
  readonly rowGroups: number;
  readonly columns: ColumnInfo[];
}

/**
 * Reads the footer of one version of the Parquet file `node` — by byte range from its blob
 * when the store keeps one, else from its stream — and describes its schema; no data page is
 * decoded. `NotParquet` (naming the path) when the body is not Parquet.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const root = await (await Pond.open("/data/pond")).root();
 * const node = await root.open("/sites/north/readings.parquet");
 * const { size, version } = await node.metadata();
 * const schema = await readTableSchema(node, version, size);
 * schema.columns.map((c) => `${c.name} ${c.type}`); // ["time TIMESTAMP(MILLIS, UTC)", "value DOUBLE"]
 * ```
 */
export async function readTableSchema(
  node: NodePath,
  version: number,
  size: number,
): Promise<TableSchema> {
  const blob = await node.fileOnDisk({ version });
  return await footerSchema(
    blob ? hostFileRanges(blob, size) : streamedBuffer(() => node.stream({ version }), size),
    (why) =>
      `${node.path} is stored as a table but is not Parquet (${why}); copy it in again with --type data`,
  );
}

/**
 * The schema of a dynamic file its plugin computes as a table (see `isParquetNode`), read
 * from the footer of what it computes now. `NotParquet` when the plugin wrote something else.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const root = await (await Pond.open("/data/pond")).root();
 * const schema = await computedTableSchema(await root.open("/daily.parquet")); // { rows: 31, … }
 * ```
 */
export async function computedTableSchema(node: NodePath): Promise<TableSchema> {
  const bytes = await node.read();
  return await footerSchema(
    {
      byteLength: bytes.length,
      slice: (start, end) => bytes.slice(start, end).buffer,
    },
    (why) => `${node.path} is computed by its plugin, but not as Parquet (${why})`,
  );
}

/** The schema in the footer `buffer` holds; `NotParquet` with `message(why)` when it holds none. */
async function footerSchema(
  buffer: AsyncBuffer,
  message: (why: string) => string,
): Promise<TableSchema> {
  let metadata;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (e) {
    throw new PondError("NotParquet", message(e instanceof Error ? e.message : String(e)), {
      cause: e,
    });
  }
  return {
    rows: Number(metadata.num_rows),
    rowGroups: metadata.row_groups.length,
    columns: parquetSchema(metadata).children.map(column),
  };
}

/**
 * The schema of several versions read as one table (a series): columns merged by name in the
 * order they first appear (a column's type is its newest version's; it is nullable when it is
 * so anywhere or missing from some version), rows and row groups summed.
 *
 * @example
 * ```ts
 * const timestamp = { name: "timestamp", type: "TIMESTAMP(MILLIS, UTC)", nullable: false };
 * const value = { name: "value", type: "DOUBLE", nullable: false };
 * const salinity = { name: "salinity", type: "DOUBLE", nullable: true };
 * const v1: TableSchema = { rows: 24, rowGroups: 1, columns: [timestamp, value] };
 * const v2: TableSchema = { rows: 24, rowGroups: 1, columns: [timestamp, value, salinity] };
 * mergeSchemas([v1, v2]).columns.map((c) => c.name); // ["timestamp", "value", "salinity"]
 * ```
 */
export function mergeSchemas(schemas: readonly TableSchema[]): TableSchema {
  const columns = new Map<string, ColumnInfo>();
  for (const schema of schemas) {
    for (const c of schema.columns) {
      const seen = columns.get(c.name);
      columns.set(c.name, { ...c, nullable: c.nullable || (seen?.nullable ?? false) });
    }
  }
  for (const [name, c] of columns) {
    if (schemas.some((s) => !s.columns.some((x) => x.name === name))) {
      columns.set(name, { ...c, nullable: true });
    }
  }
  return {
    rows: schemas.reduce((n, s) => n + s.rows, 0),
    rowGroups: schemas.reduce((n, s) => n + s.rowGroups, 0),
    columns: [...columns.values()],
  };
}

function column(tree: SchemaTree): ColumnInfo {
  const e = tree.element;
  return { name: e.name, type: typeName(e), nullable: e.repetition_type !== "REQUIRED" };
}

/**
 * How a column's type reads: the logical type with its parameters, else the converted type,
 * else the physical type; groups are their logical kind or STRUCT.
 */
function typeName(e: SchemaElement): string {
  const logical = e.logical_type;
  if (logical) {
    switch (logical.type) {
      case "TIMESTAMP":
      case "TIME":
        return `${logical.type}(${logical.unit}${logical.isAdjustedToUTC ? ", UTC" : ""})`;
      case "DECIMAL":
        return `DECIMAL(${logical.precision}, ${logical.scale})`;
      case "INTEGER":
        return `${logical.isSigned ? "INT" : "UINT"}${logical.bitWidth}`;
      default:
        return logical.type;
    }
  }
  if (e.converted_type) return e.converted_type;
  if (e.num_children !== undefined) return "STRUCT";
  return e.type ?? "UNKNOWN";
}

/**
 * A hyparquet byte source over a body that can only be streamed from its start: a slice
 * reads the stream up to the slice's end and cancels it there.
 */
function streamedBuffer(
  open: () => Promise<ReadableStream<Uint8Array>>,
  byteLength: number,
): AsyncBuffer {
  return {
    byteLength,
    async slice(start: number, end = byteLength): Promise<ArrayBuffer> {
      const out = new Uint8Array(Math.max(0, end - start));
      const reader = (await open()).getReader();
      try {
        for (let at = 0; at < end;) {
          const { done, value } = await reader.read();
          if (done) break;
          const from = Math.max(start, at);
          const to = Math.min(end, at + value.length);
          if (from < to) out.set(value.subarray(from - at, to - at), from - start);
          at += value.length;
        }
      } finally {
        await reader.cancel();
      }
      return out.buffer;
    },
  };
}
