/** Reads oplog rows straight from the pond's own Parquet files: headers of a file, or one row's body. */
import { parquetMetadataAsync, parquetRead, parquetReadObjects } from "hyparquet";
import type { Compressors, FileMetaData } from "hyparquet";
import { asyncBufferFrom, decompressorsFor, type Store } from "../delta/mod.ts";
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

/** The body columns of one row (null where the row's file has no such column). */
export interface RowBody {
  content: Uint8Array | null;
  blob_chunks: Uint8Array | null;
  blob_crcs: Uint8Array | null;
  entries: Uint8Array | null;
}

/** The columns {@link RowBody} holds. */
const BODY_COLUMNS = ["content", "blob_chunks", "blob_crcs", "entries"] as const;

/** An opened data file: its byte source, footer, and each row group's node_id bounds, read once. */
interface OpenFile {
  file: Awaited<ReturnType<typeof asyncBufferFrom>>;
  metadata: FileMetaData;
  /** The decompressors it needs beyond hyparquet's own. */
  compressors: Compressors | undefined;
  bounds: GroupBounds[];
  /** Whether every group has bounds and they are in order (rows sorted by node), for binary search. */
  sorted: boolean;
  /** The body columns the file has (a file written before a column was added lacks it). */
  bodyColumns: string[];
}

/** A row group's `node_id` min and max statistics, when the writer recorded them. */
interface GroupBounds {
  min: string | undefined;
  max: string | undefined;
}

/** The headers of one row group, by node (each node's rows in version order). */
type GroupIndex = Map<string, RowHeader[]>;

/**
 * Reads the pond's data files. Files are immutable once written, so their footers and the
 * headers of each row group are cached for the life of the reader. Looking up one node reads
 * only the row groups whose `node_id` statistics can hold it (the store writes rows sorted by
 * node, in small row groups), so finding a node costs about the same in a partition of a
 * hundred rows as in one of a hundred thousand.
 *
 * @example
 * ```ts
 * import { LocalStore, Table } from "../delta/mod.ts";
 * import { ROOT_ID } from "../tinyfs/mod.ts";
 *
 * const store = new LocalStore("/data/pond/oplog");
 * const snapshot = await new Table(store).snapshot();
 * const [file] = snapshot.files();
 * const partId = ROOT_ID;
 * const nodeId = ROOT_ID;
 * const reader = new RowReader(store);
 * const versions = await reader.nodeHeaders(file.path, partId, file.size, nodeId);
 * const body = await reader.body(versions[0]);
 * ```
 */
export class RowReader {
  readonly #store: Store;
  readonly #files = new Map<string, Promise<OpenFile>>();
  readonly #groups = new Map<string, Promise<GroupIndex>>();

  constructor(store: Store) {
    this.#store = store;
  }

  /** The headers of every row in `path` (a file of partition `partId`, `size` bytes), in row order. */
  async headers(path: string, partId: string, size: number): Promise<RowHeader[]> {
    const { metadata } = await this.#open(path, size);
    const out: RowHeader[] = [];
    for (let g = 0; g < metadata.row_groups.length; g++) {
      for (const rows of (await this.#group(path, partId, g)).values()) {
        for (const row of rows) out.push(row);
      }
    }
    return out.sort((a, b) => a.row - b.row);
  }

  /** The headers of node `nodeId`'s rows in `path`, in version order. */
  async nodeHeaders(
    path: string,
    partId: string,
    size: number,
    nodeId: string,
  ): Promise<RowHeader[]> {
    const { bounds, sorted } = await this.#open(path, size);
    const out: RowHeader[] = [];
    for (let g = sorted ? firstGroupFrom(bounds, nodeId) : 0; g < bounds.length; g++) {
      if (sorted && bounds[g].min! > nodeId) break;
      if (!mayHold(bounds[g], nodeId)) continue;
      for (const row of (await this.#group(path, partId, g)).get(nodeId) ?? []) out.push(row);
    }
    return out;
  }

  /** The body columns of the row a header describes. */
  async body(header: RowHeader): Promise<RowBody> {
    const { file, metadata, compressors, bodyColumns } = await this.#open(header.file);
    const [row] = await this.#read(header.file, {
      file,
      metadata,
      compressors,
      columns: bodyColumns,
      rowStart: header.row,
      rowEnd: header.row + 1,
    });
    return {
      content: bytesOrNull(row.content),
      blob_chunks: bytesOrNull(row.blob_chunks),
      blob_crcs: bytesOrNull(row.blob_crcs),
      entries: bytesOrNull(row.entries),
    };
  }

  #group(path: string, partId: string, group: number): Promise<GroupIndex> {
    const key = `${path}#${group}`;
    let found = this.#groups.get(key);
    if (!found) {
      found = this.#readGroup(path, partId, group);
      this.#groups.set(key, found);
      found.catch(() => this.#groups.delete(key));
    }
    return found;
  }

  async #readGroup(path: string, partId: string, group: number): Promise<GroupIndex> {
    const { file, metadata, compressors } = await this.#open(path);
    let rowStart = 0;
    for (let g = 0; g < group; g++) rowStart += Number(metadata.row_groups[g].num_rows);
    const count = Number(metadata.row_groups[group].num_rows);
    const columns = new Map<string, unknown[]>(HEADER_COLUMNS.map((c) => [c, new Array(count)]));
    try {
      await parquetRead({
        file,
        metadata,
        columns: [...HEADER_COLUMNS],
        rowStart,
        rowEnd: rowStart + count,
        compressors,
        utf8: false,
        onChunk({ columnName, columnData, rowStart: at, rowEnd }) {
          const into = columns.get(columnName)!;
          for (let i = Math.max(at, rowStart); i < Math.min(rowEnd, rowStart + count); i++) {
            into[i - rowStart] = columnData[i - at];
          }
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
    const index: GroupIndex = new Map();
    for (let i = 0; i < count; i++) {
      const header: RowHeader = {
        file: path,
        row: rowStart + i,
        partId,
        nodeId: text(nodeId[i])!,
        version: Number(version[i]),
        seq: Number(seq[i]),
        timestamp: millis(timestamp[i])!,
        entryType: text(entryType[i])!,
        size: Number(sizes[i]),
        hash: text(hash[i]),
        dirBase: numberOrNull(dirBase[i]),
        dirAnchor: numberOrNull(dirAnchor[i]),
        target: text(target[i]),
        factory: text(factory[i]),
        config: bytesOrNull(config[i]),
        minEventTime: millis(minEvent[i]),
        maxEventTime: millis(maxEvent[i]),
      };
      const list = index.get(header.nodeId);
      if (list) list.push(header);
      else index.set(header.nodeId, [header]);
    }
    for (const list of index.values()) list.sort((a, b) => a.version - b.version);
    return index;
  }

  #open(path: string, size?: number): Promise<OpenFile> {
    let found = this.#files.get(path);
    if (!found) {
      found = (async () => {
        try {
          const file = await asyncBufferFrom(this.#store, path, size);
          const metadata = await parquetMetadataAsync(file);
          const bounds = metadata.row_groups.map(nodeIdBounds);
          const sorted = bounds.every((b, i) =>
            b.min !== undefined && b.max !== undefined && (i === 0 || bounds[i - 1].min! <= b.min)
          );
          const names = new Set(metadata.schema.slice(1).map((element) => element.name));
          return {
            file,
            metadata,
            compressors: await decompressorsFor(metadata),
            bounds,
            sorted,
            bodyColumns: BODY_COLUMNS.filter((c) => names.has(c)),
          };
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
      return await parquetReadObjects({ ...options, utf8: false });
    } catch (e) {
      throw corrupt(this.#store, path, e);
    }
  }
}

/** The `node_id` statistics of one row group. */
function nodeIdBounds(group: FileMetaData["row_groups"][number]): GroupBounds {
  const column = group.columns.find((c) =>
    c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === "node_id"
  );
  const stats = column?.meta_data?.statistics;
  const min = stats?.min_value ?? stats?.min;
  const max = stats?.max_value ?? stats?.max;
  return {
    min: typeof min === "string" ? min : undefined,
    max: typeof max === "string" ? max : undefined,
  };
}

/**
 * The first group whose max can reach `nodeId`, by binary search over groups in min order
 * (groups before it end below `nodeId`; a truncated max that is a prefix of it may not).
 */
function firstGroupFrom(bounds: GroupBounds[], nodeId: string): number {
  let lo = 0, hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const max = bounds[mid].max!;
    if (max < nodeId && !nodeId.startsWith(max)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Whether a row group can hold rows of `nodeId`, by its `node_id` bounds (which writers may
 * truncate: a truncated min is still a lower bound, and a truncated max is either rounded up
 * or a prefix of the values it bounds). A group without statistics may hold anything.
 */
function mayHold({ min, max }: GroupBounds, nodeId: string): boolean {
  if (min === undefined || max === undefined) return true;
  return min <= nodeId && (nodeId <= max || nodeId.startsWith(max));
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
