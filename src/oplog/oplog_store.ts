/** The persistence of a pond: tinyfs node versions as rows of a Delta table, one commit per transaction. */
import {
  type Action,
  type AddFile,
  type Columns,
  createTable,
  type DeltaError,
  isDeltaError,
  type Metadata,
  openPastDamage,
  parseSchema,
  rewriteFiles,
  serializeSchema,
  type Store,
  TableWriter,
  writeDataFiles,
} from "../delta/mod.ts";
import {
  type CommitBatch,
  type DirEntry,
  type EntryType,
  kindOf,
  type NewVersion,
  type NodeKey,
  type NodeVersion,
  type Persistence,
  type StagedBody,
  TinyFsError,
} from "../tinyfs/mod.ts";
import { type BlobRef, BlobStore } from "./blob_store.ts";
import { filesToMerge } from "./compaction.ts";
import { DirectoryChains } from "./directory_chains.ts";
import { compareNames } from "./directory_codec.ts";
import { OplogError } from "./errors.ts";
import { bytesAsBuffer } from "./bytes_buffer.ts";
import { parquetFooter } from "./parquet_body.ts";
import { seriesEventTimes } from "./series_times.ts";
import { type RowHeader, RowReader } from "./row_reader.ts";
import { INLINE_LIMIT, OPLOG_SCHEMA, type OplogRow, PARTITION_COLUMN } from "./schema.ts";

/** What this store keeps behind a staged body: small bodies in memory, large ones as blobs. */
type StagedRef = { inline: Uint8Array } | { blob: BlobRef };

/**
 * Rows per Parquet row group. Rows are written sorted by node, so a group's `node_id`
 * statistics let a lookup of one node skip every other group of the file.
 */
const ROW_GROUP_ROWS = 1024;

/** What a commit records about the pond transaction in Delta's `commitInfo.pond`. */
export interface PondCommitInfo {
  seq: number;
  command: readonly string[];
  [key: string]: unknown;
}

/** Counters of what the store did, for `--verbose`. */
export interface StoreCounters {
  filesRead: number;
  rowsRead: number;
  rowsWritten: number;
  bytesWritten: number;
  blobsWritten: number;
  deltaFilesWritten: string[];
}

/**
 * A tinyfs {@link Persistence} on a Delta table (the oplog) plus a blob store for large
 * bodies. Pond transaction `seq` is the Delta version: transaction 0 creates the table with
 * the root directory; each later transaction is one commit that adds one Parquet file per
 * partition it touched. A commit is put-if-absent at exactly `seq`: losing the race to
 * another writer is a `Conflict`, after which {@link refresh} and a retry on the new state
 * are the caller's move.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 * import { FS } from "../tinyfs/mod.ts";
 * import { BlobStore } from "./blob_store.ts";
 *
 * const blobs = new BlobStore(new LocalStore("/data/pond/blobs"));
 * const store = await OplogStore.open(new LocalStore("/data/pond/oplog"), blobs);
 * const fs = await FS.open(store);
 * ```
 */
export class OplogStore implements Persistence {
  readonly #table: Store;
  readonly #blobs: BlobStore;
  readonly #reader: RowReader;
  #writer: TableWriter | undefined;
  #partitions: { version: number; files: Map<string, AddFile[]> } | undefined;
  readonly #directories = new DirectoryChains({
    header: (key, version) => this.#directoryHeader(key, version),
    entries: async (header) => (await this.#body(header)).entries,
  });
  readonly counters: StoreCounters = {
    filesRead: 0,
    rowsRead: 0,
    rowsWritten: 0,
    bytesWritten: 0,
    blobsWritten: 0,
    deltaFilesWritten: [],
  };

  /** The first commit that does not read, when the store opened before it (see {@link open}). */
  readonly damage: DeltaError | undefined;
  /** What opening read past (a checkpoint that does not read), one line each, for `--verbose`. */
  readonly notes: readonly string[];

  private constructor(
    table: Store,
    blobs: BlobStore,
    writer: TableWriter | undefined,
    opened: { damage?: DeltaError; notes?: string[] } = {},
  ) {
    this.#table = table;
    this.#blobs = blobs;
    this.#reader = new RowReader(table);
    this.#writer = writer;
    this.damage = opened.damage;
    this.notes = opened.notes ?? [];
  }

  /** A store for a new pond in `table`: the table does not exist until transaction 0 commits. */
  static empty(table: Store, blobs: BlobStore): OplogStore {
    return new OplogStore(table, blobs, undefined);
  }

  /**
   * The store of an existing pond whose oplog table is in `table`, at its latest version. When a commit does not read
   * (empty, torn or garbled) or is missing, the store opens at the version before the first such commit and
   * names it in {@link damage}, so the transactions before it stay readable; reading past it
   * and committing are the caller's to refuse. A checkpoint that does not read is replayed
   * past (said in {@link notes}).
   */
  static async open(table: Store, blobs: BlobStore): Promise<OplogStore> {
    const notes: string[] = [];
    const options = { tombstones: false, onFallback: (note: string) => notes.push(note) };
    const { value: writer, damage } = await openPastDamage((version) =>
      TableWriter.open(table, { ...options, version })
    );
    return new OplogStore(table, blobs, writer, { damage, notes });
  }

  /** The Delta table the rows live in. */
  get table(): Store {
    return this.#table;
  }

  /** The blob store the large bodies live in. */
  get blobs(): BlobStore {
    return this.#blobs;
  }

  /** Reads commits made since this store last looked (by other processes) and returns the new head. */
  async refresh(): Promise<number> {
    if (!this.#writer) return -1;
    await this.#writer.update();
    return this.#writer.version;
  }

  head(): Promise<number> {
    return Promise.resolve(this.#writer?.version ?? -1);
  }

  async readVersions(key: NodeKey, seq: number): Promise<readonly NodeVersion[]> {
    return (await this.#headersOf(key))
      .filter((h) => h.seq <= seq)
      .map(toNodeVersion);
  }

  async readDirectory(key: NodeKey, version: number): Promise<readonly DirEntry[]> {
    const listing = await this.#directories.listing(key, version);
    return [...listing.values()].sort((a, b) => compareNames(a.name, b.name));
  }

  lookup(key: NodeKey, version: number, name: string): Promise<DirEntry | null> {
    return this.#directories.lookup(key, version, name);
  }

  async readFile(key: NodeKey, version: number): Promise<Uint8Array> {
    return new Uint8Array(await new Response(await this.streamFile(key, version)).arrayBuffer());
  }

  async streamFile(key: NodeKey, version: number): Promise<ReadableStream<Uint8Array>> {
    const header = await this.#header(key, version);
    if (kindOf(header.entryType as EntryType) !== "file") {
      throw new TinyFsError(
        "NotFound",
        `node ${key.nodeId}`,
        `version ${version} of node ${key.nodeId} is not a file`,
      );
    }
    const body = await this.#body(header);
    if (body.blob_chunks) {
      return this.#blobs.stream({
        hash: header.hash!,
        size: header.size,
        chunks: body.blob_chunks,
        crcs: body.blob_crcs,
      });
    }
    const content = body.content ?? new Uint8Array();
    if (header.hash !== null && await sha256(content) !== header.hash) {
      throw new OplogError(
        "CorruptRow",
        `version ${version} of node ${key.nodeId} does not match its hash (in ${header.file}); run \`pond check\``,
      );
    }
    return streamOfBytes(content);
  }

  /**
   * Takes a body before commit, reading it once: a body that ends below the inline limit is
   * kept in memory (it will go inline in its row); a larger one streams into the blob store.
   * A transaction that is abandoned leaves such a blob unreferenced, for maintenance to remove.
   */
  /**
   * The table's live data files as of the newest transaction this store read. Rows are never
   * rewritten away (compaction merges files, keeping every row and its `seq`), so these hold
   * every row ever committed: an older state is the rows whose `seq` is at most its own.
   */
  liveFiles(): AddFile[] {
    return [...(this.#writer?.state.files.values() ?? [])];
  }

  /**
   * The local file of a body kept in the blob store (at or above `INLINE_LIMIT` bytes), when
   * the blob store keeps its bodies as local files (see `Store.localPath`).
   */
  async fileOnDisk(key: NodeKey, version: number): Promise<string | undefined> {
    const header = await this.#header(key, version);
    if (kindOf(header.entryType as EntryType) !== "file" || header.hash === null) return undefined;
    return header.size >= INLINE_LIMIT ? this.#blobs.localPath(header.hash) : undefined;
  }

  async stageFile(body: ReadableStream<Uint8Array>): Promise<StagedBody> {
    const reader = body.getReader();
    const head: Uint8Array[] = [];
    let size = 0;
    while (size < INLINE_LIMIT) {
      const { value, done } = await reader.read();
      if (done) {
        const bytes = concatBytes(head, size);
        return { size, hash: await sha256(bytes), ref: { inline: bytes } satisfies StagedRef };
      }
      head.push(value);
      size += value.length;
    }
    const rest = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of head) controller.enqueue(chunk);
      },
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (why) => reader.cancel(why),
    });
    const blob = await this.#blobs.put(rest);
    this.counters.blobsWritten++;
    return { size: blob.size, hash: blob.hash, ref: { blob } satisfies StagedRef };
  }

  streamStaged(staged: StagedBody): Promise<ReadableStream<Uint8Array>> {
    const ref = staged.ref as StagedRef;
    return Promise.resolve(
      "inline" in ref ? streamOfBytes(ref.inline) : this.#blobs.stream(ref.blob),
    );
  }

  async commit(batch: CommitBatch): Promise<void> {
    const head = this.#writer?.version ?? -1;
    if (batch.seq !== head + 1) {
      throw conflict(batch.seq, head);
    }
    const rows: OplogRow[] = [];
    for (const v of batch.versions) rows.push(await this.#row(v));
    const info = { pond: { seq: batch.seq, ...batch.meta } satisfies PondCommitInfo };
    const data = toColumns(rows);
    try {
      if (!this.#writer) {
        this.#writer = await createTable(this.#table, {
          schema: OPLOG_SCHEMA,
          partitionColumns: [PARTITION_COLUMN],
          configuration: { "delta.checkpointInterval": "100" },
          name: "pond oplog",
          info,
          data,
        });
        this.#noteWritten(this.#writer.state.files.values(), rows);
      } else {
        const evolved = withOplogColumns(this.#writer.state.metadata);
        const metadata = evolved ?? this.#writer.state.metadata;
        const { adds } = await writeDataFiles(this.#table, metadata, data, {
          rowGroupSize: ROW_GROUP_ROWS,
        });
        const merges: Action[] = [];
        for (const part of new Set(rows.map((r) => r.part_id))) {
          const merge = filesToMerge(this.#partitionFiles().get(part) ?? []);
          if (merge.length) {
            merges.push(
              ...await rewriteFiles(this.#table, metadata, merge, {
                rowGroupSize: ROW_GROUP_ROWS,
                order: byNodeThenVersion,
              }),
            );
          }
        }
        const schema: Action[] = evolved ? [{ metaData: evolved }] : [];
        await this.#writer.commit([...schema, ...adds.map((add) => ({ add })), ...merges], {
          operation: "WRITE",
          operationParameters: { mode: "Append" },
          isBlindAppend: false,
          maxRetries: 0,
          info,
        });
        this.#noteWritten(adds, rows);
      }
    } catch (e) {
      if (isDeltaError(e, "Conflict") || isDeltaError(e, "AlreadyExists")) {
        throw conflict(batch.seq, head, e);
      }
      throw e;
    }
  }

  #noteWritten(adds: Iterable<AddFile>, rows: OplogRow[]): void {
    for (const add of adds) {
      this.counters.deltaFilesWritten.push(add.path);
      this.counters.bytesWritten += add.size;
    }
    this.counters.rowsWritten += rows.length;
  }

  /** Builds the row of one new version: file bodies inline or in the blob store, directories as deltas. */
  async #row(v: NewVersion): Promise<OplogRow> {
    const newest = (await this.#headersOf(v)).at(-1)?.version ?? 0;
    if (v.version !== newest + 1) {
      throw new TinyFsError(
        "Conflict",
        `node ${v.nodeId}`,
        `transaction ${v.seq} writes version ${v.version} of node ${v.nodeId}, ` +
          `whose newest version is ${newest}; retry on the new state`,
      );
    }
    const row: OplogRow = {
      part_id: v.partId,
      node_id: v.nodeId,
      version: v.version,
      seq: v.seq,
      timestamp: v.timestamp,
      entry_type: v.entryType,
      size: v.size,
      content: null,
      hash: null,
      blob_chunks: null,
      entries: null,
      dir_base: null,
      dir_anchor: null,
      target: v.target ?? null,
      factory: v.dynamic?.factory ?? null,
      config: v.dynamic?.config ?? null,
      min_event_time: null,
      max_event_time: null,
      attributes: null,
      blob_crcs: null,
    };
    const staged = v.staged?.ref as StagedRef | undefined;
    if (staged && "blob" in staged) {
      row.hash = staged.blob.hash;
      row.blob_chunks = staged.blob.chunks;
      row.blob_crcs = staged.blob.crcs ?? null;
    }
    const content = staged && "inline" in staged ? staged.inline : v.content;
    if (content) {
      if (content.length >= INLINE_LIMIT) {
        const ref = await this.#blobs.put(content);
        row.hash = ref.hash;
        row.blob_chunks = ref.chunks;
        row.blob_crcs = ref.crcs ?? null;
        this.counters.blobsWritten++;
      } else {
        row.content = content;
        row.hash = v.staged?.hash ?? await sha256(content);
      }
    }
    if (v.changes) {
      const body = await this.#directories.versionBody(v, v.changes);
      row.entries = body.entries;
      row.dir_base = body.base;
      row.dir_anchor = body.anchor;
    }
    if (v.entryType === "file:series" || v.entryType === "file:table") {
      const body = row.blob_chunks
        ? this.#blobs.byteRanges({ hash: row.hash!, size: v.size, chunks: row.blob_chunks })
        : bytesAsBuffer(row.content ?? new Uint8Array());
      const kind = v.entryType === "file:series" ? "series" : "table";
      const what = `version ${v.version} of ${kind} ${v.nodeId}`;
      if (kind === "table") await parquetFooter(body, what, kind);
      else {
        const times = await seriesEventTimes(body, what);
        row.min_event_time = times?.min ?? null;
        row.max_event_time = times?.max ?? null;
      }
    }
    return row;
  }

  async #directoryHeader(key: NodeKey, version: number): Promise<RowHeader> {
    const header = await this.#header(key, version);
    if (header.entryType !== "directory") {
      throw new TinyFsError(
        "NotFound",
        `node ${key.nodeId}`,
        `version ${version} of node ${key.nodeId} is not a directory`,
      );
    }
    return header;
  }

  async #header(key: NodeKey, version: number): Promise<RowHeader> {
    const found = (await this.#headersOf(key)).find((h) => h.version === version);
    if (!found) {
      throw new TinyFsError(
        "NotFound",
        `node ${key.nodeId}`,
        `node ${key.nodeId} has no version ${version} in partition ${key.partId}`,
      );
    }
    return found;
  }

  async #body(header: RowHeader) {
    this.counters.rowsRead++;
    return await this.#reader.body(header);
  }

  /** Every stored version header of one node, oldest first. */
  async #headersOf(key: NodeKey): Promise<readonly RowHeader[]> {
    const out: RowHeader[] = [];
    for (const file of this.#partitionFiles().get(key.partId) ?? []) {
      const headers = await this.#reader.nodeHeaders(file.path, key.partId, file.size, key.nodeId);
      for (const header of headers) out.push(header);
    }
    return out.sort((a, b) => a.version - b.version);
  }

  /** The live data files of each partition, indexed once per table version. */
  #partitionFiles(): Map<string, AddFile[]> {
    const version = this.#writer?.version ?? -1;
    if (this.#partitions?.version === version) return this.#partitions.files;
    const byPart = new Map<string, AddFile[]>();
    for (const add of this.#writer?.state.files.values() ?? []) {
      const part = add.partitionValues[PARTITION_COLUMN];
      if (part === null || part === undefined) continue;
      const list = byPart.get(part);
      if (list) list.push(add);
      else byPart.set(part, [add]);
    }
    this.#partitions = { version, files: byPart };
    return byPart;
  }
}

function toNodeVersion(h: RowHeader): NodeVersion {
  return {
    partId: h.partId,
    nodeId: h.nodeId,
    entryType: h.entryType as EntryType,
    version: h.version,
    seq: h.seq,
    timestamp: h.timestamp,
    size: h.size,
    ...(h.target !== null && { target: h.target }),
    ...(h.minEventTime !== null && h.maxEventTime !== null && {
      eventTimes: { min: h.minEventTime, max: h.maxEventTime },
    }),
    ...(h.factory !== null &&
      { dynamic: { factory: h.factory, config: h.config ?? new Uint8Array() } }),
  };
}

function byNodeThenVersion(
  a: { node_id?: unknown; version?: unknown },
  b: { node_id?: unknown; version?: unknown },
): number {
  const [x, y] = [String(a.node_id), String(b.node_id)];
  return x < y ? -1 : x > y ? 1 : Number(a.version) - Number(b.version);
}

/**
 * The table's metadata with the columns of {@link OPLOG_SCHEMA} it lacks added (nullable, so
 * the rows of older files read as null), or undefined when it has them all: a pond written
 * before a column was added gains it with its first commit by this version.
 */
function withOplogColumns(metadata: Metadata): Metadata | undefined {
  const schema = parseSchema(metadata.schemaString);
  const have = new Set(schema.fields.map((f) => f.name));
  const added = OPLOG_SCHEMA.fields.filter((f) => !have.has(f.name));
  if (added.length === 0) return undefined;
  const fields = [...schema.fields, ...added];
  return { ...metadata, schemaString: serializeSchema({ type: "struct", fields }) };
}

function toColumns(unsorted: OplogRow[]): Columns {
  const rows = [...unsorted].sort(byNodeThenVersion);
  const columns: Record<string, unknown[]> = {};
  for (const f of OPLOG_SCHEMA.fields) {
    columns[f.name] = rows.map((r) => {
      const value = r[f.name as keyof OplogRow];
      if (value === null) return null;
      if (f.type === "timestamp") return new Date(value as number);
      if (f.type === "long") return BigInt(value as number);
      return value;
    });
  }
  return columns;
}

function conflict(seq: number, head: number, cause?: unknown): TinyFsError {
  return new TinyFsError(
    "Conflict",
    "/",
    `transaction ${seq} lost the race: another writer committed to the pond (it was at ${head}); ` +
      "retry on the new state",
    { cause },
  );
}

/** The SHA-256 of `bytes`, in hex (node:crypto loads on first use: listing a pond hashes nothing). */
async function sha256(bytes: Uint8Array): Promise<string> {
  const { createHash } = await import("node:crypto");
  return createHash("sha256").update(bytes).digest("hex");
}

function concatBytes(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function streamOfBytes(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (bytes.length > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}
