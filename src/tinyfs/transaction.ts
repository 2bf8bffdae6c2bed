/** A transaction's pending changes: an overlay of new node versions over one committed state. */

import type { Content } from "./bytes.ts";
import { TinyFsError } from "./errors.ts";
import { bodySize, type FileBody, fileBody, readBody, streamBody } from "./file_body.ts";
import { newNodeId, type NodeId, REGISTRY_ID } from "./node_id.ts";
import { compareNames } from "./path.ts";
import type { CommitBatch, NewVersion, Persistence, TransactionMeta } from "./persistence.ts";
import {
  type DirEntry,
  type DynamicSpec,
  type EntryType,
  type FileEntryType,
  kindOf,
  type NodeKey,
  type NodeVersion,
} from "./records.ts";
import type { TreeState } from "./state.ts";

/** What a new node starts as: its type and its body. */
export interface NewNode {
  readonly entryType: EntryType;
  readonly body?: FileBody;
  readonly target?: string;
  readonly dynamic?: DynamicSpec;
}

/** The one pending version of a node in this transaction. */
interface Pending {
  record: NodeVersion;
  body?: FileBody;
  /** For plain directories: the complete entry list of the new version. */
  readonly entries?: Map<string, DirEntry>;
}

/**
 * The pending state of one transaction. A node gets at most one new version per
 * transaction: the first change copies its newest committed version, later changes edit
 * that copy. Reads answer from the pending version when there is one and from the base
 * otherwise, so the pending version is the single source of truth for what it covers.
 * A node created and then unlinked in the same transaction is left out of the batch; the
 * pattern registry, which no entry links, is made on its first change and always kept. File
 * bodies are staged in `store` when it offers staging (see {@link Persistence.stageFile}).
 *
 * @example
 * ```ts
 * const txn = new Transaction(snapshot, snapshot.seq + 1, Date.now(), { command: ["mkdir", "/a"] }, store);
 * await txn.create(ROOT_KEY, "a", { entryType: "directory" }, "/a");
 * await store.commit(txn.commitBatch());
 * ```
 */
export class Transaction implements TreeState {
  readonly #pending = new Map<NodeId, Pending>();
  #ended = false;

  constructor(
    readonly base: TreeState,
    readonly seq: number,
    readonly timestamp: number,
    readonly meta: TransactionMeta,
    readonly store: Persistence,
  ) {}

  async versions(key: NodeKey): Promise<readonly NodeVersion[]> {
    const created = this.#pending.get(key.nodeId);
    if (created?.record.version === 1) return [header(created)];
    const committed = await this.base.versions(key);
    const pending = this.#pending.get(key.nodeId);
    return pending ? [...committed, header(pending)] : committed;
  }

  async entries(key: NodeKey): Promise<ReadonlyMap<string, DirEntry>> {
    const pending = this.#pending.get(key.nodeId)?.entries;
    if (pending) return pending;
    const committed = await this.base.entries(key);
    return this.#pending.get(key.nodeId)?.entries ?? committed;
  }

  content(key: NodeKey, version: number): Promise<Uint8Array> {
    const pending = this.#pendingBody(key, version);
    return pending ? readBody(pending, this.store) : this.base.content(key, version);
  }

  stream(key: NodeKey, version: number): Promise<ReadableStream<Uint8Array>> {
    const pending = this.#pendingBody(key, version);
    return pending ? streamBody(pending, this.store) : this.base.stream(key, version);
  }

  /**
   * Prepares content for a file version: a stream is staged in the store when it offers
   * staging, anything else is held as bytes.
   */
  body(content: Content): Promise<FileBody> {
    this.#assertOpen();
    return fileBody(content, this.store);
  }

  /**
   * Creates a node and links it as `name` in `parent`; `AlreadyExists` if the name is taken.
   * `path` names the new node in errors.
   */
  async create(parent: NodeKey, name: string, node: NewNode, path: string): Promise<NodeKey> {
    const entries = await this.#directoryForWrite(parent);
    if (entries.has(name)) throw new TinyFsError("AlreadyExists", path, `${path} already exists`);
    const nodeId = newNodeId(this.timestamp);
    const key = kindOf(node.entryType) === "directory"
      ? { partId: nodeId, nodeId }
      : { partId: parent.nodeId, nodeId };
    const size = node.body
      ? bodySize(node.body)
      : node.target === undefined
      ? 0
      : new TextEncoder().encode(node.target).length;
    const record: NodeVersion = {
      ...key,
      entryType: node.entryType,
      version: 1,
      seq: this.seq,
      timestamp: this.timestamp,
      size,
      ...(node.target !== undefined && { target: node.target }),
      ...(node.dynamic && { dynamic: node.dynamic }),
    };
    this.#pending.set(nodeId, {
      record,
      body: node.body,
      entries: node.entryType === "directory" ? new Map() : undefined,
    });
    entries.set(name, { name, ...key, entryType: node.entryType });
    return key;
  }

  /**
   * Gives a file new content: its one new version in this transaction (a second write in the
   * same transaction replaces the first). The entry type changes only when given.
   */
  async write(key: NodeKey, body: FileBody, entryType?: FileEntryType): Promise<void> {
    this.#assertOpen();
    if (!this.#pending.has(key.nodeId)) {
      const committed = await this.base.versions(key);
      this.#assertOpen();
      if (!this.#pending.has(key.nodeId)) {
        this.#pending.set(key.nodeId, { record: this.#next(committed) });
      }
    }
    const pending = this.#pending.get(key.nodeId)!;
    pending.body = body;
    pending.record = {
      ...pending.record,
      size: bodySize(body),
      entryType: entryType ?? pending.record.entryType,
    };
  }

  /** Removes `name` from `parent`; the node's history stays. `NotFound` if absent. */
  async unlink(parent: NodeKey, name: string, path: string): Promise<void> {
    const entries = await this.#directoryForWrite(parent);
    if (!entries.delete(name)) throw new TinyFsError("NotFound", path, `${path} does not exist`);
  }

  /**
   * Moves the entry `from.name` of `from.parent` to `to.name` in `to.parent`, replacing the
   * node `replacing` if that is what `to.name` holds (the caller has checked that it may).
   * Anything else found at `to.name` — a name taken since the caller looked — is
   * `AlreadyExists`. The replaced node's history stays.
   */
  async move(
    from: { parent: NodeKey; name: string; path: string },
    to: { parent: NodeKey; name: string; path: string },
    replacing?: NodeId,
  ): Promise<void> {
    const [source, target] = await Promise.all([
      this.#directoryForWrite(from.parent),
      this.#directoryForWrite(to.parent),
    ]);
    const entry = source.get(from.name);
    if (!entry) throw new TinyFsError("NotFound", from.path, `${from.path} does not exist`);
    const current = target.get(to.name);
    if (current && current.nodeId !== replacing) {
      throw new TinyFsError(
        "AlreadyExists",
        to.path,
        `cannot move ${from.path}: ${to.path} was created while it was being moved; try again`,
      );
    }
    source.delete(from.name);
    target.set(to.name, { ...entry, name: to.name });
  }

  /** Ends the transaction and returns its batch; every later change is refused. */
  commitBatch(): CommitBatch {
    this.#assertOpen();
    this.#ended = true;
    const versions: NewVersion[] = [];
    for (const id of this.#kept()) {
      const pending = this.#pending.get(id)!;
      versions.push({
        ...header(pending),
        ...pending.body,
        ...(pending.entries && {
          entries: [...pending.entries.values()].sort((a, b) => compareNames(a.name, b.name)),
        }),
      });
    }
    return { seq: this.seq, timestamp: this.timestamp, meta: this.meta, versions };
  }

  /** Ends the transaction without a batch; every later change is refused. */
  abandon(): void {
    this.#ended = true;
  }

  /** Pending nodes worth committing: changed existing nodes, and new nodes linked from those. */
  #kept(): NodeId[] {
    const kept = new Set<NodeId>();
    const queue: Pending[] = [];
    for (const [id, pending] of this.#pending) {
      if (pending.record.version > 1 || id === REGISTRY_ID) {
        kept.add(id);
        queue.push(pending);
      }
    }
    while (queue.length > 0) {
      for (const entry of queue.pop()!.entries?.values() ?? []) {
        const child = this.#pending.get(entry.nodeId);
        if (child && !kept.has(entry.nodeId)) {
          kept.add(entry.nodeId);
          queue.push(child);
        }
      }
    }
    return [...this.#pending.keys()].filter((id) => kept.has(id));
  }

  async #directoryForWrite(key: NodeKey): Promise<Map<string, DirEntry>> {
    this.#assertOpen();
    const pending = this.#pending.get(key.nodeId)?.entries;
    if (pending) return pending;
    const committed = await this.base.versions(key);
    const first = committed.length === 0 && key.nodeId === REGISTRY_ID;
    const entries = first ? new Map<string, DirEntry>() : await this.base.entries(key);
    this.#assertOpen();
    const raced = this.#pending.get(key.nodeId)?.entries;
    if (raced) return raced;
    const copy = new Map(entries);
    const record: NodeVersion = first
      ? {
        ...key,
        entryType: "directory",
        version: 1,
        seq: this.seq,
        timestamp: this.timestamp,
        size: 0,
      }
      : this.#next(committed);
    this.#pending.set(key.nodeId, { record, entries: copy });
    return copy;
  }

  #next(committed: readonly NodeVersion[]): NodeVersion {
    const newest = committed.at(-1);
    if (!newest) throw new TinyFsError("NotFound", "/", "cannot change a node that has no version");
    return {
      ...newest,
      version: committed.length + 1,
      seq: this.seq,
      timestamp: this.timestamp,
    };
  }

  #pendingBody(key: NodeKey, version: number): FileBody | undefined {
    const pending = this.#pending.get(key.nodeId);
    return pending?.record.version === version ? pending.body : undefined;
  }

  #assertOpen(): void {
    if (this.#ended) {
      throw new TinyFsError(
        "ReadOnly",
        "/",
        "this transaction has ended, so its working directories are read-only; " +
          "make changes inside fs.transact()",
      );
    }
  }
}

/** The header of a pending version, with a directory's size taken from its entries. */
function header(pending: Pending): NodeVersion {
  return pending.entries ? { ...pending.record, size: pending.entries.size } : pending.record;
}
