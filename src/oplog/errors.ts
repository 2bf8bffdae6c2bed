/** Errors of the pond's storage: corrupt bodies, missing objects, a directory that is no pond. */
import { PondError } from "../errors.ts";

/** Stable codes of {@link OplogError}. */
export type OplogErrorCode =
  | "CorruptBlob"
  | "MissingBlob"
  | "CorruptRow"
  | "InvalidSeries"
  | "InvalidTable"
  | "NotAPond"
  | "PondExists";

/**
 * A failure of the pond's own storage, naming the object or row at fault.
 *
 * @example
 * ```ts
 * throw new OplogError("MissingBlob", "blob 3fa1… is missing from /data/pond/blobs: run `pond check`");
 * ```
 */
export class OplogError extends PondError {
  declare readonly code: OplogErrorCode;
  constructor(code: OplogErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
