/**
 * SQL over a big series: 3.1M one-minute readings (12 sensors, January to June 2026) stored as six
 * monthly versions of one series. Compares, in one run:
 * - an aggregate over every row — `pond query` against DuckDB (node-api) reading the same
 *   Parquet files (the series' blobs) directly — in-process and as whole processes;
 * - one day — `pond cat --sql … WHERE` and `pond cat --rows --from --to` — as whole processes,
 *   against DuckDB alone and against the old path (hyparquet decoding in JS);
 * - peak memory of exporting all rows as CSV and as Parquet.
 *
 * Run: deno run --no-prompt -A bench/sql/series_query.ts [DIR]   (DIR keeps the pond between runs)
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { Pond } from "../../src/pond/pond.ts";
import { PondQuery } from "../../src/sql/mod.ts";
import { compare, peakRssKiB, pond, ROOT, timed } from "../pond/bench_util.ts";

const RUNS = 5;
const SERIES = "/readings.series";
/** The same rows as one version: the case the old path took 10.4 s over. */
const WHOLE = "/whole.series";
const MONTHS = [
  "2026-01-01",
  "2026-02-01",
  "2026-03-01",
  "2026-04-01",
  "2026-05-01",
  "2026-06-01",
  "2026-07-01",
];
const AGGREGATE =
  "SELECT sensor, count(*) AS n, avg(value) AS mean, max(value) AS top FROM r GROUP BY sensor ORDER BY sensor";
const DAY_FROM = "2026-03-10T00:00:00Z";
const DAY_TO = "2026-03-10T23:59:59Z";
const DAY = `SELECT * FROM source WHERE timestamp >= '${DAY_FROM}' AND timestamp <= '${DAY_TO}'`;

const dir = Deno.args[0] ?? await Deno.makeTempDir({ prefix: "pond-sql-bench-" });
const pondDir = `${dir}/pond`;

/** Writes the six monthly Parquet files with DuckDB and copies them in as versions of one series. */
async function build(): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  await c.run("SET TimeZone = 'UTC'");
  await Deno.mkdir(`${dir}/src`, { recursive: true });
  const init = await pond(["init", pondDir], pondDir);
  console.log(`init ${init.toFixed(0)} ms`);
  for (let m = 0; m < 6; m++) {
    const file = `${dir}/src/month${m + 1}.parquet`;
    await c.run(
      `COPY (SELECT t AS timestamp, 'sensor' || lpad(s::VARCHAR, 2, '0') AS sensor,
         sin(epoch(t) / 3600 + s) * 10 + s AS value
       FROM generate_series(TIMESTAMPTZ '${MONTHS[m]}', TIMESTAMPTZ '${
        MONTHS[m + 1]
      }' - INTERVAL 1 MINUTE, INTERVAL 1 MINUTE) g(t),
            range(12) r(s) ORDER BY t, s) TO '${file}' (FORMAT parquet)`,
    );
    await pond(["copy", "--type", "series", `host:${file}`, SERIES], pondDir);
  }
  const whole = `${dir}/src/whole.parquet`;
  await c.run(
    `COPY (SELECT * FROM read_parquet('${dir}/src/month*.parquet') ORDER BY timestamp, sensor) TO '${whole}' (FORMAT parquet)`,
  );
  await pond(["copy", "--type", "series", `host:${whole}`, WHOLE], pondDir);
  c.closeSync();
  instance.closeSync();
}

try {
  await Deno.stat(pondDir);
} catch {
  await build();
}

const p = await Pond.open(pondDir);
const node = await (await p.root()).open(SERIES);
const versions = await node.versions();
const blobs: string[] = [];
for (const v of versions) blobs.push((await node.fileOnDisk({ version: v.version }))!);
console.log(`series: ${versions.length} versions, ${blobs.length} blob files`);

async function pondInProcess(): Promise<number> {
  const start = performance.now();
  const q = await PondQuery.open(p, AGGREGATE, { sources: [{ name: "r", glob: SERIES }] });
  try {
    for await (const _ of (await q.stream()).chunks());
  } finally {
    await q.close();
  }
  return performance.now() - start;
}

async function duckdbInProcess(): Promise<number> {
  const start = performance.now();
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  const list = blobs.map((b) => `'${b}'`).join(", ");
  await c.run(`CREATE VIEW r AS SELECT * FROM read_parquet([${list}], union_by_name = true)`);
  const result = await c.stream(AGGREGATE);
  while ((await result.fetchChunk())?.rowCount);
  c.closeSync();
  instance.closeSync();
  return performance.now() - start;
}

const deno = Deno.execPath();
const direct = (sql: string) => () =>
  timed(deno, ["run", "--no-prompt", "-A", `${ROOT}bench/sql/duckdb_direct.ts`, sql, ...blobs], {
    cwd: ROOT,
  });

await compare(
  RUNS,
  "start-up floors: pond --version against a DuckDB process running SELECT 1",
  () => pond(["--version"], pondDir),
  direct("SELECT 1"),
  ["pond", "duckdb process"],
);
await compare(RUNS, "aggregate, in-process", pondInProcess, duckdbInProcess, ["pond", "duckdb"]);
await compare(
  RUNS,
  "aggregate, whole process",
  () => pond(["query", "-t", `r=${SERIES}`, AGGREGATE], pondDir),
  direct(AGGREGATE),
  ["pond query", "duckdb process"],
);
const dayDirect = DAY.replace("FROM source", "FROM r");
await compare(
  RUNS,
  "one day, cat --sql WHERE",
  () => pond(["cat", SERIES, "--sql", DAY], pondDir),
  direct(dayDirect),
  ["pond", "duckdb process"],
);
await compare(
  RUNS,
  "one day, cat --rows --from --to",
  () => pond(["cat", "--rows", SERIES, "--from", DAY_FROM, "--to", DAY_TO], pondDir),
  direct(dayDirect),
  ["pond", "duckdb process"],
);
/** One day of `series` through the hyparquet path pond had before DuckDB, as a whole process. */
const before = (series: string) => () =>
  timed(deno, [
    "run",
    "--no-prompt",
    "-A",
    `${ROOT}bench/sql/rows_before.ts`,
    pondDir,
    series,
    DAY_FROM,
    DAY_TO,
  ]);
await compare(
  RUNS,
  "one day, cat --rows: DuckDB against the old hyparquet path",
  () => pond(["cat", "--rows", SERIES, "--from", DAY_FROM, "--to", DAY_TO], pondDir),
  before(SERIES),
  ["pond now", "hyparquet before"],
);

await compare(
  3,
  "one day of one 3M-row version, cat --rows: DuckDB against the old hyparquet path",
  () => pond(["cat", "--rows", WHOLE, "--from", DAY_FROM, "--to", DAY_TO], pondDir),
  before(WHOLE),
  ["pond now", "hyparquet before"],
);

const env = { POND: pondDir };
const main = ["run", "--no-prompt", "-A", `${ROOT}main.ts`];
const all = "SELECT * FROM r";
const csvKiB = await peakRssKiB(deno, [
  ...main,
  "query",
  "-t",
  `r=${SERIES}`,
  all,
  "--format",
  "csv",
], env);
const parquetKiB = await peakRssKiB(
  deno,
  [
    ...main,
    "query",
    "-t",
    `r=${SERIES}`,
    all,
    "--format",
    "parquet",
    "--output",
    `host:${dir}/all.parquet`,
  ],
  env,
);
const idleKiB = await peakRssKiB(deno, [...main, "query", "-t", `r=${SERIES}`, "SELECT 1"], env);
console.log(
  `peak RSS exporting ${versions.length} versions' rows: csv ${(csvKiB / 1024).toFixed(0)} MiB, ` +
    `parquet ${(parquetKiB / 1024).toFixed(0)} MiB, a one-row query ${
      (idleKiB / 1024).toFixed(0)
    } MiB`,
);
