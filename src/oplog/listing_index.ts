/** A full directory listing as stored (Arrow IPC, sorted by name), searched by name. */
import type { DirEntry, EntryType } from "../tinyfs/mod.ts";
import type { TextColumn } from "../table/mod.ts";
import { lazyColumns, type ListingColumns } from "./directory_codec.ts";

/**
 * A stored snapshot listing searched in place: {@link find} binary-searches the name column,
 * decoding only the names it compares and the entry it finds, so a lookup in a listing of
 * 100,000 entries decodes about 17 names instead of 400,000 strings.
 *
 * @example
 * ```ts
 * import type { DirEntry } from "../tinyfs/mod.ts";
 * import { encodeChanges } from "./directory_codec.ts";
 *
 * async function example(sortedEntries: DirEntry[]) {
 *   const index = new ListingIndex(encodeChanges(sortedEntries.map((entry) => ({ op: "put", entry }))));
 *   index.find("readings.csv"); // the entry, or null
 * }
 * ```
 */
export class ListingIndex {
  readonly #columns: ListingColumns<TextColumn>;
  readonly size: number;

  constructor(bytes: Uint8Array) {
    this.#columns = lazyColumns(bytes);
    this.size = this.#columns.name.length;
  }

  /** The entry named `name`, or null. Assumes the listing was written in name order. */
  find(name: string): DirEntry | null {
    const names = this.#columns.name;
    let lo = 0, hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const probe = names.at(mid)!;
      if (probe === name) return this.#entry(mid, name);
      if (probe < name) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  #entry(row: number, name: string): DirEntry {
    const { part_id, node_id, entry_type } = this.#columns;
    return {
      name,
      partId: part_id.at(row)!,
      nodeId: node_id.at(row)!,
      entryType: entry_type.at(row) as EntryType,
    };
  }
}
