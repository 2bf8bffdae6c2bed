/** Every row of the oplog, file by file, through the Delta reader: what checks and blob garbage collection need beyond the store's by-node reads. */
import { type AddFile, type Row, Scan, type Snapshot, type Store } from "../delta/mod.ts";
import type { OplogRow } from "./schema.ts";

/**
 * A scan of some live files of `snapshot` (the Delta reader's own, so partition values come
 * from the log), optionally of some columns only.
 *
 * @example
 * ```ts
 * import { type Store, Table } from "../delta/mod.ts";
 *
 * async function example(store: Store) {
 *   const snapshot = await new Table(store).snapshot();
 *   const [file] = snapshot.files();
 *   for await (const { rows } of scanFiles(store, snapshot, [file]).batches()) console.log(rows.length);
 * }
 * ```
 */
export function scanFiles(
  store: Store,
  snapshot: Snapshot,
  files: AddFile[],
  columns?: string[],
): Scan {
  return new Scan({
    store,
    schema: snapshot.schema,
    partitionColumns: snapshot.partitionColumns,
    columnMappingMode: snapshot.columnMappingMode,
    files,
  }, { columns });
}

/**
 * The rows of one live data file, a row group at a time, as the store's {@link OplogRow}s
 * (longs as numbers, timestamps in milliseconds). A damaged file throws the reader's
 * `CorruptData` error.
 *
 * @example
 * ```ts
 * import { type Store, Table } from "../delta/mod.ts";
 *
 * async function example(store: Store) {
 *   const snapshot = await new Table(store).snapshot();
 *   const [file] = snapshot.files();
 *   for await (const rows of oplogRows(store, snapshot, file)) for (const r of rows) console.log(r.node_id, r.version);
 * }
 * ```
 */
export async function* oplogRows(
  store: Store,
  snapshot: Snapshot,
  file: AddFile,
): AsyncGenerator<OplogRow[]> {
  for await (const batch of scanFiles(store, snapshot, [file]).batches()) {
    yield batch.rows.map(toOplogRow);
  }
}

/**
 * The blob hashes the rows of `files` refer to (bodies stored outside the rows). Reads only
 * the `hash` and `blob_chunks` columns.
 *
 * @example
 * ```ts
 * import { type Store, Table } from "../delta/mod.ts";
 *
 * async function example(store: Store) {
 *   const snapshot = await new Table(store).snapshot();
 *   const inUse = await blobsReferenced(store, snapshot, snapshot.files());
 * }
 * ```
 */
export async function blobsReferenced(
  store: Store,
  snapshot: Snapshot,
  files: AddFile[],
): Promise<Set<string>> {
  const hashes = new Set<string>();
  for await (const row of scanFiles(store, snapshot, files, ["hash", "blob_chunks"]).rows()) {
    if (row.blob_chunks !== null && typeof row.hash === "string") hashes.add(row.hash);
  }
  return hashes;
}

function toOplogRow(r: Row): OplogRow {
  return {
    part_id: r.part_id as string,
    node_id: r.node_id as string,
    version: num(r.version)!,
    seq: num(r.seq)!,
    timestamp: millis(r.timestamp)!,
    entry_type: r.entry_type as string,
    size: num(r.size)!,
    content: r.content as Uint8Array | null,
    hash: r.hash as string | null,
    blob_chunks: r.blob_chunks as Uint8Array | null,
    entries: r.entries as Uint8Array | null,
    dir_base: num(r.dir_base),
    dir_anchor: num(r.dir_anchor),
    target: r.target as string | null,
    factory: r.factory as string | null,
    config: r.config as Uint8Array | null,
    min_event_time: millis(r.min_event_time),
    max_event_time: millis(r.max_event_time),
    attributes: r.attributes as string | null,
    blob_crcs: (r.blob_crcs ?? null) as Uint8Array | null,
  };
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function millis(v: unknown): number | null {
  return typeof v === "bigint" ? Number(v / 1000n) : num(v);
}
