/** Commits: a writer's transactions on a table — put-if-absent of the next log entry, conflict checks, retries, and the append/overwrite/remove operations. */

import {
  type Action,
  type AddFile,
  type CommitInfo,
  decodePath,
  type Metadata,
  NUM_ACTIONS,
  parseCommit,
  type Protocol,
  type RemoveFile,
  serializeCommit,
} from "./actions.ts";
import { type CheckpointWritten, writeCheckpoint } from "./checkpoint_write.ts";
import { DeltaError, isDeltaError } from "./errors.ts";
import { commitPath } from "./log_segment.ts";
import type { Columns } from "./parquet_write.ts";
import { fileKey, Replay, type ReplayOptions, replayVersion, type TableState } from "./replay.ts";
import type { Store } from "./storage.ts";
import { writeDataFiles, type WrittenFiles } from "./write_files.ts";
import { checkWriteSupported, writeProperties } from "./write_support.ts";

/** What a commit records about itself in `commitInfo`. */
export interface CommitInfoInput {
  /** The operation, e.g. `WRITE`, `DELETE`, `OPTIMIZE` (default `WRITE`; each operation method sets its own). */
  operation?: string;
  /** Its parameters, e.g. `{ mode: "Append" }`. */
  operationParameters?: Record<string, unknown>;
  /** What it did, as Spark records it: string counts such as `{ numFiles: "1", numOutputRows: "10" }`. */
  operationMetrics?: Record<string, string>;
  /**
   * Free-form application metadata (e.g. pond's transaction record: who ran what), stored in
   * `commitInfo` next to the fields this writer sets; it may not replace them.
   */
  info?: Record<string, unknown>;
}

/** An application's idempotency marker: written as a `txn` action. */
export interface AppTransaction {
  appId: string;
  version: number;
}

/** Options of {@link TableWriter.commit} (and the operations built on it). */
export interface CommitOptions extends CommitInfoInput {
  /**
   * Decoded paths of files whose content this transaction depends on. A concurrent commit that
   * removes one of them (or one this transaction removes) is a conflict.
   */
  readFiles?: Iterable<string>;
  /** Record an application transaction; a concurrent commit for the same `appId` is a conflict. */
  txn?: AppTransaction;
  /** True when the commit only adds new data (it read nothing from the table). */
  isBlindAppend?: boolean;
  /**
   * True when what this transaction writes depends on every row of the table (an overwrite,
   * a read-modify-write of all of it). Under write-serializable isolation, a concurrent commit
   * that added data without being a blind append is then a conflict: this transaction should
   * have read those rows. (Blind appends are not: they count as landing after it.)
   */
  readWholeTable?: boolean;
  /** How many times to retry at a later version after losing races to non-conflicting commits (default 100). */
  maxRetries?: number;
  /** Write a checkpoint after this commit when its version is a multiple of this (default: `delta.checkpointInterval` or 100). */
  checkpointInterval?: number;
}

/** A commit that landed. */
export interface CommitResult {
  /** The table version it created. */
  version: number;
  /** How many versions it tried (1 when it won the first race). */
  attempts: number;
  /** The checkpoint written after it, if its version called for one and writing it succeeded. */
  checkpoint?: CheckpointWritten;
  /** Why the due checkpoint could not be written (the commit itself stands). */
  checkpointError?: unknown;
}

/**
 * A `commitInfo` of the writer's `fields` plus free-form application `info`; `info` may not
 * replace a field the writer sets (`InvalidArgument`).
 *
 * @example
 * ```ts
 * commitInfoOf({ timestamp: Date.now(), operation: "WRITE" }, { command: "pond copy a b" });
 * ```
 */
export function commitInfoOf(fields: CommitInfo, info: Record<string, unknown> = {}): CommitInfo {
  for (const key of Object.keys(info)) {
    if (key in fields) {
      throw new DeltaError("InvalidArgument", `commitInfo.${key} is set by the writer`);
    }
  }
  return { ...info, ...fields };
}

/** The transaction's own footprint, for checking it against the commits that beat it. */
interface Footprint {
  removes: Set<string>;
  reads: Set<string>;
  appId?: string;
  domains: Set<string>;
  changesMetadata: boolean;
  readsWholeTable: boolean;
}

/**
 * Why a winning commit conflicts with ours, or undefined when it does not: the checks of
 * write-serializable isolation, as far as the transaction declared what it read.
 */
function conflictWith(ours: Footprint, theirs: Action[]): string | undefined {
  const blind = theirs.some((a) => "commitInfo" in a && a.commitInfo.isBlindAppend === true);
  for (const action of theirs) {
    if ("add" in action && ours.readsWholeTable && !blind && action.add.dataChange !== false) {
      return `it added ${
        decodePath(action.add.path)
      } without being a blind append, and this transaction read the whole table`;
    }
    if ("protocol" in action) return "it changed the protocol";
    if ("metaData" in action) return "it changed the table metadata";
    if ("txn" in action && action.txn.appId === ours.appId) {
      return `it committed application transaction ${
        JSON.stringify(ours.appId)
      } version ${action.txn.version}`;
    }
    if ("domainMetadata" in action && ours.domains.has(action.domainMetadata.domain)) {
      return `it changed metadata domain ${JSON.stringify(action.domainMetadata.domain)}`;
    }
    if ("remove" in action) {
      const path = decodePath(action.remove.path);
      if (ours.removes.has(path)) return `it also removed ${path}`;
      if (ours.reads.has(path)) return `it removed ${path}, which this transaction read`;
    }
    if (ours.changesMetadata && !("commitInfo" in action)) {
      return "this transaction changes metadata and it changed the table";
    }
  }
  return undefined;
}

/** Whether `next` keeps every version and feature of `current` (a protocol may only grow). */
function upgrades(current: Protocol, next: Protocol): boolean {
  const keeps = (a?: string[], b?: string[]) => (a ?? []).every((f) => (b ?? []).includes(f));
  return next.minReaderVersion >= current.minReaderVersion &&
    next.minWriterVersion >= current.minWriterVersion &&
    keeps(current.readerFeatures, next.readerFeatures) &&
    keeps(current.writerFeatures, next.writerFeatures);
}

/** Checks a transaction's actions are a valid log entry and returns its footprint. */
function footprint(
  actions: Action[],
  options: CommitOptions,
  state: TableState,
  table: string,
): Footprint {
  const adds = new Set<string>();
  const removes = new Set<string>();
  const domains = new Set<string>();
  let metadata = 0, protocol = 0;
  const appendOnly = writeProperties(state.metadata.configuration).appendOnly;
  for (const action of actions) {
    if ("commitInfo" in action) {
      throw new DeltaError(
        "InvalidArgument",
        "pass commitInfo fields as options; the writer writes the commitInfo action",
      );
    } else if ("add" in action) {
      const path = decodePath(action.add.path);
      if (adds.has(path)) {
        throw new DeltaError("InvalidArgument", `${path} is added twice in one commit`);
      }
      adds.add(path);
    } else if ("remove" in action) {
      const path = decodePath(action.remove.path);
      if (removes.has(path)) {
        throw new DeltaError("InvalidArgument", `${path} is removed twice in one commit`);
      }
      if (!state.files.has(fileKey(action.remove))) {
        throw new DeltaError(
          "InvalidArgument",
          `${path} is not a live file of ${table} at version ${state.version}`,
          { path },
        );
      }
      if (appendOnly && action.remove.dataChange) {
        throw new DeltaError(
          "InvalidArgument",
          `${table} is append-only (delta.appendOnly): it cannot remove ${path}`,
          { path },
        );
      }
      removes.add(path);
    } else if ("metaData" in action) {
      metadata++;
    } else if ("protocol" in action) {
      protocol++;
    } else if ("domainMetadata" in action) {
      if (!(state.protocol.writerFeatures ?? []).includes("domainMetadata")) {
        throw new DeltaError(
          "InvalidArgument",
          `${table} does not have the domainMetadata writer feature`,
        );
      }
      if (domains.has(action.domainMetadata.domain)) {
        throw new DeltaError(
          "InvalidArgument",
          `domain ${action.domainMetadata.domain} appears twice in one commit`,
        );
      }
      domains.add(action.domainMetadata.domain);
    } else if ("txn" in action) {
      throw new DeltaError("InvalidArgument", "pass the application transaction as options.txn");
    } else {
      throw new DeltaError(
        "InvalidArgument",
        `${Object.keys(action)[0]} actions cannot be committed`,
      );
    }
  }
  if (metadata > 1 || protocol > 1) {
    throw new DeltaError(
      "InvalidArgument",
      "a commit holds at most one metaData and one protocol action",
    );
  }
  const next = actions.find((a): a is { protocol: Protocol } => "protocol" in a)?.protocol;
  if (next && !upgrades(state.protocol, next)) {
    throw new DeltaError(
      "InvalidArgument",
      `protocol ${JSON.stringify(next)} would downgrade ${
        JSON.stringify(state.protocol)
      }: versions and features can only be added`,
    );
  }
  return {
    removes,
    reads: new Set([...(options.readFiles ?? [])].map(decodePath)),
    appId: options.txn?.appId,
    domains,
    changesMetadata: metadata + protocol > 0,
    readsWholeTable: options.readWholeTable ?? false,
  };
}

/** The log order of a commit's actions: commitInfo, protocol, metaData, txn, domains, removes, adds. */
function rank(action: Action): number {
  const order = [
    "commitInfo",
    "protocol",
    "metaData",
    "txn",
    "domainMetadata",
    "remove",
    "add",
    "cdc",
  ];
  return order.indexOf(Object.keys(action)[0]);
}

/**
 * A writer's handle on one table: the table state at the latest version it has seen, kept up
 * to date by its own commits and by the commits it loses races to. Each commit is one
 * put-if-absent of the next `_delta_log/<version>.json`; a log entry is never overwritten.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const writer = await TableWriter.open(new LocalStore("/data/events"));
 * const { version } = await writer.append({ id: [1, 2], name: ["a", "b"] });
 * ```
 */
export class TableWriter {
  readonly #store: Store;
  readonly #replay: Replay;
  #version: number;
  #commitInfo: CommitInfo | null;
  /** False when the checkpoint's tombstones were left unread (see {@link loadTombstones}). */
  #allTombstones: boolean;

  private constructor(store: Store, state: TableState, allTombstones = true) {
    this.#allTombstones = allTombstones;
    this.#store = store;
    this.#replay = new Replay();
    this.#replay.protocol = state.protocol;
    this.#replay.metadata = state.metadata;
    for (const [k, v] of state.files) this.#replay.files.set(k, v);
    for (const [k, v] of state.tombstones) this.#replay.tombstones.set(k, v);
    for (const [k, v] of state.txns) this.#replay.txns.set(k, v);
    for (const [k, v] of state.domainMetadata) this.#replay.domainMetadata.set(k, v);
    this.#version = state.version;
    this.#commitInfo = state.commitInfo;
  }

  /**
   * Opens the latest version of the table (or `options.version`, from which a commit catches
   * up first) for writing. Throws `NotATable` when there is no table, and
   * `UnsupportedWriterVersion`/`UnsupportedFeature` when this writer cannot write it.
   *
   * @example
   * ```ts
   * import { LocalStore } from "./mod.ts";
   *
   * const writer = await TableWriter.open(new LocalStore("/data/events"));
   * ```
   */
  static async open(
    store: Store,
    options: ReplayOptions & { version?: number } = {},
  ): Promise<TableWriter> {
    const state = await replayVersion(store, options.version, options);
    checkWriteSupported(state.protocol, state.metadata, store.locate(""));
    return new TableWriter(store, state, options.tombstones ?? true);
  }

  /**
   * Reads the tombstones a writer opened with `{ tombstones: false }` left unread (from the
   * checkpoint and the commits after it), so that {@link state} holds them all again. Vacuum
   * and checkpoint writing call it; it does nothing when they are already there.
   *
   * @example
   * ```ts
   * import { LocalStore } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const writer = await TableWriter.open(store, { tombstones: false }); // fast to open
   * await writer.loadTombstones();                                       // before a vacuum
   * ```
   */
  async loadTombstones(): Promise<void> {
    if (this.#allTombstones) return;
    const full = await replayVersion(this.#store, this.#version);
    this.#replay.tombstones.clear();
    for (const [k, v] of full.tombstones) this.#replay.tombstones.set(k, v);
    this.#allTombstones = true;
  }

  /**
   * A writer continuing from a table state already read (e.g. the one a table was created with).
   *
   * @example
   * ```ts
   * import { LocalStore, replayVersion } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const writer = TableWriter.fromState(store, await replayVersion(store));
   * ```
   */
  static fromState(store: Store, state: TableState): TableWriter {
    checkWriteSupported(state.protocol, state.metadata, store.locate(""));
    return new TableWriter(store, state);
  }

  /** The latest version this writer has seen. */
  get version(): number {
    return this.#version;
  }

  /** The table state at {@link version} (live views: it changes as the writer commits). */
  get state(): TableState {
    return {
      version: this.#version,
      protocol: this.#replay.protocol!,
      metadata: this.#replay.metadata!,
      files: this.#replay.files,
      tombstones: this.#replay.tombstones,
      txns: this.#replay.txns,
      domainMetadata: this.#replay.domainMetadata,
      commitInfo: this.#commitInfo,
    };
  }

  /** The store this writer writes through. */
  get store(): Store {
    return this.#store;
  }

  /** Reads and applies the commits after `version`, returning them (version, actions) in order. */
  async #catchUp(): Promise<[number, Action[]][]> {
    const read: [number, Action[]][] = [];
    for (;;) {
      const version = this.#version + 1;
      let bytes: Uint8Array;
      try {
        bytes = await this.#store.read(commitPath(version));
      } catch (e) {
        if (isDeltaError(e, "MissingFile")) return read;
        throw e;
      }
      const actions = parseCommit(new TextDecoder().decode(bytes), commitPath(version));
      this.#apply(version, actions);
      read.push([version, actions]);
    }
  }

  #apply(version: number, actions: Action[]): void {
    this.#commitInfo = null;
    for (const action of actions) {
      if ("commitInfo" in action) this.#commitInfo = action.commitInfo;
      else this.#replay.apply(action);
    }
    this.#version = version;
  }

  /**
   * Brings the writer up to the table's latest version by reading the commits after the one it
   * has (cost proportional to the number of new commits). Returns the new version.
   *
   * @example
   * ```ts
   * import { LocalStore, TableWriter } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const writer = await TableWriter.open(store);
   * await writer.update();
   * ```
   */
  async update(): Promise<number> {
    await this.#catchUp();
    checkWriteSupported(this.#replay.protocol!, this.#replay.metadata!, this.#store.locate(""));
    return this.#version;
  }

  /**
   * Commits `actions` (add, remove, metaData, protocol, domainMetadata) as the next table
   * version, with a `commitInfo` first. When another writer created that version first, its
   * commits are read: if they conflict with this transaction (they changed the protocol or
   * metadata, removed a file this one removes or read, committed the same application
   * transaction or metadata domain, or — when this one read the whole table — added data
   * without being a blind append) the commit fails with a `Conflict` error carrying the
   * winning version; otherwise it is retried at the next version. Data files the actions
   * reference must already be written.
   *
   * @example
   * ```ts
   * import { LocalStore, TableWriter, Table } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const writer = await TableWriter.open(store);
   * const snapshot = await new Table(store).snapshot();
   * const [add] = snapshot.files();
   * const result = await writer.commit([{ add }], { operation: "WRITE", isBlindAppend: true });
   * ```
   */
  async commit(actions: Action[], options: CommitOptions = {}): Promise<CommitResult> {
    const table = this.#store.locate("");
    const state = this.state;
    checkWriteSupported(state.protocol, state.metadata, table);
    const protocol = actions.find((a): a is { protocol: Protocol } => "protocol" in a)?.protocol;
    const metadata = actions.find((a): a is { metaData: Metadata } => "metaData" in a)?.metaData;
    if (protocol || metadata) {
      checkWriteSupported(protocol ?? state.protocol, metadata ?? state.metadata, table);
    }
    const ours = footprint(actions, options, state, table);
    const body: Action[] = [...actions];
    if (options.txn) body.push({ txn: { ...options.txn, lastUpdated: Date.now() } });
    body.sort((a, b) => rank(a) - rank(b));
    const readVersion = this.#version;
    const txnId = crypto.randomUUID();
    const maxRetries = options.maxRetries ?? 100;
    for (let attempt = 1;; attempt++) {
      const version = this.#version + 1;
      // Strictly after the commit it follows, so "the version at time T" is never ambiguous.
      const previous = this.#commitInfo?.timestamp ?? -Infinity;
      const commitInfo = commitInfoOf({
        timestamp: Math.max(Date.now(), previous + 1),
        operation: options.operation ?? "WRITE",
        operationParameters: options.operationParameters ?? {},
        ...(options.operationMetrics && { operationMetrics: options.operationMetrics }),
        readVersion,
        isolationLevel: "WriteSerializable",
        isBlindAppend: options.isBlindAppend ?? false,
        engineInfo: "pond",
        txnId,
        [NUM_ACTIONS]: body.length,
      }, options.info);
      const text = serializeCommit([{ commitInfo }, ...body]);
      if (await this.#store.putIfAbsent(commitPath(version), new TextEncoder().encode(text))) {
        this.#apply(version, [{ commitInfo }, ...body]);
        return { version, attempts: attempt, ...await this.#checkpointIfDue(options) };
      }
      for (const [winner, theirs] of await this.#catchUp()) {
        const reason = conflictWith(ours, theirs);
        if (reason !== undefined) {
          throw new DeltaError(
            "Conflict",
            `commit to ${table} (read at version ${readVersion}) conflicts with version ${winner}: ${reason}`,
            { version: winner },
          );
        }
      }
      if (attempt > maxRetries) {
        throw new DeltaError(
          "Conflict",
          `commit to ${table} lost ${attempt} races in a row (latest version ${this.#version}); try again later`,
          { version: this.#version },
        );
      }
    }
  }

  /** Writes the checkpoint of the current version when the interval calls for one. */
  async #checkpointIfDue(
    options: CommitOptions,
  ): Promise<Pick<CommitResult, "checkpoint" | "checkpointError">> {
    const interval = options.checkpointInterval ??
      writeProperties(this.#replay.metadata!.configuration).checkpointInterval;
    if (this.#version === 0 || this.#version % interval !== 0) return {};
    try {
      await this.loadTombstones();
      return { checkpoint: await writeCheckpoint(this.#store, this.state) };
    } catch (e) {
      return { checkpointError: e };
    }
  }

  /**
   * Writes `columns` (see {@link Columns}) as new data files and commits them: a blind append.
   * Nothing is committed for zero rows (the result's version is then the current one).
   *
   * @example
   * ```ts
   * import { LocalStore, TableWriter } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const writer = await TableWriter.open(store);
   * await writer.append({ id: [1n, 2n], at: [new Date(), new Date()] }, { info: { command: "pond copy" } });
   * ```
   */
  async append(columns: Columns, options: CommitOptions = {}): Promise<CommitResult> {
    const written = await this.#writeFiles(columns);
    if (written.adds.length === 0 && !options.txn) return { version: this.#version, attempts: 0 };
    return this.commit(written.adds.map((add) => ({ add })), {
      operation: "WRITE",
      operationParameters: {
        mode: "Append",
        partitionBy: JSON.stringify(this.#replay.metadata!.partitionColumns),
      },
      operationMetrics: outputMetrics(written),
      isBlindAppend: true,
      ...options,
    });
  }

  /**
   * Replaces the table's data with `columns`: new files are written, and every file live at
   * the writer's version is removed in the same commit. Files appended concurrently by blind
   * appends that won the race stay (as if they were appended after the overwrite); data added
   * concurrently by any other commit is a `Conflict` (the overwrite should have removed it).
   *
   * @example
   * ```ts
   * import { LocalStore, TableWriter } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const writer = await TableWriter.open(store);
   * await writer.overwrite({ id: [1n], name: ["only row"] });
   * ```
   */
  async overwrite(columns: Columns, options: CommitOptions = {}): Promise<CommitResult> {
    const written = await this.#writeFiles(columns);
    const now = Date.now();
    const removes = [...this.#replay.files.values()].map((add) => ({ remove: removeOf(add, now) }));
    return this.commit([...removes, ...written.adds.map((add) => ({ add }))], {
      operation: "WRITE",
      operationParameters: {
        mode: "Overwrite",
        partitionBy: JSON.stringify(this.#replay.metadata!.partitionColumns),
      },
      operationMetrics: { ...outputMetrics(written), numRemovedFiles: String(removes.length) },
      readWholeTable: true,
      ...options,
    });
  }

  /**
   * Removes live data files (by their decoded, table-relative paths) from the table. Throws
   * `InvalidArgument` for a path that is not live; the files stay on disk until vacuumed.
   *
   * @example
   * ```ts
   * import { LocalStore, TableWriter } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const writer = await TableWriter.open(store);
   * await writer.removeFiles(["day=2024-01-01/part-00000-….snappy.parquet"]);
   * ```
   */
  async removeFiles(paths: Iterable<string>, options: CommitOptions = {}): Promise<CommitResult> {
    const live = new Map<string, AddFile>();
    for (const add of this.#replay.files.values()) live.set(decodePath(add.path), add);
    const now = Date.now();
    const removes = [...paths].map((path) => {
      const add = live.get(path);
      if (add === undefined) {
        throw new DeltaError(
          "InvalidArgument",
          `${path} is not a live file of ${this.#store.locate("")}`,
          { path },
        );
      }
      return { remove: removeOf(add, now) };
    });
    return await this.commit(removes, {
      operation: "DELETE",
      operationParameters: { files: removes.length },
      operationMetrics: { numRemovedFiles: String(removes.length) },
      ...options,
    });
  }

  #writeFiles(columns: Columns): Promise<WrittenFiles> {
    const metadata = this.#replay.metadata!;
    return writeDataFiles(this.#store, metadata, columns, {
      numIndexedCols: writeProperties(metadata.configuration).numIndexedCols,
    });
  }
}

/** Spark's operationMetrics of written files. */
function outputMetrics(written: WrittenFiles): Record<string, string> {
  return {
    numFiles: String(written.adds.length),
    numOutputRows: String(written.numRows),
    numOutputBytes: String(written.adds.reduce((n, a) => n + a.size, 0)),
  };
}

/**
 * The `remove` action that retires a live file (same path and deletion vector, with its
 * partition values and size).
 *
 * @example
 * ```ts
 * import { LocalStore, Table } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * const [add] = snapshot.files();
 * const action = { remove: removeOf(add, Date.now(), false) }; // dataChange=false: a rearrangement
 * ```
 */
export function removeOf(add: AddFile, now: number, dataChange = true): RemoveFile {
  const remove: RemoveFile = {
    path: add.path,
    deletionTimestamp: now,
    dataChange,
    extendedFileMetadata: true,
    partitionValues: add.partitionValues,
    size: add.size,
  };
  if (add.tags) remove.tags = add.tags;
  if (add.deletionVector) remove.deletionVector = add.deletionVector;
  if (add.baseRowId !== undefined && add.baseRowId !== null) remove.baseRowId = add.baseRowId;
  if (add.defaultRowCommitVersion !== undefined && add.defaultRowCommitVersion !== null) {
    remove.defaultRowCommitVersion = add.defaultRowCommitVersion;
  }
  return remove;
}
