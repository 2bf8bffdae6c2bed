/** Moving with UNIX `mv` semantics: rename, move into a directory, replace what is at the destination. */
import { PondError } from "../errors.ts";
import { copyTarget, isTinyFsError, type ReadView, type WD } from "../tinyfs/mod.ts";

/** One node moved: where it was and where it is now (absolute paths). */
export interface Moved {
  readonly from: string;
  readonly to: string;
}

/**
 * Moves `sources` to `dest` inside the caller's transaction `root`, as `mv` does: into `dest`
 * when it is a directory (each source under its own name), else to the new name `dest`,
 * replacing a file or symlink there (or an empty directory, for a directory); several
 * sources need an existing directory. A symlink moves itself, not its target; moved nodes
 * keep their ids and history. Any failure throws (`NotFound` for a missing source), so the
 * transaction commits nothing.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const argv = Deno.args;
 * await pond.transact(argv, (root) => move(root, ["/in/a.csv", "/in/b.csv"], "/archive"));
 * ```
 */
export async function move(root: WD, sources: readonly string[], dest: string): Promise<Moved[]> {
  if (sources.length === 0) throw new PondError("InvalidArgument", "a move needs a source");
  const target = await root.moveDestination(dest, sources.length);
  const moved: Moved[] = [];
  for (const source of sources) {
    const from = await pathOf(root, source);
    const node = await root.rename(source, copyTarget(target, source));
    moved.push({ from, to: node.path });
  }
  return moved;
}

async function pathOf(root: ReadView, source: string): Promise<string> {
  try {
    return (await root.open(source, { follow: false })).path;
  } catch (e) {
    if (!isTinyFsError(e, "NotFound")) throw e;
    throw new PondError("NotFound", `cannot move ${source}: it does not exist`, { cause: e });
  }
}
