/** Directory contents in the oplog: Arrow IPC of entry changes, kept as skip-deltas over full snapshots. */
import {
  type Column,
  tableFromIPC,
  tableToIPC,
  type TextColumn,
  textColumnsFromIPC,
} from "../table/mod.ts";
import type { EntryChange, EntryType } from "../tinyfs/mod.ts";
import { OplogError } from "./errors.ts";

/** Directories this small are always stored whole: a delta would save nothing. */
const SMALL_DIRECTORY = 32;

/** The columns of a stored listing or delta, in their stored order. */
const COLUMNS = ["name", "op", "part_id", "node_id", "entry_type"] as const;

/**
 * Encodes changes (or, as all `put`s, a full listing) as one Arrow IPC stream with Utf8 columns
 * `name`, `op`, `part_id`, `node_id`, `entry_type` (null for `del`), written with the table
 * model's codec, so reading a directory never loads apache-arrow.
 *
 * @example
 * ```ts
 * const bytes = encodeChanges([{ op: "del", name: "old.csv" }]);
 * decodeChanges(bytes); // [{ op: "del", name: "old.csv" }]
 * ```
 */
export function encodeChanges(changes: readonly EntryChange[]): Uint8Array {
  const column = (name: string, pick: (c: EntryChange) => string | null): Column => ({
    name,
    type: "utf8",
    values: changes.map(pick),
  });
  return tableToIPC([
    column("name", changeName),
    column("op", (c) => c.op),
    column("part_id", (c) => c.op === "put" ? c.entry.partId : null),
    column("node_id", (c) => c.op === "put" ? c.entry.nodeId : null),
    column("entry_type", (c) => c.op === "put" ? c.entry.entryType : null),
  ]);
}

/** A stored listing's columns by name. */
export type ListingColumns<T> = Readonly<Record<typeof COLUMNS[number], T>>;

/**
 * The five columns of a stream {@link encodeChanges} (or apache-arrow, which wrote listings
 * before) wrote, as arrays of strings and nulls.
 *
 * @example
 * ```ts
 * const { name } = decodeColumns(encodeChanges([{ op: "del", name: "old.csv" }]));
 * name[0]; // "old.csv"
 * ```
 */
export function decodeColumns(bytes: Uint8Array): ListingColumns<readonly (string | null)[]> {
  return listingColumns(bytes, (b) =>
    new Map(
      tableFromIPC(b).filter((c) => c.type === "utf8").map((c) => [
        c.name,
        c.values as readonly (string | null)[],
      ]),
    ));
}

/**
 * Like {@link decodeColumns}, but each value is decoded when read: for searching a large listing
 * by name without decoding all of it.
 *
 * @example
 * ```ts
 * const { name } = lazyColumns(encodeChanges([{ op: "del", name: "old.csv" }]));
 * name.at(0); // "old.csv"
 * ```
 */
export function lazyColumns(bytes: Uint8Array): ListingColumns<TextColumn> {
  return listingColumns(bytes, textColumnsFromIPC);
}

/** The listing columns `read` finds in `bytes`; a stream that is no listing is `CorruptRow`. */
function listingColumns<T>(
  bytes: Uint8Array,
  read: (bytes: Uint8Array) => ReadonlyMap<string, T>,
): ListingColumns<T> {
  let columns: ReadonlyMap<string, T>;
  try {
    columns = read(bytes);
  } catch (e) {
    throw new OplogError(
      "CorruptRow",
      `a directory listing does not decode: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const [name, op, part_id, node_id, entry_type] = COLUMNS.map((column) => {
    const found = columns.get(column);
    if (found === undefined) {
      throw new OplogError("CorruptRow", `a directory listing has no text column ${column}`);
    }
    return found;
  });
  return { name, op, part_id, node_id, entry_type };
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
  const { name, op, part_id, node_id, entry_type } = decodeColumns(bytes);
  const out: EntryChange[] = new Array(name.length);
  for (let i = 0; i < name.length; i++) {
    out[i] = op[i] === "del" ? { op: "del", name: name[i]! } : {
      op: "put",
      entry: {
        name: name[i]!,
        partId: part_id[i]!,
        nodeId: node_id[i]!,
        entryType: entry_type[i] as EntryType,
      },
    };
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
