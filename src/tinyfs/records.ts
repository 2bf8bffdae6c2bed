/** The records tinyfs and its stores exchange: entry types, node keys, directory entries, versions. */

import { type NodeId, REGISTRY_ID, ROOT_ID } from "./node_id.ts";

/** How a file's bytes are to be understood: plain bytes, a Parquet table, a time series. */
export type FileEntryType = "file:data" | "file:table" | "file:series";

/**
 * What a node is, as recorded in every directory entry and every version row.
 * `directory:dynamic` is a directory whose entries a factory computes on read, and
 * `file:dynamic` a file whose bytes a factory computes on read: both store a
 * {@link DynamicSpec} instead of a body.
 */
export type EntryType =
  | "directory"
  | "directory:dynamic"
  | "symlink"
  | FileEntryType
  | "file:dynamic";

/** The three kinds of node a path can name. */
export type NodeKind = "file" | "directory" | "symlink";

/**
 * The kind of node an entry type describes.
 *
 * @example
 * ```ts
 * kindOf("file:series");       // "file"
 * kindOf("file:dynamic");      // "file"
 * kindOf("directory:dynamic"); // "directory"
 * ```
 */
export function kindOf(entryType: EntryType): NodeKind {
  if (entryType === "symlink") return "symlink";
  if (entryType === "directory" || entryType === "directory:dynamic") return "directory";
  return "file";
}

/**
 * Where a node lives: its id and its partition. A directory is its own partition
 * (`partId === nodeId`); a file or symlink lives in the partition of the directory it was
 * created in, and keeps it when moved, so all its versions stay together.
 */
export interface NodeKey {
  readonly partId: NodeId;
  readonly nodeId: NodeId;
}

/** The root directory's key. */
export const ROOT_KEY: NodeKey = { partId: ROOT_ID, nodeId: ROOT_ID };

/** The pattern registry's key: a directory, so its own partition. */
export const REGISTRY_KEY: NodeKey = { partId: REGISTRY_ID, nodeId: REGISTRY_ID };

/** One name in one version of a directory, and the node it points to. */
export interface DirEntry extends NodeKey {
  readonly name: string;
  readonly entryType: EntryType;
}

/**
 * One change to a directory's entries from one version to the next: `put` adds the entry, or
 * replaces the entry of the same name; `del` removes the entry `name`. A plain directory's
 * new version is handed to a store as its changes (see `NewVersion.changes`).
 *
 * @example
 * ```ts
 * import { ROOT_ID, newNodeId } from "./mod.ts";
 *
 * const partId = ROOT_ID;
 * const nodeId = newNodeId();
 * const changes: EntryChange[] = [
 *   { op: "del", name: "old.csv" },
 *   { op: "put", entry: { name: "new.csv", partId, nodeId, entryType: "file:data" } },
 * ];
 * ```
 */
export type EntryChange =
  | { op: "put"; entry: DirEntry }
  | { op: "del"; name: string };

/**
 * Whether two entries say the same thing: one name pointing at one node of one type. Both
 * absent counts as the same.
 *
 * @example
 * ```ts
 * import type { DirEntry } from "./mod.ts";
 *
 * async function example(entry: DirEntry) {
 *   sameEntry(entry, { ...entry });                     // true
 *   sameEntry(entry, { ...entry, entryType: "symlink" }); // false
 *   sameEntry(undefined, undefined);                     // true
 * }
 * ```
 */
export function sameEntry(a: DirEntry | undefined, b: DirEntry | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.name === b.name &&
    a.partId === b.partId && a.nodeId === b.nodeId && a.entryType === b.entryType);
}

/**
 * Applies changes, in order, to a listing held as a map from name to entry (in place).
 *
 * @example
 * ```ts
 * import type { DirEntry } from "./mod.ts";
 *
 * async function example(entries: DirEntry[]) {
 *   const listing = new Map(entries.map((e) => [e.name, e]));
 *   applyChanges(listing, [{ op: "del", name: "old.csv" }]);
 * }
 * ```
 */
export function applyChanges(
  listing: Map<string, DirEntry>,
  changes: readonly EntryChange[],
): void {
  for (const change of changes) {
    if (change.op === "put") listing.set(change.entry.name, change.entry);
    else listing.delete(change.name);
  }
}

/**
 * Whether nodes of `entryType` are computed on read: their versions carry a
 * {@link DynamicSpec} as their body, never content or entries.
 *
 * @example
 * ```ts
 * isDynamic("file:dynamic"); // true
 * isDynamic("file:data");    // false
 * ```
 */
export function isDynamic(entryType: EntryType): boolean {
  return entryType === "directory:dynamic" || entryType === "file:dynamic";
}

/** What a stored dynamic node is: the factory that computes it and that factory's config. */
export interface DynamicSpec {
  readonly factory: string;
  readonly config: Uint8Array;
}

/**
 * One version of one node as a store keeps it (one oplog row, without the body).
 * `version` counts from 1 per node; `seq` is the transaction that wrote it and `timestamp`
 * that transaction's time (ms since the epoch). `size` is the byte length for files, the
 * number of entries for directories, 0 for dynamic directories and files, and the target's
 * length for symlinks. `target` is set exactly for symlinks, `dynamic` exactly for dynamic
 * directories and files.
 */
export interface NodeVersion extends NodeKey {
  readonly entryType: EntryType;
  readonly version: number;
  readonly seq: number;
  readonly timestamp: number;
  readonly size: number;
  readonly target?: string;
  readonly dynamic?: DynamicSpec;
  /** For `file:series` versions, when the store knows it: the range of their event times. */
  readonly eventTimes?: EventTimes;
}

/**
 * The earliest and latest event time in one version of a series (ms since the epoch; the
 * earliest rounded down, the latest up), so readers can skip versions outside a time range.
 */
export interface EventTimes {
  readonly min: number;
  readonly max: number;
}
