/** tinyfs's typed errors: one class, a stable code per failure, and the path at fault. */

import { PondError } from "../errors.ts";

/**
 * The failures tinyfs reports. Scripts and tests branch on these codes, so they never change
 * meaning:
 * - `NotFound`: a path, a node version or a pond transaction does not exist.
 * - `AlreadyExists`: a name is taken where something new was to be created (or a pattern
 *   registered twice, or one path served by two registered patterns).
 * - `NotADirectory`: a directory was needed (a middle path component, a trailing `/`, a
 *   destination for several sources) and something else was found.
 * - `IsADirectory`: file content was asked of a directory.
 * - `NotEmpty`: a directory with entries was removed without `recursive`.
 * - `SymlinkLoop`: following symlinks did not reach a node within the depth cap.
 * - `VisitLoop`: a traversal re-entered a directory it was already inside (a symlink cycle,
 *   or a dynamic directory or file whose computation reaches itself).
 * - `ReadOnly`: a write outside a transaction, or into a dynamic directory or file, or to a
 *   node a registered pattern serves.
 * - `InvalidPath`: a malformed path, name or glob pattern.
 * - `UnknownFactory`: a dynamic directory or file names a factory the pond was not opened with.
 * - `Conflict`: another transaction committed first; retry on the new state.
 */
export type TinyFsErrorCode =
  | "NotFound"
  | "AlreadyExists"
  | "NotADirectory"
  | "IsADirectory"
  | "NotEmpty"
  | "SymlinkLoop"
  | "VisitLoop"
  | "ReadOnly"
  | "InvalidPath"
  | "UnknownFactory"
  | "Conflict";

/**
 * An expected tinyfs failure: `code` says what kind, `path` names the thing at fault (an
 * absolute path where one exists), the message says what to do.
 *
 * @example
 * ```ts
 * throw new TinyFsError("NotFound", "/data/a.csv", "/data/a.csv does not exist");
 * ```
 */
export class TinyFsError extends PondError {
  constructor(
    override readonly code: TinyFsErrorCode,
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

/**
 * True when `e` is a {@link TinyFsError}, optionally with the given code.
 *
 * @example
 * ```ts
 * import { FS, MemoryPersistence } from "./mod.ts";
 *
 * const fs = await FS.open(new MemoryPersistence());
 * const wd = await fs.root();
 * try { await wd.read("/missing"); } catch (e) { if (!isTinyFsError(e, "NotFound")) throw e; }
 * ```
 */
export function isTinyFsError(e: unknown, code?: TinyFsErrorCode): e is TinyFsError {
  return e instanceof TinyFsError && (code === undefined || e.code === code);
}
