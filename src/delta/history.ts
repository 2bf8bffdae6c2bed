/**
 * Commit history: the timestamp of each commit, and the version a table had at a point in time.
 *
 * Which timestamp a commit has: the protocol says a commit's time is its `inCommitTimestamp`
 * when In-Commit Timestamps are enabled, else the modification time of its log file. File
 * times do not survive copies, backups and restores (a pond is meant to be backed up), so this
 * reader takes, in order: `commitInfo.inCommitTimestamp`, then `commitInfo.timestamp` (the
 * writer's clock at commit, which every mainstream writer records), and only when a commit has
 * neither, the file's modification time. Like Spark, timestamps are then made strictly
 * increasing with version (a commit earlier than its predecessor counts as 1 ms after it), so
 * "the latest version at or before T" is well defined. Precision is the millisecond.
 */

import type { CommitInfo } from "./actions.ts";
import { DeltaError } from "./errors.ts";
import { listReconstructableCommits } from "./log_segment.ts";
import { readCommits } from "./replay.ts";
import type { Store } from "./storage.ts";

/** A version and the time it was committed (milliseconds since the epoch). */
export interface CommitTimestamp {
  version: number;
  timestamp: number;
  /** The commit's `commitInfo`, if it has one. */
  commitInfo: CommitInfo | null;
}

/**
 * The commits of every reconstructable version with their timestamps (see the module
 * comment for which timestamp), oldest first.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * for (const c of await commitHistory(store)) console.log(c.version, new Date(c.timestamp).toISOString());
 * ```
 */
export async function commitHistory(store: Store): Promise<CommitTimestamp[]> {
  const commits = await listReconstructableCommits(store);
  const out: CommitTimestamp[] = [];
  let previous = -Infinity;
  for await (const [commit, actions] of readCommits(store, commits)) {
    const info = actions.find((a) => "commitInfo" in a);
    const commitInfo = info && "commitInfo" in info ? info.commitInfo : null;
    const raw = commitInfo?.inCommitTimestamp ?? commitInfo?.timestamp ?? commit.info.mtime;
    const timestamp = Math.max(raw, previous + 1);
    out.push({ version: commit.version, timestamp, commitInfo });
    previous = timestamp;
  }
  return out;
}

/**
 * Milliseconds since the epoch of a point in time given as a `Date`, a number of
 * milliseconds, or an ISO 8601 text. Throws `InvalidArgument` for anything else.
 *
 * @example
 * ```ts
 * toMillis("2024-05-01T12:00:00.250Z"); // 1714564800250
 * ```
 */
export function toMillis(at: Date | number | string): number {
  const ms = at instanceof Date ? at.getTime() : typeof at === "number" ? at : Date.parse(at);
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    throw new DeltaError("InvalidArgument", `${JSON.stringify(String(at))} is not a point in time`);
  }
  return ms;
}

/**
 * The latest version committed at or before `at` (to the millisecond). Throws
 * `VersionNotFound` when every reconstructable commit is later than `at`.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const v = await versionAtTimestamp(store, new Date("2024-05-01T12:00:00Z"));
 * ```
 */
export async function versionAtTimestamp(
  store: Store,
  at: Date | number | string,
): Promise<number> {
  const ms = toMillis(at);
  const history = await commitHistory(store);
  let found: CommitTimestamp | undefined;
  for (const c of history) {
    if (c.timestamp > ms) break;
    found = c;
  }
  if (found === undefined) {
    const first = history[0];
    throw new DeltaError(
      "VersionNotFound",
      `${store.locate("")} has no version at or before ${
        new Date(ms).toISOString()
      }: its earliest available version, ${first.version}, was committed at ${
        new Date(first.timestamp).toISOString()
      }`,
      { version: first.version },
    );
  }
  return found.version;
}
