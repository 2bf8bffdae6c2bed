/** The Delta layer's log and data file problems as pond's findings: what each means for the pond, and what to do. */
import {
  type CheckpointDifference,
  commitPath,
  type DataFileProblem,
  LOG_DIR,
  type LogProblem,
} from "../delta/mod.ts";
import { asking, error, type Finding, reason, warning } from "./check_findings.ts";

/** Where the oplog's files are named in findings, relative to the pond. */
export const OPLOG_SUBJECT = "oplog/";

/**
 * The finding of a problem of the oplog's log.
 *
 * @example
 * ```ts
 * logFinding({ code: "VersionGap", path: "_delta_log/", from: 3, to: 3 }).message;
 * // "the commit file of version 3 is missing, so the pond cannot be read past it; restore _delta_log/ from a backup"
 * ```
 */
export function logFinding(p: LogProblem): Finding {
  switch (p.code) {
    case "TableUnreadable":
      return error(p.code, OPLOG_SUBJECT, `the log does not open: ${reason(p.cause)}`);
    case "HistoryGone":
      return warning(
        p.code,
        `${OPLOG_SUBJECT}${p.path}`,
        `the commits of ${
          range(p)
        } are gone (a checkpoint covers them): the pond reads fine, but its log cannot show those transactions`,
      );
    case "VersionGap":
      return error(
        p.code,
        `${OPLOG_SUBJECT}${p.path}`,
        `the commit file of ${
          range(p)
        } is missing, so the pond cannot be read past it; restore ${LOG_DIR}/ from a backup`,
      );
    case "CorruptCommit":
      return corruptCommit(p);
    case "CorruptCheckpoint":
      return error(
        p.code,
        `${OPLOG_SUBJECT}${p.path}`,
        `${reason(p.cause)}; ${
          p.commitsGone
            ? "the commits before it are gone, so it cannot be rebuilt: restore it from a backup"
            : checkpointRemedy(p.rebuild)
        }`,
        rebuilt(p.version, p.rebuild),
      );
    case "InconsistentCheckpoint":
      return error(
        p.code,
        `${OPLOG_SUBJECT}${p.path}`,
        `disagrees with the commits up to version ${p.version}: ${difference(p.difference)}; ${
          checkpointRemedy(p.rebuild)
        }`,
        rebuilt(p.version, p.rebuild),
      );
    case "StaleCheckpointHint": {
      const subject = `${OPLOG_SUBJECT}${p.path}`;
      if (p.newest === undefined) {
        return warning(
          p.code,
          subject,
          "names a checkpoint, but the log has none; `pond check --repair` deletes it",
          async () => {
            await p.repair();
            return "deleted this hint: the log has no checkpoint";
          },
        );
      }
      const newest = p.newest;
      const state = p.state === "missing"
        ? "is missing"
        : p.state === "unreadable"
        ? "is unreadable"
        : `names version ${p.hint}`;
      return warning(
        p.code,
        subject,
        `${state}, but the newest checkpoint is version ${newest} (opening the pond is slower); \`pond check --repair\` rewrites it`,
        async () => {
          await p.repair();
          return `pointed this hint at the checkpoint of version ${newest}`;
        },
      );
    }
  }
}

/**
 * The finding of a commit that holds no `commitInfo`, which every pond commit has.
 *
 * @example
 * ```ts
 * noCommitInfo(7).subject; // "oplog/_delta_log/00000000000000000007.json"
 * ```
 */
export function noCommitInfo(version: number): Finding {
  return error(
    "CorruptCommit",
    `${OPLOG_SUBJECT}${commitPath(version)}`,
    "holds no commitInfo, which every pond commit has; restore the file from a backup",
  );
}

/**
 * The finding of a commit whose `commitInfo.pond.seq` is not its version.
 *
 * @example
 * ```ts
 * seqMismatch(7, 6).code; // "SeqMismatch"
 * ```
 */
export function seqMismatch(version: number, seq: unknown): Finding {
  return error(
    "SeqMismatch",
    `${OPLOG_SUBJECT}${commitPath(version)}`,
    `records pond transaction ${seq} but is version ${version}: a file was renamed or copied into the log; restore ${LOG_DIR}/ from a backup`,
  );
}

/**
 * The finding of a problem of a live data file.
 *
 * @example
 * ```ts
 * dataFileFinding({ code: "MissingDataFile", path: "part_id=0/part-0.parquet", version: 4 }).message;
 * // "missing, but version 4 of the log holds its rows; restore it from a backup of the pond"
 * ```
 */
export function dataFileFinding(p: DataFileProblem): Finding {
  const subject = `${OPLOG_SUBJECT}${p.path}`;
  const restore = "restore it from a backup of the pond";
  if (p.code === "MissingDataFile") {
    const rows = p.rows === undefined ? "rows" : `${p.rows} rows`;
    return error(
      p.code,
      subject,
      `missing, but version ${p.version} of the log holds its ${rows}; ${restore}`,
    );
  }
  const d = p.damage;
  const what = d.kind === "size"
    ? `is ${d.size} bytes but the log says ${d.expected}: it was truncated or overwritten`
    : d.kind === "footer"
    ? `its Parquet footer does not read (${reason(d.cause)})`
    : `holds ${d.rows} rows but the log says ${d.expected}`;
  return error(p.code, subject, `${what}; ${restore}`);
}

function range(p: { from: number; to: number }): string {
  return p.to === p.from ? `version ${p.from}` : `versions ${p.from} to ${p.to}`;
}

function checkpointRemedy(rebuild: (() => Promise<void>) | undefined): string {
  return rebuild
    ? "`pond check --repair` rewrites it from the commits"
    : "move it out of the log: the commits before it are all there, and reads then replay them";
}

function rebuilt(version: number, rebuild: (() => Promise<void>) | undefined) {
  return rebuild && (async () => {
    await rebuild();
    return `rewrote this checkpoint from the commits up to version ${version}`;
  });
}

function difference(d: CheckpointDifference): string {
  switch (d.kind) {
    case "protocol":
      return "its protocol differs";
    case "metadata":
      return "its table metadata differs";
    case "lacksFile":
      return `it lacks the live file ${d.file}`;
    case "otherSize":
      return `it gives ${d.file} another size`;
    case "extraFile":
      return `it lists ${d.file}, which the commits do not hold`;
  }
}

/**
 * A commit that does not parse. The newest commit, when torn (the Delta check offers to set it
 * aside), gets that repair, to be confirmed: it changes the log. Any other damage is for a
 * backup to mend.
 */
function corruptCommit(p: Extract<LogProblem, { code: "CorruptCommit" }>): Finding {
  const subject = `${OPLOG_SUBJECT}${p.path}`;
  const version = p.version;
  if (version === undefined) {
    return error(p.code, subject, `${reason(p.cause)}; restore the file from a backup`);
  }
  const what = `the commit of transaction ${version} does not read: ${reason(p.cause)}`;
  const before = version > 0 ? `; \`--at ${version - 1}\` reads the pond before it` : "";
  const setAside = p.setAside;
  if (!setAside) {
    return error(p.code, subject, `${what}; restore the file from a backup of the pond${before}`);
  }
  const plan = `set aside the torn commit of transaction ${version} (${subject}, renamed to ${
    p.path.slice(p.path.lastIndexOf("/") + 1)
  }.torn-TIME beside it, not deleted), so that the pond opens at transaction ${version - 1}`;
  return asking(
    error(
      p.code,
      subject,
      `${what}; it is the newest commit and was cut short while being written, so \`pond check --repair\` can ${plan}${before}`,
      async () => {
        const moved = await setAside();
        return `set aside as ${OPLOG_SUBJECT}${moved}: the pond now opens at transaction ${
          version - 1
        }`;
      },
    ),
    plan,
  );
}
