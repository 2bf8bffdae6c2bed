/** One SQL query over a pond: its named sources, `oplog` and `nodes`, all as of one transaction, in one locked-down DuckDB. */
import type { Pond, PondAt } from "../pond/mod.ts";
import { CATALOG_TABLES, defineOplog, loadNodes, oplogFiles } from "./catalog.ts";
import { type CopyFormat, type ResultStream, SqlEngine } from "./engine.ts";
import { SqlError } from "./errors.ts";
import { timeBounds } from "./pushdown.ts";
import { type Pruned, Source, type SourceMatch, type SourceOptions } from "./sources.ts";
import { Staging } from "./staging.ts";

/** A table a query names: `name` for the SQL, `glob` for the pond's files behind it. */
export interface NamedSource {
  readonly name: string;
  readonly glob: string;
}

/** What a query reads. */
export interface QueryOptions {
  /** The named sources (`-t NAME=GLOB`). */
  readonly sources?: readonly NamedSource[];
  /** The state to read (default: the newest): sources, `oplog` and `nodes` alike. */
  readonly at?: PondAt;
  /** What of each source to read (a table's version, a series' time range, a data format). */
  readonly read?: SourceOptions;
  /** Host files pond will `copy` the result to (they are the only files DuckDB may write). */
  readonly outputs?: readonly string[];
  /**
   * Reserve a private scratch file ending `.EXT` for the result (see {@link PondQuery.scratch}),
   * e.g. a Parquet copy to store in the pond or to stream to stdout.
   */
  readonly scratch?: string;
  /**
   * A host directory the result may be exported into ({@link PondQuery.exportTo}); a query
   * opened with one runs no SQL text of its own, only what pond writes for the export.
   */
  readonly directory?: string;
  /** Count, for the report, the row groups time bounds skip (reads the footers of the versions read). */
  readonly countRowGroups?: boolean;
}

/** What a query skipped, for `--verbose`. */
export interface QueryReport {
  /** The transaction read. */
  readonly seq: number;
  /** Per source: the series versions left out by their event times. */
  readonly pruned: ReadonlyMap<string, Pruned>;
  /** Per source: its time column (a series' first timestamp column), if it has one. */
  readonly timeColumns: ReadonlyMap<string, string | undefined>;
  /** Per source: its matches, each with the versions it holds. */
  readonly matches: ReadonlyMap<string, readonly SourceMatch[]>;
}

/**
 * A query ready to run: the sources resolved as of one transaction, DuckDB opened on exactly
 * their files (and the oplog's, and `outputs`), locked, and the tables defined. `oplog` and
 * `nodes` are built only when the SQL names them. {@link close} ends it and removes the
 * private copies of small bodies.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const query = await PondQuery.open(pond, "SELECT count(*) FROM r", {
 *   sources: [{ name: "r", glob: "/sites/*\/readings.series" }],
 * });
 * try {
 *   for await (const chunk of (await query.stream()).chunks()) console.log(chunk.rowCount);
 * } finally {
 *   await query.close();
 * }
 * ```
 */
export class PondQuery {
  private constructor(
    readonly sql: string,
    readonly engine: SqlEngine,
    readonly report: QueryReport,
    readonly staging: Staging,
    /** The private scratch file reserved with `scratch`, which {@link copy} may write. */
    readonly scratch: string | undefined,
  ) {}

  /** Resolves and defines everything `sql` reads; errors leave nothing behind. */
  static async open(pond: Pond, sql: string, options: QueryOptions = {}): Promise<PondQuery> {
    const seq = await pond.seqOf(options.at);
    const root = await pond.root({ seq });
    const named = options.sources ?? [];
    for (const { name } of named) {
      if ((CATALOG_TABLES as readonly string[]).includes(name.toLowerCase())) {
        throw new SqlError(
          "NotAQuery",
          `the table name '${name}' is taken: oplog and nodes are always there; pick another`,
        );
      }
    }
    const staging = await Staging.create();
    const scratch = options.scratch === undefined ? undefined : staging.path(options.scratch);
    let engine: SqlEngine | undefined;
    try {
      const sources: Source[] = [];
      for (const { name, glob } of named) {
        sources.push(await Source.resolve(root, name, glob, staging, options.read));
      }
      const wants = (table: string) => new RegExp(`\\b${table}\\b`, "i").test(sql);
      const oplog = wants("oplog") ? oplogFiles(pond) : [];
      engine = await SqlEngine.open([...sources.flatMap((s) => s.files()), ...oplog], {
        outputs: [...(options.outputs ?? []), ...(scratch ? [scratch] : [])],
        directory: options.directory,
        tables: [...named.map((s) => s.name), ...CATALOG_TABLES],
      });
      const { pruned, timeColumns } = await defineSources(
        engine,
        sources,
        sql,
        options.countRowGroups,
      );
      if (wants("oplog")) await defineOplog(engine, oplog, seq);
      if (wants("nodes")) await loadNodes(engine, root);
      const matches = new Map(sources.map((s) => [s.name, s.matches]));
      return new PondQuery(sql, engine, { seq, pruned, timeColumns, matches }, staging, scratch);
    } catch (e) {
      engine?.close();
      await staging.remove();
      throw e;
    }
  }

  /** Runs the query and streams its result. */
  stream(): Promise<ResultStream> {
    return this.engine.query(this.sql);
  }

  /** Runs the query into `path` (one of the `outputs` it was opened with); returns the row count. */
  copy(path: string, format: CopyFormat): Promise<number> {
    return this.engine.copy(this.sql, path, format);
  }

  /**
   * Exports pond's own `select` over the sources (never user text) into the `directory` the
   * query was opened with, as Parquet partitioned by `partitionBy`; returns the row count.
   */
  exportTo(select: string, partitionBy: readonly string[]): Promise<number> {
    return this.engine.exportTo(select, partitionBy);
  }

  /** Closes DuckDB and removes the private copies. */
  async close(): Promise<void> {
    this.engine.close();
    await this.staging.remove();
  }
}

/**
 * Defines each of `sources` in `engine`, its series versions pruned by the time bounds `sql`
 * puts on its time column; returns what was pruned and each source's time column.
 *
 * @example
 * ```ts
 * import type { SqlEngine } from "./engine.ts";
 * import type { Source } from "./sources.ts";
 *
 * async function example(engine: SqlEngine, sources: Source[]) {
 *   const { pruned } = await defineSources(engine, sources, "SELECT * FROM r");
 * }
 * ```
 */
export async function defineSources(
  engine: SqlEngine,
  sources: readonly Source[],
  sql: string,
  countRowGroups?: boolean,
): Promise<Pick<QueryReport, "pruned" | "timeColumns">> {
  const pruned = new Map<string, Pruned>();
  const timeColumns = new Map<string, string | undefined>();
  for (const source of sources) {
    const time = await source.timeColumn(engine);
    const bounds = time === undefined ? {} : await timeBounds(engine, sql, source.name, time);
    pruned.set(source.name, await source.define(engine, time, bounds, countRowGroups));
    timeColumns.set(source.name, time);
  }
  return { pruned, timeColumns };
}

