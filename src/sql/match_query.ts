/** A query over nodes a caller already matched (a plugin's inputs, for `host.sql`): only those tables, the result as Parquet bytes. */
import { SqlEngine } from "./engine.ts";
import { SqlError } from "./errors.ts";
import { defineSources } from "./query.ts";
import { type PinnedMatch, Source } from "./sources.ts";
import { Staging } from "./staging.ts";

/**
 * One table of the query: its SQL name, the matched nodes behind it (a series' versions pinned
 * or all), and Parquet bodies the caller holds, read as its rows too.
 */
export interface MatchedTable {
  readonly name: string;
  readonly matches: readonly PinnedMatch[];
  readonly parquet?: readonly Uint8Array[];
}

/** What one run may cost. */
export interface MatchQueryBounds {
  /** The most the result may take as Parquet, in bytes (`QueryFailed` beyond). */
  readonly maxBytes: number;
  /** Stops the query when aborted (`QueryFailed`). */
  readonly signal?: AbortSignal;
}

/**
 * Runs `sql` over `tables` as `pond query` runs it over its `-t` sources — a series' versions
 * together with their schemas merged by name, a table's newest version, CSV and JSON data by
 * extension, computed files read through their plugins, several matches combined
 * `UNION ALL BY NAME` with their captures as `capture0`, `capture1`, … — in the same locked-down
 * engine, which reads those files and writes only its private result file. No `oplog` or
 * `nodes`: the caller's tables are all there is. Returns the result as Parquet; errors are
 * `SqlError`s, one line each. This is what `PluginHost`'s `sql` port runs on.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 *
 * const root = await (await Pond.open("/data/pond")).root();
 * const node = await root.open("/sites/north/readings.series");
 * const parquet = await queryMatches(
 *   "SELECT count(*) AS n FROM r",
 *   [{ name: "r", matches: [{ node, captures: ["north"] }] }],
 *   { maxBytes: 1 << 20 },
 * );
 * ```
 */
export async function queryMatches(
  sql: string,
  tables: readonly MatchedTable[],
  { maxBytes, signal }: MatchQueryBounds,
): Promise<Uint8Array> {
  const staging = await Staging.create();
  let engine: SqlEngine | undefined;
  const stop = () => engine?.interrupt();
  signal?.addEventListener("abort", stop);
  try {
    const sources: Source[] = [];
    for (const { name, matches, parquet } of tables) {
      sources.push(
        parquet && parquet.length > 0
          ? await Source.ofParquet(name, parquet, staging)
          : await Source.of(name, name, matches, staging),
      );
    }
    const result = staging.path("parquet");
    engine = await SqlEngine.open(sources.flatMap((s) => s.files()), {
      outputs: [result],
      tables: tables.map((t) => t.name),
    });
    await defineSources(engine, sources, sql);
    if (signal?.aborted) throw new SqlError("QueryFailed", "the query ran out of time");
    await engine.copy(sql, result, "parquet");
    const { size } = await Deno.stat(result);
    if (size > maxBytes) {
      throw new SqlError(
        "QueryFailed",
        `the result takes ${size} bytes as Parquet, over the limit of ${maxBytes}; select fewer rows or columns`,
      );
    }
    return await Deno.readFile(result);
  } finally {
    signal?.removeEventListener("abort", stop);
    engine?.close();
    await staging.remove();
  }
}
