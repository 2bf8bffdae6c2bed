/** Describing a node: its type, id, every version with the transaction that wrote it, and a table's schema. */
import {
  type EntryType,
  type EventTimes,
  type Metadata,
  type NodeKey,
  type NodePath,
  type ReadView,
  ROOT_KEY,
} from "../tinyfs/mod.ts";
import {
  computedTableSchema,
  mergeSchemas,
  readTableSchema,
  type TableSchema,
} from "./parquet_schema.ts";
import { isParquetNode } from "./parquet_node.ts";
import { provenance } from "./provenance.ts";
import type { Pond, PondAt } from "./pond.ts";

/** One version of a described node. */
export interface DescribedVersion {
  readonly version: number;
  /**
   * Bytes for files (for a dynamic file, what that version computes now), entries for
   * directories, the target's length for symlinks.
   */
  readonly size: number;
  /**
   * When it was written, in ms since the epoch: the commit time of its transaction, as
   * `pond log` shows it and `--at TIME` reads it (the row's own time only for a transaction
   * whose commit is gone from the log, and for a computed node: when it was computed).
   */
  readonly time: number;
  /** The transaction that wrote it; null for a node a dynamic directory computes. */
  readonly seq: number | null;
  /** For a series version: its earliest and latest event time (ms since the epoch). */
  readonly eventTimes?: EventTimes;
}

/** What `pond describe` says about one path. */
export interface Description {
  /** The absolute path (symlinks on the way resolved; a final symlink is described itself). */
  readonly path: string;
  readonly entryType: EntryType;
  /** The node's id and partition; null for a node a dynamic directory computes. */
  readonly nodeId: string | null;
  readonly partId: string | null;
  /** Computed on read by a dynamic directory, not stored. */
  readonly computed: boolean;
  /** Every version, oldest first, as of the transaction read. */
  readonly versions: DescribedVersion[];
  /** A symlink's target. */
  readonly target?: string;
  /** A dynamic directory's or file's plugin (the factory that computes it). */
  readonly plugin?: string;
  /**
   * For a file a dynamic directory computes, when the directory says what from (see
   * `provenance`): the stored series it derives from and their newest event time.
   */
  readonly derivedFrom?: { readonly series: readonly string[]; readonly newestEvent?: number };
  /**
   * For `file:table`: the newest version's Parquet schema; for `file:series`: every version's,
   * merged by column name, with the rows of all.
   */
  readonly schema?: TableSchema;
}

/**
 * Describes the node at `path` as of `at` (default: now). A final symlink is described
 * itself (end the path with `/` to describe the directory it points to). A table has its
 * Parquet schema read from the newest version's footer, a series from every version's
 * (`NotParquet` if a body is not Parquet). `NotFound` when nothing is at `path`.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const d = await describe(pond, "/sites/north/readings.parquet");
 * d.versions.map((v) => v.seq); // [4, 9]: the transactions that wrote each version
 * d.schema?.rows;               // 336
 * ```
 */
export async function describe(pond: Pond, path: string, at?: PondAt): Promise<Description> {
  const seq = await pond.seqOf(at);
  const root = await pond.root({ seq });
  const node = await root.open(path, { follow: false });
  const metas = await node.versions({ follow: false });
  const meta = metas.at(-1)!;
  const key = meta.computed ? undefined : await keyOf(pond, root, node);
  const versions: DescribedVersion[] = key
    ? await storedVersions(pond, key, seq, metas.map((m) => m.size))
    : [{ version: 1, size: meta.size, time: meta.modified.getTime(), seq: null }];
  const isTable = meta.entryType === "file:table" || meta.entryType === "file:series";
  const schema = isTable
    ? await tableSchema(node, metas)
    : isParquetNode(node.path, meta.entryType)
    ? await computedTableSchema(node)
    : undefined;
  const derived = meta.computed && (await node.derivation()) !== undefined
    ? await provenance(root, node.path)
    : undefined;
  return {
    path: node.path,
    entryType: meta.entryType,
    nodeId: key?.nodeId ?? null,
    partId: key?.partId ?? null,
    computed: meta.computed,
    versions,
    ...(meta.target !== undefined && { target: meta.target }),
    ...(meta.factory !== undefined && { plugin: meta.factory }),
    ...(schema && { schema }),
    ...(derived && {
      derivedFrom: {
        series: derived.series,
        ...(derived.newestEvent !== undefined && { newestEvent: derived.newestEvent }),
      },
    }),
  };
}

/** A table's newest version's schema, or a series' versions' merged; footers only. */
async function tableSchema(node: NodePath, metas: readonly Metadata[]): Promise<TableSchema> {
  const versions = metas.at(-1)!.entryType === "file:series" ? metas : metas.slice(-1);
  const schemas: TableSchema[] = [];
  for (const v of versions) schemas.push(await readTableSchema(node, v.version, v.size));
  return schemas.length === 1 ? schemas[0] : mergeSchemas(schemas);
}

/**
 * The store key of a stored node: its entry in the listing of the directory holding it,
 * which names its partition (a file stays in the partition it was created in when moved).
 */
async function keyOf(pond: Pond, root: ReadView, node: NodePath): Promise<NodeKey> {
  if (node.path === "/") return ROOT_KEY;
  const parent = await root.metadata(node.path.slice(0, node.path.lastIndexOf("/")) || "/");
  const dir = { partId: parent.nodeId!, nodeId: parent.nodeId! };
  const entry = await pond.store.lookup(dir, parent.version, node.name);
  if (!entry) throw new Error(`${node.path} is missing from its directory's listing`);
  return entry;
}

/**
 * The stored versions of a node up to transaction `seq`, each timed by the commit of the
 * transaction that wrote it (the time `--at` goes by), with the sizes its metadata gives.
 */
async function storedVersions(
  pond: Pond,
  key: NodeKey,
  seq: number,
  sizes: number[],
): Promise<DescribedVersion[]> {
  const committed = await pond.commitTimes();
  return (await pond.store.readVersions(key, seq)).map((v, i) => ({
    version: v.version,
    size: sizes[i],
    time: committed.get(v.seq) ?? v.timestamp,
    seq: v.seq,
    ...(v.eventTimes && { eventTimes: v.eventTimes }),
  }));
}
