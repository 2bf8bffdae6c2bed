/** What changed between two transactions of a pond, under one path. */
import { PondError } from "../errors.ts";
import { isTinyFsError } from "../tinyfs/mod.ts";
import { byPath, classify, type PathChange, statesAt } from "./changes.ts";
import type { Pond, PondAt } from "./pond.ts";
import { type Placement, TreeIndex } from "./tree_index.ts";

/** A comparison of two states of the pond. */
export interface Diff {
  /** The transaction compared from. */
  readonly from: number;
  /** The transaction compared to. */
  readonly to: number;
  /** The absolute path compared beneath (symlinks resolved). */
  readonly path: string;
  /** What changed, by path (see `PathChange`). */
  readonly changes: PathChange[];
}

/**
 * The changes that take the pond from state `a` to state `b` (either may be the later),
 * at `path` and beneath it. Every node that appears is `added`; a node that disappears is
 * `removed`, but what a removed directory held is not listed again; a node with a new
 * parent or name is `moved` (its contents move with it and are not listed); a file, symlink
 * or dynamic directory with another version is `modified`. A node that moved into or out of
 * `path` counts as added or removed there. `NotFound` when `path` exists in neither state.
 *
 * @example
 * ```ts
 * const { changes } = await diff(pond, { seq: 3 }, { seq: 9 }, "/sites");
 * for (const c of changes) console.log(c.change, c.path, c.before?.version, c.after?.version);
 * ```
 */
export async function diff(pond: Pond, a: PondAt, b: PondAt, path = "/"): Promise<Diff> {
  const [from, to] = await Promise.all([seqOf(pond, a), seqOf(pond, b)]);
  const within = await resolveIn(pond, path, to) ?? await resolveIn(pond, path, from);
  if (within === undefined) {
    throw new PondError(
      "NotFound",
      `${path} exists neither at transaction ${from} nor at ${to}; check the path with 'pond list --at'`,
    );
  }
  const [before, after] = await Promise.all([
    TreeIndex.at(pond.store, from, within),
    TreeIndex.at(pond.store, to, within),
  ]);
  const inside = (p: Placement | undefined) =>
    p && (within === "/" || p.path === within || p.path.startsWith(within + "/")) ? p : undefined;
  const ids = new Set([...before.placements(), ...after.placements()].map((p) => p.nodeId));
  const changes: PathChange[] = [];
  await Promise.all([...ids].map(async (id) => {
    const placeA = inside(before.place(id));
    const placeB = inside(after.place(id));
    if (
      placeA && !placeB && inside(before.place(placeA.parent)) &&
      !inside(after.place(placeA.parent))
    ) {
      return; // it went with the directory holding it, which is reported
    }
    const change = classify(...await statesAt(pond.store, placeA, placeB, from, to));
    if (change) changes.push(change);
  }));
  return { from, to, path: within, changes: changes.sort(byPath) };
}

async function seqOf(pond: Pond, at: PondAt): Promise<number> {
  if ("time" in at) return await pond.seqAt(at.time);
  const head = await pond.head();
  if (!Number.isInteger(at.seq) || at.seq < 0 || at.seq > head) {
    throw new PondError("NotFound", `there is no transaction ${at.seq}; the newest is ${head}`);
  }
  return at.seq;
}

/** The absolute path `path` leads to at transaction `seq`, or undefined when it leads nowhere. */
async function resolveIn(pond: Pond, path: string, seq: number): Promise<string | undefined> {
  try {
    return (await (await pond.root({ seq })).open(path)).path;
  } catch (e) {
    if (isTinyFsError(e, "NotFound") || isTinyFsError(e, "NotADirectory")) return undefined;
    throw e;
  }
}
