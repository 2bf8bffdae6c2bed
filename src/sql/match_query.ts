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

/** Queries over their own tables: one group of a run of {@link queryGroups}. */
export interface MatchedGroup {
  readonly queries: readonly string[];
  readonly tables: readonly MatchedTable[];
}

/**
 * Runs each of `queries` over `tables` as `pond query` runs one over its `-t` sources — a series' versions
 * together with their schemas merged by name, a table's newest version, CSV and JSON data by
 * extension, computed files read through their plugins, several matches combined
 * `UNION ALL BY NAME` with their captures as `capture0`, `capture1`, … — in the same locked-down
 * engine, which reads those files and writes only its private result files. The queries run one
 * after another in that one engine (its start, about 10 ms, is most of what a small query costs).
 * No `oplog` or `nodes`: the caller's tables are all there is. Returns the results as Parquet, in
 * order; errors are `SqlError`s, one line each. It is {@link queryGroups} of one group.
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
  bounds: MatchQueryBounds,
): Promise<Uint8Array[]> {
  const [results] = await queryGroups([{ queries, tables }], bounds);
  return results;
}

/**
 * Runs `groups` one after another in one locked-down engine (one start for all), each group's
 * queries over its own tables as {@link queryMatches} runs them: a group's tables are defined
 * for its queries and dropped after them, so no query reads another group's tables. Returns
 * each group's results (then its fresh table's), in order. This is what `PluginHost`'s `sql`
 * port runs on.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 *
 * const root = await (await Pond.open("/data/pond")).root();
 * const [north, south] = await Promise.all(
 *   ["north", "south"].map((site) => root.open(`/sites/${site}/readings.series`)),
 * );
 * const [[a], [b]] = await queryGroups([
 *   { queries: ["SELECT count(*) AS n FROM r"], tables: [{ name: "r", matches: [{ node: north, captures: [] }] }] },
 *   { queries: ["SELECT count(*) AS n FROM r"], tables: [{ name: "r", matches: [{ node: south, captures: [] }] }] },
 * ], { maxBytes: 1 << 20 });
 * ```
 */
export async function queryGroups(
  groups: readonly MatchedGroup[],
  { maxBytes, signal }: MatchQueryBounds,
): Promise<Uint8Array[][]> {
  const staging = await Staging.create();
  let engine: SqlEngine | undefined;
  const stop = () => engine?.interrupt();
  signal?.addEventListener("abort", stop);
  try {
    const prepared = [];
    for (const group of groups) prepared.push(await prepareGroup(group, staging));
    const opened = await SqlEngine.open(
      prepared.flatMap((g) =>
        [...g.sources, ...(g.rows ? [g.rows] : [])].flatMap((s) => s.files())
      ),
      {
        outputs: prepared.flatMap((g) => g.results),
        tables: [...new Set(groups.flatMap((g) => g.tables.map((t) => t.name)))],
      },
    );
    engine = opened;
    const answers: Uint8Array[][] = [];
    for (const { queries, fresh, rows, sources, results } of prepared) {
      const got: Uint8Array[] = [];
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
        got[i] = await Deno.readFile(results[i]);
      };
      if (rows && fresh) {
        await defineSources(opened, [rows], fresh.query);
        await run(fresh.query, queries.length);
        await opened.drop(rows.name);
      }
      // Time bounds prune a series' versions per query; one definition serves all only for one.
      await defineSources(opened, sources, queries.length === 1 ? queries[0] : "");
      for (const [i, sql] of queries.entries()) await run(sql, i);
      for (const source of sources) await opened.drop(source.name);
      answers.push(got);
    }
    return answers;
  } finally {
    signal?.removeEventListener("abort", stop);
    engine?.close();
    await staging.remove();
  }
}

/** A group's sources resolved into `staging`, and the result files its queries will write. */
async function prepareGroup({ queries, tables }: MatchedGroup, staging: Staging) {
  const computing = tables.filter((t) => t.fresh);
  if (computing.length > 1 || (computing.length && tables.some((t) => t.name === "rows"))) {
    throw new Error("a group of queryGroups computes one fresh table at most, and none beside rows");
  }
  const fresh = computing[0]?.fresh;
  const rows = fresh && await Source.of("rows", "rows", fresh.rows, staging);
  const results = [...queries, ...(fresh ? [fresh.query] : [])].map(() => staging.path("parquet"));
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
  return { queries, fresh, rows, sources, results };
}
