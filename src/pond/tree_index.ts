/** The stored tree at one transaction as node ids: where each node sits (parent and name), read from directory listings. */
import {
  type DirEntry,
  type EntryType,
  type NodeId,
  type NodeKey,
  type NodeVersion,
  type Persistence,
  ROOT_ID,
  ROOT_KEY,
} from "../tinyfs/mod.ts";

/** Where a node sits in one state of the tree. */
export interface Placement extends NodeKey {
  readonly path: string;
  /** The directory holding it (the root for the root itself). */
  readonly parent: NodeId;
  /** Its name in `parent` (`""` for the root). */
  readonly name: string;
  readonly entryType: EntryType;
}

/**
 * Every stored node reachable from the root at one transaction, found through the plain
 * directories' listings (dynamic directories are leaves: what they compute has no history).
 * Built by walking the tree once ({@link TreeIndex.at}); a log then moves it forward one
 * transaction at a time ({@link TreeIndex.advance}) by re-reading only the directories that
 * transaction changed, so paths stay cheap to answer across a long history.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 * import { ROOT_ID } from "../tinyfs/mod.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const nodeId = ROOT_ID;
 * const index = await TreeIndex.at(pond.store, 12);
 * index.place(nodeId)?.path; // "/sites/lake_north/readings.csv"
 * ```
 */
export class TreeIndex {
  readonly #store: Persistence;
  #seq: number;
  /** Each node's entry in the listing of the directory holding it. */
  readonly #entries = new Map<NodeId, DirEntry & { parent: NodeId }>();
  /** The current listing of every plain directory met, by name. */
  readonly #listings = new Map<NodeId, ReadonlyMap<string, DirEntry>>();

  private constructor(store: Persistence, seq: number) {
    this.#store = store;
    this.#seq = seq;
  }

  /**
   * The tree as of transaction `seq` (-1: before the pond existed, an empty tree). With
   * `within` (an absolute path), only directories on the way to it and beneath it are read.
   *
   * @example
   * ```ts
   * import { Pond } from "./pond.ts";
   *
   * const pond = await Pond.open("/data/pond");
   * const index = await TreeIndex.at(pond.store, await pond.head(), "/sites");
   * ```
   */
  static async at(store: Persistence, seq: number, within = "/"): Promise<TreeIndex> {
    const index = new TreeIndex(store, seq);
    if (seq >= 0) await index.#walk(ROOT_KEY, "/", within);
    return index;
  }

  /**
   * Where the node `id` is, or undefined when it is not reachable from the root.
   *
   * @example
   * ```ts
   * import { Pond } from "./pond.ts";
   * import { ROOT_ID } from "../tinyfs/mod.ts";
   *
   * const pond = await Pond.open("/data/pond");
   * const index = await TreeIndex.at(pond.store, await pond.head());
   * index.place(ROOT_ID); // { path: "/", name: "", parent: ROOT_ID, entryType: "directory", … }
   * ```
   */
  place(id: NodeId): Placement | undefined {
    if (!this.#listings.has(ROOT_ID)) return undefined;
    if (id === ROOT_ID) {
      return { ...ROOT_KEY, path: "/", parent: ROOT_ID, name: "", entryType: "directory" };
    }
    const entry = this.#entries.get(id);
    const names: string[] = [];
    for (let at = entry; at; at = this.#entries.get(at.parent)) {
      names.push(at.name);
      if (at.parent === ROOT_ID) {
        const { nodeId, partId, name, entryType, parent } = entry!;
        return { nodeId, partId, name, entryType, parent, path: "/" + names.reverse().join("/") };
      }
      if (names.length > this.#entries.size) return undefined;
    }
    return undefined;
  }

  /**
   * Every reachable node, root included, in no particular order.
   *
   * @example
   * ```ts
   * import { Pond } from "./pond.ts";
   *
   * const pond = await Pond.open("/data/pond");
   * const index = await TreeIndex.at(pond.store, await pond.head());
   * for (const p of index.placements()) console.log(p.path);
   * ```
   */
  placements(): Placement[] {
    return [ROOT_ID, ...this.#entries.keys()]
      .map((id) => this.place(id))
      .filter((p): p is Placement => p !== undefined);
  }

  /**
   * The paths, relative to the directory `id`, of everything beneath it as the index last
   * read it — for a directory just removed, what it held when it went.
   *
   * @example
   * ```ts
   * import { Pond } from "./pond.ts";
   * import { ROOT_ID } from "../tinyfs/mod.ts";
   *
   * const pond = await Pond.open("/data/pond");
   * const index = await TreeIndex.at(pond.store, await pond.head());
   * const dirId = ROOT_ID;
   * index.beneath(dirId); // ["raw", "raw/a.csv"]
   * ```
   */
  beneath(id: NodeId): string[] {
    const out: string[] = [];
    const seen = new Set<NodeId>();
    const walk = (dir: NodeId, prefix: string) => {
      if (seen.has(dir)) return;
      seen.add(dir);
      for (const e of this.#listings.get(dir)?.values() ?? []) {
        out.push(prefix + e.name);
        if (e.entryType === "directory") walk(e.nodeId, `${prefix}${e.name}/`);
      }
    };
    walk(id, "");
    return out;
  }

  /**
   * Moves the index to transaction `seq`, whose new versions of plain directories are
   * `directories` (other rows are ignored). Returns where each node whose entry changed was
   * before (undefined for nodes that were nowhere), so a caller can tell what moved.
   *
   * @example
   * ```ts
   * import { Pond } from "./pond.ts";
   * import { OplogRows } from "./oplog_rows.ts";
   *
   * const pond = await Pond.open("/data/pond");
   * const index = await TreeIndex.at(pond.store, 12);
   * const before = await index.advance(13, await (await OplogRows.open(pond)).of(13));
   * ```
   */
  async advance(
    seq: number,
    directories: readonly NodeVersion[],
  ): Promise<Map<NodeId, Placement | undefined>> {
    const changed = directories.filter((d) => d.entryType === "directory");
    const listings = await Promise.all(changed.map(async (d) => ({
      dir: d,
      old: this.#listings.get(d.nodeId) ?? new Map<string, DirEntry>(),
      now: toMap(await this.#store.readDirectory(d, d.version)),
    })));
    const before = new Map<NodeId, Placement | undefined>();
    for (const { old, now } of listings) {
      for (const [name, e] of old) {
        if (now.get(name)?.nodeId !== e.nodeId) before.set(e.nodeId, undefined);
      }
      for (const [name, e] of now) {
        if (old.get(name)?.nodeId !== e.nodeId) before.set(e.nodeId, undefined);
      }
    }
    for (const id of before.keys()) before.set(id, this.place(id));
    for (const { dir, old, now } of listings) {
      for (const [name, e] of old) {
        const at = this.#entries.get(e.nodeId);
        if (now.get(name)?.nodeId !== e.nodeId && at?.parent === dir.nodeId && at.name === name) {
          this.#entries.delete(e.nodeId);
        }
      }
    }
    for (const { dir, old, now } of listings) {
      for (const [name, e] of now) {
        if (old.get(name)?.nodeId !== e.nodeId) {
          this.#entries.set(e.nodeId, { ...e, parent: dir.nodeId });
        }
      }
      this.#listings.set(dir.nodeId, now);
    }
    this.#seq = seq;
    return before;
  }

  async #walk(key: NodeKey, path: string, within: string): Promise<void> {
    const newest = (await this.#store.readVersions(key, this.#seq)).at(-1);
    if (newest?.entryType !== "directory") return;
    const entries = toMap(await this.#store.readDirectory(key, newest.version));
    this.#listings.set(key.nodeId, entries);
    const below: Promise<void>[] = [];
    for (const e of entries.values()) {
      const at = path === "/" ? `/${e.name}` : `${path}/${e.name}`;
      if (!onTheWay(at, within)) continue;
      this.#entries.set(e.nodeId, { ...e, parent: key.nodeId });
      if (e.entryType === "directory") below.push(this.#walk(e, at, within));
    }
    await Promise.all(below);
  }
}

/** Whether `path` is on the way to `within`, `within` itself, or beneath it. */
function onTheWay(path: string, within: string): boolean {
  return within === "/" || path === within || within.startsWith(path + "/") ||
    path.startsWith(within + "/");
}

function toMap(entries: readonly DirEntry[]): Map<string, DirEntry> {
  return new Map(entries.map((e) => [e.name, e]));
}
