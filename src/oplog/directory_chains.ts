/** Directory versions as skip-delta chains over full listings: writing a version's body, listing a version, finding one name. */
import {
  applyChanges,
  type DirEntry,
  type EntryChange,
  type NewVersion,
  type NodeKey,
} from "../tinyfs/mod.ts";
import {
  changeName,
  compareNames,
  decodeChanges,
  deltaBase,
  encodeChanges,
  storeWhole,
} from "./directory_codec.ts";
import { OplogError } from "./errors.ts";
import { ListingIndex } from "./listing_index.ts";
import type { RowHeader } from "./row_reader.ts";

/** How many reconstructed listings, and decoded rows, are kept in memory. */
const CACHE = 64;

/** The stored rows the chains are read from. */
export interface DirectoryRows {
  /** The header of a directory version; `NotFound` if there is none, or it is not a directory. */
  header(key: NodeKey, version: number): Promise<RowHeader>;
  /** The `entries` column of a directory row: Arrow IPC of its changes (or full listing). */
  entries(header: RowHeader): Promise<Uint8Array | null>;
}

/** The body of a new directory version's row. */
export interface VersionBody {
  /** The changes since `base`, or the full listing when `base` is null. */
  entries: Uint8Array;
  base: number | null;
  /** The version holding the full listing the chain starts from. */
  anchor: number;
}

/**
 * Directory versions stored as changes since an earlier version chosen like Subversion's
 * skip-deltas (`deltaBase`), anchored at full listings: reading any version applies at most
 * log2 deltas to its anchor, a lookup of one name searches the small deltas and then the
 * anchor's sorted listing, and a new version costs about the size of its changes.
 *
 * @example
 * ```ts
 * import { ROOT_KEY } from "../tinyfs/mod.ts";
 *
 * async function example(rows: DirectoryRows) {
 *   const chains = new DirectoryChains(rows);
 *   await chains.lookup(ROOT_KEY, 42, "readings.csv");
 * }
 * ```
 */
export class DirectoryChains {
  readonly #rows: DirectoryRows;
  readonly #listings = new Map<string, ReadonlyMap<string, DirEntry>>();
  readonly #decoded = new Map<string, ListingIndex | Map<string, EntryChange>>();

  constructor(rows: DirectoryRows) {
    this.#rows = rows;
  }

  /** The entry `name` in a directory version, or null, without rebuilding the listing. */
  async lookup(key: NodeKey, version: number, name: string): Promise<DirEntry | null> {
    for (let at = version;;) {
      const listed = this.#listings.get(`${key.nodeId}@${at}`);
      if (listed) return listed.get(name) ?? null;
      const header = await this.#rows.header(key, at);
      const decoded = await this.#decode(header);
      if (decoded instanceof ListingIndex) return decoded.find(name);
      const change = decoded.get(name);
      if (change) return change.op === "put" ? change.entry : null;
      at = header.dirBase!;
    }
  }

  /**
   * The listing of a directory version, rebuilt from its anchor through the chain. Listings
   * are shared with the cache: callers must not change them.
   */
  async listing(key: NodeKey, version: number): Promise<ReadonlyMap<string, DirEntry>> {
    const cacheKey = `${key.nodeId}@${version}`;
    const cached = this.#listings.get(cacheKey);
    if (cached) {
      this.#listings.delete(cacheKey);
      this.#listings.set(cacheKey, cached);
      return cached;
    }
    const header = await this.#rows.header(key, version);
    const changes = decodeChanges(await this.#rows.entries(header) ?? new Uint8Array());
    const listing = header.dirBase === null
      ? new Map<string, DirEntry>()
      : new Map(await this.listing(key, header.dirBase));
    applyChanges(listing, changes);
    remember(this.#listings, cacheKey, listing);
    return listing;
  }

  /**
   * The row body of a new directory version: its changes since its skip-delta base (the
   * stored deltas from the base up to the previous version, composed with `changes`, which
   * are relative to the previous version), or the whole listing when the directory is small
   * or the delta has grown to half of it.
   */
  async versionBody(v: NewVersion, changes: readonly EntryChange[]): Promise<VersionBody> {
    if (v.version === 1) return await this.#whole(v, changes);
    const previous = await this.#rows.header(v, v.version - 1);
    const anchor = previous.dirAnchor ?? previous.version;
    const base = deltaBase(v.version, anchor);
    const chain: RowHeader[] = [];
    for (let at = previous; at.version !== base; at = await this.#rows.header(v, at.dirBase!)) {
      if (at.dirBase === null) {
        throw new OplogError(
          "CorruptRow",
          `directory ${v.nodeId} version ${at.version} is a full listing inside a delta chain (in ${at.file}); run \`pond check\``,
        );
      }
      chain.push(at);
    }
    const composed = new Map<string, EntryChange>();
    for (const header of chain.reverse()) {
      for (const change of (await this.#decode(header) as Map<string, EntryChange>).values()) {
        composed.set(changeName(change), change);
      }
    }
    for (const change of changes) composed.set(changeName(change), change);
    if (storeWhole(v.size, composed.size)) return await this.#whole(v, changes);
    const delta = [...composed.values()].sort((a, b) => compareNames(changeName(a), changeName(b)));
    return { entries: encodeChanges(delta), base, anchor };
  }

  async #whole(v: NewVersion, changes: readonly EntryChange[]): Promise<VersionBody> {
    const listing = v.version === 1
      ? new Map<string, DirEntry>()
      : new Map(await this.listing(v, v.version - 1));
    applyChanges(listing, changes);
    const sorted = [...listing.values()].sort((a, b) => compareNames(a.name, b.name));
    return {
      entries: encodeChanges(sorted.map((entry) => ({ op: "put", entry }))),
      base: null,
      anchor: v.version,
    };
  }

  /** A row decoded for lookups: a searchable full listing, or a delta's changes by name. */
  async #decode(header: RowHeader): Promise<ListingIndex | Map<string, EntryChange>> {
    const cacheKey = `${header.nodeId}@${header.version}`;
    const cached = this.#decoded.get(cacheKey);
    if (cached) return cached;
    const bytes = await this.#rows.entries(header) ?? new Uint8Array();
    const decoded = header.dirBase === null
      ? new ListingIndex(bytes)
      : new Map(decodeChanges(bytes).map((c) => [changeName(c), c]));
    remember(this.#decoded, cacheKey, decoded);
    return decoded;
  }
}

/** Adds to a small cache, dropping the oldest entry past {@link CACHE}. */
function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  cache.set(key, value);
  if (cache.size > CACHE) cache.delete(cache.keys().next().value!);
}
