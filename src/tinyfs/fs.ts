/** FS: a pond's tree over a store — read-only committed views and all-or-nothing transactions. */

import { CallContext } from "./call_context.ts";
import type { Factories, FileFactories } from "./dynamic.ts";
import { TinyFsError } from "./errors.ts";
import { ROOT_FRAME } from "./handle.ts";
import type { Persistence, TransactionMeta } from "./persistence.ts";
import { ROOT_KEY } from "./records.ts";
import { DirectoryCache } from "./directory_cache.ts";
import { Snapshot } from "./state.ts";
import { Transaction } from "./transaction.ts";
import { type ReaderFactory, Tree } from "./tree.ts";
import { Reader } from "./reader.ts";
import type { ReadView } from "./view.ts";
import { WD } from "./wd.ts";

/** How to open a pond's tree. */
export interface OpenOptions {
  /** The dynamic directory factories, by the names stored in dynamic directory nodes. */
  readonly factories?: Factories;
  /** The dynamic file factories, by the names stored in dynamic file nodes. */
  readonly fileFactories?: FileFactories;
  /** The clock for transaction times, in ms since the epoch (tests pin it). */
  readonly now?: () => number;
}

/** Which committed state to view. */
export interface RootOptions {
  /** A transaction seq to view the tree as of; the newest when absent. */
  readonly asOf?: number;
}

/** Dynamic directories compute with a read-only working directory of what their reader sees. */
const readerFor: ReaderFactory = (tree, context, frames) => new Reader(tree, context, frames);

/**
 * A pond's tree over a {@link Persistence} store. Reads outside a transaction see only
 * committed state; a transaction's changes are visible to its own reads at once and to
 * everyone else after it commits, all together, as one batch handed to the store. A
 * transaction whose callback throws leaves nothing behind. Transactions are optimistic:
 * if another commits first (here or in another process), the later one fails with
 * `Conflict` and can be retried.
 *
 * @example
 * ```ts
 * import { MemoryPersistence } from "./mod.ts";
 *
 * const fs = await FS.init(new MemoryPersistence());
 * await fs.transact({ command: ["mkdir", "/a"] }, (root) => root.createDirectory("/a"));
 * (await (await fs.root()).list("/")).map((e) => e.name); // ["a"]
 * ```
 */
export class FS {
  readonly #persistence: Persistence;
  readonly #factories: Factories;
  readonly #fileFactories: FileFactories;
  readonly #now: () => number;
  readonly #directories: DirectoryCache;
  #snapshot: Snapshot | undefined;

  private constructor(persistence: Persistence, options: OpenOptions) {
    if ((persistence.stageFile === undefined) !== (persistence.streamStaged === undefined)) {
      throw new TypeError(
        "a store offers stageFile and streamStaged together or neither: " +
          "reads inside a transaction must be able to stream what it staged",
      );
    }
    this.#persistence = persistence;
    this.#factories = options.factories ?? {};
    this.#fileFactories = options.fileFactories ?? {};
    this.#now = options.now ?? Date.now;
    this.#directories = new DirectoryCache(persistence);
  }

  /**
   * Makes a new tree (an empty root directory) in an empty store, as transaction 0, and
   * opens it; `AlreadyExists` if the store has commits.
   */
  static async init(
    persistence: Persistence,
    options: OpenOptions & { readonly meta?: TransactionMeta } = {},
  ): Promise<FS> {
    const head = await persistence.head();
    const fs = new FS(persistence, options);
    if (head !== -1) {
      throw new TinyFsError(
        "AlreadyExists",
        "/",
        `the store already holds a tree (at transaction ${head}); open it instead`,
      );
    }
    const timestamp = (options.now ?? Date.now)();
    await persistence.commit({
      seq: 0,
      timestamp,
      meta: options.meta ?? { command: ["init"] },
      versions: [{
        ...ROOT_KEY,
        entryType: "directory",
        version: 1,
        seq: 0,
        timestamp,
        size: 0,
        changes: [],
      }],
    });
    return fs;
  }

  /** Opens the tree in `persistence`; `NotFound` if it was never initialized. */
  static async open(persistence: Persistence, options: OpenOptions = {}): Promise<FS> {
    const head = await persistence.head();
    if (head < 0 || (await persistence.readVersions(ROOT_KEY, head)).length === 0) {
      throw new TinyFsError(
        "NotFound",
        "/",
        "the store holds no tree; create one with FS.init first",
      );
    }
    return new FS(persistence, options);
  }

  /** The newest committed transaction's seq. */
  head(): Promise<number> {
    return this.#persistence.head();
  }

  /**
   * A read-only working directory at the root of the committed tree: the newest state, or
   * the state as of transaction `asOf` (`NotFound` if there is no such transaction).
   */
  async root(options: RootOptions = {}): Promise<ReadView> {
    const head = await this.#persistence.head();
    const seq = options.asOf ?? head;
    if (!Number.isInteger(seq) || seq < 0 || seq > head) {
      throw new TinyFsError(
        "NotFound",
        "/",
        `there is no transaction ${seq}; the newest is ${head}`,
      );
    }
    return new Reader(this.#treeOf(this.#snapshotAt(seq)), CallContext.EMPTY, [ROOT_FRAME]);
  }

  /**
   * Runs `body` in a transaction and commits what it changed as one batch recording
   * `meta`. `body` gets a writable working directory at the root; working directories from
   * it turn read-only when the transaction ends. If `body` throws, nothing is committed and
   * the error is rethrown. A transaction that changed nothing commits nothing. Do not
   * start a transaction inside another's body: the inner one commits first and the outer
   * then fails with `Conflict`.
   */
  async transact<T>(meta: TransactionMeta, body: (root: WD) => Promise<T> | T): Promise<T> {
    const head = await this.#persistence.head();
    const transaction = new Transaction(
      this.#snapshotAt(head),
      head + 1,
      this.#now(),
      meta,
      this.#persistence,
    );
    let result: T;
    try {
      result = await body(
        new WD(this.#treeOf(transaction), CallContext.EMPTY, [ROOT_FRAME], transaction),
      );
    } catch (e) {
      transaction.abandon();
      throw e;
    }
    const batch = transaction.commitBatch();
    if (batch.versions.length > 0) await this.#persistence.commit(batch);
    return result;
  }

  #snapshotAt(seq: number): Snapshot {
    if (this.#snapshot?.seq !== seq) {
      this.#snapshot = new Snapshot(this.#persistence, seq, this.#directories);
    }
    return this.#snapshot;
  }

  #treeOf(state: Snapshot | Transaction): Tree {
    return new Tree(state, this.#factories, this.#fileFactories, readerFor);
  }
}
