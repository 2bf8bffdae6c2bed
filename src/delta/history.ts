/**
 * Commit history: the timestamp of each commit, and the version a table had at a point in time.
 *
 * Which timestamp a commit has: the protocol says a commit's time is its `inCommitTimestamp`
 * when In-Commit Timestamps are enabled, else the modification time of its log file. File
 * times do not survive copies, backups and restores (a pond is meant to be backed up), and they
 * change when a file is damaged, so this reader never uses them: it takes
 * `commitInfo.inCommitTimestamp`, else `commitInfo.timestamp` (the writer's clock at commit,
 * which every mainstream writer records); a commit that records neither counts as 1 ms after
 * the one before it (version 0 as the epoch). Like Spark, timestamps are then made strictly
 * increasing with version (a commit earlier than its predecessor counts as 1 ms after it), so
 * "the latest version at or before T" is well defined and never moves. Precision is the
 * millisecond.
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
  return await Array.fromAsync(timedCommits(store));
}

/** The reconstructable commits with their timestamps, oldest first, read as they are asked for. */
async function* timedCommits(store: Store): AsyncGenerator<CommitTimestamp> {
  const commits = await listReconstructableCommits(store);
  let previous = -1;
  for await (const [commit, actions] of readCommits(store, commits)) {
    const info = actions.find((a) => "commitInfo" in a);
    const commitInfo = info && "commitInfo" in info ? info.commitInfo : null;
    const raw = commitInfo?.inCommitTimestamp ?? commitInfo?.timestamp ?? -Infinity;
    const timestamp = Math.max(raw, previous + 1);
    yield { version: commit.version, timestamp, commitInfo };
    previous = timestamp;
  }
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
 * The latest version committed at or before `at` (to the millisecond). Commits are read
 * oldest first only until one is later than `at`, so a damaged commit after the answer does not
 * stop it (one before it is the `CorruptLog` it is). Throws `VersionNotFound` when every
 * reconstructable commit is later than `at`.
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
  let found: CommitTimestamp | undefined;
  let first: CommitTimestamp | undefined;
  for await (const c of timedCommits(store)) {
    first ??= c;
    if (c.timestamp > ms) break;
    found = c;
    if (c.timestamp === ms) break; // the next one is later: times strictly increase
  }
  if (found === undefined) {
    throw new DeltaError(
      "VersionNotFound",
      `${store.locate("")} has no version at or before ${
        new Date(ms).toISOString()
      }: its earliest available version, ${first!.version}, was committed at ${
        new Date(first!.timestamp).toISOString()
      }`,
      { version: first!.version },
    );
  }
  return found.version;
}
