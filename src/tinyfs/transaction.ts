/** A transaction's pending changes: an overlay of new node versions over one committed state. */

import type { Content } from "./bytes.ts";
import { TinyFsError } from "./errors.ts";
import { bodySize, type FileBody, fileBody, readBody, streamBody } from "./file_body.ts";
import { newNodeId, type NodeId, REGISTRY_ID } from "./node_id.ts";
import { compareNames, validateName } from "./path.ts";
import type { CommitBatch, NewVersion, Persistence, TransactionMeta } from "./persistence.ts";
import {
  applyChanges,
  type DirEntry,
  type DynamicSpec,
  type EntryChange,
  type EntryType,
  type FileEntryType,
  kindOf,
  type NodeKey,
  type NodeVersion,
  sameEntry,
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
  /** The new version's header; a directory's `size` is kept up to date with its changes. */
  record: NodeVersion;
  body?: FileBody;
  /**
   * For plain directories: how the new version differs from the base's newest (from no
   * entries, for a directory made here), by name — only real changes: a name changed back
   * to what the base has drops out.
   */
  readonly changes?: Map<string, EntryChange>;
}

/** The pending version of a plain directory. */
type PendingDirectory = Pending & { readonly changes: Map<string, EntryChange> };

/**
 * The pending state of one transaction. A node gets at most one new version per
 * transaction: the first change copies its newest committed version's header, later changes
 * edit that copy. A directory's pending version holds only its changes over the base, so
 * changing one entry costs one lookup, whatever the directory's size. Reads answer from the
 * pending version when there is one and from the base otherwise (a name is looked up in the
 * pending changes, then in the base; a listing is the base's with the changes applied), so
 * the pending version is the single source of truth for what it covers.
 * A node created and then unlinked in the same transaction is left out of the batch; the
 * pattern registry, which no entry links, is made on its first change and always kept. File
 * bodies are staged in `store` when it offers staging (see {@link Persistence.stageFile}).
 *
 * @example
 * ```ts
 * import type { Snapshot } from "./state.ts";
 * import { MemoryPersistence, ROOT_KEY } from "./mod.ts";
 *
 * async function example(snapshot: Snapshot) {
 *   const store = new MemoryPersistence();
 *   const txn = new Transaction(snapshot, snapshot.seq + 1, Date.now(), { command: ["mkdir", "/a"] }, store);
 *   await txn.create(ROOT_KEY, "a", { entryType: "directory" }, "/a");
 *   await store.commit(txn.commitBatch());
 * }
 * ```
 */
export class Transaction implements TreeState {
  readonly pending = true;
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
    if (created?.record.version === 1) return [created.record];
    const committed = await this.base.versions(key);
    const pending = this.#pending.get(key.nodeId);
    return pending ? [...committed, pending.record] : committed;
  }

  async lookup(key: NodeKey, name: string): Promise<DirEntry | undefined> {
    return this.#current(key, name, await this.#before(key, name));
  }

  async entries(key: NodeKey): Promise<ReadonlyMap<string, DirEntry>> {
    const committed = this.#created(key) ? new Map() : await this.base.entries(key);
    const changes = this.#pending.get(key.nodeId)?.changes;
    if (!changes) return committed;
    const listing = new Map(committed);
    applyChanges(listing, [...changes.values()]);
    return listing;
  }

  content(key: NodeKey, version: number): Promise<Uint8Array> {
    const pending = this.#pendingBody(key, version);
    return pending ? readBody(pending, this.store) : this.base.content(key, version);
  }

  stream(key: NodeKey, version: number): Promise<ReadableStream<Uint8Array>> {
    const pending = this.#pendingBody(key, version);
    return pending ? streamBody(pending, this.store) : this.base.stream(key, version);
  }

  fileOnDisk(key: NodeKey, version: number): Promise<string | undefined> {
    return this.#pendingBody(key, version)
      ? Promise.resolve(undefined)
      : this.base.fileOnDisk(key, version);
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
   * Creates a node and links it as `name` in `parent`; `AlreadyExists` if the name is taken,
   * `InvalidPath` if it cannot name an entry (see `validateName`). `path` names the new node
   * in errors.
   */
  async create(parent: NodeKey, name: string, node: NewNode, path: string): Promise<NodeKey> {
    validateName(name, path);
    const directory = await this.#directoryForWrite(parent);
    const before = await this.#before(parent, name);
    this.#assertOpen();
    if (this.#current(parent, name, before)) {
      throw new TinyFsError("AlreadyExists", path, `${path} already exists`);
    }
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
      changes: node.entryType === "directory" ? new Map() : undefined,
    });
    this.#set(directory, name, before, { name, ...key, entryType: node.entryType });
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
    const directory = await this.#directoryForWrite(parent);
    const before = await this.#before(parent, name);
    this.#assertOpen();
    if (!this.#current(parent, name, before)) {
      throw new TinyFsError("NotFound", path, `${path} does not exist`);
    }
    this.#set(directory, name, before, undefined);
  }

  /**
   * Moves the entry `from.name` of `from.parent` to `to.name` in `to.parent`, replacing the
   * node `replacing` if that is what `to.name` holds (the caller has checked that it may).
   * Anything else found at `to.name` — a name taken since the caller looked — is
   * `AlreadyExists`; a new name that cannot name an entry is `InvalidPath`. The replaced
   * node's history stays.
   */
  async move(
    from: { parent: NodeKey; name: string; path: string },
    to: { parent: NodeKey; name: string; path: string },
    replacing?: NodeId,
  ): Promise<void> {
    validateName(to.name, to.path);
    const [source, target] = await Promise.all([
      this.#directoryForWrite(from.parent),
      this.#directoryForWrite(to.parent),
    ]);
    const [moved, there] = await Promise.all([
      this.#before(from.parent, from.name),
      this.#before(to.parent, to.name),
    ]);
    this.#assertOpen();
    const entry = this.#current(from.parent, from.name, moved);
    if (!entry) throw new TinyFsError("NotFound", from.path, `${from.path} does not exist`);
    const current = this.#current(to.parent, to.name, there);
    if (current && current.nodeId !== replacing) {
      throw new TinyFsError(
        "AlreadyExists",
        to.path,
        `cannot move ${from.path}: ${to.path} was created while it was being moved; try again`,
      );
    }
    this.#set(source, from.name, moved, undefined);
    this.#set(target, to.name, there, { ...entry, name: to.name });
  }

  /** Ends the transaction and returns its batch; every later change is refused. */
  commitBatch(): CommitBatch {
    this.#assertOpen();
    this.#ended = true;
    const versions: NewVersion[] = [];
    for (const id of this.#kept()) {
      const pending = this.#pending.get(id)!;
      versions.push({
        ...pending.record,
        ...pending.body,
        ...(pending.changes && {
          changes: [...pending.changes]
            .sort(([a], [b]) => compareNames(a, b))
            .map(([, change]) => change),
        }),
      });
    }
    return { seq: this.seq, timestamp: this.timestamp, meta: this.meta, versions };
  }

  /** Ends the transaction without a batch; every later change is refused. */
  abandon(): void {
    this.#ended = true;
  }

  /**
   * Pending nodes worth committing: changed existing nodes, and new nodes linked from those
   * (a new node can only be linked by a `put` in a pending directory).
   */
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
      for (const change of queue.pop()!.changes?.values() ?? []) {
        if (change.op !== "put" || kept.has(change.entry.nodeId)) continue;
        const child = this.#pending.get(change.entry.nodeId);
        if (child) {
          kept.add(change.entry.nodeId);
          queue.push(child);
        }
      }
    }
    return [...this.#pending.keys()].filter((id) => kept.has(id));
  }

  /** The pending version of the plain directory `key`, made from its newest one if needed. */
  async #directoryForWrite(key: NodeKey): Promise<PendingDirectory> {
    this.#assertOpen();
    const pending = this.#pendingDirectory(key);
    if (pending) return pending;
    const committed = await this.base.versions(key);
    this.#assertOpen();
    const raced = this.#pendingDirectory(key);
    if (raced) return raced;
    const record: NodeVersion = committed.length === 0 && key.nodeId === REGISTRY_ID
      ? {
        ...key,
        entryType: "directory",
        version: 1,
        seq: this.seq,
        timestamp: this.timestamp,
        size: 0,
      }
      : this.#next(committed);
    if (record.entryType !== "directory") {
      throw new TinyFsError(
        "NotADirectory",
        `node ${key.nodeId}`,
        `node ${key.nodeId} is a ${record.entryType}, which has no stored entries`,
      );
    }
    const made: PendingDirectory = { record, changes: new Map() };
    this.#pending.set(key.nodeId, made);
    return made;
  }

  #pendingDirectory(key: NodeKey): PendingDirectory | undefined {
    const pending = this.#pending.get(key.nodeId);
    return pending?.changes ? pending as PendingDirectory : undefined;
  }

  /** Whether `key` is a plain directory made in this transaction: the base knows nothing of it. */
  #created(key: NodeKey): boolean {
    return this.#pendingDirectory(key)?.record.version === 1;
  }

  /** The entry `name` of the directory `key` in the base (immutable, so safe across awaits). */
  async #before(key: NodeKey, name: string): Promise<DirEntry | undefined> {
    return this.#created(key) ? undefined : await this.base.lookup(key, name);
  }

  /** The entry `name` of the directory `key` now, given what the base has (`before`). */
  #current(key: NodeKey, name: string, before: DirEntry | undefined): DirEntry | undefined {
    const change = this.#pending.get(key.nodeId)?.changes?.get(name);
    if (!change) return before;
    return change.op === "put" ? change.entry : undefined;
  }

  /**
   * Makes `after` (or nothing) the entry `name` of `directory`, whose base has `before`
   * there: a change, unless it is what the base has; the size follows.
   */
  #set(
    directory: PendingDirectory,
    name: string,
    before: DirEntry | undefined,
    after: DirEntry | undefined,
  ): void {
    const current = this.#current(directory.record, name, before);
    directory.record = {
      ...directory.record,
      size: directory.record.size + (after ? 1 : 0) - (current ? 1 : 0),
    };
    if (sameEntry(before, after)) directory.changes.delete(name);
    else directory.changes.set(name, after ? { op: "put", entry: after } : { op: "del", name });
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
