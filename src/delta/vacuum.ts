/** Vacuum: deleting files the table no longer references, once they are older than the retention period. */

import type { TableWriter } from "./commit.ts";
import { deletionVectorPath } from "./deletion_vector.ts";
import { DeltaError, isDeltaError } from "./errors.ts";
import { dataFilePath } from "./scan.ts";
import type { DeletionVectorDescriptor } from "./actions.ts";
import { isTempFile, type ObjectInfo, type Store } from "./storage.ts";
import { writeProperties } from "./write_support.ts";

/** Options of {@link vacuum}. */
export interface VacuumOptions {
  /**
   * Keep files removed less than this long ago, and any unreferenced file modified less than
   * this long ago (default: the table's `delta.deletedFileRetentionDuration`, 1 week).
   */
  retentionMs?: number;
  /** Allow a retention shorter than the table's (it can break readers of older versions). */
  force?: boolean;
  /** Only report what would be deleted. */
  dryRun?: boolean;
  /** The current time (default: now). */
  now?: number;
}

/** What vacuum deleted (or, in a dry run, would delete). */
export interface VacuumResult {
  /** The table version whose state decided what is still referenced. */
  version: number;
  /** Deleted files, as table-relative paths, sorted. */
  files: string[];
  /** Their total size in bytes. */
  bytes: number;
  dryRun: boolean;
}

/**
 * A file beside the commits named like one with something after `.json` (`…07.json.torn-…`,
 * `…07.json.bak`): a commit set aside or copied out of the log, which no reader replays but
 * which may name data files no commit in the log names.
 */
const ASIDE_COMMIT = /^_delta_log\/\d{20}\.json\.[^/]+$/;

/** Whether a table-relative path is hidden from vacuum: a segment starting with `_` or `.` (not a partition directory). */
function isHidden(path: string): boolean {
  return path.split("/").some((segment) =>
    (segment.startsWith("_") || segment.startsWith(".")) && !segment.includes("=")
  );
}

/** The table-relative path of a data file named by an action, or undefined when it lies outside the table. */
function insideTable(store: Store, path: string): string | undefined {
  try {
    return dataFilePath(store, path);
  } catch (e) {
    if (isDeltaError(e, "UnsupportedFeature")) return undefined;
    throw e;
  }
}

/** The table-relative file of a DV, or undefined for inline DVs and DVs outside the table. */
function dvFile(
  descriptor: DeletionVectorDescriptor | null | undefined,
  root: string,
): string | undefined {
  if (!descriptor || descriptor.storageType === "i") return undefined;
  const path = deletionVectorPath(descriptor);
  if (descriptor.storageType === "u") return path;
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : undefined;
}

/**
 * Deletes data and deletion-vector files that no live file and no unexpired tombstone of the
 * latest version references, and that were modified longer than the retention period ago (so
 * files of commits still in flight are never touched). Files under hidden directories
 * (`_delta_log/`, `_change_data/`, names starting with `_` or `.`) are left alone. Refuses
 * (`InvalidArgument`) a retention shorter than the table's unless `force` is set, and tables this
 * writer cannot write; and (`VacuumRefused`, dry runs too) while `_delta_log/` holds a commit set
 * aside (such as pond's `…json.torn-TIME`), since the files it names cannot be known.
 *
 * @example
 * ```ts
 * import { LocalStore, TableWriter } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const writer = await TableWriter.open(store);
 * const planned = await vacuum(writer, { dryRun: true });
 * console.log(`${planned.files.length} files, ${planned.bytes} bytes would be deleted`);
 * ```
 */
export async function vacuum(
  writer: TableWriter,
  options: VacuumOptions = {},
): Promise<VacuumResult> {
  await writer.update();
  await writer.loadTombstones();
  const { store, state } = writer;
  const tableRetention = writeProperties(state.metadata.configuration).deletedFileRetentionMs;
  const retention = options.retentionMs ?? tableRetention;
  if (!(retention >= 0)) {
    throw new DeltaError("InvalidArgument", `retention must be >= 0 ms, got ${retention}`);
  }
  if (retention < tableRetention && !options.force) {
    throw new DeltaError(
      "InvalidArgument",
      `a retention of ${retention} ms is shorter than the table's delta.deletedFileRetentionDuration (${tableRetention} ms): ` +
        "readers of older versions may lose files; pass force to vacuum anyway",
    );
  }
  const cutoff = (options.now ?? Date.now()) - retention;
  const root = store.locate("");
  const referenced = new Set<string>();
  const keep = (path: string | undefined) => path !== undefined && referenced.add(path);
  for (const file of [...state.files.values(), ...state.tombstones.values()]) {
    if ("deletionTimestamp" in file && (file.deletionTimestamp ?? 0) <= cutoff) continue;
    keep(insideTable(store, file.path));
    keep(dvFile(file.deletionVector, root));
  }
  const listed = await store.list("", { recursive: true });
  const aside = listed.find((o) => ASIDE_COMMIT.test(o.path));
  if (aside) {
    throw new DeltaError(
      "VacuumRefused",
      `${
        store.locate(aside.path)
      } is a commit set aside beside the log: it may name data files no commit in the log names, so vacuum deletes nothing while it is there; move it out of the table once you have kept what you need of it`,
      { path: aside.path },
    );
  }
  const doomed: ObjectInfo[] = listed.filter((o) =>
    (isTempFile(o.path) || !isHidden(o.path)) && !referenced.has(o.path) && o.mtime < cutoff
  );
  if (!options.dryRun) {
    for (const file of doomed) await store.delete(file.path);
  }
  return {
    version: state.version,
    files: doomed.map((o) => o.path).sort(),
    bytes: doomed.reduce((n, o) => n + o.size, 0),
    dryRun: options.dryRun ?? false,
  };
}
