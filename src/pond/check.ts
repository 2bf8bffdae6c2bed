/** Checking a pond — its marker, its log, every row and every blob — and repairing only what is safe to repair. */
import { type Action, checkDataFiles, checkLog, type LogReport } from "../delta/mod.ts";
import { isPondError } from "../errors.ts";
import { BlobStore, checkRows } from "../oplog/mod.ts";
import { error, type Finding, reason, type RepairOutcome } from "./check_findings.ts";
import {
  hasLog,
  POND_FORMAT,
  POND_MARKER,
  type PondLayout,
  type PondStores,
  storesOf,
  writeMarker,
} from "./layout.ts";
import {
  findBlobLeftovers,
  findSetAsideCommits,
  findTempFiles,
  findUnreferencedDataFiles,
} from "./check_leftovers.ts";
import { dataFileFinding, logFinding, noCommitInfo, seqMismatch } from "./check_log_findings.ts";
import { checkPlugins } from "./check_plugins.ts";
import { rowFinding } from "./check_row_findings.ts";
import { Pond } from "./pond.ts";

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
 * Checks the pond in `pond` (a directory, or its stores) and returns every problem found (see `FindingCode`): the marker;
 * the log (it opens, commits contiguous, checkpoints consistent, the hint current); every live
 * data file (present, its footer reads); every row (bodies match their hashes, blobs exist
 * and match every chunk, node versions complete, directory entries point at stored nodes);
 * and leftovers of interrupted commands, which are warnings. With `repair`, applies the safe
 * repairs — removing temporary files no command can still be using, rewriting checkpoints
 * from the commits, pointing `_last_checkpoint` at the newest checkpoint; nothing a version
 * of the pond needs is deleted — and then checks again, so the findings are what is left.
 * With `quick`, only what opening the pond needs is checked (see {@link CheckOptions.quick}).
 * Throws `NotAPond` when `pond` holds no pond at all, and `UnsupportedFormat` for a pond of
 * another format (whose layout this check does not know).
 *
 * @example
 * ```ts
 * const report = await checkPond("/data/pond");
 * for (const f of report.findings) console.log(f.severity, f.subject, f.message);
 * ```
 */
export async function checkPond(
  pond: string | PondStores,
  options: CheckOptions = {},
): Promise<CheckReport> {
  const quick = Boolean(options.quick);
  const stores = storesOf(pond);
  const first = await inspect(stores, quick);
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
  return { ...await inspect(stores, quick), repairs };
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
async function inspect(stores: PondStores, quick: boolean): Promise<Omit<CheckReport, "repairs">> {
  const started = Date.now();
  const findings: Finding[] = [];
  const store = stores.oplog;
  const blobs = new BlobStore(stores.blobs);
  const notAFile = stores.host && await markerNotAFile(stores.host);
  const marker = notAFile ? undefined : await markerProblem(stores);
  const log = await checkLog(store, {
    quick,
    problem: (p) => findings.push(logFinding(p)),
    commit: (version, actions) => checkPondCommit(version, actions, quick, findings),
  });
  if (notAFile) findings.unshift(error("NotAPond", POND_MARKER, notAFile));
  if (marker !== undefined) findings.unshift(markerFinding(stores, marker, quick ? null : log));
  const setAside = await findSetAsideCommits(store, findings);
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
    let unread = false;
    const files = await checkDataFiles(store, log.snapshot, (p) => {
      unread ||= p.code === "CorruptDataFile";
      findings.push(dataFileFinding(p));
    });
    const rows = await checkRows({
      store,
      snapshot: log.snapshot,
      files,
      addedAt: log.addedAt,
      blobs,
      problem: (p) => {
        unread ||= p.code === "CorruptDataFile";
        findings.push(rowFinding(p));
      },
    });
    Object.assign(counts, { dataFiles: files.length, ...rows });
    counts.plugins = await checkPlugins(stores, log.snapshot.version, findings);
    if (files.length === log.snapshot.files().length && !unread && complete) {
      inUse = rows.referencedBlobs;
    }
    if (complete) await findUnreferencedDataFiles(store, log.snapshot, findings);
  }
  await findTempFiles({ root: stores.root, table: store, blobs }, findings);
  await findBlobLeftovers(blobs, inUse, started, findings);
  return { counts, findings };
}

/**
 * A commit's pond conventions: it holds a commitInfo (checked of the newest commit, in a quick
 * check) whose `pond.seq`, when it records one, is its version.
 */
function checkPondCommit(
  version: number,
  actions: Action[],
  quick: boolean,
  findings: Finding[],
): void {
  if (quick && !actions.some((a) => "commitInfo" in a)) findings.push(noCommitInfo(version));
  for (const action of actions) {
    if (!("commitInfo" in action)) continue;
    const pond = action.commitInfo.pond as { seq?: unknown } | undefined;
    if (pond?.seq !== undefined && pond.seq !== version) {
      findings.push(seqMismatch(version, pond.seq));
    }
  }
}

/**
 * Why the marker is no file, when something else (a directory, a FIFO…) holds its name: no
 * repair writes over that, so the finding says to move it aside first. A question for the
 * host's filesystem, asked before the marker is read through its store (a FIFO would never
 * answer a read): only a pond in a directory can have such a thing in its marker's place.
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
async function markerProblem(stores: PondStores): Promise<string | undefined> {
  try {
    await Pond.open(stores);
    return undefined;
  } catch (e) {
    if (!isPondError(e, "NotAPond")) {
      if (isPondError(e, "UnsupportedFormat")) throw e;
      return undefined; // the log's own damage: the checks that follow name it
    }
    if (!(await hasLog(stores))) throw e;
    return reason(e).replace(/; `pond check --repair.*$/, "");
  }
}

/**
 * The finding of a missing or garbled marker: it holds only the format and the creation time,
 * so when the log's first commit reads, the repair writes it again from that commit. Without
 * the `log` (a quick check, which reads no first commit), the finding only says so.
 */
function markerFinding(stores: PondStores, problem: string, log: LogReport | null): Finding {
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
      await writeMarker(stores, new Date(created));
      return `wrote ${POND_MARKER} again (format ${POND_FORMAT}, created ${
        new Date(created).toISOString()
      }, from the log's first commit)`;
    },
  );
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
