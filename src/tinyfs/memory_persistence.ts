/** An in-memory store of node versions: the reference implementation of the persistence seam. */

import { streamOf, toBytes } from "./bytes.ts";
import { TinyFsError } from "./errors.ts";
import { isNodeId } from "./node_id.ts";
import { compareNames } from "./path.ts";
import type { CommitBatch, NewVersion, Persistence, StagedBody } from "./persistence.ts";
import {
  applyChanges,
  type DirEntry,
  type EntryChange,
  isDynamic,
  kindOf,
  type NodeKey,
  type NodeVersion,
  sameEntry,
} from "./records.ts";

/** One committed version, and for a plain directory the whole listing it leads to. */
interface Stored {
  readonly version: NewVersion;
  readonly listing?: ReadonlyMap<string, DirEntry>;
}

/**
 * Keeps every committed version in memory, answers reads as of any transaction, and checks
 * each batch the way a durable store must (seq order, version order, partitions, bodies,
 * directory changes that fit the previous version and the size) before applying any of it.
 * Each directory version is kept as the whole listing its changes lead to (simple, not
 * small). The committed batches stay readable through {@link commits}. It offers staging: a
 * staged body is kept as the chunks it arrived in (never joined into one buffer) and
 * streamed back in those chunks, and a batch may only name bodies this store staged, with
 * their sizes.
 *
 * @example
 * ```ts
 * import { FS } from "./mod.ts";
 *
 * const store = new MemoryPersistence();
 * const fs = await FS.init(store);
 * store.commits[0].meta.command; // ["init"]
 * ```
 */
export class MemoryPersistence implements Persistence {
  #head = -1;
  readonly #nodes = new Map<string, Stored[]>();
  readonly #commits: CommitBatch[] = [];
  /** Staged bodies by their `ref`, each as the chunks it arrived in. */
  readonly #staged = new Map<unknown, readonly Uint8Array[]>();

  /** Every batch committed so far, oldest first (copies of what was handed over). */
  get commits(): readonly CommitBatch[] {
    return this.#commits;
  }

  head(): Promise<number> {
    return Promise.resolve(this.#head);
  }

  readVersions(key: NodeKey, seq: number): Promise<readonly NodeVersion[]> {
    const versions = this.#nodes.get(key.nodeId) ?? [];
    return Promise.resolve(
      versions
        .map((s) => s.version)
        .filter((v) => v.seq <= seq && v.partId === key.partId)
        .map(({ content: _c, staged: _s, changes: _d, ...header }) => copyVersion(header)),
    );
  }

  lookup(key: NodeKey, version: number, name: string): Promise<DirEntry | null> {
    return settle(() => {
      const found = this.#listing(key, version).get(name);
      return found ? { ...found } : null;
    });
  }

  readDirectory(key: NodeKey, version: number): Promise<readonly DirEntry[]> {
    return settle(() =>
      [...this.#listing(key, version).values()]
        .sort((a, b) => compareNames(a.name, b.name))
        .map((e) => ({ ...e }))
    );
  }

  async readFile(key: NodeKey, version: number): Promise<Uint8Array> {
    const found = this.#stored(key, version).version;
    if (found.staged) return await toBytes(this.#streamChunks(found.staged));
    if (!found.content) throw this.#wrongKind(key, version, "a file");
    return found.content.slice();
  }

  streamFile(key: NodeKey, version: number): Promise<ReadableStream<Uint8Array>> {
    return settle(() => {
      const found = this.#stored(key, version).version;
      if (found.staged) return this.#streamChunks(found.staged);
      if (!found.content) throw this.#wrongKind(key, version, "a file");
      return streamOf(found.content);
    });
  }

  async stageFile(body: ReadableStream<Uint8Array>): Promise<StagedBody> {
    const chunks: Uint8Array[] = [];
    const { createHash } = await import("node:crypto");
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of body) {
      chunks.push(chunk.slice());
      hash.update(chunk);
      size += chunk.length;
    }
    const ref = Symbol("staged body");
    this.#staged.set(ref, chunks);
    return { size, hash: hash.digest("hex"), ref };
  }

  streamStaged(staged: StagedBody): Promise<ReadableStream<Uint8Array>> {
    return settle(() => this.#streamChunks(staged));
  }

  commit(batch: CommitBatch): Promise<void> {
    return settle(() => this.#apply(batch));
  }

  #apply(batch: CommitBatch): void {
    if (batch.seq !== this.#head + 1) {
      throw new TinyFsError(
        "Conflict",
        "/",
        `transaction ${batch.seq} cannot commit: the store is at transaction ${this.#head}; ` +
          "retry the transaction on the current state",
      );
    }
    const seen = new Set<string>();
    const checked = batch.versions.map((v): Stored => {
      const listing = this.#check(batch, v, seen);
      seen.add(v.nodeId);
      return { version: copyVersion(v), listing };
    });
    for (const stored of checked) {
      const versions = this.#nodes.get(stored.version.nodeId) ?? [];
      versions.push(stored);
      this.#nodes.set(stored.version.nodeId, versions);
    }
    this.#commits.push({
      ...batch,
      meta: structuredClone(batch.meta),
      versions: checked.map((s) => s.version),
    });
    this.#head = batch.seq;
  }

  /** The chunks of a body this store staged, as a stream of copies made as they are pulled. */
  #streamChunks(staged: StagedBody): ReadableStream<Uint8Array> {
    const chunks = this.#staged.get(staged.ref);
    if (!chunks) {
      throw new TinyFsError(
        "NotFound",
        "/",
        `no body with hash ${staged.hash} was staged in this store`,
      );
    }
    return ReadableStream.from(chunks.values().map((c) => c.slice()));
  }

  /**
   * Checks one version of a batch against what is committed; for a plain directory, returns
   * the listing its changes lead to.
   */
  #check(
    batch: CommitBatch,
    v: NewVersion,
    seen: Set<string>,
  ): ReadonlyMap<string, DirEntry> | undefined {
    const at = `node ${v.nodeId}`;
    const bad = (why: string) =>
      new TinyFsError("Conflict", at, `transaction ${batch.seq} is malformed: ${at} ${why}`);
    if (!isNodeId(v.nodeId) || !isNodeId(v.partId)) throw bad("has a malformed id");
    if (seen.has(v.nodeId)) throw bad("appears twice; a node gets one version per transaction");
    if (v.seq !== batch.seq || v.timestamp !== batch.timestamp) {
      throw bad("carries another transaction's seq or time");
    }
    const previous = this.#nodes.get(v.nodeId) ?? [];
    if (v.version !== previous.length + 1) {
      throw bad(`has version ${v.version} but its newest version is ${previous.length}`);
    }
    if (previous.length > 0 && previous[0].version.partId !== v.partId) {
      throw bad(`moved from partition ${previous[0].version.partId} to ${v.partId}`);
    }
    const kind = kindOf(v.entryType);
    if (kind === "directory" && v.partId !== v.nodeId) {
      throw bad("is a directory outside its own partition");
    }
    if (v.staged && (!this.#staged.has(v.staged.ref) || v.staged.size !== v.size)) {
      throw bad(`names a staged body this store did not stage as ${v.size} bytes`);
    }
    const bodyOk = isDynamic(v.entryType)
      ? v.dynamic !== undefined && v.content === undefined && v.staged === undefined
      : kind === "file"
      ? (v.content !== undefined) !== (v.staged !== undefined)
      : kind === "symlink"
      ? v.target !== undefined
      : v.changes !== undefined;
    if (!bodyOk) throw bad(`has no body for its type ${v.entryType}`);
    if (!v.changes) return undefined;
    const listing = new Map(previous.at(-1)?.listing);
    checkChanges(listing, v.changes, bad);
    applyChanges(listing, v.changes);
    if (listing.size !== v.size) {
      throw bad(`has size ${v.size} but its changes leave ${listing.size} entries`);
    }
    return listing;
  }

  #stored(key: NodeKey, version: number): Stored {
    const found = this.#nodes.get(key.nodeId)?.[version - 1];
    if (!found || found.version.partId !== key.partId) {
      throw new TinyFsError(
        "NotFound",
        `node ${key.nodeId}`,
        `node ${key.nodeId} has no version ${version} in partition ${key.partId}`,
      );
    }
    return found;
  }

  #listing(key: NodeKey, version: number): ReadonlyMap<string, DirEntry> {
    const listing = this.#stored(key, version).listing;
    if (!listing) throw this.#wrongKind(key, version, "a directory");
    return listing;
  }

  #wrongKind(key: NodeKey, version: number, wanted: string): TinyFsError {
    return new TinyFsError(
      "NotFound",
      `node ${key.nodeId}`,
      `version ${version} of node ${key.nodeId} is not ${wanted}`,
    );
  }
}

/**
 * Checks that `changes` are in name order, one per name, and each changes `listing` (the
 * previous version's entries): no `del` of an absent name, no `put` of the entry it has.
 */
function checkChanges(
  listing: ReadonlyMap<string, DirEntry>,
  changes: readonly EntryChange[],
  bad: (why: string) => Error,
): void {
  let last: string | undefined;
  for (const change of changes) {
    const name = change.op === "put" ? change.entry.name : change.name;
    if (last === name) throw bad(`changes ${JSON.stringify(name)} twice`);
    if (last !== undefined && compareNames(last, name) > 0) {
      throw bad(`changes ${JSON.stringify(name)} after ${JSON.stringify(last)}: out of name order`);
    }
    last = name;
    const current = listing.get(name);
    if (change.op === "del" && !current) {
      throw bad(`removes ${JSON.stringify(name)}, which its previous version lacks`);
    }
    if (change.op === "put" && sameEntry(current, change.entry)) {
      throw bad(`puts ${JSON.stringify(name)} as its previous version already has it`);
    }
  }
}

/** Runs `f` now and reports its result or its throw as a settled promise. */
function settle<T>(f: () => T): Promise<T> {
  return new Promise((resolve) => resolve(f()));
}

function copyVersion(v: NewVersion): NewVersion {
  return {
    ...v,
    ...(v.content && { content: v.content.slice() }),
    ...(v.changes && { changes: v.changes.map(copyChange) }),
    ...(v.dynamic && { dynamic: { ...v.dynamic, config: v.dynamic.config.slice() } }),
  };
}

function copyChange(c: EntryChange): EntryChange {
  return c.op === "put" ? { op: "put", entry: { ...c.entry } } : { ...c };
}
