/** Typed errors of the remote layer: a remote that cannot be reached, read or trusted, each with a stable code. */
import { PondError } from "../errors.ts";

/**
 * The stable codes a {@link RemoteError} can carry.
 *
 * - `BadRemoteUrl`: a remote URL that is neither `s3://bucket[/prefix]` nor `file:///dir`.
 * - `NoCredentials`: no access key in the environment nor in the named profile.
 * - `BadCredentials`: the server refused the access key or the signature.
 * - `MissingBucket`: the server has no such bucket.
 * - `Unreachable`: the server could not be reached (refused, reset, unknown host).
 * - `RemoteFailure`: the server answered a request with another error.
 * - `RemoteAhead`: the remote holds transactions the local pond lacks (another pond pushed).
 * - `RemoteDiverged`: the remote and the local log disagree about a transaction.
 * - `CorruptObject`: an object read from a remote does not match its name or the log.
 * - `NotAPond`: a restore source without a pond on it.
 * - `NotEmpty`: a restore target that already holds files.
 * - `UnknownRemote` / `RemoteExists`: `pond remote` named a remote that is not / already set.
 * - `BadRemotesFile`: a pond's `remotes.json` that is not the JSON pond writes.
 * - `TooLarge`: an object above what one S3 copy can publish (5 GiB).
 */
export type RemoteErrorCode =
  | "BadRemoteUrl"
  | "NoCredentials"
  | "BadCredentials"
  | "MissingBucket"
  | "Unreachable"
  | "RemoteFailure"
  | "RemoteAhead"
  | "RemoteDiverged"
  | "CorruptObject"
  | "NotAPond"
  | "NotEmpty"
  | "UnknownRemote"
  | "RemoteExists"
  | "BadRemotesFile"
  | "TooLarge";

/** What a remote error names: the object at fault and the HTTP status, when there are ones. */
export interface RemoteErrorDetails extends ErrorOptions {
  path?: string;
  status?: number;
}

/**
 * An error of the remote layer; the CLI prints its message as one line.
 *
 * @example
 * ```ts
 * throw new RemoteError("MissingBucket", "bucket 'backups' does not exist at http://127.0.0.1:9000");
 * ```
 */
export class RemoteError extends PondError {
  readonly path?: string;
  readonly status?: number;
  declare readonly code: RemoteErrorCode;

  constructor(code: RemoteErrorCode, message: string, details: RemoteErrorDetails = {}) {
    const { path, status, ...options } = details;
    super(code, message, options);
    this.path = path;
    this.status = status;
  }
}

/**
 * True when `e` is a {@link RemoteError}, optionally with the given code.
 *
 * @example
 * ```ts
 * const e: unknown = new RemoteError("Unreachable", "cannot reach http://127.0.0.1:1");
 * isRemoteError(e, "Unreachable"); // true
 * ```
 */
export function isRemoteError(e: unknown, code?: RemoteErrorCode): e is RemoteError {
  return e instanceof RemoteError && (code === undefined || e.code === code);
}
