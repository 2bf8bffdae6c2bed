/** Path resolution: walking names from a directory, with `.`, `..`, trailing `/` and symlinks. */

import type { CallContext } from "./call_context.ts";
import { TinyFsError } from "./errors.ts";
import { type Frame, framesPath, type Handle, handleKind, ROOT_FRAME } from "./handle.ts";
import { joinPath, parsePath } from "./path.ts";
import type { Tree } from "./tree.ts";

/** Most symlinks one resolution follows before giving up with `SymlinkLoop`. */
export const MAX_SYMLINKS = 32;

/** Where a path led. */
export interface Resolved {
  /** The directories from the root down to the one holding the result (empty for the root). */
  readonly parent: readonly Frame[];
  /** The result's name in `parent` (`""` for the root). */
  readonly name: string;
  /** The node, or `undefined` when the last name does not exist (its parent does). */
  readonly handle: Handle | undefined;
  /** The absolute path of the result, after `.`, `..` and followed symlinks. */
  readonly path: string;
  /** False when the path ended at `/`, `.` or `..`: it names a directory but no new entry. */
  readonly named: boolean;
  /** The path (or a symlink it ended through) ended in `/`: the result must be a directory. */
  readonly directoryOnly: boolean;
}

/** How to resolve. */
export interface ResolveOptions {
  /** Follow a symlink in the last position (a trailing `/` always does). */
  readonly follow: boolean;
  /**
   * Called for a missing directory in the middle of the path (as `mkdir -p` does); when
   * absent, a missing middle component is `NotFound`.
   */
  readonly makeDirectory?: (
    parent: readonly Frame[],
    name: string,
    path: string,
  ) => Promise<Handle>;
}

/**
 * Resolves `path` from the directory `start` (frames from the root). Absolute paths start
 * at the root; `..` at the root stays there. Symlinks in the middle are always followed —
 * absolute targets from the root, relative ones from the symlink's directory — at most
 * {@link MAX_SYMLINKS} of them (`SymlinkLoop` beyond). A non-directory in the middle, or at
 * the end of a path ending in `/`, is `NotADirectory`.
 *
 * @example
 * ```ts
 * import type { Tree } from "./tree.ts";
 * import { CallContext } from "./call_context.ts";
 * import { ROOT_FRAME } from "./handle.ts";
 *
 * async function example(tree: Tree) {
 *   const r = await resolve(tree, CallContext.EMPTY, [ROOT_FRAME], "/in/../in/a.csv", { follow: true });
 *   r.path; // "/in/a.csv"
 * }
 * ```
 */
export async function resolve(
  tree: Tree,
  context: CallContext,
  start: readonly Frame[],
  path: string,
  options: ResolveOptions,
): Promise<Resolved> {
  const parsed = parsePath(path);
  let frames: Frame[] = parsed.absolute ? [ROOT_FRAME] : [...start];
  const queue = [...parsed.parts];
  let directoryOnly = parsed.trailingSlash;
  let hops = 0;
  const self = (): Resolved => ({
    parent: frames.slice(0, -1),
    name: frames.at(-1)!.name,
    handle: frames.at(-1)!.handle,
    path: framesPath(frames),
    named: false,
    directoryOnly,
  });
  let result = self();
  while (queue.length > 0) {
    const part = queue.shift()!;
    const last = queue.length === 0;
    if (part === "." || part === "..") {
      if (part === ".." && frames.length > 1) frames.pop();
      if (last) result = self();
      continue;
    }
    const at = joinPath(framesPath(frames), part);
    let handle = await tree.lookup(frames, part, context);
    if (!handle) {
      if (last) {
        result = { parent: frames, name: part, handle, path: at, named: true, directoryOnly };
        break;
      }
      if (!options.makeDirectory) throw new TinyFsError("NotFound", at, `${at} does not exist`);
      handle = await options.makeDirectory(frames, part, at);
    }
    if (handleKind(handle) === "symlink" && (!last || options.follow || directoryOnly)) {
      if (++hops > MAX_SYMLINKS) {
        throw new TinyFsError(
          "SymlinkLoop",
          at,
          `resolving ${path} followed more than ${MAX_SYMLINKS} symlinks (at ${at}); ` +
            "a symlink probably points back at itself",
        );
      }
      const target = parsePath(await tree.readlink(handle, at));
      if (target.absolute) frames = [ROOT_FRAME];
      if (last) directoryOnly ||= target.trailingSlash;
      queue.unshift(...target.parts);
      if (last && target.parts.length === 0) result = self();
      continue;
    }
    if (last) {
      result = { parent: frames, name: part, handle, path: at, named: true, directoryOnly };
    } else if (handleKind(handle) !== "directory") {
      throw new TinyFsError(
        "NotADirectory",
        at,
        `${at} is not a directory, so ${path} cannot be reached`,
      );
    } else {
      frames = [...frames, { name: part, handle }];
    }
  }
  if (result.handle && result.directoryOnly && handleKind(result.handle) !== "directory") {
    throw new TinyFsError(
      "NotADirectory",
      result.path,
      `${result.path} is not a directory (the path ends in /)`,
    );
  }
  return result;
}

/**
 * The frames of a resolved directory, from the root down to it.
 *
 * @example
 * ```ts
 * import type { Tree } from "./tree.ts";
 * import { CallContext } from "./call_context.ts";
 * import { ROOT_FRAME } from "./handle.ts";
 *
 * async function example(tree: Tree) {
 *   const context = CallContext.EMPTY;
 *   const wdFrames = framesOf(await resolve(tree, context, [ROOT_FRAME], "/in", { follow: true }));
 * }
 * ```
 */
export function framesOf(resolved: Resolved): Frame[] {
  return [...resolved.parent, { name: resolved.name, handle: resolved.handle! }];
}
