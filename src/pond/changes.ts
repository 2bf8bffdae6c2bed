/** What happened to one node between two states of the pond: added, removed, modified or moved. */
import type { EntryType, NodeId, NodeVersion, Persistence } from "../tinyfs/mod.ts";
import type { Placement } from "./tree_index.ts";

/** The kinds of change, as `pond log` and `pond diff` print them. */
export type ChangeKind = "added" | "removed" | "modified" | "moved";

/** One version of a node, as a change reports it. */
export interface VersionInfo {
  readonly version: number;
  /** Bytes for files, entries for directories, the target's length for symlinks. */
  readonly size: number;
  /** The transaction that wrote this version. */
  readonly seq: number;
}

/**
 * One node's change. `path` is where the node is after the change (where it was, for a
 * removal); a move also has `from`, and may come with new content (then `before` and `after`
 * differ in version). A directory whose entries changed is not itself reported: its entries are.
 */
export interface PathChange {
  readonly change: ChangeKind;
  readonly path: string;
  readonly from?: string;
  readonly nodeId: NodeId;
  readonly entryType: EntryType;
  readonly before?: VersionInfo;
  readonly after?: VersionInfo;
}

/** A node in one state: where it is and which version it has there. */
export interface NodeState {
  readonly place: Placement;
  readonly version: NodeVersion;
}

/**
 * The change between a node's state `before` and `after` (undefined where the node was not
 * reachable), or undefined when nothing a user would call a change happened. A node counts
 * as moved only when its own parent or name changed, not when a directory above it moved —
 * unless `byPath`, for the node a comparison is confined to (whose ancestors it does not
 * report): then any change of its path is a move.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 * import { TreeIndex } from "./tree_index.ts";
 * import { ROOT_ID, type NodeVersion } from "../tinyfs/mod.ts";
 *
 * async function example(version: NodeVersion) {
 *   const pond = await Pond.open("/data/pond");
 *   const index = await TreeIndex.at(pond.store, await pond.head());
 *   const place = index.place(ROOT_ID)!;
 *   classify(undefined, { place, version }); // { change: "added", path: place.path, … }
 * }
 * ```
 */
export function classify(
  before: NodeState | undefined,
  after: NodeState | undefined,
  byPath = false,
): PathChange | undefined {
  const base = (s: NodeState) => ({ nodeId: s.place.nodeId, entryType: s.version.entryType });
  if (!before && !after) return undefined;
  if (!before) {
    return { change: "added", path: after!.place.path, ...base(after!), after: info(after!) };
  }
  if (!after) {
    return { change: "removed", path: before.place.path, ...base(before), before: info(before) };
  }
  const moved = before.place.parent !== after.place.parent ||
    before.place.name !== after.place.name || (byPath && before.place.path !== after.place.path);
  const modified = before.version.version !== after.version.version &&
    after.version.entryType !== "directory";
  if (!moved && !modified) return undefined;
  return {
    change: moved ? "moved" : "modified",
    path: after.place.path,
    ...(moved && { from: before.place.path }),
    ...base(after),
    before: info(before),
    after: info(after),
  };
}

/**
 * The states of a node at transactions `a` and `b` (in either order) where it is placed there,
 * from one read of its versions; a node with no version at a transaction has no state there.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 * import { TreeIndex } from "./tree_index.ts";
 * import { ROOT_ID } from "../tinyfs/mod.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const index = await TreeIndex.at(pond.store, await pond.head());
 * const place = index.place(ROOT_ID)!;
 * const [then, now] = await statesAt(pond.store, place, place, 3, 9);
 * ```
 */
export async function statesAt(
  store: Persistence,
  placeA: Placement | undefined,
  placeB: Placement | undefined,
  a: number,
  b: number,
): Promise<[NodeState | undefined, NodeState | undefined]> {
  const key = placeB ?? placeA;
  if (!key) return [undefined, undefined];
  const versions = await store.readVersions(key, Math.max(a, b));
  const at = (seq: number) => versions.findLast((v) => v.seq <= seq);
  const va = placeA && at(a);
  const vb = placeB && at(b);
  return [va && { place: placeA!, version: va }, vb && { place: placeB!, version: vb }];
}

/**
 * Orders changes by path, then removals before additions at the same path.
 *
 * @example
 * ```ts
 * async function example(changes: PathChange[]) {
 *   changes.sort(byPath);
 * }
 * ```
 */
export function byPath(x: PathChange, y: PathChange): number {
  if (x.path !== y.path) return x.path < y.path ? -1 : 1;
  return ORDER[x.change] - ORDER[y.change];
}

const ORDER: Record<ChangeKind, number> = { removed: 0, moved: 1, added: 2, modified: 3 };

function info(s: NodeState): VersionInfo {
  return { version: s.version.version, size: s.version.size, seq: s.version.seq };
}
