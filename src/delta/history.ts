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

import { type Action, type CommitInfo, parseCommit } from "./actions.ts";
import { DeltaError, isDeltaError } from "./errors.ts";
import {
  classifyLogFile,
  commitPath,
  groupLogFiles,
  listReconstructableCommits,
  LOG_DIR,
  type LogFile,
} from "./log_segment.ts";
import { readCommits } from "./replay.ts";
import type { Store } from "./storage.ts";

/** How many commit files {@link readableHistory} reads at once. */
const READ_AHEAD = 16;

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
    const timed = timedCommit(commit.version, actions, previous);
    yield timed;
    previous = timed.timestamp;
  }
}

/** A commit's time (see the module comment), given the time of the commit before it. */
function timedCommit(version: number, actions: Action[], previous: number): CommitTimestamp {
  const info = actions.find((a) => "commitInfo" in a);
  const commitInfo = info && "commitInfo" in info ? info.commitInfo : null;
  const raw = commitInfo?.inCommitTimestamp ?? commitInfo?.timestamp ?? -Infinity;
  return { version, timestamp: Math.max(raw, previous + 1), commitInfo };
}

/** The commits of a log read one by one, past damage (see {@link readableHistory}). */
export interface ReadableHistory {
  /** Every commit that reads, oldest first, timed as {@link commitHistory} times them. */
  commits: CommitTimestamp[];
  /**
   * Why each other version does not read, oldest first: `VersionGap` for a commit file that is
   * missing (and no checkpoint covers), `CorruptLog` for one that does not parse; each names
   * its version and path.
   */
  damaged: DeltaError[];
}

/**
 * Every commit of the log that still reads, and the damage between them: unlike
 * {@link commitHistory}, a commit that is missing or does not parse does not stop the reading,
 * so what comes after it is still seen. Commits gone from below a checkpoint (cleaned up, as
 * the protocol allows) are not damage and not listed.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const { commits, damaged } = await readableHistory(new LocalStore("/data/table"));
 * for (const e of damaged) console.error(`version ${e.version}: ${e.message}`);
 * ```
 */
export async function readableHistory(store: Store): Promise<ReadableHistory> {
  const files = (await store.list(LOG_DIR)).map(classifyLogFile);
  const listing = groupLogFiles(files.filter((f): f is LogFile => f !== null));
  const latest = Math.max(-1, ...listing.commits.keys());
  const covered = Math.max(-1, ...listing.checkpoints.map((c) => c.version));
  const out: ReadableHistory = { commits: [], damaged: [] };
  let previous = -1;
  for (let from = 0; from <= latest; from += READ_AHEAD) {
    const versions = Array.from(
      { length: Math.min(READ_AHEAD, latest + 1 - from) },
      (_, i) => from + i,
    );
    const texts = await Promise.allSettled(versions.map((v) => {
      const commit = listing.commits.get(v);
      return commit && store.read(commit.info.path);
    }));
    for (const [i, version] of versions.entries()) {
      const path = commitPath(version);
      const read = texts[i];
      try {
        if (read.status === "rejected") throw read.reason;
        if (read.value === undefined) {
          if (version > covered) out.damaged.push(missingCommit(store, version));
          continue;
        }
        const timed = timedCommit(
          version,
          parseCommit(new TextDecoder().decode(read.value), path),
          previous,
        );
        out.commits.push(timed);
        previous = timed.timestamp;
      } catch (e) {
        if (!isDeltaError(e)) throw e;
        const details = { path, version, cause: e };
        out.damaged.push(e.version === version ? e : new DeltaError(e.code, e.message, details));
      }
    }
  }
  return out;
}

function missingCommit(store: Store, version: number): DeltaError {
  const path = commitPath(version);
  return new DeltaError(
    "VersionGap",
    `${store.locate(path)} is missing, and no checkpoint covers it`,
    { path, version },
  );
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
