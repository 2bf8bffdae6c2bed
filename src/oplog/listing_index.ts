/** A full directory listing as stored (Arrow IPC, sorted by name), searched by name without decoding it all. */
import { type Table, tableFromIPC, type Vector } from "apache-arrow";
import type { DirEntry, EntryType } from "../tinyfs/mod.ts";

/**
 * A decoded snapshot listing whose entries stay in Arrow buffers: {@link find} binary-searches
 * the name column, decoding only the names it compares, so a lookup in a listing of 100,000
 * entries decodes about 17 names instead of 400,000 strings.
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
  readonly #table: Table;
  readonly #names: Vector;
  readonly size: number;

  constructor(bytes: Uint8Array) {
    this.#table = tableFromIPC(bytes);
    this.#names = this.#table.getChild("name")!;
    this.size = this.#table.numRows;
  }

  /** The entry named `name`, or null. Assumes the listing was written in name order. */
  find(name: string): DirEntry | null {
    let lo = 0, hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const probe = this.#names.get(mid) as string;
      if (probe === name) return this.#entry(mid, name);
      if (probe < name) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  #entry(row: number, name: string): DirEntry {
    const col = (c: string) => this.#table.getChild(c)!.get(row) as string;
    return {
      name,
      partId: col("part_id"),
      nodeId: col("node_id"),
      entryType: col("entry_type") as EntryType,
    };
  }
}
