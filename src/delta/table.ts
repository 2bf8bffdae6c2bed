/** A Delta table opened from storage: the entry point to its snapshots and history. */

import { DeltaError } from "./errors.ts";
import { commitHistory, type CommitTimestamp, versionAtTimestamp } from "./history.ts";
import { LOG_DIR, readLastCheckpointHint } from "./log_segment.ts";
import { type ReplayOptions, replayVersion } from "./replay.ts";
import { Snapshot } from "./snapshot.ts";
import { LocalStore, type Store } from "./storage.ts";

/** Which version a snapshot shows: a version number, or the latest version at or before a time. */
export type SnapshotAt = { version: number } | { timestamp: Date | number | string };

/**
 * A Delta table. Reading is always through snapshots, which are immutable.
 *
 * @example
 * ```ts
 * const table = await openTable("/data/events");
 * const now = await table.snapshot();
 * const then = await table.snapshot({ timestamp: "2024-05-01T00:00:00Z" });
 * ```
 */
export class Table {
  constructor(readonly store: Store) {}

  /**
   * The snapshot at the latest version, at `{version}`, or at `{timestamp}` (the latest
   * version committed at or before it, to the millisecond; see `history.ts` for which commit
   * time is used). A checkpoint that does not read is passed over (see `replayVersion`;
   * `options.onFallback` is told). Throws `VersionNotFound`, `VersionGap`,
   * `UnsupportedReaderVersion`, `UnsupportedFeature`, `CorruptLog` or `CorruptCheckpoint`
   * naming what is at fault.
   *
   * @example
   * ```ts
   * import { openTable } from "./mod.ts";
   *
   * const table = await openTable("/data/table");
   * const v3 = await table.snapshot({ version: 3 });
   * ```
   */
  async snapshot(at?: SnapshotAt, options: ReplayOptions = {}): Promise<Snapshot> {
    const version = at === undefined
      ? undefined
      : "version" in at
      ? at.version
      : await versionAtTimestamp(this.store, at.timestamp);
    return new Snapshot(this.store, await replayVersion(this.store, version, options));
  }

  /**
   * Every reconstructable version with its commit time and `commitInfo`, oldest first.
   *
   * @example
   * ```ts
   * import { openTable } from "./mod.ts";
   *
   * const table = await openTable("/data/table");
   * for (const c of await table.history()) console.log(c.version, c.commitInfo?.operation);
   * ```
   */
  history(): Promise<CommitTimestamp[]> {
    return commitHistory(this.store);
  }
}

/**
 * Opens the Delta table at a directory path or on a `Store`. Throws `NotATable` when there is
 * no `_delta_log/` with a commit or checkpoint.
 *
 * @example
 * ```ts
 * const table = await openTable("/data/events");
 * const rows = await Array.fromAsync((await table.snapshot()).scan().rows());
 * ```
 */
export async function openTable(location: Store | string): Promise<Table> {
  const store = typeof location === "string" ? new LocalStore(location) : location;
  if (await readLastCheckpointHint(store) !== null) return new Table(store);
  const log = await store.list(LOG_DIR);
  if (!log.some((o) => /\/\d{20}\.(json|checkpoint\..*)$/.test(o.path))) {
    throw new DeltaError(
      "NotATable",
      `${store.locate("")} is not a Delta table: ${
        store.locate(LOG_DIR)
      } holds no commit or checkpoint`,
    );
  }
  return new Table(store);
}
