/** What changed between two transactions of a pond, under one path. */
import { PondError } from "../errors.ts";
import { isTinyFsError, type NodeId } from "../tinyfs/mod.ts";
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
 * or dynamic directory with another version is `modified`. `path` names a node in state `b`
 * (else `a`); where that node had another path in the other state (it was moved or renamed,
 * itself or with a directory above it), it is followed there and reported `moved`, else the
 * same path is compared. A node that moved into or out of it
 * counts as added or removed. `NotFound` when `path` exists in neither state, `NotStored`
 * when it is computed by a dynamic directory (which keeps no history).
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const { changes } = await diff(pond, { seq: 3 }, { seq: 9 }, "/sites");
 * for (const c of changes) console.log(c.change, c.path, c.before?.version, c.after?.version);
 * ```
 */
export async function diff(pond: Pond, a: PondAt, b: PondAt, path = "/"): Promise<Diff> {
  const [from, to] = await Promise.all([seqOf(pond, a), seqOf(pond, b)]);
  const named = await resolveIn(pond, path, to);
  const [here, there] = named === undefined ? [from, to] : [to, from];
  const within = named ?? await resolveIn(pond, path, from);
  if (within === undefined) {
    throw new PondError(
      "NotFound",
      `${path} exists neither at transaction ${from} nor at ${to}; check the path with 'pond list --at'`,
    );
  }
  const near = { index: await TreeIndex.at(pond.store, here, within), within };
  const node = near.index.placements().find((p) => p.path === within)?.nodeId;
  if (node === undefined) {
    throw new PondError(
      "NotStored",
      `${within} is computed by a dynamic directory and has no history; diff the dynamic directory instead`,
    );
  }
  const far = await follow(pond, there, within, node);
  const [sideA, sideB] = here === to ? [far, near] : [near, far];
  const insideA = (p: Placement | undefined) => inside(p, sideA.within);
  const insideB = (p: Placement | undefined) => inside(p, sideB.within);
  const [before, after] = [sideA.index, sideB.index];
  const ids = new Set([...before.placements(), ...after.placements()].map((p) => p.nodeId));
  const changes: PathChange[] = [];
  await Promise.all([...ids].map(async (id) => {
    const placeA = insideA(before.place(id));
    const placeB = insideB(after.place(id));
    if (
      placeA && !placeB && insideA(before.place(placeA.parent)) &&
      !insideB(after.place(placeA.parent))
    ) {
      return; // it went with the directory holding it, which is reported
    }
    const states = await statesAt(pond.store, placeA, placeB, from, to);
    const change = classify(...states, id === node);
    if (change) changes.push(change);
  }));
  return { from, to, path: within, changes: changes.sort(byPath) };
}

/**
 * The tree at `seq` beneath where the node `node` is then: where it was moved or renamed, if
 * it was; else beneath `within` itself (the same path, whatever node is there).
 */
async function follow(
  pond: Pond,
  seq: number,
  within: string,
  node: NodeId,
): Promise<{ index: TreeIndex; within: string }> {
  const index = await TreeIndex.at(pond.store, seq, within);
  if (index.place(node)?.path === within) return { index, within };
  const whole = await TreeIndex.at(pond.store, seq);
  const moved = whole.place(node)?.path;
  return moved === undefined ? { index, within } : { index: whole, within: moved };
}

function inside(p: Placement | undefined, within: string): Placement | undefined {
  return p && (within === "/" || p.path === within || p.path.startsWith(within + "/"))
    ? p
    : undefined;
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
