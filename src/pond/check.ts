/** Checking a pond — its marker, its log, every row and every blob — and repairing only what is safe to repair. */
import {
  decodePath,
  isTempFile,
  LocalStore,
  type Snapshot,
  TableWriter,
  vacuum,
  writerGone,
} from "../delta/mod.ts";
import { isPondError } from "../errors.ts";
import { BlobStore } from "../oplog/mod.ts";
import { error, type Finding, reason, type RepairOutcome, warning } from "./check_findings.ts";
import { POND_FORMAT, POND_MARKER, type PondLayout, pondLayout, writeMarker } from "./layout.ts";
import { blobFiles, type Leftover, removeLeftovers, tableTempFiles } from "./check_leftovers.ts";
import { checkDataFiles, checkLog, type LogReport, OPLOG_SUBJECT } from "./check_log.ts";
import { checkPlugins } from "./check_plugins.ts";
import { checkRows } from "./check_rows.ts";
import { Pond } from "./pond.ts";
import { setAsideCommits } from "./set_aside.ts";

/** Temporary files modified less than this long ago may belong to a running command: repair leaves them. */
export const TEMP_GRACE_MS = 15 * 60_000;

/** How to check. */
export interface CheckOptions {
  /** Apply the safe repairs of what was found. */
  repair?: boolean;
  /**
   * Asked, before any repair runs, to confirm each repair that changes the log (it gets what
   * the repair will do); it throws to stop them all. Without it, such repairs do not run.
   */
  confirm?: (plan: string) => Promise<void>;
  /**
   * Check only what opening the pond needs, without reading its data files, rows or blobs:
   * the marker, the log's listing (no gaps, it opens) and its newest commit.
   */
  quick?: boolean;
}

/** How much was checked. */
export interface CheckCounts {
  /** The log's latest version (the pond's newest transaction), or null when it does not open. */
  version: number | null;
  commits: number;
  checkpoints: number;
  dataFiles: number;
  rows: number;
  nodes: number;
  blobs: number;
  blobBytes: number;
  /** Installed plugins whose source was checked against its recorded hash. */
  plugins: number;
}

/** What a check found and, with `repair`, what it repaired. */
export interface CheckReport {
  counts: CheckCounts;
  /** The problems the pond has (after the repairs, when `repair` was asked). */
  findings: Finding[];
  /** With `repair`: what became of each problem that had a repair. */
  repairs: RepairOutcome[];
}

/**
 * Checks the pond in `path` and returns every problem found (see `FindingCode`): the marker;
 * the log (it opens, commits contiguous, checkpoints consistent, the hint current); every live
 * data file (present, its footer reads); every row (bodies match their hashes, blobs exist
 * and match every chunk, node versions complete, directory entries point at stored nodes);
 * and leftovers of interrupted commands, which are warnings. With `repair`, applies the safe
 * repairs — removing temporary files no command can still be using, rewriting checkpoints
 * from the commits, pointing `_last_checkpoint` at the newest checkpoint; nothing a version
 * of the pond needs is deleted — and then checks again, so the findings are what is left.
 * With `quick`, only what opening the pond needs is checked (see {@link CheckOptions.quick}).
 * Throws `NotAPond` when `path` holds no pond at all, and `UnsupportedFormat` for a pond of
 * another format (whose layout this check does not know).
 *
 * @example
 * ```ts
 * const report = await checkPond("/data/pond");
 * for (const f of report.findings) console.log(f.severity, f.subject, f.message);
 * ```
 */
export async function checkPond(path: string, options: CheckOptions = {}): Promise<CheckReport> {
  const quick = Boolean(options.quick);
  const first = await inspect(pondLayout(path), quick);
  if (!options.repair || !first.findings.some((f) => f.repair)) return { ...first, repairs: [] };
  const confirmed = new Set<Finding>();
  for (const finding of first.findings.filter((f) => f.repair && f.ask !== undefined)) {
    if (!options.confirm) continue;
    await options.confirm(finding.ask!);
    confirmed.add(finding);
  }
  const repairs = await repairAll(
    first.findings.filter((f) => f.repair && (f.ask === undefined || confirmed.has(f))),
  );
  return { ...await inspect(pondLayout(path), quick), repairs };
}

/**
 * True when the report holds an error: the pond is damaged.
 *
 * @example
 * ```ts
 * const path = Deno.args[0];
 * Deno.exit(isDamaged(await checkPond(path)) ? 1 : 0);
 * ```
 */
export function isDamaged(report: CheckReport): boolean {
  return report.findings.some((f) => f.severity === "error");
}

/** One pass over the whole pond (or, `quick`, its marker and log). */
async function inspect(layout: PondLayout, quick: boolean): Promise<Omit<CheckReport, "repairs">> {
  const started = Date.now();
  const findings: Finding[] = [];
  const store = new LocalStore(layout.oplog);
  const notAFile = await markerNotAFile(layout);
  const marker = notAFile ? undefined : await markerProblem(layout);
  const log = await checkLog(store, findings, { quick });
  if (notAFile) findings.unshift(error("NotAPond", POND_MARKER, notAFile));
  if (marker !== undefined) findings.unshift(markerFinding(layout, marker, quick ? null : log));
  const setAside = await findSetAsideCommits(layout, findings);
  const complete = log.damagedAt === undefined && setAside === 0;
  const counts: CheckCounts = {
    version: log.snapshot?.version ?? null,
    commits: log.commits,
    checkpoints: log.checkpoints,
    dataFiles: 0,
    rows: 0,
    nodes: 0,
    blobs: 0,
    blobBytes: 0,
    plugins: 0,
  };
  if (quick) return { counts, findings };
  let inUse: Set<string> | undefined;
  if (log.snapshot) {
    const before = findings.length;
    const files = await checkDataFiles(store, log.snapshot, findings);
    const rows = await checkRows({
      store,
      snapshot: log.snapshot,
      files,
      addedAt: log.addedAt,
      blobs: new BlobStore(new LocalStore(layout.blobs)),
      findings,
    });
    Object.assign(counts, { dataFiles: files.length, ...rows });
    counts.plugins = await checkPlugins(layout, log.snapshot.version, findings);
    const unread = findings.slice(before).some((f) => f.code === "CorruptDataFile");
    if (files.length === log.snapshot.files().length && !unread && complete) {
      inUse = rows.referencedBlobs;
    }
    if (complete) await findUnreferencedDataFiles(store, log.snapshot, findings);
  }
  await findTempFiles(layout, findings);
  await findBlobLeftovers(layout, inUse, started, findings);
  return { counts, findings };
}

/**
 * Why the marker is no file, when something else (a directory, a FIFO…) holds its name: no
 * repair writes over that, so the finding says to move it aside first.
 */
async function markerNotAFile(layout: PondLayout): Promise<string | undefined> {
  const info = await Deno.lstat(layout.marker).catch(() => undefined);
  if (info === undefined || info.isFile) return undefined;
  const what = info.isDirectory ? "a directory" : info.isSymlink ? "a symlink" : "a special file";
  return `${what} holds this name, not the pond's marker file; move it aside, then ` +
    "`pond check --repair` writes the marker again from the log";
}

/**
 * What is wrong with the marker, through `Pond.open`'s own reading of it: undefined when it
 * reads, else why it is missing or garbled beside a pond's log. A directory that holds no pond
 * at all, or a pond of another format, is an error thrown.
 */
async function markerProblem(layout: PondLayout): Promise<string | undefined> {
  try {
    await Pond.open(layout.root);
    return undefined;
  } catch (e) {
    if (!isPondError(e, "NotAPond")) {
      if (isPondError(e, "UnsupportedFormat")) throw e;
      return undefined; // the log's own damage: the checks that follow name it
    }
    if (!(await isDirectory(`${layout.oplog}/_delta_log`))) throw e;
    return reason(e).replace(/; `pond check --repair.*$/, "");
  }
}

/**
 * The finding of a missing or garbled marker: it holds only the format and the creation time,
 * so when the log's first commit reads, the repair writes it again from that commit. Without
 * the `log` (a quick check, which reads no first commit), the finding only says so.
 */
function markerFinding(layout: PondLayout, problem: string, log: LogReport | null): Finding {
  const rewrite = `${problem}; \`pond check --repair\` writes it again from the log`;
  if (log === null) return error("NotAPond", POND_MARKER, rewrite);
  const created = log.createdAt;
  if (created === undefined) {
    return error(
      "NotAPond",
      POND_MARKER,
      `${problem}; the log's first commit does not read either, so restore ${POND_MARKER} from a backup of the pond`,
    );
  }
  return error(
    "NotAPond",
    POND_MARKER,
    rewrite,
    async () => {
      await writeMarker(layout, new Date(created));
      return `wrote ${POND_MARKER} again (format ${POND_FORMAT}, created ${
        new Date(created).toISOString()
      }, from the log's first commit)`;
    },
  );
}

/** Commits set aside by `pond check --repair`: a warning each, since the files they named are unknown. */
async function findSetAsideCommits(layout: PondLayout, findings: Finding[]): Promise<number> {
  const found = await setAsideCommits(layout.oplog);
  for (const commit of found) {
    findings.push(warning(
      "SetAsideCommit",
      `${OPLOG_SUBJECT}${commit.path}`,
      `the torn commit of transaction ${commit.version}, set aside by \`pond check --repair\`; ` +
        "while it is here, `pond maintain --vacuum` deletes no data file or blob it might have named; " +
        "move it out of the pond once you have kept what you need of it",
    ));
  }
  return found.length;
}

/** Data files in the table's directories that no version of the log refers to. */
async function findUnreferencedDataFiles(
  store: LocalStore,
  snapshot: Snapshot,
  findings: Finding[],
): Promise<void> {
  const writer = await TableWriter.open(store);
  const removed = new Set([...writer.state.tombstones.values()].map((r) => decodePath(r.path)));
  const unreferenced = await vacuum(writer, { retentionMs: 0, force: true, dryRun: true });
  for (const path of unreferenced.files) {
    if (removed.has(path) || isTempFile(path)) continue;
    findings.push(warning(
      "UnreferencedDataFile",
      `${OPLOG_SUBJECT}${path}`,
      `no version up to ${
        Math.max(snapshot.version, unreferenced.version)
      } refers to it (written by a command that was interrupted, lost a race to another writer, or is still running); \`pond maintain --vacuum\` deletes it once older than the retention`,
    ));
  }
}

async function findTempFiles(layout: PondLayout, findings: Finding[]): Promise<void> {
  const temp = [...await tableTempFiles(layout), ...(await blobFiles(layout)).temp];
  const cutoff = Date.now() - TEMP_GRACE_MS;
  for (const t of temp) {
    const gone = await writerGone(t.file);
    const old = t.mtime < cutoff;
    findings.push(warning(
      "TempFile",
      t.path,
      gone
        ? "a temporary file of an interrupted command (the process that wrote it is gone); `pond check --repair` removes it"
        : old
        ? "a temporary file of an interrupted command; `pond check --repair` removes it"
        : `a temporary file of a running command, or of one interrupted less than ${
          TEMP_GRACE_MS / 60_000
        } minutes ago; \`pond check --repair\` removes it once it is older`,
      gone || old ? removal(t, gone ? Infinity : cutoff) : undefined,
    ));
  }
}

/** Stray files in the blob store, and blobs no row of the checked version refers to (except those written since the check began, for a commit still to come). */
async function findBlobLeftovers(
  layout: PondLayout,
  inUse: Set<string> | undefined,
  started: number,
  findings: Finding[],
): Promise<void> {
  const files = await blobFiles(layout);
  for (const stray of files.stray) {
    findings.push(warning(
      "StrayFile",
      stray.path,
      "is not a blob (its name is not its SHA-256 under its first two digits); move it out of the pond",
    ));
  }
  if (inUse === undefined) return;
  for (const [hash, blob] of files.blobs) {
    if (inUse.has(hash) || blob.mtime >= started) continue;
    findings.push(warning(
      "UnreferencedBlob",
      blob.path,
      "no row refers to it (stored by a command that was interrupted, lost a race to another writer, or is still running); `pond maintain --vacuum` deletes it once older than the retention",
    ));
  }
}

function removal(file: Leftover, cutoff: number) {
  return async () => {
    const [removed] = await removeLeftovers([file], cutoff);
    if (!removed) throw new Error("a command wrote to it since it was found, so it stays");
    return "removed this leftover temporary file";
  };
}

async function repairAll(findings: Finding[]): Promise<RepairOutcome[]> {
  const outcomes: RepairOutcome[] = [];
  for (const finding of findings) {
    try {
      outcomes.push({ finding, repaired: true, note: await finding.repair!() });
    } catch (e) {
      outcomes.push({ finding, repaired: false, note: `the repair failed: ${reason(e)}` });
    }
  }
  return outcomes;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}
