/** Committed directory versions, cached for every snapshot of one pond: name lookups and whole listings. */

import type { Persistence } from "./persistence.ts";
import type { DirEntry, NodeKey } from "./records.ts";
import { Recent } from "./recent.ts";

/**
 * What a store said about immutable directory versions, shared by every snapshot of one
 * pond: a committed version never changes, so an answer can be kept as long as there is
 * room. Single names (`lookup`, which path resolution uses) and whole listings (`listing`,
 * which listings and globs use) are kept apart, so resolving a path never loads a listing;
 * a name in a listing already held is answered from it. Least recently used goes first.
 *
 * @example
 * ```ts
 * import { MemoryPersistence, ROOT_KEY } from "./mod.ts";
 *
 * const store = new MemoryPersistence();
 * const cache = new DirectoryCache(store);
 * const entry = await cache.lookup(ROOT_KEY, 1, "in"); // one store lookup, then none
 * const all = await cache.listing(ROOT_KEY, 1);
 * ```
 */
export class DirectoryCache {
  readonly #listings: Recent<ReadonlyMap<string, DirEntry>>;
  readonly #lookups: Recent<DirEntry | null>;

  constructor(readonly persistence: Persistence, listings = 4096, lookups = 65_536) {
    this.#listings = new Recent(listings);
    this.#lookups = new Recent(lookups);
  }

  /** The entry `name` in `version` of the plain directory `key`, or null. */
  lookup(key: NodeKey, version: number, name: string): Promise<DirEntry | null> {
    const listing = this.#listings.peek(listingId(key, version));
    if (listing) return listing.then((l) => l.get(name) ?? null);
    return this.#lookups.get(
      `${listingId(key, version)}/${name}`,
      () => this.persistence.lookup(key, version, name),
    );
  }

  /** All entries of `version` of the plain directory `key`, by name. */
  listing(key: NodeKey, version: number): Promise<ReadonlyMap<string, DirEntry>> {
    return this.#listings.get(
      listingId(key, version),
      async () =>
        new Map((await this.persistence.readDirectory(key, version)).map((e) => [e.name, e])),
    );
  }
}

function listingId(key: NodeKey, version: number): string {
  return `${key.nodeId}@${version}`;
}
