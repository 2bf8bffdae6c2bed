/** The seam to storage: what tinyfs reads from a store and the one batch it hands over per commit. */

import type { DirEntry, EntryChange, NodeKey, NodeVersion } from "./records.ts";

/**
 * Free-form facts about a transaction that the store records with the commit: at least the
 * command that ran (its arguments), plus anything else a caller wants kept (JSON-friendly).
 */
export interface TransactionMeta {
  readonly command: readonly string[];
  readonly [key: string]: unknown;
}

/**
 * A file body the store has already persisted, before the transaction that uses it commits
 * (see {@link Persistence.stageFile}). `size` is its byte length and `hash` its SHA-256 in
 * lowercase hex; `ref` is the store's own handle on it, opaque to tinyfs, which only hands it
 * back to the store that made it.
 */
export interface StagedBody {
  readonly size: number;
  readonly hash: string;
  readonly ref: unknown;
}

/**
 * A version written by a commit: the row's header plus its body. Files carry exactly one of
 * `content` (the whole body, for bytes and text written through tinyfs) or `staged` (a body
 * the store staged, for streams written through a store that offers staging; its `size`
 * equals the version's). Plain directories carry `changes`: how this version's entries differ
 * from those of version `version - 1` (from no entries, for version 1), in name order, at most
 * one change per name, never a `del` of a name that version lacks nor a `put` of the entry it
 * already has; `size` is the number of entries after them. A directory version may have no
 * changes (a transaction's changes to it cancelled out). Symlinks and dynamic directories
 * carry none of these (their `target` / `dynamic` field is the body).
 *
 * @example
 * ```ts
 * import { ROOT_KEY, ROOT_ID, newNodeId } from "./mod.ts";
 *
 * const dirKey = ROOT_KEY;
 * const seq = 8;
 * const timestamp = Date.now();
 * const partId = ROOT_ID;
 * const nodeId = newNodeId();
 * const version: NewVersion = {
 *   ...dirKey, entryType: "directory", version: 8, seq, timestamp, size: 1001,
 *   changes: [{ op: "put", entry: { name: "new.csv", partId, nodeId, entryType: "file:data" } }],
 * };
 * ```
 */
export interface NewVersion extends NodeVersion {
  readonly content?: Uint8Array;
  readonly staged?: StagedBody;
  readonly changes?: readonly EntryChange[];
}

/**
 * Everything one transaction changed, handed to {@link Persistence.commit} once.
 * `seq` is the previous head plus one; each node appears at most once, with a `version` one
 * past its newest committed version (1 for a node the transaction created). A removed node
 * gets no row of its own: its parent's new version has a `del` for it and its history stays
 * readable.
 * Every new node is linked from a directory in the batch, except the pattern registry
 * (`REGISTRY_KEY`, a directory no entry links: a second root), which appears as version 1 in
 * the transaction that first registers a pattern.
 */
export interface CommitBatch {
  readonly seq: number;
  readonly timestamp: number;
  readonly meta: TransactionMeta;
  readonly versions: readonly NewVersion[];
}

/**
 * A store of node versions, as tinyfs needs it. Every read names a node by its
 * {@link NodeKey} (so a partitioned store reads one partition) and is answered as of a
 * transaction `seq` or for one exact `version`, so readers see a consistent state while
 * others commit. A store is append-only: committed versions never change.
 *
 * @example
 * ```ts
 * import { FS, MemoryPersistence } from "./mod.ts";
 *
 * const store: Persistence = new MemoryPersistence();
 * const fs = await FS.init(store);
 * ```
 */
export interface Persistence {
  /** The newest committed transaction's seq; -1 for a store nothing was ever committed to. */
  head(): Promise<number>;
  /** Every version of the node committed at or before `seq`, oldest first; empty if none. */
  readVersions(key: NodeKey, seq: number): Promise<readonly NodeVersion[]>;
  /**
   * The entry `name` in one version of a plain directory, or null if that version has none.
   * tinyfs resolves paths with this alone, one name at a time, so a store should answer it
   * without reading the whole listing.
   */
  lookup(key: NodeKey, version: number, name: string): Promise<DirEntry | null>;
  /**
   * All entries of one version of a plain directory, in name order: for listings, globs and
   * visits, which need them all.
   */
  readDirectory(key: NodeKey, version: number): Promise<readonly DirEntry[]>;
  /** The whole body of one version of a file. */
  readFile(key: NodeKey, version: number): Promise<Uint8Array>;
  /** The body of one version of a file as a stream, for bodies too big to hold at once. */
  streamFile(key: NodeKey, version: number): Promise<ReadableStream<Uint8Array>>;
  /**
   * Optional: the path of a file on this host that holds exactly this version's body, whole
   * and as stored, when the store keeps it so (undefined otherwise), for readers that open
   * files themselves (the SQL engine reads large Parquet bodies in place). The file is not
   * verified against the body's hash on the way.
   */
  fileOnDisk?(key: NodeKey, version: number): Promise<string | undefined>;
  /**
   * Optional: persists a file body before commit, reading `body` to its end in bounded
   * memory, and describes it. When a store offers this (and then also
   * {@link streamStaged}), every stream written through tinyfs is staged rather than
   * collected, and the version handed to {@link commit} carries `staged`, not `content`.
   * A staged body belongs to no node until a commit names it; one named by no commit (its
   * transaction was abandoned or lost a race, or a later write in the same transaction
   * replaced it) may stay behind for maintenance to remove. A failing `body` stream fails
   * the staging.
   */
  stageFile?(body: ReadableStream<Uint8Array>): Promise<StagedBody>;
  /**
   * Optional, required with {@link stageFile}: a staged body as a stream, so reads inside
   * the transaction that staged it see it before it commits.
   */
  streamStaged?(staged: StagedBody): Promise<ReadableStream<Uint8Array>>;
  /**
   * Makes the batch durable and visible atomically, or fails leaving nothing behind (bodies
   * it staged earlier may stay, unreferenced). A batch whose `seq` is not the current head
   * plus one is refused with a `Conflict` error.
   */
  commit(batch: CommitBatch): Promise<void>;
}
