/** The rows of tables and series in the pond: a table's one version, or every version of a series, pruned by event time. */
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { decompressorsFor } from "../delta/mod.ts";
import { PondError } from "../errors.ts";
import { timeColumn } from "../oplog/mod.ts";
import type { ReadView } from "../tinyfs/mod.ts";

/** Which rows to read. */
export interface RowsOptions {
  /** A table's version (default: the newest); not for series, whose versions are read together. */
  version?: number;
  /** For series: only rows at or after this time (ms since the epoch). */
  from?: number;
  /** For series: only rows at or before this time (ms since the epoch). */
  to?: number;
}

/** One version's rows, with the column names in file order. */
export interface RowBatch {
  version: number;
  columns: string[];
  rows: Record<string, unknown>[];
}

/**
 * The rows of a `file:table` (one version) or a `file:series` (every version, oldest first —
 * a series is appended to by writing new versions — skipping versions whose event-time range
 * lies outside `from`..`to` without reading them, and filtering the rest by their time column).
 * Any other file is `NotATable`.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const root = await pond.root();
 * for await (const batch of tableRows(root, "/sensors/north.series", { from: Date.parse("2026-06-02") })) {
 *   console.log(batch.version, batch.rows.length);
 * }
 * ```
 */
export async function* tableRows(
  root: ReadView,
  path: string,
  options: RowsOptions = {},
): AsyncGenerator<RowBatch> {
  const meta = await root.metadata(path);
  if (meta.entryType === "file:table") {
    const version = options.version ?? meta.version;
    yield await readVersion(root, path, version, undefined, options);
    return;
  }
  if (meta.entryType !== "file:series") {
    throw new PondError(
      "NotATable",
      `${path} is ${meta.entryType}, not a table or series; read its bytes with pond cat`,
    );
  }
  if (options.version !== undefined) {
    throw new PondError(
      "InvalidArgument",
      `${path} is a series, whose versions are read together; use --from/--to, or --at`,
    );
  }
  const { from = -Infinity, to = Infinity } = options;
  for (const v of await root.versions(path)) {
    if (v.eventTimes && (v.eventTimes.max < from || v.eventTimes.min > to)) continue;
    yield await readVersion(root, path, v.version, { from, to }, options);
  }
}

async function readVersion(
  root: ReadView,
  path: string,
  version: number,
  range: { from: number; to: number } | undefined,
  options: RowsOptions,
): Promise<RowBatch> {
  const bytes = await root.read(path, { version });
  const buffer = bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  ) as ArrayBuffer;
  let metadata;
  try {
    metadata = parquetMetadata(buffer);
  } catch (e) {
    throw new PondError(
      "NotATable",
      `version ${version} of ${path} is not a readable Parquet file: ${(e as Error).message}`,
    );
  }
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  const compressors = await decompressorsFor(metadata);
  let rows = await parquetReadObjects({ file: buffer, metadata, compressors });
  const time = range ? timeColumn(metadata) : undefined;
  if (range && time !== undefined && (options.from !== undefined || options.to !== undefined)) {
    rows = rows.filter((row) => {
      const t = (row[time] as Date | null)?.getTime();
      return t !== undefined && t >= range.from && t <= range.to;
    });
  }
  return { version, columns, rows };
}
