/** Compaction: rewriting a partition's small files into fewer larger ones, in one commit that changes no data. */

import type { Action, AddFile, Metadata } from "./actions.ts";
import { type CommitResult, removeOf, type TableWriter } from "./commit.ts";
import type { Row } from "./parquet_read.ts";
import { Scan } from "./scan.ts";
import { parseSchema } from "./schema.ts";
import type { Store } from "./storage.ts";
import { writeDataFiles } from "./write_files.ts";
import { writeProperties } from "./write_support.ts";

/** Options of {@link compact}. */
export interface CompactOptions {
  /**
   * Files smaller than this (bytes) are compacted, into files of about this size at most
   * (default 64 MiB). A bin's rows are held in memory while its file is written.
   */
  targetFileSize?: number;
  /** Only compact a partition that has at least this many small files (default 2). */
  minFiles?: number;
  /** Free-form application metadata for the commit's `commitInfo` (e.g. who ran it). */
  info?: Record<string, unknown>;
}

/** What a compaction did. */
export interface CompactResult {
  /** The commit, or null when nothing needed compacting. */
  commit: CommitResult | null;
  filesRemoved: number;
  filesAdded: number;
}

/** Small files grouped into bins of at most `target` bytes (a bin of one file is left alone). */
function bins(files: AddFile[], target: number): AddFile[][] {
  const out: AddFile[][] = [];
  let bin: AddFile[] = [];
  let size = 0;
  for (const file of files) {
    if (bin.length > 0 && size + file.size > target) {
      out.push(bin);
      bin = [];
      size = 0;
    }
    bin.push(file);
    size += file.size;
  }
  out.push(bin);
  return out.filter((b) => b.length > 1);
}

/** Options of {@link rewriteFiles}. */
export interface RewriteOptions {
  /** `modificationTime` of the new files and `deletionTimestamp` of the removes (default: now). */
  now?: number;
  /** Leaf columns that get statistics. */
  numIndexedCols?: number;
  /** Rows per row group of the new files. */
  rowGroupSize?: number;
  /** The order of rows in the new files (default: as read), e.g. to make row-group stats selective. */
  order?: (a: Row, b: Row) => number;
}

/**
 * The actions that swap `files` (live files of one partition) for new files holding the same
 * rows: the new files are written (and fsynced) here; the returned `remove`s and `add`s all
 * have `dataChange: false`, ready to be committed alone or with other actions.
 *
 * @example
 * ```ts
 * import { LocalStore, TableWriter, Table } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const writer = await TableWriter.open(store);
 * const snapshot = await new Table(store).snapshot();
 * const smallFiles = snapshot.files().filter((f) => f.size < 1 << 20);
 * const swap = await rewriteFiles(store, writer.state.metadata, smallFiles);
 * await writer.commit(swap, { operation: "OPTIMIZE" });
 * ```
 */
export async function rewriteFiles(
  store: Store,
  metadata: Metadata,
  files: AddFile[],
  options: RewriteOptions = {},
): Promise<Action[]> {
  const schema = parseSchema(metadata.schemaString);
  const scan = new Scan({
    store,
    schema,
    partitionColumns: metadata.partitionColumns,
    columnMappingMode: "none",
    files,
  });
  const rows = await Array.fromAsync(scan.rows());
  if (options.order) rows.sort(options.order);
  const columns: Record<string, unknown[]> = Object.fromEntries(
    schema.fields.map((f) => [f.name, rows.map((row) => row[f.name])]),
  );
  const now = options.now ?? Date.now();
  const { adds } = await writeDataFiles(store, metadata, columns, {
    numIndexedCols: options.numIndexedCols,
    rowGroupSize: options.rowGroupSize,
  });
  return [
    ...files.map((file): Action => ({ remove: removeOf(file, now, false) })),
    ...adds.map((add): Action => ({ add: { ...add, dataChange: false } })),
  ];
}

/**
 * Rewrites the small live files of each partition into larger ones and commits the swap as
 * one `OPTIMIZE` commit whose actions all have `dataChange: false`: the table's rows (after
 * deletion vectors) are the same before and after. A concurrent commit that removes one of
 * the compacted files makes it fail with `Conflict`; the files it wrote are then unreferenced
 * (vacuum deletes them).
 *
 * @example
 * ```ts
 * import { LocalStore, TableWriter } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const writer = await TableWriter.open(store);
 * const { filesRemoved, filesAdded } = await compact(writer, { targetFileSize: 32 * 1024 * 1024 });
 * ```
 */
export async function compact(
  writer: TableWriter,
  options: CompactOptions = {},
): Promise<CompactResult> {
  await writer.update();
  const { store, state } = writer;
  const target = options.targetFileSize ?? 64 * 1024 * 1024;
  const minFiles = options.minFiles ?? 2;
  const partitionColumns = state.metadata.partitionColumns;
  const byPartition = new Map<string, AddFile[]>();
  for (const file of state.files.values()) {
    if (file.size >= target) continue;
    const key = JSON.stringify(partitionColumns.map((c) => file.partitionValues[c] ?? null));
    byPartition.set(key, [...byPartition.get(key) ?? [], file]);
  }
  const numIndexedCols = writeProperties(state.metadata.configuration).numIndexedCols;
  const now = Date.now();
  const actions: Action[] = [];
  let filesRemoved = 0, filesAdded = 0;
  for (const files of byPartition.values()) {
    if (files.length < minFiles) continue;
    files.sort((a, b) => a.modificationTime - b.modificationTime || (a.path < b.path ? -1 : 1));
    for (const bin of bins(files, target)) {
      const swap = await rewriteFiles(store, state.metadata, bin, { now, numIndexedCols });
      for (const action of swap) actions.push(action);
      filesRemoved += bin.length;
      filesAdded += swap.length - bin.length;
    }
  }
  if (actions.length === 0) return { commit: null, filesRemoved: 0, filesAdded: 0 };
  const commit = await writer.commit(actions, {
    operation: "OPTIMIZE",
    operationParameters: { targetFileSize: target },
    operationMetrics: { numRemovedFiles: String(filesRemoved), numAddedFiles: String(filesAdded) },
    info: options.info,
  });
  return { commit, filesRemoved, filesAdded };
}
