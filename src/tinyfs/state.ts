/** Read access to one consistent state of the tree, and the committed-state view over a store. */

import type { DirectoryCache } from "./directory_cache.ts";
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
  /** Whether the versions of transaction {@link seq} are not committed yet (a transaction's state). */
  readonly pending: boolean;
  /** Every version of the node in this state, oldest first; empty if it has none. */
  versions(key: NodeKey): Promise<readonly NodeVersion[]>;
  /**
   * The entry `name` in the newest version of a plain directory, if it has one. This is how
   * paths resolve: it never needs the whole listing.
   */
  lookup(key: NodeKey, name: string): Promise<DirEntry | undefined>;
  /** All entries of the newest version of a plain directory, by name (for listings). */
  entries(key: NodeKey): Promise<ReadonlyMap<string, DirEntry>>;
  /** The body of one version of a file (a fresh copy the caller may keep). */
  content(key: NodeKey, version: number): Promise<Uint8Array>;
  /** The body of one version of a file as a stream. */
  stream(key: NodeKey, version: number): Promise<ReadableStream<Uint8Array>>;
  /** A host file holding one committed version's body whole, where the store keeps one. */
  fileOnDisk(key: NodeKey, version: number): Promise<string | undefined>;
}

/**
 * The newest version of a node, or `NotFound` naming the node.
 *
 * @example
 * ```ts
 * import { ROOT_KEY } from "./mod.ts";
 *
 * async function example(state: Snapshot) {
 *   const root = await latest(state, ROOT_KEY);
 *   root.version; // 1 after init
 * }
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
 * The committed state as of transaction `seq`. Version lists are cached for the snapshot's
 * life (they cannot change at a fixed seq); directory lookups and listings come from the
 * shared cache.
 *
 * @example
 * ```ts
 * import { MemoryPersistence, ROOT_KEY } from "./mod.ts";
 * import { DirectoryCache } from "./directory_cache.ts";
 *
 * const store = new MemoryPersistence();
 * const snapshot = new Snapshot(store, await store.head(), new DirectoryCache(store));
 * const input = await snapshot.lookup(ROOT_KEY, "in");
 * ```
 */
export class Snapshot implements TreeState {
  readonly pending = false;
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

  async lookup(key: NodeKey, name: string): Promise<DirEntry | undefined> {
    const version = await this.#plainDirectory(key);
    return (await this.directories.lookup(key, version, name)) ?? undefined;
  }

  async entries(key: NodeKey): Promise<ReadonlyMap<string, DirEntry>> {
    return this.directories.listing(key, await this.#plainDirectory(key));
  }

  content(key: NodeKey, version: number): Promise<Uint8Array> {
    return this.persistence.readFile(key, version);
  }

  stream(key: NodeKey, version: number): Promise<ReadableStream<Uint8Array>> {
    return this.persistence.streamFile(key, version);
  }

  fileOnDisk(key: NodeKey, version: number): Promise<string | undefined> {
    return this.persistence.fileOnDisk?.(key, version) ?? Promise.resolve(undefined);
  }

  /** The newest version of `key`, which must be a plain directory (else `NotADirectory`). */
  async #plainDirectory(key: NodeKey): Promise<number> {
    const newest = await latest(this, key);
    if (newest.entryType !== "directory") {
      throw new TinyFsError(
        "NotADirectory",
        `node ${key.nodeId}`,
        `node ${key.nodeId} is a ${newest.entryType}, which has no stored entries`,
      );
    }
    return newest.version;
  }
}
