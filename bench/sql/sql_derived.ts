/**
 * A sql-derived table against the same query run directly: a 1,008,000-row series of one-minute
 * readings (10 sensors, ten weeks, as four versions) aggregated per sensor, read as
 * `pond cat /per_sensor.parquet --rows` (the plugin's read() → host.sql → DuckDB → Parquet → the
 * sandbox → Parquet stored, read back) and as `pond query -t r=SERIES 'SQL'`. Whole processes,
 * interleaved, in one run; prints the medians and the median of the pairs' ratios.
 *
 * Run: deno run --no-prompt -A bench/sql/sql_derived.ts [DIR]   (DIR keeps the pond between runs)
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { compare, pond } from "../pond/bench_util.ts";

const RUNS = 7;
const SERIES = "/readings.series";
const DERIVED = "/per_sensor.parquet";
const AGGREGATE =
  "SELECT sensor, count(*) AS n, avg(value) AS mean, max(value) AS top FROM r GROUP BY sensor ORDER BY sensor";
/** Four versions of 252,000 rows: 17.5 days × 1440 minutes × 10 sensors each. */
const VERSIONS = 4;
const MINUTES = 25_200;

const dir = Deno.args[0] ?? await Deno.makeTempDir({ prefix: "pond-sql-derived-bench-" });
const pondDir = `${dir}/pond`;

/** Writes the versions with DuckDB, copies them in as one series, and makes the derived table. */
async function build(): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  await c.run("SET TimeZone = 'UTC'");
  await Deno.mkdir(`${dir}/src`, { recursive: true });
  await pond(["init", pondDir], pondDir);
  for (let v = 0; v < VERSIONS; v++) {
    const file = `${dir}/src/v${v}.parquet`;
    await c.run(
      `COPY (SELECT TIMESTAMPTZ '2026-01-01' + (m + ${
        v * MINUTES
      }) * INTERVAL 1 MINUTE AS timestamp,
         'sensor' || s AS sensor, sin(m / 60 + s) * 10 + s AS value
       FROM range(${MINUTES}) g(m), range(10) r(s) ORDER BY m, s) TO '${file}' (FORMAT parquet)`,
    );
    await pond(["copy", "--type", "series", `host:${file}`, SERIES], pondDir);
  }
  const config = `${dir}/src/per_sensor.yaml`;
  await Deno.writeTextFile(config, JSON.stringify({ inputs: { r: SERIES }, query: AGGREGATE }));
  await pond(["mknod", "sql-derived", DERIVED, "--file", "--config", config], pondDir);
  c.closeSync();
  instance.closeSync();
}

try {
  await Deno.stat(pondDir);
} catch {
  await build();
}

/** The plugin's computation each time: the pond's cache of computed files is dropped first, untimed. */
const derived = async () => {
  await pond(["maintain", "--drop-cache"], pondDir);
  return await pond(["cat", DERIVED, "--rows"], pondDir);
};
const direct = () => pond(["query", "-t", `r=${SERIES}`, AGGREGATE], pondDir);
await compare(
  RUNS,
  `${VERSIONS * MINUTES * 10} rows in ${VERSIONS} versions, aggregate per sensor, whole processes`,
  derived,
  direct,
  ["cat of the sql-derived table", "pond query"],
);
