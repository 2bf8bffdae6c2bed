/** Checking a Delta log: it opens, its commits are contiguous, its checkpoints agree with the commits, its hint is current — each problem a structured value, with its repair where one is safe. */
import type { Action } from "./actions.ts";
import { decodePath } from "./actions.ts";
import { readCheckpoint } from "./checkpoint.ts";
import { writeCheckpoint } from "./checkpoint_write.ts";
import { type DeltaError, isDeltaError } from "./errors.ts";
import {
  buildLogSegment,
  type CheckpointFiles,
  classifyLogFile,
  type CommitFile,
  groupLogFiles,
  LAST_CHECKPOINT_PATH,
  LOG_DIR,
  type LogFile,
  readLastCheckpointHint,
} from "./log_segment.ts";
import { openPastDamage, readCommits, Replay, replaySegment, type TableState } from "./replay.ts";
import { isTorn, setAside } from "./set_aside.ts";
import type { Snapshot } from "./snapshot.ts";
import type { Store } from "./storage.ts";
import { openTable } from "./table.ts";

/** How a checkpoint's state differs from the state its commits give. */
export type CheckpointDifference =
  | { kind: "protocol" }
  | { kind: "metadata" }
  /** It lacks a live file (`file`, decoded), or gives it another size. */
  | { kind: "lacksFile" | "otherSize"; file: string }
  /** It lists a file the commits do not hold. */
  | { kind: "extraFile"; file: string };

/**
 * One problem of a Delta log; paths are relative to the table. A `repair`, where there is
 * one, is safe: it deletes nothing a version needs.
 */
export type LogProblem =
  /** The table does not open at all. */
  | { code: "TableUnreadable"; cause: unknown }
  /**
   * Commit files `from`..`to` are missing: `HistoryGone` when a checkpoint covers them (the
   * table reads), `VersionGap` when none does (it cannot be read past them).
   */
  | { code: "HistoryGone" | "VersionGap"; path: string; from: number; to: number }
  /**
   * A commit that does not parse (`version` undefined when the reader could not say which).
   * `setAside` is offered for the newest commit when it is provably torn and no checkpoint
   * was written from it: it moves the commit aside (see `setAside`) and returns its new path.
   */
  | {
    code: "CorruptCommit";
    path: string;
    version?: number;
    cause: unknown;
    setAside?: () => Promise<string>;
  }
  /**
   * A checkpoint that does not read. `commitsGone` when the commits before it are missing;
   * `rebuild` (classic checkpoints whose commits are all there) writes it again from them.
   */
  | {
    code: "CorruptCheckpoint";
    path: string;
    version: number;
    cause: unknown;
    commitsGone: boolean;
    rebuild?: () => Promise<void>;
  }
  /** A checkpoint that reads but disagrees with its commits; `rebuild` as above. */
  | {
    code: "InconsistentCheckpoint";
    path: string;
    version: number;
    difference: CheckpointDifference;
    rebuild?: () => Promise<void>;
  }
  /**
   * `_last_checkpoint` does not name the newest checkpoint: it is `missing`, `unreadable` or
   * names version `hint`; with `newest` undefined, the log has no checkpoint and the hint is
   * there. `repair` deletes it, or points it at the newest checkpoint.
   */
  | {
    code: "StaleCheckpointHint";
    path: string;
    state: "missing" | "unreadable" | "stale" | "present";
    hint: number | null;
    newest?: number;
    repair: () => Promise<void>;
  };

/** What a log check learned, for the checks that follow it. */
export interface LogReport {
  /**
   * The table at its latest version (before {@link damagedAt} when a commit does not read), or
   * null when it does not open.
   */
  snapshot: Snapshot | null;
  /** The version of the first commit that does not read, when there is one. */
  damagedAt?: number;
  /** When the table was created (version 0's commit time, ms), when that commit reads. */
  createdAt?: number;
  /** The version that added each data file with new rows (not a compaction's rewrite), by decoded path. */
  addedAt: Map<string, number>;
  commits: number;
  checkpoints: number;
}

/** How to check a log, and where its problems and commits go. */
export interface LogCheckOptions {
  /**
   * Read, of the commits, only the newest (it parses) and the one opening the table found
   * damaged, if any; compare no checkpoint and no hint.
   */
  quick?: boolean;
  /** Called with each problem, in the order found. */
  problem: (problem: LogProblem) => void;
  /**
   * Called with each commit that parses, in version order (with `quick`, the newest only), for
   * the checks of an application's own conventions (e.g. what its `commitInfo` holds).
   */
  commit?: (version: number, actions: Action[]) => void;
}

/**
 * Checks the log of the table in `store`, reporting each problem to `options.problem`: the
 * table opens at its latest version; commits are contiguous (a missing one is `VersionGap`
 * unless a checkpoint covers it); each parses; each checkpoint reads and holds the same
 * protocol, metadata and files as the commits up to it; `_last_checkpoint` names the newest
 * checkpoint. With `quick`, see {@link LogCheckOptions.quick}.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const problems: LogProblem[] = [];
 * const { snapshot } = await checkLog(new LocalStore("/data/table"), { problem: (p) => problems.push(p) });
 * ```
 */
export async function checkLog(store: Store, options: LogCheckOptions): Promise<LogReport> {
  const { snapshot, damage } = await openSnapshot(store, options);
  const files = (await store.list(LOG_DIR)).map(classifyLogFile).filter((f): f is LogFile =>
    f !== null
  );
  const listing = groupLogFiles(files);
  const latest = Math.max(snapshot?.version ?? -1, ...listing.commits.keys());
  const checkpoints = listing.checkpoints.filter((c) => c.version <= latest);
  const report: LogReport = {
    snapshot,
    damagedAt: damage?.version,
    addedAt: new Map(),
    commits: [...listing.commits.keys()].filter((v) => v <= latest).length,
    checkpoints: checkpoints.length,
  };
  if (latest < 0) return report;
  const check = { store, options, report, checkpoints, latest };
  findGaps(check, listing.commits);
  if (options.quick) {
    if (isDeltaError(damage, "CorruptLog") && damage.version !== latest) {
      options.problem(await corruptCommit(check, damage));
    }
    const newest = listing.commits.get(latest);
    if (newest) await checkNewestCommit(check, newest);
    return report;
  }
  await replayCommits(check, listing.commits);
  await checkHint(check);
  return report;
}

/** What the steps of one check share. */
interface Check {
  store: Store;
  options: LogCheckOptions;
  report: LogReport;
  checkpoints: CheckpointFiles[];
  latest: number;
}

/**
 * The table at its latest version; when a commit does not read or is missing, at the version
 * before the first such commit, with that commit's error (what is intact is still checked; the
 * commit itself is reported by the replay, or the quick check), else null and `TableUnreadable`.
 */
async function openSnapshot(
  store: Store,
  options: LogCheckOptions,
): Promise<{ snapshot: Snapshot | null; damage?: DeltaError }> {
  try {
    const table = await openTable(store);
    const { value, damage } = await openPastDamage((version) =>
      table.snapshot(version === undefined ? undefined : { version })
    );
    return { snapshot: value, damage };
  } catch (e) {
    options.problem({ code: "TableUnreadable", cause: e });
    return { snapshot: null };
  }
}

/** Missing commit files, as ranges: `VersionGap` unless a checkpoint at or after them covers them. */
function findGaps(check: Check, commits: Map<number, CommitFile>): void {
  for (let v = 0; v <= check.latest; v++) {
    if (commits.has(v)) continue;
    let last = v;
    while (last + 1 <= check.latest && !commits.has(last + 1)) last++;
    const covered = check.checkpoints.some((c) => c.version >= last);
    check.options.problem({
      code: covered ? "HistoryGone" : "VersionGap",
      path: `${LOG_DIR}/`,
      from: v,
      to: last,
    });
    v = last;
  }
}

/**
 * Replays the commits from version 0 (as far as they are contiguous) and compares each
 * checkpoint on the way with the state the commits give.
 */
async function replayCommits(check: Check, commits: Map<number, CommitFile>): Promise<void> {
  const { store, checkpoints } = check;
  const run: CommitFile[] = [];
  for (let v = 0; v <= check.latest && commits.has(v); v++) run.push(commits.get(v)!);
  const covered = run.length - 1;
  const replay = new Replay();
  try {
    for await (const [commit, actions] of readCommits(store, run)) {
      checkCommit(check, commit.version, actions);
      for (const action of actions) replay.apply(action);
      for (const checkpoint of checkpoints.filter((c) => c.version === commit.version)) {
        await checkCheckpoint(check, checkpoint, stateOf(replay, commit.version));
      }
    }
  } catch (e) {
    check.options.problem(await corruptCommit(check, e));
    return;
  }
  for (const checkpoint of checkpoints.filter((c) => c.version > covered)) {
    try {
      await readCheckpoint(store, checkpoint);
    } catch (e) {
      check.options.problem({
        code: "CorruptCheckpoint",
        path: checkpoint.files[0].path,
        version: checkpoint.version,
        cause: e,
        commitsGone: true,
      });
    }
  }
}

/** The newest commit parses. */
async function checkNewestCommit(check: Check, newest: CommitFile): Promise<void> {
  try {
    for await (const [commit, actions] of readCommits(check.store, [newest])) {
      checkCommit(check, commit.version, actions);
    }
  } catch (e) {
    check.options.problem(await corruptCommit({ ...check, latest: newest.version }, e));
  }
}

/**
 * The problem of a commit that does not parse. The newest commit, when it is provably torn
 * (see `isTorn`) and no checkpoint was written from it, can be set aside.
 */
async function corruptCommit(check: Check, e: unknown): Promise<LogProblem> {
  const { store, latest, checkpoints } = check;
  const version = isDeltaError(e) ? e.version : undefined;
  const path = isDeltaError(e) && e.path ? e.path : LOG_DIR;
  if (version === undefined) return { code: "CorruptCommit", path, cause: e };
  const torn = version === latest && version > 0 &&
    !checkpoints.some((c) => c.version >= version) &&
    isTorn(new TextDecoder().decode(await store.read(path)));
  return {
    code: "CorruptCommit",
    path,
    version,
    cause: e,
    ...(torn && { setAside: () => setAside(store, version) }),
  };
}

/** A commit's own facts (the creation time, which files it added with new rows), then the caller's look. */
function checkCommit(check: Check, version: number, actions: Action[]): void {
  const { report } = check;
  for (const action of actions) {
    if ("commitInfo" in action) {
      if (version === 0) report.createdAt = action.commitInfo.timestamp;
    } else if ("add" in action) {
      const path = decodePath(action.add.path);
      if (action.add.dataChange === false) report.addedAt.delete(path);
      else report.addedAt.set(path, version);
    }
  }
  check.options.commit?.(version, actions);
}

/** The state a replay has reached, copied (the replay goes on). */
function stateOf(replay: Replay, version: number): TableState {
  return {
    version,
    protocol: replay.protocol!,
    metadata: replay.metadata!,
    files: new Map(replay.files),
    tombstones: new Map(replay.tombstones),
    txns: new Map(replay.txns),
    domainMetadata: new Map(replay.domainMetadata),
    commitInfo: null,
  };
}

/** A checkpoint reads, and holds what the commits up to its version give. */
async function checkCheckpoint(
  check: Check,
  checkpoint: CheckpointFiles,
  fromCommits: TableState,
): Promise<void> {
  const { store } = check;
  const rebuild = checkpoint.kind === "classic"
    ? async () => void await writeCheckpoint(store, fromCommits)
    : undefined;
  const where = { path: checkpoint.files[0].path, version: checkpoint.version };
  let actions: Action[];
  try {
    actions = await readCheckpoint(store, checkpoint);
  } catch (e) {
    check.options.problem({
      code: "CorruptCheckpoint",
      ...where,
      cause: e,
      commitsGone: false,
      ...(rebuild && { rebuild }),
    });
    return;
  }
  const replay = new Replay();
  for (const action of actions) replay.apply(action);
  const difference = differences(stateOf(replay, checkpoint.version), fromCommits);
  if (difference !== undefined) {
    check.options.problem({
      code: "InconsistentCheckpoint",
      ...where,
      difference,
      ...(rebuild && { rebuild }),
    });
  }
}

/** How a checkpoint's state differs from the commits' state, or undefined when it does not. */
function differences(checkpoint: TableState, commits: TableState): CheckpointDifference | undefined {
  const json = (v: unknown) => JSON.stringify(v);
  const p = (s: TableState) =>
    s.protocol &&
    [
      s.protocol.minReaderVersion,
      s.protocol.minWriterVersion,
      s.protocol.readerFeatures ?? [],
      s.protocol.writerFeatures ?? [],
    ];
  if (json(p(checkpoint)) !== json(p(commits))) return { kind: "protocol" };
  const m = (s: TableState) =>
    s.metadata &&
    [s.metadata.id, s.metadata.schemaString, s.metadata.partitionColumns, s.metadata.configuration];
  if (json(m(checkpoint)) !== json(m(commits))) return { kind: "metadata" };
  for (const [key, add] of commits.files) {
    const held = checkpoint.files.get(key);
    if (!held) return { kind: "lacksFile", file: decodePath(add.path) };
    if (held.size !== add.size) return { kind: "otherSize", file: decodePath(add.path) };
  }
  for (const [key, add] of checkpoint.files) {
    if (!commits.files.has(key)) return { kind: "extraFile", file: decodePath(add.path) };
  }
  return undefined;
}

/** `_last_checkpoint` names the newest checkpoint (or is absent when there is none). */
async function checkHint(check: Check): Promise<void> {
  const { store } = check;
  const hint = await readLastCheckpointHint(store);
  const present = await exists(store, LAST_CHECKPOINT_PATH);
  const path = LAST_CHECKPOINT_PATH;
  const newest = check.checkpoints.at(-1)?.version;
  if (newest === undefined) {
    if (present) {
      check.options.problem({
        code: "StaleCheckpointHint",
        path,
        state: "present",
        hint,
        repair: () => store.delete(LAST_CHECKPOINT_PATH),
      });
    }
    return;
  }
  if (hint === newest) return;
  check.options.problem({
    code: "StaleCheckpointHint",
    path,
    state: !present ? "missing" : hint === null ? "unreadable" : "stale",
    hint,
    newest,
    repair: async () => {
      const state = await replaySegment(store, await buildLogSegment(store, newest));
      await store.delete(LAST_CHECKPOINT_PATH);
      await writeCheckpoint(store, state);
    },
  });
}

async function exists(store: Store, path: string): Promise<boolean> {
  try {
    await store.head(path);
    return true;
  } catch (e) {
    if (isDeltaError(e, "MissingFile")) return false;
    throw e;
  }
}
