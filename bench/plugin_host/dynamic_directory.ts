/** Benchmark: a 1,000-entry plugin directory, listed and read, against the same files read straight from tinyfs. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/plugin_host/dynamic_directory.ts [entries=1000]
// Over an in-memory pond of N files (1 KiB each), in the same run, medians of 5:
// - direct: list the stored directory and read every file (the baseline);
// - visit: the built-in visit plugin over the same files (entries pass through; one plugin call);
// - computed: a plugin whose every entry is computed by read() (one round trip per file), the
//   files read one after another, then all at once (the sandbox serves calls concurrently);
// - one plugin round trip, measured alone (a sandbox call echoing 1 KiB);
// - start-up: a fresh sandbox's first call (spawn + lockdown + load), the first listing on a
//   fresh host against the ones after it, and the number of sandboxes the whole run started
//   (the plugin prints once when it loads).

import { builtinPlugins, loadPlugin, PluginHost } from "../../src/plugin_host/mod.ts";
import { Sandbox } from "../../src/plugin_host/sandbox_process.ts";
import { FS, MemoryPersistence, type ReadView } from "../../src/tinyfs/mod.ts";

const N = Number(Deno.args[0] ?? 1000);
const RUNS = 5;

const echoSource = `
console.log("loaded");
export const manifest = {
  name: "echo", version: "1.0.0", provides: ["directory"],
  config: { src: { type: "glob", required: true } },
};
export function entries({ inputs }: { inputs: { src: { path: string; name: string }[] } }) {
  return inputs.src.map((m) => ({ name: m.name, compute: { inputs: [m.path] } }));
}
export function read({ inputs }: { inputs: { bytes: Uint8Array }[] }) { return inputs[0].bytes; }
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await f();
  return performance.now() - start;
}

/** Lists `path` and reads every entry through the node the listing returned, in turn or all at once. */
async function listAndRead(root: ReadView, path: string, concurrent = false): Promise<number> {
  const entries = await root.list(path);
  if (concurrent) {
    return (await Promise.all(entries.map((e) => e.read()))).reduce((n, b) => n + b.length, 0);
  }
  let bytes = 0;
  for (const entry of entries) bytes += (await entry.read()).length;
  return bytes;
}

const { visit } = await builtinPlugins();
const echo = await loadPlugin(new TextEncoder().encode(echoSource));
let loads = 0;
const host = new PluginHost({ onOutput: (_, text) => (loads += text.split("loaded").length - 1) });
const store = new MemoryPersistence();
const fs = await FS.init(store, {
  factories: { visit: host.directoryFactory(visit), echo: host.directoryFactory(echo) },
});
const body = "x".repeat(1023) + "\n";
await fs.transact({ command: ["bench"] }, async (root) => {
  await root.createDirectory("/in");
  for (let i = 0; i < N; i++) await root.createFile(`/in/f${String(i).padStart(5, "0")}`, body);
  await root.createDynamicDirectory("/visit", "visit", JSON.stringify({ patterns: ["/in/*"] }));
  await root.createDynamicDirectory("/echo", "echo", JSON.stringify({ src: "/in/*" }));
});
const root = await fs.root();

const firstCall = await timed(() => root.list("/echo"));
const results: Record<string, number> = {};
const cases = [["direct", "/in"], ["visit", "/visit"], ["computed", "/echo"], [
  "concurrent",
  "/echo",
]];
for (const [label, path] of cases) {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    times.push(
      await timed(async () => {
        const bytes = await listAndRead(root, path, label === "concurrent");
        if (bytes !== N * body.length) throw new Error(`${path} read short`);
      }),
    );
  }
  results[label] = median(times);
}
const later: number[] = [];
for (let run = 0; run < RUNS; run++) later.push(await timed(() => root.list("/echo")));
const laterCall = median(later);
const pathReads = Math.min(N, 100);
const byPath = await timed(async () => {
  for (let i = 0; i < pathReads; i++) await root.read(`/visit/f${String(i).padStart(5, "0")}`);
});
await host.close();

const sandbox = new Sandbox(echo, { deadlineMs: 5000, memoryLimitMb: 256 });
const request = {
  config: {},
  args: undefined,
  inputs: [{ path: "/in/f", bytes: new TextEncoder().encode(body) }],
};
await sandbox.call("read", request);
const calls = 2000;
const roundTrips = await timed(async () => {
  for (let i = 0; i < calls; i++) await sandbox.call("read", request);
});
await sandbox.close();
const startups: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const fresh = new Sandbox(echo, { deadlineMs: 5000, memoryLimitMb: 256 });
  startups.push(await timed(() => fresh.call("read", request)));
  await fresh.close();
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
console.log(`entries: ${N} files of ${body.length} bytes, medians of ${RUNS} runs`);
console.log(`direct   list + read all : ${ms(results.direct)}`);
console.log(
  `visit    list + read all : ${ms(results.visit)}  (${
    (results.visit / results.direct).toFixed(1)
  }x direct)`,
);
console.log(
  `computed list + read all : ${ms(results.computed)}  (${
    (results.computed / results.direct).toFixed(1)
  }x direct; ${((results.computed - results.direct) / N * 1000).toFixed(0)} µs more per entry)`,
);
console.log(
  `computed, reads at once  : ${ms(results.concurrent)}  (${
    (results.concurrent / results.direct).toFixed(1)
  }x direct)`,
);
console.log(
  `sandbox start-up         : ${ms(median(startups))} (spawn, lockdown, load, first call)`,
);
console.log(
  `one plugin round trip    : ${
    (roundTrips / calls * 1000).toFixed(0)
  } µs (1 KiB each way, ${calls} sequential calls)`,
);
console.log(
  `start-up                 : first listing of /echo ${ms(firstCall)} (spawn + load), later ${
    ms(laterCall)
  }; sandboxes started for ${RUNS * 3 + 6} listings and ${3 * RUNS * N} reads: ${loads}`,
);
console.log(
  `read by path             : ${
    ms(byPath / pathReads)
  } per read (each recomputes the ${N}-entry listing)`,
);
