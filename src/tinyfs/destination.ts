/** Where copies and moves go: the destination rules `pond copy` and `pond mv` follow, decided before anything changes. */

import type { CallContext } from "./call_context.ts";
import { TinyFsError } from "./errors.ts";
import { type Frame, handleKind } from "./handle.ts";
import { basename, joinPath } from "./path.ts";
import { resolve } from "./resolve.ts";
import type { Tree } from "./tree.ts";
import type { Destination } from "./view.ts";

/**
 * Decides where `sources` (at least one) copies of files go when sent to `dest`, resolved
 * from `start`, following symlinks (a copy onto a symlink writes its target). `dest/` must
 * be an existing directory (`NotFound` if missing, `NotADirectory` if not a directory).
 * Several sources need an existing directory (`NotFound` if `dest` is missing,
 * `NotADirectory` if it is not a directory).
 *
 * @example
 * ```ts
 * import type { Tree } from "./tree.ts";
 * import { CallContext } from "./call_context.ts";
 * import { ROOT_FRAME } from "./handle.ts";
 *
 * async function example(tree: Tree) {
 *   const context = CallContext.EMPTY;
 *   const frames = [ROOT_FRAME];
 *   const dest = await copyDestination(tree, context, frames, "/in/", 2);
 *   dest; // { kind: "into-directory", path: "/in" }
 * }
 * ```
 */
export function copyDestination(
  tree: Tree,
  context: CallContext,
  start: readonly Frame[],
  dest: string,
  sources: number,
): Promise<Destination> {
  return destination(tree, context, start, dest, sources, "copying");
}

/**
 * Decides where `sources` (at least one) nodes go when moved to `dest`, by the same rules as
 * {@link copyDestination}, except that a final symlink that does not lead to a directory is
 * the destination itself (a move replaces the symlink, as `mv` does), not its target.
 *
 * @example
 * ```ts
 * import type { Tree } from "./tree.ts";
 * import { CallContext } from "./call_context.ts";
 * import { ROOT_FRAME } from "./handle.ts";
 * import type { WD } from "./wd.ts";
 *
 * async function example(tree: Tree, root: WD) {
 *   const dest = await moveDestination(tree, CallContext.EMPTY, [ROOT_FRAME], "/archive", 1);
 *   await root.rename("/in/a.csv", copyTarget(dest, "/in/a.csv")); // "/archive/a.csv"
 * }
 * ```
 */
export function moveDestination(
  tree: Tree,
  context: CallContext,
  start: readonly Frame[],
  dest: string,
  sources: number,
): Promise<Destination> {
  return destination(tree, context, start, dest, sources, "moving");
}

async function destination(
  tree: Tree,
  context: CallContext,
  start: readonly Frame[],
  dest: string,
  sources: number,
  verb: "copying" | "moving",
): Promise<Destination> {
  if (!Number.isInteger(sources) || sources < 1) {
    throw new RangeError(`${verb} needs at least one source, not ${sources}`);
  }
  const followed = await resolve(tree, context, start, dest, { follow: true });
  if (followed.handle && handleKind(followed.handle) === "directory") {
    return { kind: "into-directory", path: followed.path };
  }
  if (followed.directoryOnly) {
    throw new TinyFsError(
      "NotFound",
      followed.path,
      `${dest} ends in / but ${followed.path} does not exist; create the directory first or drop the /`,
    );
  }
  const found = verb === "copying"
    ? followed
    : await resolve(tree, context, start, dest, { follow: false });
  if (sources > 1) {
    const why = found.handle ? "is not a directory" : "does not exist";
    throw new TinyFsError(
      found.handle ? "NotADirectory" : "NotFound",
      found.path,
      `${verb} ${sources} sources needs an existing directory, but ${found.path} ${why}`,
    );
  }
  return { kind: found.handle ? "existing-file" : "new-file", path: found.path };
}

/**
 * The path one source is copied or moved to, given the decided destination.
 *
 * @example
 * ```ts
 * copyTarget({ kind: "into-directory", path: "/in" }, "data/a.csv"); // "/in/a.csv"
 * copyTarget({ kind: "new-file", path: "/in/b.csv" }, "data/a.csv"); // "/in/b.csv"
 * ```
 */
export function copyTarget(dest: Destination, source: string): string {
  return dest.kind === "into-directory" ? joinPath(dest.path, basename(source)) : dest.path;
}
