/** Benchmark: temporal-reduce in a real pond — full build against one DuckDB query per resolution, a day appended, an unchanged read against a stored series, stored size, and peak memory of 1 year against 5. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/plugin_host/temporal_reduce_pond.ts
// Scale: POND_BENCH_SENSORS (default 10) × POND_BENCH_DAYS (default 365: 5.3M rows) of 1-minute
// readings, 4 DOUBLE columns with some nulls, one version per sensor; POND_BENCH_MEMORY_DAYS
// (default 365) for the memory comparison (that many days against 5 times as many, 1 sensor).
// Resolutions 1h, 6h, 1d, 7d; avg, min and max of every column. In one process, a pond in a
// temporary directory (removed afterwards), its plugins on a host with DuckDB and the pond's cache:
// - direct: per resolution, one DuckDB time_bucket query over all the sensors' Parquet files
//   (the bodies the pond stores), grouped by file and bucket: the baseline;
// - full build: every resolution of every sensor read with an empty cache (sandbox start, the
//   columns of every sensor described, each sensor's finest partials computed from its rows and
//   every resolution folded from them), with the DuckDB engines host.sql started;
// - append: one day more appended to every sensor (untimed), then every resolution read again
//   (the columns described again, then every sensor brought up to date, 8 to an engine: the
//   day's partials, every resolution from the kept state and them, and the next state; the reads
//   then answered from the cache);
// - unchanged: res=1d of one sensor read again (the computed cache) against a stored series
//   holding the same bytes (median of 20 reads each, interleaved);
// - stored size: every resolution's Parquet against the raw series' bodies;
// - memory: peak RSS (GNU time: the largest of the process and its sandbox) of a process computing
//   every resolution of a pond of 1 sensor (written beforehand), for N and 5N days; again with 1d
//   as the finest resolution (the rows the same, the buckets kept 24 times fewer).

import { DuckDBInstance } from "@duckdb/node-api";
import { PluginHost, type SqlPort } from "../../src/plugin_host/mod.ts";
import { Pond, pondCache } from "../../src/pond/mod.ts";
import { queryGroups } from "../../src/sql/mod.ts";
import { median, peakRssKiB } from "../pond/bench_util.ts";

const env = (name: string, fallback: number) => Number(Deno.env.get(name) ?? fallback);
const RESOLUTIONS: [string, string][] = [
  ["1h", "1 hour"],
  ["6h", "6 hours"],
  ["1d", "1 day"],
  ["7d", "7 days"],
];
const COLUMNS = ["temperature_c", "conductivity", "oxygen", "turbidity"];
const START = "2023-01-01 00:00:00+00";

/** DuckDB engines the plugins' host.sql and host.keep started, and the queries they ran. */
const started = { engines: 0, queries: 0 };
const countedPort: SqlPort = (groups, bounds) => {
  started.engines++;
  for (const { queries } of groups) started.queries += queries.length;
  return queryGroups(groups, bounds);
};
/** `started` since `before`, as text. */
const startedSince = (before: typeof started) =>
  `${started.engines - before.engines} engines, ${started.queries - before.queries} queries`;

/** Writes `days` days of minutes for sensor `s`, from `offset` days after START, to `file`. */
async function writeReadings(
  run: (sql: string) => Promise<unknown>,
  file: string,
  s: number,
  days: number,
  offset = 0,
) {
  const values = COLUMNS.map((c, j) =>
    `CASE WHEN random() < 0.01 THEN NULL ELSE sin(i / ${1000 + 100 * j} + ${s}) * 10 + ` +
    `random() END AS ${c}`
  );
  await run(
    `COPY (SELECT TIMESTAMPTZ '${START}' + to_minutes(i) AS timestamp, ${values.join(", ")} ` +
      `FROM range(${offset * 1440}, ${(offset + days) * 1440}) t(i)) TO '${file}' (FORMAT parquet)`,
  );
}

/** A pond at `dir` with `sensors` series of `days` days and /reduce over them; its host and DuckDB. */
async function makePond(
  dir: string,
  sensors: number,
  days: number,
  resolutions = RESOLUTIONS.map(([r]) => r),
) {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const run = (sql: string) => connection.run(sql);
  await (await Pond.init(dir)).close();
  const host = new PluginHost({ sql: countedPort, cache: pondCache(dir), deadlineMs: 600_000 });
  const pond = await Pond.open(dir, { plugins: host });
  const files: string[] = [];
  for (let s = 0; s < sensors; s++) {
    const file = `${dir}/../raw_${s}.parquet`;
    await writeReadings(run, file, s, days);
    files.push(file);
    const bytes = await Deno.readFile(file);
    await pond.transact(
      ["put"],
      (root) =>
        root.write(`/sensors/s${s}.series`, new Blob([bytes]).stream(), {
          entryType: "file:series",
          parents: true,
        }),
    );
  }
  await pond.transact(["mknod"], (root) =>
    root.createDynamicDirectory(
      "/reduce",
      "temporal-reduce",
      JSON.stringify({
        in_pattern: "/sensors/*.series",
        out_pattern: "$0",
        resolutions,
        aggregations: ["avg", "min", "max"].map((type) => ({ type, columns: ["*"] })),
      }),
    ));
  return { pond, host, connection, instance, run, files };
}

/** Reads every resolution of every sensor; the bytes they take. */
async function readAll(
  pond: Pond,
  sensors: number,
  resolutions = RESOLUTIONS.map(([r]) => r),
): Promise<number> {
  let bytes = 0;
  const root = await pond.root();
  for (let s = 0; s < sensors; s++) {
    for (const r of resolutions) bytes += (await root.read(`/reduce/s${s}/res=${r}.series`)).length;
  }
  return bytes;
}

if (Deno.args[0] === "memory") {
  // A child process: every resolution of the one sensor of the pond at Deno.args[1], its cache
  // empty, computed (only this is measured: the pond was written by the parent).
  const host = new PluginHost({
    sql: queryGroups,
    cache: pondCache(Deno.args[1]),
    deadlineMs: 600_000,
  });
  const pond = await Pond.open(Deno.args[1], { plugins: host });
  await readAll(pond, 1, Deno.args[2].split(","));
  await pond.close();
  await host.close();
  Deno.exit(0);
}

const SENSORS = env("POND_BENCH_SENSORS", 10);
const DAYS = env("POND_BENCH_DAYS", 365);
const MEMORY_DAYS = env("POND_BENCH_MEMORY_DAYS", 365);
const tmp = await Deno.makeTempDir({ prefix: "pond-reduce-bench-" });
try {
  const { pond, host, connection, instance, run, files } = await makePond(
    `${tmp}/pond`,
    SENSORS,
    DAYS,
  );
  console.log(
    `${SENSORS} sensors × ${DAYS} days of minutes: ${SENSORS * DAYS * 1440} rows, ` +
      `${COLUMNS.length} value columns; resolutions ${RESOLUTIONS.map(([r]) => r).join(", ")}`,
  );
  await run("SET TimeZone = 'UTC'");
  const select = COLUMNS.flatMap((c) =>
    ["avg", "min", "max"].map((a) => `${a}(${c}) AS "${c}.${a}"`)
  ).join(", ");
  const list = `[${files.map((f) => `'${f}'`).join(", ")}]`;
  const direct = async () => {
    const start = performance.now();
    for (const [, interval] of RESOLUTIONS) {
      await connection.runAndReadAll(
        `SELECT filename, time_bucket(INTERVAL '${interval}', make_timestamp(epoch_us(timestamp)), ` +
          `TIMESTAMP '1970-01-01') AS timestamp, ${select} FROM read_parquet(${list}, filename = true) ` +
          `GROUP BY ALL ORDER BY ALL`,
      );
    }
    return performance.now() - start;
  };
  await direct();
  const directMs = median([await direct(), await direct(), await direct()]);

  let before = { ...started };
  let start = performance.now();
  const outputBytes = await readAll(pond, SENSORS);
  const fullMs = performance.now() - start;
  const fullStarted = startedSince(before);

  for (let s = 0; s < SENSORS; s++) {
    const file = `${tmp}/day_${s}.parquet`;
    await writeReadings(run, file, s, 1, DAYS);
    const bytes = await Deno.readFile(file);
    await pond.transact(
      ["append"],
      (root) =>
        root.write(`/sensors/s${s}.series`, new Blob([bytes]).stream(), {
          entryType: "file:series",
        }),
    );
  }
  before = { ...started };
  start = performance.now();
  await readAll(pond, SENSORS);
  const appendMs = performance.now() - start;
  const appendStarted = startedSince(before);

  const daily = await (await pond.root()).read("/reduce/s0/res=1d.series");
  await pond.transact(
    ["put"],
    (root) =>
      root.write("/daily.series", new Blob([daily.slice()]).stream(), {
        entryType: "file:series",
      }),
  );
  const timeRead = async (path: string) => {
    const t = performance.now();
    await (await pond.root()).read(path);
    return performance.now() - t;
  };
  await timeRead("/daily.series");
  await timeRead("/reduce/s0/res=1d.series");
  const plain: number[] = [], reduced: number[] = [];
  for (let i = 0; i < 20; i++) {
    plain.push(await timeRead("/daily.series"));
    reduced.push(await timeRead("/reduce/s0/res=1d.series"));
  }
  let rawBytes = 0;
  for (const f of files) rawBytes += (await Deno.stat(f)).size;

  console.log(`direct (one DuckDB query per resolution): ${directMs.toFixed(0)} ms`);
  console.log(
    `full build: ${fullMs.toFixed(0)} ms, ${
      (fullMs / directMs).toFixed(2)
    }× direct (target ≤ 1.5×); ${fullStarted}`,
  );
  console.log(
    `append one day to each sensor, read all: ${appendMs.toFixed(0)} ms, ` +
      `${(100 * appendMs / fullMs).toFixed(1)}% of the full build (target ≤ 5%); ${appendStarted}`,
  );
  console.log(
    `unchanged res=1d: ${median(reduced).toFixed(2)} ms, stored series of the same bytes ` +
      `${median(plain).toFixed(2)} ms: ${
        (median(reduced) / median(plain)).toFixed(2)
      }× (target ≤ 1.2×)`,
  );
  console.log(
    `stored size of all resolutions: ${outputBytes} B, raw ${rawBytes} B: ` +
      `${(100 * outputBytes / rawBytes).toFixed(2)}% (aim < 10%)`,
  );
  await pond.close();
  await host.close();
  connection.closeSync();
  instance.closeSync();

  const peak = async (days: number, resolutions: string[]) => {
    const dir = `${tmp}/memory_${days}_${resolutions.join("_")}`;
    await Deno.mkdir(dir);
    const made = await makePond(`${dir}/pond`, 1, days, resolutions);
    await made.pond.close();
    await made.host.close();
    made.connection.closeSync();
    made.instance.closeSync();
    return await peakRssKiB(Deno.execPath(), [
      "run",
      "--no-prompt",
      "-A",
      new URL(import.meta.url).pathname,
      "memory",
      `${dir}/pond`,
      resolutions.join(","),
    ]);
  };
  for (const resolutions of [RESOLUTIONS.map(([r]) => r), ["1d", "7d"]]) {
    const one = await peak(MEMORY_DAYS, resolutions);
    const five = await peak(5 * MEMORY_DAYS, resolutions);
    console.log(
      `peak memory, 1 sensor at ${resolutions.join(", ")}: ${MEMORY_DAYS} days ` +
        `${(one / 1024).toFixed(0)} MiB, ${5 * MEMORY_DAYS} days ${
          (five / 1024).toFixed(0)
        } MiB: ` +
        `${(five / one).toFixed(2)}×`,
    );
  }
} finally {
  await Deno.remove(tmp, { recursive: true });
}
