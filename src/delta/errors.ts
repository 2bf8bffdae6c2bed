/** Typed errors of the Delta Lake layer: every failure has a stable code and names what is at fault. */

import { PondError } from "../errors.ts";

/**
 * The stable codes a {@link DeltaError} can carry.
 *
 * - `NotATable`: the directory has no `_delta_log/` commits.
 * - `VersionGap`: a commit file is missing between two versions that exist.
 * - `VersionNotFound`: time travel asked for a version or timestamp the log cannot serve.
 * - `UnsupportedReaderVersion` / `UnsupportedWriterVersion`: protocol versions not implemented.
 * - `UnsupportedFeature`: a reader/writer table feature, type or layout not implemented.
 * - `CorruptLog`: a commit or `_last_checkpoint` that is not valid JSON or misses required fields.
 * - `CorruptCheckpoint`: a checkpoint (or sidecar) that cannot be read or is incomplete.
 * - `CorruptData`: a data file (Parquet) that cannot be read or disagrees with the log.
 * - `InvalidSchema`: a schema string that does not parse as a Delta schema.
 * - `InvalidArgument`: a caller passed something unusable (bad predicate, unknown column...).
 * - `MissingFile`: an object named by the log (or asked for) does not exist in storage.
 * - `AlreadyExists`: `putIfAbsent` found the object already there (when asked to throw).
 * - `Conflict`: a commit lost a race at {@link DeltaError.version}.
 * - `VacuumRefused`: vacuum cannot tell which files are in use (a commit set aside in the log).
 */
export type DeltaErrorCode =
  | "NotATable"
  | "VersionGap"
  | "VersionNotFound"
  | "UnsupportedReaderVersion"
  | "UnsupportedWriterVersion"
  | "UnsupportedFeature"
  | "CorruptLog"
  | "CorruptCheckpoint"
  | "CorruptData"
  | "InvalidSchema"
  | "InvalidArgument"
  | "MissingFile"
  | "AlreadyExists"
  | "Conflict"
  | "VacuumRefused";

/** Extra facts an error can carry for callers that act on them (e.g. retry a conflict). */
export interface DeltaErrorDetails extends ErrorOptions {
  /** The object (relative to the table root) at fault, when there is one. */
  path?: string;
  /** The table version at fault, when there is one (e.g. the version a commit lost). */
  version?: number;
}

/**
 * An error of the Delta layer. `code` is stable; `path` and `version` name what is at fault.
 *
 * @example
 * ```ts
 * throw new DeltaError("VersionGap", "_delta_log/00000000000000000003.json is missing", { version: 3 });
 * ```
 */
export class DeltaError extends PondError {
  /** The object (relative to the table root) at fault, if any. */
  readonly path?: string;
  /** The table version at fault, if any. */
  readonly version?: number;

  declare readonly code: DeltaErrorCode;

  constructor(code: DeltaErrorCode, message: string, details: DeltaErrorDetails = {}) {
    const { path, version, ...options } = details;
    super(code, message, options);
    this.path = path;
    this.version = version;
  }
}

/**
 * True when `e` is a {@link DeltaError}, optionally with the given code.
 *
 * @example
 * ```ts
 * import { openTable } from "./mod.ts";
 *
 * try { await openTable("/tmp/nothing"); } catch (e) { if (isDeltaError(e, "NotATable")) console.log("no table"); }
 * ```
 */
export function isDeltaError(e: unknown, code?: DeltaErrorCode): e is DeltaError {
  return e instanceof DeltaError && (code === undefined || e.code === code);
}
