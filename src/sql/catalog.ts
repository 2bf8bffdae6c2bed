/** The two tables every query may read: `oplog`, the operation log's rows as stored, and `nodes`, the tree as of the read. */
import { dataFilePath } from "../delta/mod.ts";
import type { Pond } from "../pond/mod.ts";
import type { ReadView } from "../tinyfs/mod.ts";
import { type Column, quoteText, type SqlEngine } from "./engine.ts";
import { SqlError } from "./errors.ts";

/** The tables pond always offers a query, beside its named sources. */
export const CATALOG_TABLES = ["oplog", "nodes"] as const;

/**
 * The oplog's live Delta data files, as host paths: DuckDB reads them in place, and only the
 * columns a query selects (a row's `content` is read only when asked for). They hold every
 * row ever committed; {@link defineOplog} keeps those of the state read.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const files = oplogFiles(pond); // ["/data/pond/oplog/part_id=…/part-00000-….parquet", …]
 * ```
 */
export function oplogFiles(pond: Pond): string[] {
  const store = pond.store.table;
  return pond.store.liveFiles().map((f) => {
    if (f.deletionVector) {
      throw new SqlError(
        "NotQueryable",
        `the oplog file ${f.path} has a deletion vector, which SQL over the oplog does not read; run pond maintain --compact --apply`,
      );
    }
    const local = store.localPath?.(dataFilePath(store, f.path));
    if (local === undefined) {
      throw new SqlError(
        "NotQueryable",
        `the oplog file ${f.path} is not a file on this computer (${store.locate(f.path)}), ` +
          "and DuckDB reads the oplog in place; query a local pond",
      );
    }
    return local;
  });
}

/**
 * Defines `oplog` over its data files as of transaction `seq` (the rows it and those before it
 * wrote): every column as stored, the partition column `part_id` (from the files' Hive-style
 * directories) first. Row-group statistics on `seq` let DuckDB skip what came later. Every
 * file has the oplog's one schema, so DuckDB binds the view from the first file's footer.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 * import { SqlEngine } from "./mod.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const files = oplogFiles(pond);
 * const engine = await SqlEngine.open(files);
 * await defineOplog(engine, files, await pond.head());
 * ```
 */
export async function defineOplog(
  engine: SqlEngine,
  files: readonly string[],
  seq: number,
): Promise<void> {
  const list = `[${files.map(quoteText).join(", ")}]`;
  await engine.define(
    "oplog",
    `SELECT part_id, * EXCLUDE (part_id) FROM read_parquet(${list}, ` +
      `hive_partitioning = true, hive_types = {'part_id': VARCHAR}) ` +
      `WHERE seq <= ${seq}`,
  );
}

const NODE_COLUMNS: Column[] = [
  { name: "path", type: "VARCHAR" },
  { name: "name", type: "VARCHAR" },
  { name: "node_id", type: "VARCHAR" },
  { name: "entry_type", type: "VARCHAR" },
  { name: "version", type: "BIGINT" },
  { name: "seq", type: "BIGINT" },
  { name: "size", type: "BIGINT" },
  { name: "modified", type: "TIMESTAMPTZ" },
  { name: "min_event_time", type: "TIMESTAMPTZ" },
  { name: "max_event_time", type: "TIMESTAMPTZ" },
];

/**
 * Loads `nodes`: one row per node reachable from the root of `root`'s state, the root
 * included (hidden names and the insides of dynamic directories left out), with its newest
 * version. A dynamic file is computed on read, so its size and version are null here.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 * import { SqlEngine } from "./mod.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const engine = await SqlEngine.open([]);
 * await loadNodes(engine, await pond.root({ seq: 12 }));
 * ```
 */
export async function loadNodes(engine: SqlEngine, root: ReadView): Promise<void> {
  const rows: (string | number | null)[][] = [];
  const meta = await root.metadata("/");
  rows.push([
    "/",
    "",
    meta.nodeId ?? null,
    meta.entryType,
    meta.version,
    meta.seq,
    meta.size,
    meta.modified.getTime(),
    null,
    null,
  ]);
  const walk = async (dir: string): Promise<void> => {
    for (const node of await root.list(dir)) {
      if (node.name.startsWith(".")) continue;
      if (node.entryType === "file:dynamic") {
        rows.push([node.path, node.name, null, node.entryType, null, null, null, null, null, null]);
        continue;
      }
      const m = await node.metadata({ follow: false });
      rows.push([
        node.path,
        node.name,
        m.nodeId ?? null,
        m.entryType,
        m.version,
        m.seq,
        m.size,
        m.modified.getTime(),
        m.eventTimes?.min ?? null,
        m.eventTimes?.max ?? null,
      ]);
      if (m.entryType === "directory") await walk(node.path);
    }
  };
  await walk("/");
  await engine.load("nodes", NODE_COLUMNS, rows);
}
