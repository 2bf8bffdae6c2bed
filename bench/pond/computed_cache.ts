/** Benchmark: `pond cat --rows` of a temporal-reduce resolution, cached and uncached, against the same rows stored as a plain series. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/pond/computed_cache.ts [days=60] [runs=5]
// Makes a pond (in a temporary directory, removed afterwards) holding /sensors/s.series, a
// minute's reading for each of `days` days in 3 versions, /reduce a temporal-reduce directory
// of it at 1d (avg, min, max, count), and /daily.series holding the bytes of
// /reduce/res=1d.series as a stored series. Then, alternating, medians of `runs` after a
// warm-up, each a new `pond` process (the wall time a user waits):
// - plain: `pond cat --rows /daily.series` (the baseline);
// - cached: `pond cat --rows /reduce/res=1d.series` with the cache filled;
// - uncached: the same after removing the pond's cache/ (the entries and the file computed,
//   sandbox started, cache refilled);
// and the ratios against plain, and of uncached to cached.

import { parquetWriteBuffer } from "hyparquet-writer";
import { Pond } from "../../src/pond/mod.ts";
import { median, pond, ROOT } from "./bench_util.ts";

const DAYS = Number(Deno.args[0] ?? 60);
const RUNS = Number(Deno.args[1] ?? 5);
const MINUTE = 60_000;

const host = await Deno.makeTempDir({ prefix: "pond-cache-bench-" });
const dir = `${host}/pond`;
try {
  const store = await Pond.init(dir);
  const start = Date.UTC(2026, 0, 1);
  const perVersion = Math.ceil((DAYS * 1440) / 3);
  for (let v = 0; v < 3; v++) {
    const times = Array.from(
      { length: perVersion },
      (_, i) => new Date(start + (v * perVersion + i) * MINUTE),
    );
    const bytes = new Uint8Array(parquetWriteBuffer({
      columnData: [
        { name: "timestamp", data: times, type: "TIMESTAMP" },
        { name: "value", data: times.map((_, i) => Math.sin(i / 500) * 10), type: "DOUBLE" },
      ],
    }));
    await store.transact(
      [`put v${v}`],
      (root) =>
        root.write("/sensors/s.series", new Blob([bytes]).stream(), {
          entryType: "file:series",
          parents: true,
        }),
    );
  }
  await store.close();
  const config = `${host}/reduce.yaml`;
  await Deno.writeTextFile(
    config,
    "in_pattern: /sensors/s.series\nresolutions: [1d]\naggregations:\n" +
      '  - { type: avg, columns: ["*"] }\n  - { type: min, columns: ["*"] }\n' +
      '  - { type: max, columns: ["*"] }\n  - { type: count, columns: [value] }\n',
  );
  const cli = async (args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "-A", `${ROOT}main.ts`, ...args],
      env: { POND: dir },
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`pond ${args.join(" ")} failed`);
    return out;
  };
  await cli(["mknod", "temporal-reduce", "/reduce", "--config", config]);
  const daily = (await cli(["cat", "/reduce/res=1d.series"])).stdout;
  await Deno.writeFile(`${host}/daily.parquet`, daily);
  await cli([
    "copy",
    "--type",
    "series",
    `host:${host}/daily.parquet`,
    "/daily.series",
  ]);
  console.log(`${DAYS} days of minutes (${3 * perVersion} rows in 3 versions) reduced to 1d`);

  const routes: Record<string, () => Promise<number>> = {
    plain: () => pond(["cat", "--rows", "/daily.series"], dir),
    cached: () => pond(["cat", "--rows", "/reduce/res=1d.series"], dir),
    uncached: async () => {
      await Deno.remove(`${dir}/cache`, { recursive: true }).catch(() => {});
      return pond(["cat", "--rows", "/reduce/res=1d.series"], dir);
    },
  };
  const times: Record<string, number[]> = {};
  for (let run = 0; run <= RUNS; run++) {
    for (const [name, route] of Object.entries(routes)) {
      const ms = await route();
      if (run > 0) (times[name] ??= []).push(ms);
    }
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, median(xs)]));
  for (const [name, ms] of Object.entries(m)) {
    console.log(`${name.padEnd(9)} ${ms.toFixed(0)} ms  ${(ms / m.plain).toFixed(2)}× plain`);
  }
  console.log(`uncached / cached: ${(m.uncached / m.cached).toFixed(2)}×`);
} finally {
  await Deno.remove(host, { recursive: true });
}
