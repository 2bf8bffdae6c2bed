/** Directory contents in the oplog: Arrow IPC of entry changes, kept as skip-deltas over full snapshots. */
import { Table, tableFromIPC, tableToIPC, Utf8, type Vector, vectorFromArray } from "apache-arrow";
import type { EntryChange, EntryType } from "../tinyfs/mod.ts";

/** Directories this small are always stored whole: a delta would save nothing. */
const SMALL_DIRECTORY = 32;

/**
 * Encodes changes (or, as all `put`s, a full listing) as one Arrow IPC stream with columns
 * `name`, `op`, `part_id`, `node_id`, `entry_type` (null for `del`).
 *
 * @example
 * ```ts
 * const bytes = encodeChanges([{ op: "del", name: "old.csv" }]);
 * decodeChanges(bytes); // [{ op: "del", name: "old.csv" }]
 * ```
 */
export function encodeChanges(changes: readonly EntryChange[]): Uint8Array {
  const column = (pick: (c: EntryChange) => string | null) =>
    vectorFromArray(changes.map(pick), new Utf8());
  const table = new Table({
    name: column((c) => c.op === "put" ? c.entry.name : c.name),
    op: column((c) => c.op),
    part_id: column((c) => c.op === "put" ? c.entry.partId : null),
    node_id: column((c) => c.op === "put" ? c.entry.nodeId : null),
    entry_type: column((c) => c.op === "put" ? c.entry.entryType : null),
  });
  return tableToIPC(table, "stream");
}

/**
 * Decodes what {@link encodeChanges} wrote.
 *
 * @example
 * ```ts
 * const bytes = await Deno.readFile("/tmp/changes.bin");
 * for (const change of decodeChanges(bytes)) console.log(change.op);
 * ```
 */
export function decodeChanges(bytes: Uint8Array): EntryChange[] {
  const table = tableFromIPC(bytes);
  if (table.numRows === 0) return [];
  const col = (name: string) => utf8Column(table.getChild(name)!);
  const [names, ops, parts, nodes, types] = ["name", "op", "part_id", "node_id", "entry_type"]
    .map(col);
  const out: EntryChange[] = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    out[i] = ops[i] === "del" ? { op: "del", name: names[i]! } : {
      op: "put",
      entry: {
        name: names[i]!,
        partId: parts[i]!,
        nodeId: nodes[i]!,
        entryType: types[i] as EntryType,
      },
    };
  }
  return out;
}

/**
 * The strings of a Utf8 column. Arrow decodes each value on its own; an ASCII batch (as ids
 * and most names are) is decoded once and sliced, which is several times faster.
 */
function utf8Column(vector: Vector): (string | null)[] {
  const out: (string | null)[] = [];
  for (const data of vector.data) {
    const bytes = data.values as Uint8Array;
    const offsets = data.valueOffsets as Int32Array;
    const start = offsets[0], end = offsets[data.length];
    let ascii = true;
    for (let i = start; i < end && ascii; i++) ascii = bytes[i] < 0x80;
    const text = ascii ? new TextDecoder().decode(bytes.subarray(start, end)) : "";
    for (let i = 0; i < data.length; i++) {
      if (!data.getValid(i)) out.push(null);
      else if (ascii) out.push(text.slice(offsets[i] - start, offsets[i + 1] - start));
      else out.push(new TextDecoder().decode(bytes.subarray(offsets[i], offsets[i + 1])));
    }
  }
  return out;
}

/**
 * Orders names as listings are stored: by UTF-16 code units (JavaScript's `<`).
 *
 * @example
 * ```ts
 * ["b", "a"].sort(compareNames); // ["a", "b"]
 * ```
 */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The name a change is about.
 *
 * @example
 * ```ts
 * changeName({ op: "del", name: "old.csv" }); // "old.csv"
 * ```
 */
export function changeName(change: EntryChange): string {
  return change.op === "put" ? change.entry.name : change.name;
}

/**
 * Which stored version a new directory version's delta is taken against: the skip-delta
 * base of Subversion's FSFS, anchored at the last full snapshot. With `i = version - anchor`,
 * the base is `anchor + (i & (i - 1))` (clear the lowest set bit), so reading any version
 * applies at most log2(i) deltas to the anchor, and each change is repeated in O(log i)
 * deltas on average.
 *
 * @example
 * ```ts
 * deltaBase(13, 8); // 12: version 13 is stored as the changes since version 12
 * deltaBase(16, 8); // 8: version 16 is stored as the changes since the snapshot at 8
 * ```
 */
export function deltaBase(version: number, anchor: number): number {
  const i = version - anchor;
  return anchor + (i & (i - 1));
}

/**
 * Whether a directory version should be stored whole rather than as `delta` against its
 * base: when the directory is small, or when the delta has grown to half of the listing
 * (so a snapshot costs at most twice the changes it summarises, and deltas stay short).
 *
 * @example
 * ```ts
 * storeWhole(10, 1);       // true: small directories are stored whole
 * storeWhole(100_000, 3);  // false: three changes are stored as a delta
 * ```
 */
export function storeWhole(entries: number, deltaChanges: number): boolean {
  return entries <= SMALL_DIRECTORY || deltaChanges * 2 >= entries;
}
