/** Reads oplog rows straight from the pond's own Parquet files: headers of a file, or one row's body. */
import { parquetMetadataAsync, parquetRead, parquetReadObjects } from "hyparquet";
import type { FileMetaData } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { asyncBufferFrom, type Store } from "../delta/mod.ts";
import { OplogError } from "./errors.ts";
import { HEADER_COLUMNS } from "./schema.ts";

/** One row's header as read from a data file, and where the row is. */
export interface RowHeader {
  readonly file: string;
  readonly row: number;
  readonly partId: string;
  readonly nodeId: string;
  readonly version: number;
  readonly seq: number;
  readonly timestamp: number;
  readonly entryType: string;
  readonly size: number;
  readonly hash: string | null;
  readonly dirBase: number | null;
  readonly dirAnchor: number | null;
  readonly target: string | null;
  readonly factory: string | null;
  readonly config: Uint8Array | null;
  readonly minEventTime: number | null;
  readonly maxEventTime: number | null;
}

/** The body columns of one row. */
export interface RowBody {
  content: Uint8Array | null;
  blob_chunks: Uint8Array | null;
  entries: Uint8Array | null;
}

/** An opened data file: its byte source and footer, read once. */
interface OpenFile {
  file: Awaited<ReturnType<typeof asyncBufferFrom>>;
  metadata: FileMetaData;
}

/**
 * Reads the pond's data files. Files are immutable once written, so their footers and
 * headers are cached by path for the life of the reader.
 *
 * @example
 * ```ts
 * const reader = new RowReader(store);
 * const headers = await reader.headers("part_id=…/part-00000-….parquet", "…", size);
 * const body = await reader.body(headers[0]);
 * ```
 */
export class RowReader {
  readonly #store: Store;
  readonly #files = new Map<string, Promise<OpenFile>>();
  readonly #headers = new Map<string, Promise<RowHeader[]>>();

  constructor(store: Store) {
    this.#store = store;
  }

  /** The headers of every row in `path` (a file of partition `partId`, `size` bytes), in row order. */
  headers(path: string, partId: string, size: number): Promise<RowHeader[]> {
    let found = this.#headers.get(path);
    if (!found) {
      found = this.#readHeaders(path, partId, size);
      this.#headers.set(path, found);
      found.catch(() => this.#headers.delete(path));
    }
    return found;
  }

  /** The body columns of the row a header describes. */
  async body(header: RowHeader): Promise<RowBody> {
    const { file, metadata } = await this.#open(header.file);
    const [row] = await this.#read(header.file, {
      file,
      metadata,
      columns: ["content", "blob_chunks", "entries"],
      rowStart: header.row,
      rowEnd: header.row + 1,
    });
    return {
      content: bytesOrNull(row.content),
      blob_chunks: bytesOrNull(row.blob_chunks),
      entries: bytesOrNull(row.entries),
    };
  }

  async #readHeaders(path: string, partId: string, size: number): Promise<RowHeader[]> {
    const { file, metadata } = await this.#open(path, size);
    const rowCount = Number(metadata.num_rows);
    const columns = new Map<string, unknown[]>(HEADER_COLUMNS.map((c) => [c, new Array(rowCount)]));
    try {
      await parquetRead({
        file,
        metadata,
        columns: [...HEADER_COLUMNS],
        compressors,
        utf8: false,
        onChunk({ columnName, columnData, rowStart, rowEnd }) {
          const into = columns.get(columnName)!;
          for (let i = rowStart; i < rowEnd; i++) into[i] = columnData[i - rowStart];
        },
      });
    } catch (e) {
      throw corrupt(this.#store, path, e);
    }
    const col = (name: typeof HEADER_COLUMNS[number]) => columns.get(name)!;
    const [nodeId, version, seq, timestamp, entryType, sizes, hash, dirBase, dirAnchor] = [
      col("node_id"),
      col("version"),
      col("seq"),
      col("timestamp"),
      col("entry_type"),
      col("size"),
      col("hash"),
      col("dir_base"),
      col("dir_anchor"),
    ];
    const [target, factory, config, minEvent, maxEvent] = [
      col("target"),
      col("factory"),
      col("config"),
      col("min_event_time"),
      col("max_event_time"),
    ];
    const headers: RowHeader[] = new Array(rowCount);
    for (let row = 0; row < rowCount; row++) {
      headers[row] = {
        file: path,
        row,
        partId,
        nodeId: text(nodeId[row])!,
        version: Number(version[row]),
        seq: Number(seq[row]),
        timestamp: millis(timestamp[row])!,
        entryType: text(entryType[row])!,
        size: Number(sizes[row]),
        hash: text(hash[row]),
        dirBase: numberOrNull(dirBase[row]),
        dirAnchor: numberOrNull(dirAnchor[row]),
        target: text(target[row]),
        factory: text(factory[row]),
        config: bytesOrNull(config[row]),
        minEventTime: millis(minEvent[row]),
        maxEventTime: millis(maxEvent[row]),
      };
    }
    return headers;
  }

  #open(path: string, size?: number): Promise<OpenFile> {
    let found = this.#files.get(path);
    if (!found) {
      found = (async () => {
        try {
          const file = await asyncBufferFrom(this.#store, path, size);
          return { file, metadata: await parquetMetadataAsync(file) };
        } catch (e) {
          throw corrupt(this.#store, path, e);
        }
      })();
      this.#files.set(path, found);
      found.catch(() => this.#files.delete(path));
    }
    return found;
  }

  async #read(
    path: string,
    options: Parameters<typeof parquetReadObjects>[0],
  ): Promise<Record<string, unknown>[]> {
    try {
      return await parquetReadObjects({ ...options, compressors, utf8: false });
    } catch (e) {
      throw corrupt(this.#store, path, e);
    }
  }
}

function corrupt(store: Store, path: string, cause: unknown): OplogError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new OplogError(
    "CorruptRow",
    `cannot read the oplog file ${store.locate(path)}: ${why}; run \`pond check\``,
    { cause },
  );
}

function bytesOrNull(v: unknown): Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") return new TextEncoder().encode(v);
  throw new TypeError(`expected bytes, got ${typeof v}`);
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? v : new TextDecoder().decode(v as Uint8Array);
}

function numberOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function millis(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === "bigint") return Number(v / 1000n);
  return Number(v);
}
