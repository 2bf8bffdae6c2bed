/** Benchmark: a 100k-row, 4-column table through a plugin and back, by each route the host offers. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/plugin_host/table_round_trip.ts [rows=100000]
// An in-memory pond holds one Parquet table (time, value, count, site). A plugin's dynamic
// file:table reads it and returns it unchanged; medians of 5 reads, after one warm-up, of:
// - capabilities: read() calls host.decodeParquet(bytes) and returns host.encodeParquet(columns);
// - table input: read() is handed the input as a table and returns it (the host converts
//   Parquet to Arrow IPC and back);
// - parquet alone: the host's own Parquet decode and encode of the same table, no plugin, so
//   the difference is what crossing the sandbox costs.

import { parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { loadPlugin, PluginHost } from "../../src/plugin_host/mod.ts";
import { type DynamicFactory, FS, MemoryPersistence } from "../../src/tinyfs/mod.ts";

const ROWS = Number(Deno.args[0] ?? 100_000);
const RUNS = 5;

const source = (name: string, read: string) => `
export const manifest = {
  name: "${name}", version: "1.0.0", provides: ["directory"],
  config: { src: { type: "glob", required: true } },
};
export function entries({ inputs }: { inputs: { src: { path: string }[] } }) {
  return [{ name: "out.parquet", entryType: "file:table", compute: { inputs: [inputs.src[0].path] } }];
}
// deno-lint-ignore no-explicit-any
export async function read({ inputs }: { inputs: any[] }, host: any) { ${read} }
`;
const ROUTES: Record<string, string> = {
  capabilities: "return await host.encodeParquet(await host.decodeParquet(inputs[0].bytes));",
  "table input": "return inputs[0].table;",
};

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await f();
  return performance.now() - start;
}

const parquet = new Uint8Array(parquetWriteBuffer({
  columnData: [
    {
      name: "time",
      type: "TIMESTAMP",
      data: Array.from({ length: ROWS }, (_, i) => new Date(1.7e12 + i * 6e4)),
    },
    {
      name: "value",
      type: "DOUBLE",
      data: Array.from({ length: ROWS }, (_, i) => Math.sin(i) * 100),
    },
    { name: "count", type: "INT32", data: Array.from({ length: ROWS }, (_, i) => i % 1000) },
    {
      name: "site",
      type: "STRING",
      data: Array.from({ length: ROWS }, (_, i) => `site-${i % 50}`),
    },
  ],
})); // deno-fmt-ignore

await using host = new PluginHost({ deadlineMs: 60_000, memoryLimitMb: 1024 });
const factories: Record<string, DynamicFactory> = {};
for (const [i, read] of Object.values(ROUTES).entries()) {
  const plugin = await loadPlugin(new TextEncoder().encode(source(`route${i}`, read)));
  factories[`route${i}`] = host.directoryFactory(plugin);
}
const fs = await FS.init(new MemoryPersistence(), { factories });
await fs.transact({ command: ["bench"] }, async (root) => {
  await root.createFile("/in/table.parquet", parquet, { parents: true, entryType: "file:table" });
  for (const i of Object.keys(ROUTES).keys()) {
    await root.createDynamicDirectory(`/route${i}`, `route${i}`, '{ "src": "/in/table.parquet" }');
  }
});
const root = await fs.root();

console.log(`${ROWS} rows x 4 columns; Parquet input ${(parquet.length / 2 ** 20).toFixed(1)} MiB`);
for (const [i, route] of Object.keys(ROUTES).entries()) {
  const times: number[] = [];
  let rows = 0;
  for (let run = 0; run <= RUNS; run++) {
    const time = await timed(async () => {
      const bytes = await root.read(`/route${i}/out.parquet`);
      rows = (await parquetReadObjects({ file: bytes.slice().buffer, columns: ["count"] })).length;
    });
    if (run > 0) times.push(time);
  }
  if (rows !== ROWS) throw new Error(`${route}: ${rows} rows came back`);
  console.log(`${route.padEnd(14)} ${median(times).toFixed(0).padStart(5)} ms`);
}
const alone = [];
for (let run = 0; run <= RUNS; run++) {
  alone.push(
    await timed(async () => {
      const rows = await parquetReadObjects({ file: parquet.slice().buffer });
      parquetWriteBuffer({
        columnData: Object.keys(rows[0]).map((name) => ({ name, data: rows.map((r) => r[name]) })),
      });
    }),
  );
}
console.log(`${"parquet alone".padEnd(14)} ${median(alone.slice(1)).toFixed(0).padStart(5)} ms`);
