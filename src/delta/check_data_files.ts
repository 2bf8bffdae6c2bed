/** Checking a table's data files: every live one is there, at its size, with a footer that reads and counts the log's rows; and which files no version refers to. */
import { parquetMetadataAsync } from "hyparquet";
import type { AddFile } from "./actions.ts";
import { decodePath } from "./actions.ts";
import { TableWriter } from "./commit.ts";
import { isDeltaError } from "./errors.ts";
import { dataFilePath } from "./scan.ts";
import type { Snapshot } from "./snapshot.ts";
import { asyncBufferFrom, isTempFile, type Store } from "./storage.ts";
import { vacuum } from "./vacuum.ts";

/** One problem of a live data file; `path` is relative to the table. */
export type DataFileProblem =
  /** The file is missing; `rows` is what the log's statistics say it holds, when they say. */
  | { code: "MissingDataFile"; path: string; version: number; rows?: number }
  | { code: "CorruptDataFile"; path: string; damage: DataFileDamage };

/** How a present data file is damaged. */
export type DataFileDamage =
  /** It is `size` bytes, the log says `expected`. */
  | { kind: "size"; size: number; expected: number }
  /** Its Parquet footer does not read. */
  | { kind: "footer"; cause: unknown }
  /** Its footer counts `rows`, the log's statistics `expected`. */
  | { kind: "rows"; rows: number; expected: number };

/**
 * Checks that every live data file of `snapshot` exists with the size the log gives, and that
 * its Parquet footer reads and counts the rows the log's statistics say, reporting each
 * problem to `problem`. Returns the files that passed, whose rows can be read.
 *
 * @example
 * ```ts
 * import { type Store, Table } from "./mod.ts";
 *
 * async function example(store: Store) {
 *   const snapshot = await new Table(store).snapshot();
 *   const readable = await checkDataFiles(store, snapshot, (p) => console.log(p.code, p.path));
 * }
 * ```
 */
export async function checkDataFiles(
  store: Store,
  snapshot: Snapshot,
  problem: (problem: DataFileProblem) => void,
): Promise<AddFile[]> {
  const readable: AddFile[] = [];
  for (const add of snapshot.files()) {
    const path = dataFilePath(store, add.path);
    const corrupt = (damage: DataFileDamage) => problem({ code: "CorruptDataFile", path, damage });
    let size: number;
    try {
      size = (await store.head(path)).size;
    } catch (e) {
      if (!isDeltaError(e, "MissingFile")) throw e;
      const rows = numRecords(add);
      problem({
        code: "MissingDataFile",
        path,
        version: snapshot.version,
        ...(rows !== undefined && { rows }),
      });
      continue;
    }
    if (size !== add.size) {
      corrupt({ kind: "size", size, expected: add.size });
      continue;
    }
    let rows: number;
    try {
      rows = Number(
        (await parquetMetadataAsync(await asyncBufferFrom(store, path, size))).num_rows,
      );
    } catch (e) {
      corrupt({ kind: "footer", cause: e });
      continue;
    }
    const expected = numRecords(add);
    if (expected !== undefined && expected !== rows) {
      corrupt({ kind: "rows", rows, expected });
      continue;
    }
    readable.push(add);
  }
  return readable;
}

function numRecords(add: AddFile): number | undefined {
  if (!add.stats) return undefined;
  try {
    const n = JSON.parse(add.stats).numRecords;
    return typeof n === "number" ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The data files in the table's directories that no version of the log refers to, whatever
 * their age (a tombstoned file, which older versions need, is not one; temporary files are
 * not listed), and the version that decided it.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const { version, files } = await unreferencedDataFiles(new LocalStore("/data/table"));
 * ```
 */
export async function unreferencedDataFiles(
  store: Store,
): Promise<{ version: number; files: string[] }> {
  const writer = await TableWriter.open(store);
  const removed = new Set([...writer.state.tombstones.values()].map((r) => decodePath(r.path)));
  const unreferenced = await vacuum(writer, { retentionMs: 0, force: true, dryRun: true });
  return {
    version: unreferenced.version,
    files: unreferenced.files.filter((path) => !removed.has(path) && !isTempFile(path)),
  };
}
