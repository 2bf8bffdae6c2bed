/** Removing with UNIX `rm` semantics: files and symlinks, directories only when asked. */
import { PondError } from "../errors.ts";
import { isTinyFsError, type NodePath, type ReadView, type WD } from "../tinyfs/mod.ts";

/** How to remove, as `rm`'s flags. */
export interface RemoveOptions {
  /** Remove directories and everything in them (`rm -r`). */
  readonly recursive?: boolean;
  /** Remove empty directories (`rm -d`). */
  readonly emptyDirectories?: boolean;
  /** A path that does not exist is no error (`rm -f`). */
  readonly force?: boolean;
}

/**
 * Removes each of `paths` in order, inside the caller's transaction `root`, as `rm` does: a
 * file or symlink (never a symlink's target) goes; a directory needs `recursive`, or
 * `emptyDirectories` when it is empty (`IsADirectory`, `NotEmpty`); a missing path is
 * `NotFound` unless `force`. Any failure throws, so the transaction commits nothing. Returns
 * the absolute paths removed. The removed nodes' history stays readable as of earlier
 * transactions.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const argv = Deno.args;
 * await pond.transact(argv, (root) => remove(root, ["/old.csv", "/tmp"], { recursive: true }));
 * ```
 */
export async function remove(
  root: WD,
  paths: readonly string[],
  options: RemoveOptions = {},
): Promise<string[]> {
  const removed: string[] = [];
  for (const path of paths) {
    const node = await lookup(root, path, options.force);
    if (!node) {
      if (options.force) continue;
      throw new PondError(
        "NotFound",
        `cannot remove ${path}: it does not exist (pass -f to ignore missing paths)`,
      );
    }
    if (node.kind === "directory" && !options.recursive) {
      if (!options.emptyDirectories) {
        throw new PondError(
          "IsADirectory",
          `cannot remove ${node.path}: it is a directory; pass -r to remove it with everything in it`,
        );
      }
      if (node.entryType === "directory" && (await root.list(node.path)).length > 0) {
        throw new PondError(
          "NotEmpty",
          `cannot remove ${node.path}: the directory is not empty; pass -r to remove it with everything in it`,
        );
      }
    }
    await root.remove(node.path, { recursive: options.recursive });
    removed.push(node.path);
  }
  return removed;
}

/**
 * The node `path` names (a final symlink itself), or undefined when nothing is there; with
 * `force`, also when a file stands where the path needs a directory (as `rm -f` ignores it).
 */
async function lookup(root: ReadView, path: string, force = false): Promise<NodePath | undefined> {
  try {
    return await root.open(path, { follow: false });
  } catch (e) {
    if (isTinyFsError(e, "NotFound") || (force && isTinyFsError(e, "NotADirectory"))) {
      return undefined;
    }
    throw e;
  }
}
