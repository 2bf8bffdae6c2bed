/** What `pond check` reports: one finding per problem, with its severity, the thing at fault and, where safe, a repair. */

/**
 * How bad a finding is. An `error` is damage: some version of the pond cannot be read as it
 * was written. A `warning` is something to tidy (leftovers of interrupted commands, a stale
 * hint) that reads fine as it is.
 */
export type Severity = "error" | "warning";

/**
 * The stable codes of findings, for scripts and tests:
 * - marker: `NotAPond`, `UnsupportedFormat`;
 * - log: `TableUnreadable`, `VersionGap`, `HistoryGone`, `CorruptCommit`, `SeqMismatch`,
 *   `CorruptCheckpoint`, `InconsistentCheckpoint`, `StaleCheckpointHint`, `SetAsideCommit`;
 * - data files: `MissingDataFile`, `CorruptDataFile`;
 * - rows: `BadRow`, `HashMismatch`, `MissingBlob`, `CorruptBlob`, `BadDirectory`,
 *   `DanglingEntry`, `DuplicateVersion`, `MissingVersion`, `MissingRoot`, `NotParquet`;
 * - installed plugins: `PluginCorrupt`;
 * - leftovers: `TempFile`, `UnreferencedDataFile`, `UnreferencedBlob`, `StrayFile`.
 */
export type FindingCode =
  | "NotAPond"
  | "UnsupportedFormat"
  | "TableUnreadable"
  | "VersionGap"
  | "HistoryGone"
  | "CorruptCommit"
  | "SeqMismatch"
  | "CorruptCheckpoint"
  | "InconsistentCheckpoint"
  | "StaleCheckpointHint"
  | "SetAsideCommit"
  | "MissingDataFile"
  | "CorruptDataFile"
  | "BadRow"
  | "HashMismatch"
  | "MissingBlob"
  | "CorruptBlob"
  | "BadDirectory"
  | "DanglingEntry"
  | "DuplicateVersion"
  | "MissingVersion"
  | "MissingRoot"
  | "NotParquet"
  | "PluginCorrupt"
  | "TempFile"
  | "UnreferencedDataFile"
  | "UnreferencedBlob"
  | "StrayFile";

/** A safe repair of a finding: it says, in a few words, what it did. */
export type Repair = () => Promise<string>;

/** One problem found. */
export interface Finding {
  readonly severity: Severity;
  readonly code: FindingCode;
  /** The thing at fault: a file of the pond (`oplog/…`, `blobs/…`, `pond.json`) or a pond path. */
  readonly subject: string;
  /** What is wrong and what to do, in one line. */
  readonly message: string;
  /** The repair `pond check --repair` may apply; absent when there is no safe one. */
  readonly repair?: Repair;
  /** What the repair will do, when it is to be confirmed before it runs (it changes the log). */
  readonly ask?: string;
}

/** A finding after `--repair`: what the repair did, or why there was none. */
export interface RepairOutcome {
  readonly finding: Finding;
  /** True when the repair ran and succeeded. */
  readonly repaired: boolean;
  /** What was done, or why nothing was. */
  readonly note: string;
}

/**
 * A finding of severity `error`.
 *
 * @example
 * ```ts
 * const findings: Finding[] = [];
 * findings.push(error("MissingDataFile", "oplog/part_id=…/part-0.parquet", "missing; restore it from a backup"));
 * ```
 */
export function error(
  code: FindingCode,
  subject: string,
  message: string,
  repair?: Repair,
): Finding {
  return { severity: "error", code, subject, message, ...(repair && { repair }) };
}

/**
 * A finding of severity `warning`.
 *
 * @example
 * ```ts
 * const findings: Finding[] = [];
 * const temp = "/data/pond/blobs/.pond-1234-0f3c.tmp";
 * findings.push(warning("TempFile", "blobs/.pond-1234-0f3c.tmp", "a leftover temporary file", async () => {
 *   await Deno.remove(temp);
 *   return `removed ${temp}`;
 * }));
 * ```
 */
export function warning(
  code: FindingCode,
  subject: string,
  message: string,
  repair?: Repair,
): Finding {
  return { severity: "warning", code, subject, message, ...(repair && { repair }) };
}

/**
 * The one-line text of an error value, for a finding's message.
 *
 * @example
 * ```ts
 * reason(new Error("boom")); // "boom"
 * ```
 */
export function reason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, " ");
}

/**
 * The finding, with its repair to be confirmed first: `plan` says what the repair will do.
 *
 * @example
 * ```ts
 * import { LocalStore, setAside } from "../delta/mod.ts";
 *
 * const findings: Finding[] = [];
 * const subject = "oplog/_delta_log/00000000000000000007.json";
 * const repair = async () => `set aside as ${await setAside(new LocalStore("/data/pond/oplog"), 7)}`;
 * const found = error("CorruptCommit", subject, "the newest commit was cut short", repair);
 * findings.push(asking(found, "set aside the torn commit of transaction 7"));
 * ```
 */
export function asking(finding: Finding, plan: string): Finding {
  return { ...finding, ask: plan };
}
