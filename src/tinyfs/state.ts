/** Read access to one consistent state of the tree, and the committed-state view over a store. */

import { TinyFsError } from "./errors.ts";
import type { Persistence } from "./persistence.ts";
import type { DirEntry, NodeKey, NodeVersion } from "./records.ts";

/**
 * One consistent state of the tree: a committed snapshot, or a transaction's pending
 * changes over one. Everything above reads through this; nothing above keeps its own copy.
 */
export interface TreeState {
  /** The transaction this state is (or will become, for a transaction). */
  readonly seq: number;
  /** Every version of the node in this state, oldest first; empty if it has none. */
  versions(key: NodeKey): Promise<readonly NodeVersion[]>;
  /** The entries of the newest version of a plain directory, by name. */
  entries(key: NodeKey): Promise<ReadonlyMap<string, DirEntry>>;
  /** The body of one version of a file (a fresh copy the caller may keep). */
  content(key: NodeKey, version: number): Promise<Uint8Array>;
  /** The body of one version of a file as a stream. */
  stream(key: NodeKey, version: number): Promise<ReadableStream<Uint8Array>>;
}

/**
 * The newest version of a node, or `NotFound` naming the node.
 *
 * @example
 * ```ts
 * const root = await latest(state, ROOT_KEY);
 * root.version; // 1 after init
 * ```
 */
export async function latest(state: TreeState, key: NodeKey): Promise<NodeVersion> {
  const newest = (await state.versions(key)).at(-1);
  if (!newest) {
    throw new TinyFsError("NotFound", `node ${key.nodeId}`, `node ${key.nodeId} has no version`);
  }
  return newest;
}

/**
 * Immutable directory versions, shared by every snapshot of one pond: a committed version
 * never changes, so it can be kept as long as there is room. Least recently used goes first.
 *
 * @example
 * ```ts
 * const cache = new DirectoryCache(store);
 * const entries = await cache.get(ROOT_KEY, 1);
 * ```
 */
export class DirectoryCache {
  readonly #entries = new Map<string, Promise<ReadonlyMap<string, DirEntry>>>();

  constructor(readonly persistence: Persistence, readonly capacity = 4096) {}

  get(key: NodeKey, version: number): Promise<ReadonlyMap<string, DirEntry>> {
    const id = `${key.nodeId}@${version}`;
    let found = this.#entries.get(id);
    if (found) this.#entries.delete(id);
    else {
      found = this.persistence.readDirectory(key, version).then(
        (list) => new Map(list.map((e) => [e.name, e])),
      );
      found.catch(() => this.#entries.delete(id));
    }
    this.#entries.set(id, found);
    if (this.#entries.size > this.capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return found;
  }
}

/**
 * The committed state as of transaction `seq`. Version lists are cached for the snapshot's
 * life (they cannot change at a fixed seq); directory bodies come from the shared cache.
 *
 * @example
 * ```ts
 * const snapshot = new Snapshot(store, await store.head(), new DirectoryCache(store));
 * const rootEntries = await snapshot.entries(ROOT_KEY);
 * ```
 */
export class Snapshot implements TreeState {
  readonly #versions = new Map<string, Promise<readonly NodeVersion[]>>();

  constructor(
    readonly persistence: Persistence,
    readonly seq: number,
    readonly directories: DirectoryCache,
  ) {}

  versions(key: NodeKey): Promise<readonly NodeVersion[]> {
    let found = this.#versions.get(key.nodeId);
    if (!found) {
      found = this.persistence.readVersions(key, this.seq);
      found.catch(() => this.#versions.delete(key.nodeId));
      this.#versions.set(key.nodeId, found);
    }
    return found;
  }

  async entries(key: NodeKey): Promise<ReadonlyMap<string, DirEntry>> {
    const newest = await latest(this, key);
    if (newest.entryType !== "directory") {
      throw new TinyFsError(
        "NotADirectory",
        `node ${key.nodeId}`,
        `node ${key.nodeId} is a ${newest.entryType}, which has no stored entries`,
      );
    }
    return this.directories.get(key, newest.version);
  }

  content(key: NodeKey, version: number): Promise<Uint8Array> {
    return this.persistence.readFile(key, version);
  }

  stream(key: NodeKey, version: number): Promise<ReadableStream<Uint8Array>> {
    return this.persistence.streamFile(key, version);
  }
}
