/** The pond's cache of computed files: entries in `cache/`, each its bytes behind their SHA-256. */
import type { Store } from "../delta/mod.ts";
import type { ComputedCache } from "../plugin_host/mod.ts";
import { type PondStores, storesOf } from "./layout.ts";

/** Bytes of SHA-256 in front of each entry's bytes. */
const DIGEST = 32;

/**
 * A `ComputedCache` on `store`: the entry of key K is the object K, the SHA-256 of its bytes
 * followed by the bytes. An entry that is missing, unreadable, or whose bytes do not match
 * their digest is a miss; an entry that cannot be written (a read-only copy of the pond, a
 * full disk) is dropped, and the next read computes again. An entry of a store whose objects are
 * local files is read in one blocking call.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 *
 * const cache = new StoreCache(new LocalStore("/data/pond/cache"));
 * await cache.put("ab12", new Uint8Array([1, 2]));
 * await cache.get("ab12"); // Uint8Array [1, 2]
 * ```
 */
export class StoreCache implements ComputedCache {
  constructor(readonly store: Store) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    let entry: Uint8Array;
    try {
      // A local entry is read with one blocking call, as `LocalStore.readRange` reads a body:
      // an async read's hops through the runtime's thread pool cost more than the read.
      const local = this.store.localPath?.(key);
      entry = local === undefined ? await this.store.read(key) : Deno.readFileSync(local);
    } catch {
      return undefined;
    }
    const bytes = entry.subarray(DIGEST);
    return entry.length >= DIGEST && equal(entry.subarray(0, DIGEST), await digest(bytes))
      ? bytes
      : undefined;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const entry = new Uint8Array(DIGEST + bytes.length);
    entry.set(await digest(bytes));
    entry.set(bytes, DIGEST);
    await this.store.put(key, entry).catch(() => {});
  }

  /** Deletes every entry, through the store; what it removed. */
  async drop(): Promise<DroppedCache> {
    const listed = await this.store.list("", { recursive: true });
    for (const { path } of listed) await this.store.delete(path);
    return { entries: listed.length, bytes: listed.reduce((n, o) => n + o.size, 0) };
  }
}

/**
 * The cache of the pond in `pond` (a directory, or its stores), kept in its cache store — a
 * directory's `cache/`, so a copy of the pond carries it, and `pond maintain --drop-cache`
 * empties it.
 *
 * @example
 * ```ts
 * import { PluginHost } from "../plugin_host/mod.ts";
 *
 * await using host = new PluginHost({ cache: pondCache("/data/pond") });
 * ```
 */
export function pondCache(pond: string | PondStores): StoreCache {
  return new StoreCache(storesOf(pond).cache);
}

/** The SHA-256 of `bytes`, hashed in this thread (node:crypto loads with the first entry). */
async function digest(bytes: Uint8Array): Promise<Uint8Array> {
  const { createHash } = await import("node:crypto");
  return new Uint8Array(createHash("sha256").update(bytes).digest());
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** What dropping a pond's cache removed. */
export interface DroppedCache {
  /** Cached entries removed. */
  readonly entries: number;
  /** Their bytes on disk. */
  readonly bytes: number;
}

/**
 * Removes the cache of the pond in `pond` (a directory's `cache/`, or its cache store), which
 * reads rebuild as they compute again; nothing else of the pond changes. No cache is not an
 * error.
 *
 * @example
 * ```ts
 * const { entries, bytes } = await dropPondCache("/data/pond");
 * ```
 */
export async function dropPondCache(pond: string | PondStores): Promise<DroppedCache> {
  return await pondCache(pond).drop();
}
