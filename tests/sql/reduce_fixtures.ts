/** Fixtures of the temporal-reduce tests over a real pond: a pond beside a DuckDB to build data with, versions appended from DuckDB tables, and a SQL port that notes the engines it starts. */
import { DuckDBInstance } from "@duckdb/node-api";
import type { SqlPort, SqlTable } from "../../src/plugin_host/mod.ts";
import { Pond } from "../../src/pond/mod.ts";
import { queryGroups } from "../../src/sql/mod.ts";

/** Rows as DuckDB's JSON reader gives them. */
export type Rows = Record<string, unknown>[];
/** Runs SQL in the fixture's DuckDB (time zone UTC). */
export type Query = (sql: string) => Promise<Rows>;

/** Runs `body` with a pond in a temporary directory and a DuckDB to build and check data with. */
export async function withPondAndDuckDb(
  body: (dir: string, query: Query, scratch: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pond-reduce-incr-" });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    await (await Pond.init(`${dir}/pond`)).close();
    const query = async (sql: string) =>
      (await connection.runAndReadAll(sql)).getRowObjectsJson() as Rows;
    await body(`${dir}/pond`, query, dir);
  } finally {
    connection.closeSync();
    instance.closeSync();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The SQL port the CLI wires, telling `note` of each engine it starts: its queries and tables,
 * those of all its groups.
 */
export function noting(
  note: (queries: readonly string[], tables: readonly SqlTable[]) => void,
): SqlPort {
  return (groups, bounds) => {
    note(groups.flatMap((g) => g.queries), groups.flatMap((g) => g.tables));
    return queryGroups(groups, bounds);
  };
}

/** Writes DuckDB table `table` as the next version of the series at `path`. */
export async function append(
  pond: Pond,
  query: Query,
  scratch: string,
  table: string,
  path: string,
) {
  const file = `${scratch}/${table}.parquet`;
  await query(`COPY ${table} TO '${file}' (FORMAT parquet)`);
  const bytes = await Deno.readFile(file);
  await pond.transact(
    [`append ${table}`],
    (root) =>
      root.write(path, new Blob([bytes]).stream(), { entryType: "file:series", parents: true }),
  );
}
