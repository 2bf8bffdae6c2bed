/** Where copies go: the destination rules `pond copy` follows, decided before anything is written. */

import type { CallContext } from "./call_context.ts";
import { TinyFsError } from "./errors.ts";
import { type Frame, handleKind } from "./handle.ts";
import { basename, joinPath } from "./path.ts";
import { resolve } from "./resolve.ts";
import type { Tree } from "./tree.ts";

/**
 * What a copy destination turned out to be (paths are absolute):
 * - `into-directory`: an existing directory; each source goes in under its own name;
 * - `new-file`: a missing name in an existing directory, for exactly one source;
 * - `existing-file`: an existing file, for exactly one source; the copy is its new version.
 */
export type CopyDestination =
  | { readonly kind: "into-directory"; readonly path: string }
  | { readonly kind: "new-file"; readonly path: string }
  | { readonly kind: "existing-file"; readonly path: string };

/**
 * Decides where `sources` (at least one) copies of files go when sent to `dest`, resolved
 * from `start`. `dest/` must be an existing directory (`NotFound` if missing,
 * `NotADirectory` if not a directory). Several sources need an existing directory
 * (`NotFound` if `dest` is missing, `NotADirectory` if it is a file).
 *
 * @example
 * ```ts
 * const dest = await copyDestination(tree, context, frames, "/in/", 2);
 * dest; // { kind: "into-directory", path: "/in" }
 * ```
 */
export async function copyDestination(
  tree: Tree,
  context: CallContext,
  start: readonly Frame[],
  dest: string,
  sources: number,
): Promise<CopyDestination> {
  if (!Number.isInteger(sources) || sources < 1) {
    throw new RangeError(`a copy needs at least one source, not ${sources}`);
  }
  const found = await resolve(tree, context, start, dest, { follow: true });
  if (found.handle && handleKind(found.handle) === "directory") {
    return { kind: "into-directory", path: found.path };
  }
  if (found.directoryOnly) {
    throw new TinyFsError(
      "NotFound",
      found.path,
      `${dest} ends in / but ${found.path} does not exist; create the directory first or drop the /`,
    );
  }
  if (sources > 1) {
    const why = found.handle ? "is a file" : "does not exist";
    throw new TinyFsError(
      found.handle ? "NotADirectory" : "NotFound",
      found.path,
      `copying ${sources} sources needs an existing directory, but ${found.path} ${why}`,
    );
  }
  return { kind: found.handle ? "existing-file" : "new-file", path: found.path };
}

/**
 * The path one source is copied to, given the decided destination.
 *
 * @example
 * ```ts
 * copyTarget({ kind: "into-directory", path: "/in" }, "data/a.csv"); // "/in/a.csv"
 * copyTarget({ kind: "new-file", path: "/in/b.csv" }, "data/a.csv"); // "/in/b.csv"
 * ```
 */
export function copyTarget(dest: CopyDestination, source: string): string {
  return dest.kind === "into-directory" ? joinPath(dest.path, basename(source)) : dest.path;
}
