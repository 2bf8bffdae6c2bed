/** Benchmark: temporal-reduce's partial→fold SQL against one direct DuckDB time_bucket query per resolution, over 10 sensors × 1 year of minutes. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/plugin_host/temporal_reduce.ts [sensors=10] [days=365] [runs=3]
// Writes one Parquet file per sensor under a temporary directory (removed afterwards): a
// TIMESTAMPTZ `timestamp` every minute and 4 DOUBLE columns with some nulls (10 × 365 days is
// 5.3M rows). Resolutions 1h, 6h, 1d, 7d. For each aggregate set (avg min max; all seven), the
// medians of the runs (after a warm-up), alternating, in one DuckDB instance, of:
// - direct: per sensor and resolution, one time_bucket query over the sensor's file (first and
//   last as arg_min/arg_max by time, as one would write them by hand), its time taken as a UTC
//   TIMESTAMP as the plugin takes it (time_bucket over the TIMESTAMPTZ itself goes through the
//   time zone code, and measured 20-30× slower here);
// - chained: what a materialised build does: per sensor, the finest partials from the file, each
//   coarser resolution folded from the one before, and the final columns of each;
// - per read: what a read computes while nothing is cached: `reductionSql` per resolution, each
//   resolution's partials in one pass over the file.
// and the ratios against direct.

import { DuckDBInstance } from "@duckdb/node-api";
import {
  finalSql,
  foldSql,
  partialsSql,
  planReduction,
  type ReduceConfig,
  reductionSql,
} from "../../plugins/temporal_reduce.ts";

const SENSORS = Number(Deno.args[0] ?? 10);
const DAYS = Number(Deno.args[1] ?? 365);
const RUNS = Number(Deno.args[2] ?? 3);
const RESOLUTIONS: [name: string, interval: string][] = [
  ["1h", "1 hour"],
  ["6h", "6 hours"],
  ["1d", "1 day"],
  ["7d", "7 days"],
];
const COLUMNS = ["temperature_c", "conductivity", "oxygen", "turbidity"];
const SETS: Record<string, ReduceConfig["aggregations"]> = {
  "avg min max": [{ type: "avg", columns: ["*"] }, { type: "min", columns: ["*"] }, {
    type: "max",
    columns: ["*"],
  }],
  "all seven": (["avg", "min", "max", "sum", "count", "first", "last"] as const).map((type) => ({
    type,
    columns: ["*"],
  })),
};

const dir = await Deno.makeTempDir({ prefix: "pond-reduce-bench-" });
const instance = await DuckDBInstance.create(":memory:");
const connection = await instance.connect();
try {
  await connection.run("SET TimeZone = 'UTC'");
  const files = Array.from({ length: SENSORS }, (_, s) => `${dir}/sensor_${s}.parquet`);
  for (const [s, file] of files.entries()) {
    const values = COLUMNS.map((c, j) =>
      `CASE WHEN random() < 0.01 THEN NULL ELSE sin(i / ${1000 + 100 * j} + ${s}) * 10 + ` +
      `random() END AS ${c}`
    );
    await connection.run(
      `COPY (SELECT TIMESTAMPTZ '2023-01-01 00:00:00+00' + to_minutes(i) AS timestamp, ` +
        `${values.join(", ")} FROM range(${DAYS * 1440}) t(i)) TO '${file}' (FORMAT parquet)`,
    );
  }
  console.log(
    `${SENSORS} sensors × ${DAYS} days of minutes: ${SENSORS * DAYS * 1440} rows, ` +
      `${COLUMNS.length} value columns; resolutions ${RESOLUTIONS.map(([r]) => r).join(", ")}`,
  );
  const columns = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM '${files[0]}'`))
    .getRowObjectsJson().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  for (const [label, aggregations] of Object.entries(SETS)) {
    const plan = planReduction(
      { in_pattern: "/s", resolutions: RESOLUTIONS.map(([r]) => r), aggregations },
      columns,
    );
    const source = (file: string) => `read_parquet('${file}')`;
    const routes: Record<string, (file: string) => Promise<void>> = {
      direct: async (file) => {
        for (const [, interval] of RESOLUTIONS) {
          await connection.runAndReadAll(directSql(source(file), interval, plan.outputs));
        }
      },
      chained: async (file) => {
        await connection.run(
          `CREATE OR REPLACE TEMP TABLE p0 AS ${partialsSql(source(file), plan)}`,
        );
        for (let i = 1; i < RESOLUTIONS.length; i++) {
          await connection.run(
            `CREATE OR REPLACE TEMP TABLE p${i} AS ${
              foldSql(`p${i - 1}`, plan, plan.resolutions[i])
            }`,
          );
        }
        for (let i = 0; i < RESOLUTIONS.length; i++) {
          await connection.runAndReadAll(finalSql(`p${i}`, plan));
        }
      },
      "per read": async (file) => {
        for (let i = 0; i < RESOLUTIONS.length; i++) {
          await connection.runAndReadAll(reductionSql(source(file), plan, i));
        }
      },
    };
    const times: Record<string, number[]> = {};
    for (let run = 0; run <= RUNS; run++) {
      for (const [name, route] of Object.entries(routes)) {
        const start = performance.now();
        for (const file of files) await route(file);
        if (run > 0) (times[name] ??= []).push(performance.now() - start);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const direct = median(times.direct);
    for (const [name, xs] of Object.entries(times)) {
      const ms = median(xs);
      console.log(
        `${label.padEnd(12)} ${name.padEnd(9)} ${(ms / 1000).toFixed(2)} s  ` +
          `${(ms / direct).toFixed(2)}× direct`,
      );
    }
  }
} finally {
  connection.closeSync();
  instance.closeSync();
  await Deno.remove(dir, { recursive: true });
}

/** The aggregates of `outputs` as one hand-written time_bucket query at `interval`. */
function directSql(
  source: string,
  interval: string,
  outputs: readonly { column: string; type: string }[],
): string {
  const select = outputs.map(({ column, type }) => {
    const call = type === "first"
      ? `arg_min(${column}, timestamp)`
      : type === "last"
      ? `arg_max(${column}, timestamp)`
      : `${type}(${column})`;
    return `${call} AS "${column}.${type}"`;
  });
  return `SELECT time_bucket(INTERVAL '${interval}', make_timestamp(epoch_us(timestamp)), ` +
    `TIMESTAMP '1970-01-01 00:00:00') AS timestamp, ${select.join(", ")} ` +
    `FROM ${source} GROUP BY 1 ORDER BY 1`;
}
