/** A query over nodes a caller already matched (a plugin's inputs, for `host.sql`): only those tables, the result as Parquet bytes. */
import { SqlEngine } from "./engine.ts";
import { SqlError } from "./errors.ts";
import { defineSources } from "./query.ts";
import { type PinnedMatch, Source } from "./sources.ts";
import { Staging } from "./staging.ts";

/**
 * One table of the query: its SQL name, the matched nodes behind it (a series' versions pinned
 * or all), Parquet bodies the caller holds, read as its rows too, and rows of it still to compute
 * (`fresh`): `query` over the table `rows` of those matches, run first in the same engine.
 */
export interface MatchedTable {
  readonly name: string;
  readonly matches: readonly PinnedMatch[];
  readonly parquet?: readonly Uint8Array[];
  readonly fresh?: { readonly query: string; readonly rows: readonly PinnedMatch[] };
}

/** What one run may cost. */
export interface MatchQueryBounds {
  /** The most each result may take as Parquet, in bytes (`QueryFailed` beyond). */
  readonly maxBytes: number;
  /** Stops the query when aborted (`QueryFailed`). */
  readonly signal?: AbortSignal;
}

/**
 * Runs each of `queries` over `tables` as `pond query` runs one over its `-t` sources — a series' versions
 * together with their schemas merged by name, a table's newest version, CSV and JSON data by
 * extension, computed files read through their plugins, several matches combined
 * `UNION ALL BY NAME` with their captures as `capture0`, `capture1`, … — in the same locked-down
 * engine, which reads those files and writes only its private result files. The queries run one
 * after another in that one engine (its start, about 10 ms, is most of what a small query costs).
 * No `oplog` or `nodes`: the caller's tables are all there is. Returns the results as Parquet, in
 * order; errors are `SqlError`s, one line each. This is what `PluginHost`'s `sql` port runs on.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 *
 * const root = await (await Pond.open("/data/pond")).root();
 * const node = await root.open("/sites/north/readings.series");
 * const [parquet] = await queryMatches(
 *   ["SELECT count(*) AS n FROM r"],
 *   [{ name: "r", matches: [{ node, captures: ["north"] }] }],
 *   { maxBytes: 1 << 20 },
 * );
 * ```
 */
export async function queryMatches(
  queries: readonly string[],
  tables: readonly MatchedTable[],
  { maxBytes, signal }: MatchQueryBounds,
): Promise<Uint8Array[]> {
  const staging = await Staging.create();
  let engine: SqlEngine | undefined;
  const stop = () => engine?.interrupt();
  signal?.addEventListener("abort", stop);
  try {
    const computing = tables.filter((t) => t.fresh);
    if (computing.length > 1 || (computing.length && tables.some((t) => t.name === "rows"))) {
      throw new Error("queryMatches computes one fresh table at most, and none beside rows");
    }
    const fresh = computing[0]?.fresh;
    const rows = fresh && await Source.of("rows", "rows", fresh.rows, staging);
    const results = [...queries, ...(fresh ? [fresh.query] : [])].map(() =>
      staging.path("parquet")
    );
    const sources: Source[] = [];
    for (const table of tables) {
      const computed = table.fresh ? [results[queries.length]] : [];
      const held = table.parquet ?? [];
      sources.push(
        held.length > 0 || table.fresh
          ? await Source.ofParquet(table.name, held, staging, computed)
          : await Source.of(table.name, table.name, table.matches, staging),
      );
    }
    const opened = await SqlEngine.open(
      [...sources, ...(rows ? [rows] : [])].flatMap((s) => s.files()),
      { outputs: results, tables: tables.map((t) => t.name) },
    );
    engine = opened;
    const answers: Uint8Array[] = [];
    const run = async (sql: string, i: number) => {
      if (signal?.aborted) throw new SqlError("QueryFailed", "the query ran out of time");
      await opened.copy(sql, results[i], "parquet");
      const { size } = await Deno.stat(results[i]);
      if (size > maxBytes) {
        throw new SqlError(
          "QueryFailed",
          `the result takes ${size} bytes as Parquet, over the limit of ${maxBytes}; select fewer rows or columns`,
        );
      }
      answers[i] = await Deno.readFile(results[i]);
    };
    if (rows && fresh) {
      await defineSources(opened, [rows], fresh.query);
      await run(fresh.query, queries.length);
    }
    // Time bounds prune a series' versions per query; one definition serves all only for one.
    await defineSources(opened, sources, queries.length === 1 ? queries[0] : "");
    for (const [i, sql] of queries.entries()) await run(sql, i);
    return answers;
  } finally {
    signal?.removeEventListener("abort", stop);
    engine?.close();
    await staging.remove();
  }
}
