/** Checking the oplog's Delta log: it opens, its commits are contiguous and carry their pond seq, checkpoints agree with the commits, the hint is current, and every live data file reads. */
import { parquetMetadataAsync } from "hyparquet";
import { writeCheckpoint } from "../delta/mod.ts";
import {
  type Action,
  type AddFile,
  asyncBufferFrom,
  buildLogSegment,
  type CheckpointFiles,
  classifyLogFile,
  type CommitFile,
  dataFilePath,
  decodePath,
  type DeltaError,
  groupLogFiles,
  isDeltaError,
  LAST_CHECKPOINT_PATH,
  LOG_DIR,
  type LogFile,
  openPastDamage,
  openTable,
  readCheckpoint,
  readCommits,
  readLastCheckpointHint,
  Replay,
  replaySegment,
  type Snapshot,
  type Store,
  type TableState,
} from "../delta/mod.ts";
import { asking, error, type Finding, reason, warning } from "./check_findings.ts";
import { isTorn, setAside } from "./set_aside.ts";

/** Where the oplog's files are named in findings, relative to the pond. */
export const OPLOG_SUBJECT = "oplog/";

/** What the log check learned, for the checks that follow it. */
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

/**
 * Checks the log of the oplog table in `store` and adds what it finds to `findings`: the table
 * opens at its latest version; commits are contiguous (a missing one is an error unless a
 * checkpoint covers it); each parses and its `commitInfo.pond.seq` equals its version; each
 * checkpoint reads and holds the same protocol, metadata and files as the commits up to it
 * (repairable by rewriting it from the commits); `_last_checkpoint` names the newest
 * checkpoint (repairable). With `quick`, of the commits only the newest is read (it parses
 * and holds its commitInfo), and the one opening the table found damaged, if any.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 * import type { Finding } from "./check_findings.ts";
 *
 * const findings: Finding[] = [];
 * const { snapshot } = await checkLog(new LocalStore("/data/pond/oplog"), findings);
 * ```
 */
export async function checkLog(
  store: Store,
  findings: Finding[],
  options: { quick?: boolean } = {},
): Promise<LogReport> {
  const { snapshot, damage } = await openSnapshot(store, findings);
  const damagedAt = damage?.version;
  const files = (await store.list(LOG_DIR)).map(classifyLogFile).filter((f): f is LogFile =>
    f !== null
  );
  const listing = groupLogFiles(files);
  const latest = Math.max(snapshot?.version ?? -1, ...listing.commits.keys());
  const checkpoints = listing.checkpoints.filter((c) => c.version <= latest);
  const report: LogReport = {
    snapshot,
    damagedAt,
    addedAt: new Map(),
    commits: [...listing.commits.keys()].filter((v) => v <= latest).length,
    checkpoints: checkpoints.length,
  };
  if (latest < 0) return report;
  findGaps(listing.commits, checkpoints, latest, findings);
  if (options.quick) {
    if (isDeltaError(damage, "CorruptLog") && damage.version !== latest) {
      findings.push(await corruptCommit(store, damage, latest, checkpoints));
    }
    const newest = listing.commits.get(latest);
    if (newest) await checkNewestCommit(store, newest, checkpoints, report, findings);
    return report;
  }
  await replayCommits(store, listing.commits, checkpoints, latest, report, findings);
  await checkHint(store, checkpoints, findings);
  return report;
}

/**
 * The table at its latest version; when a commit does not read or is missing, at the version
 * before the first such commit, with that commit's error (what is intact is still checked; the
 * commit itself is reported by the replay, or the quick check), else null with a
 * `TableUnreadable` finding.
 */
async function openSnapshot(
  store: Store,
  findings: Finding[],
): Promise<{ snapshot: Snapshot | null; damage?: DeltaError }> {
  try {
    const table = await openTable(store);
    const { value, damage } = await openPastDamage((version) =>
      table.snapshot(version === undefined ? undefined : { version })
    );
    return { snapshot: value, damage };
  } catch (e) {
    findings.push(error("TableUnreadable", OPLOG_SUBJECT, `the log does not open: ${reason(e)}`));
    return { snapshot: null };
  }
}

/** Missing commit files, as ranges: an error unless a checkpoint at or after them covers them. */
function findGaps(
  commits: Map<number, CommitFile>,
  checkpoints: CheckpointFiles[],
  latest: number,
  findings: Finding[],
): void {
  for (let v = 0; v <= latest; v++) {
    if (commits.has(v)) continue;
    let last = v;
    while (last + 1 <= latest && !commits.has(last + 1)) last++;
    const range = last === v ? `version ${v}` : `versions ${v} to ${last}`;
    const subject = `${OPLOG_SUBJECT}${LOG_DIR}/`;
    if (checkpoints.some((c) => c.version >= last)) {
      findings.push(warning(
        "HistoryGone",
        subject,
        `the commits of ${range} are gone (a checkpoint covers them): the pond reads fine, but its log cannot show those transactions`,
      ));
    } else {
      findings.push(error(
        "VersionGap",
        subject,
        `the commit file of ${range} is missing, so the pond cannot be read past it; restore ${LOG_DIR}/ from a backup`,
      ));
    }
    v = last;
  }
}

/**
 * Replays the commits from version 0 (as far as they are contiguous) and compares each
 * checkpoint on the way with the state the commits give.
 */
async function replayCommits(
  store: Store,
  commits: Map<number, CommitFile>,
  checkpoints: CheckpointFiles[],
  latest: number,
  report: LogReport,
  findings: Finding[],
): Promise<void> {
  const run: CommitFile[] = [];
  for (let v = 0; v <= latest && commits.has(v); v++) run.push(commits.get(v)!);
  const covered = run.length - 1;
  const replay = new Replay();
  try {
    for await (const [commit, actions] of readCommits(store, run)) {
      checkCommit(commit.version, actions, report, findings);
      for (const action of actions) replay.apply(action);
      for (const checkpoint of checkpoints.filter((c) => c.version === commit.version)) {
        await checkCheckpoint(store, checkpoint, stateOf(replay, commit.version), findings);
      }
    }
  } catch (e) {
    findings.push(await corruptCommit(store, e, latest, checkpoints));
    return;
  }
  for (const checkpoint of checkpoints.filter((c) => c.version > covered)) {
    try {
      await readCheckpoint(store, checkpoint);
    } catch (e) {
      findings.push(error(
        "CorruptCheckpoint",
        subjectOf(checkpoint),
        `${
          reason(e)
        }; the commits before it are gone, so it cannot be rebuilt: restore it from a backup`,
      ));
    }
  }
}

/** The newest commit parses, holds its commitInfo, and records its own version as its seq. */
async function checkNewestCommit(
  store: Store,
  newest: CommitFile,
  checkpoints: CheckpointFiles[],
  report: LogReport,
  findings: Finding[],
): Promise<void> {
  try {
    for await (const [commit, actions] of readCommits(store, [newest])) {
      if (!actions.some((a) => "commitInfo" in a)) {
        findings.push(error(
          "CorruptCommit",
          `${OPLOG_SUBJECT}${LOG_DIR}/${String(commit.version).padStart(20, "0")}.json`,
          "holds no commitInfo, which every pond commit has; restore the file from a backup",
        ));
      }
      checkCommit(commit.version, actions, report, findings);
    }
  } catch (e) {
    findings.push(await corruptCommit(store, e, newest.version, checkpoints));
  }
}

/**
 * The finding of a commit that does not parse. The newest commit, when it is provably torn (see
 * `isTorn`) and no checkpoint was written from it, can be set aside: renamed, not deleted, so
 * the pond opens at the transaction before it. Any other damage is for a backup to mend.
 */
async function corruptCommit(
  store: Store,
  e: unknown,
  latest: number,
  checkpoints: CheckpointFiles[],
): Promise<Finding> {
  const version = isDeltaError(e) ? e.version : undefined;
  const path = isDeltaError(e) && e.path ? e.path : LOG_DIR;
  const subject = `${OPLOG_SUBJECT}${path}`;
  if (version === undefined) {
    return error("CorruptCommit", subject, `${reason(e)}; restore the file from a backup`);
  }
  const what = `the commit of transaction ${version} does not read: ${reason(e)}`;
  const before = version > 0 ? `; \`--at ${version - 1}\` reads the pond before it` : "";
  const torn = version === latest && version > 0 &&
    !checkpoints.some((c) => c.version >= version) &&
    isTorn(new TextDecoder().decode(await store.read(path)));
  if (!torn) {
    return error(
      "CorruptCommit",
      subject,
      `${what}; restore the file from a backup of the pond${before}`,
    );
  }
  const plan = `set aside the torn commit of transaction ${version} (${subject}, renamed to ${
    path.slice(path.lastIndexOf("/") + 1)
  }.torn-TIME beside it, not deleted), so that the pond opens at transaction ${version - 1}`;
  return asking(
    error(
      "CorruptCommit",
      subject,
      `${what}; it is the newest commit and was cut short while being written, so \`pond check --repair\` can ${plan}${before}`,
      async () => {
        const moved = await setAside(store.locate(""), version);
        return `set aside as ${OPLOG_SUBJECT}${moved}: the pond now opens at transaction ${
          version - 1
        }`;
      },
    ),
    plan,
  );
}

/** A commit's own facts: the pond seq it records, and which files it added with new rows. */
function checkCommit(
  version: number,
  actions: Action[],
  report: LogReport,
  findings: Finding[],
): void {
  for (const action of actions) {
    if ("commitInfo" in action) {
      if (version === 0) report.createdAt = action.commitInfo.timestamp;
      const pond = action.commitInfo.pond as { seq?: unknown } | undefined;
      if (pond?.seq !== undefined && pond.seq !== version) {
        findings.push(error(
          "SeqMismatch",
          `${OPLOG_SUBJECT}${LOG_DIR}/${String(version).padStart(20, "0")}.json`,
          `records pond transaction ${pond.seq} but is version ${version}: a file was renamed or copied into the log; restore ${LOG_DIR}/ from a backup`,
        ));
      }
    } else if ("add" in action) {
      const path = decodePath(action.add.path);
      if (action.add.dataChange === false) report.addedAt.delete(path);
      else report.addedAt.set(path, version);
    }
  }
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

function subjectOf(checkpoint: CheckpointFiles): string {
  return `${OPLOG_SUBJECT}${checkpoint.files[0].path}`;
}

/** A checkpoint reads, and holds what the commits up to its version give. */
async function checkCheckpoint(
  store: Store,
  checkpoint: CheckpointFiles,
  fromCommits: TableState,
  findings: Finding[],
): Promise<void> {
  const rebuild = checkpoint.kind === "classic"
    ? async () => {
      await writeCheckpoint(store, fromCommits);
      return `rewrote this checkpoint from the commits up to version ${fromCommits.version}`;
    }
    : undefined;
  const what = rebuild
    ? "`pond check --repair` rewrites it from the commits"
    : "move it out of the log: the commits before it are all there, and reads then replay them";
  let actions: Action[];
  try {
    actions = await readCheckpoint(store, checkpoint);
  } catch (e) {
    findings.push(
      error("CorruptCheckpoint", subjectOf(checkpoint), `${reason(e)}; ${what}`, rebuild),
    );
    return;
  }
  const replay = new Replay();
  for (const action of actions) replay.apply(action);
  const disagreement = differences(stateOf(replay, checkpoint.version), fromCommits);
  if (disagreement !== undefined) {
    findings.push(error(
      "InconsistentCheckpoint",
      subjectOf(checkpoint),
      `disagrees with the commits up to version ${checkpoint.version}: ${disagreement}; ${what}`,
      rebuild,
    ));
  }
}

/** How a checkpoint's state differs from the commits' state, or undefined when it does not. */
function differences(checkpoint: TableState, commits: TableState): string | undefined {
  const json = (v: unknown) => JSON.stringify(v);
  const p = (s: TableState) =>
    s.protocol &&
    [
      s.protocol.minReaderVersion,
      s.protocol.minWriterVersion,
      s.protocol.readerFeatures ?? [],
      s.protocol.writerFeatures ?? [],
    ];
  if (json(p(checkpoint)) !== json(p(commits))) return "its protocol differs";
  const m = (s: TableState) =>
    s.metadata &&
    [s.metadata.id, s.metadata.schemaString, s.metadata.partitionColumns, s.metadata.configuration];
  if (json(m(checkpoint)) !== json(m(commits))) return "its table metadata differs";
  for (const [key, add] of commits.files) {
    const held = checkpoint.files.get(key);
    if (!held) return `it lacks the live file ${decodePath(add.path)}`;
    if (held.size !== add.size) return `it gives ${decodePath(add.path)} another size`;
  }
  for (const [key, add] of checkpoint.files) {
    if (!commits.files.has(key)) {
      return `it lists ${decodePath(add.path)}, which the commits do not hold`;
    }
  }
  return undefined;
}

/** `_last_checkpoint` names the newest checkpoint (or is absent when there is none). */
async function checkHint(
  store: Store,
  checkpoints: CheckpointFiles[],
  findings: Finding[],
): Promise<void> {
  const hint = await readLastCheckpointHint(store);
  const present = await exists(store, LAST_CHECKPOINT_PATH);
  const subject = `${OPLOG_SUBJECT}${LAST_CHECKPOINT_PATH}`;
  const newest = checkpoints.at(-1)?.version;
  if (newest === undefined) {
    if (present) {
      findings.push(warning(
        "StaleCheckpointHint",
        subject,
        "names a checkpoint, but the log has none; `pond check --repair` deletes it",
        async () => {
          await store.delete(LAST_CHECKPOINT_PATH);
          return "deleted this hint: the log has no checkpoint";
        },
      ));
    }
    return;
  }
  if (hint === newest) return;
  const state = !present ? "is missing" : hint === null ? "is unreadable" : `names version ${hint}`;
  findings.push(warning(
    "StaleCheckpointHint",
    subject,
    `${state}, but the newest checkpoint is version ${newest} (opening the pond is slower); \`pond check --repair\` rewrites it`,
    async () => {
      const state = await replaySegment(store, await buildLogSegment(store, newest));
      await store.delete(LAST_CHECKPOINT_PATH);
      await writeCheckpoint(store, state);
      return `pointed this hint at the checkpoint of version ${newest}`;
    },
  ));
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

/**
 * Checks that every live data file of `snapshot` exists with the size the log gives, and that
 * its Parquet footer reads and counts the rows the log's statistics say. Returns the files
 * that passed, whose rows can be read.
 *
 * @example
 * ```ts
 * import { type Store, Table } from "../delta/mod.ts";
 * import type { Finding } from "./check_findings.ts";
 *
 * async function example(store: Store) {
 *   const snapshot = await new Table(store).snapshot();
 *   const findings: Finding[] = [];
 *   const readable = await checkDataFiles(store, snapshot, findings);
 * }
 * ```
 */
export async function checkDataFiles(
  store: Store,
  snapshot: Snapshot,
  findings: Finding[],
): Promise<AddFile[]> {
  const readable: AddFile[] = [];
  for (const add of snapshot.files()) {
    const path = dataFilePath(store, add.path);
    const subject = `${OPLOG_SUBJECT}${path}`;
    const restore = "restore it from a backup of the pond";
    let size: number;
    try {
      size = (await store.head(path)).size;
    } catch (e) {
      if (!isDeltaError(e, "MissingFile")) throw e;
      findings.push(error(
        "MissingDataFile",
        subject,
        `missing, but version ${snapshot.version} of the log holds its ${rowsOf(add)}; ${restore}`,
      ));
      continue;
    }
    if (size !== add.size) {
      findings.push(error(
        "CorruptDataFile",
        subject,
        `is ${size} bytes but the log says ${add.size}: it was truncated or overwritten; ${restore}`,
      ));
      continue;
    }
    let rows: number;
    try {
      rows = Number(
        (await parquetMetadataAsync(await asyncBufferFrom(store, path, size))).num_rows,
      );
    } catch (e) {
      findings.push(error(
        "CorruptDataFile",
        subject,
        `its Parquet footer does not read (${reason(e)}); ${restore}`,
      ));
      continue;
    }
    const expected = numRecords(add);
    if (expected !== undefined && expected !== rows) {
      findings.push(error(
        "CorruptDataFile",
        subject,
        `holds ${rows} rows but the log says ${expected}; ${restore}`,
      ));
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

function rowsOf(add: AddFile): string {
  const n = numRecords(add);
  return n === undefined ? "rows" : `${n} rows`;
}
