/** Benchmark: `pond run` of the HydroVu collector, 7 devices × 10,000 readings × 6 parameters from the local fake server — wall time, where it goes, and its commit against DuckDB writing the same rows to Parquet. */
// deno run -A bench/collector/run.ts [ROUNDS]
import { DuckDBInstance, timestampTZValue } from "@duckdb/node-api";
import { median, ROOT } from "../pond/bench_util.ts";
import {
  fakeReadings,
  fakeValue,
  SONDE_PARAMETERS,
  startFakeHydroVu,
} from "../../scripts/fake_hydrovu.ts";

const ROUNDS = Number(Deno.args[0] ?? 5);
const DEVICES = Array.from({ length: 7 }, (_, i) => ({
  id: 4990594334457856 + i,
  name: `sonde_${i + 1}`,
  start: 1_700_000_000,
  step: 900,
  count: 10_000,
  parameters: SONDE_PARAMETERS,
}));
const SECRET = "bench-secret";
const server = startFakeHydroVu({
  clientId: "bench",
  clientSecret: SECRET,
  devices: DEVICES,
  pageSize: 1000,
});
const dir = await Deno.makeTempDir({ prefix: "pond-bench-collector-" });
const config = `${dir}/hydrovu.yaml`;
await Deno.writeTextFile(
  config,
  `api_url: ${server.url}\nclient_id: bench\nclient_secret: \${env:KEY}\nhydrovu_path: /hydrovu\n` +
    "max_points_per_run: 1000000\ndevices:\n" +
    DEVICES.map((d) => `  - { name: ${d.name}, id: ${d.id} }\n`).join(""),
);

async function pond(args: string[], pondDir: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", `${ROOT}main.ts`, ...args],
    env: { POND: pondDir, KEY: SECRET, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`pond ${args.join(" ")}: ${text}`);
  return text;
}

/** The same collector with every device inactive: a run that starts its sandbox, logs in and fetches nothing. */
const idle = `${dir}/idle.yaml`;
await Deno.writeTextFile(
  idle,
  (await Deno.readTextFile(config)).replaceAll(" }", ", active: false }"),
);

/** One `pond run` into a fresh pond: its wall time and its stages (from --verbose). */
async function pondRun(round: number, configFile = config) {
  const pondDir = `${dir}/pond-${round}-${configFile === config ? "full" : "idle"}`;
  await pond(["init", pondDir], pondDir);
  await pond(["mknod", "hydrovu", "/etc/hydrovu", "-p", "--config", configFile, "--yes"], pondDir);
  const started = performance.now();
  const verbose = await pond(["run", "/etc/hydrovu", "--verbose"], pondDir);
  const wall = performance.now() - started;
  const stage = (name: string) =>
    Number(new RegExp(`${name} ([\\d.]+) ms`).exec(verbose)?.[1] ?? NaN);
  return {
    wall,
    open: stage("open"),
    collect: stage("/etc/hydrovu collect"),
    commit: stage("/etc/hydrovu commit"),
  };
}

/** Every page of every device fetched with plain fetch: the network alone, and the bytes. */
async function fetchPages(): Promise<{ ms: number; pages: Uint8Array[] }> {
  const started = performance.now();
  const token = await (await fetch(`${server.url}oauth/token`, {
    method: "POST",
    headers: { authorization: `Basic ${btoa(`bench:${SECRET}`)}` },
    body: "grant_type=client_credentials",
  })).json();
  const pages: Uint8Array[] = [];
  for (const d of DEVICES) {
    let page: string | null = null;
    do {
      const headers: Record<string, string> = { authorization: `Bearer ${token.access_token}` };
      if (page) headers["x-isi-start-page"] = page;
      const r = await fetch(`${server.url}v1/locations/${d.id}/data?startTime=0`, { headers });
      pages.push(new Uint8Array(await r.arrayBuffer()));
      page = r.headers.get("x-isi-next-page");
    } while (page);
  }
  return { ms: performance.now() - started, pages };
}

/** JSON.parse of the pages under --jitless, as the sandbox parses them, timed inside that process. */
async function parseJitless(pages: readonly Uint8Array[]): Promise<number> {
  const file = `${dir}/pages.json`;
  await Deno.writeTextFile(file, JSON.stringify(pages.map((p) => new TextDecoder().decode(p))));
  const program = `const texts = JSON.parse(await Deno.readTextFile(${JSON.stringify(file)}));
const t = performance.now(); let n = 0;
for (const text of texts) n += JSON.parse(text).parameters.length;
console.log(performance.now() - t);`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--v8-flags=--jitless", program],
    stdout: "piped",
  }).output();
  return Number(new TextDecoder().decode(out.stdout));
}

/** The same rows written with DuckDB (appender, then COPY to Parquet), one file per device. */
async function duckdbWrite(round: number): Promise<number> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const columns = SONDE_PARAMETERS.map((_, i) => `c${i} DOUBLE`).join(", ");
  const started = performance.now();
  for (const d of DEVICES) {
    await connection.run(`CREATE OR REPLACE TABLE t (timestamp TIMESTAMPTZ, ${columns})`);
    const appender = await connection.createAppender("t");
    fakeReadings(d).times.forEach((t, i) => {
      appender.appendTimestampTZ(timestampTZValue(BigInt(t) * 1_000_000n));
      for (const p of SONDE_PARAMETERS) {
        if (p.gap && i % p.gap === 0) appender.appendNull();
        else appender.appendDouble(fakeValue(d.id, p.parameterId, t));
      }
      appender.endRow();
    });
    appender.closeSync();
    await connection.run(`COPY t TO '${dir}/duck-${round}-${d.id}.parquet' (FORMAT parquet)`);
  }
  const ms = performance.now() - started;
  connection.closeSync();
  instance.closeSync();
  return ms;
}

const rows = { run: [] as ReturnType<typeof pondRun> extends Promise<infer R> ? R[] : never };
const network: number[] = [], parse: number[] = [], duck: number[] = [], empty: number[] = [];
let bytes = 0;
for (let round = 0; round < ROUNDS; round++) {
  // Interleaved, so the machine's drift falls on every measure alike.
  rows.run.push(await pondRun(round));
  empty.push((await pondRun(round, idle)).collect);
  const fetched = await fetchPages();
  network.push(fetched.ms);
  bytes = fetched.pages.reduce((n, p) => n + p.length, 0);
  parse.push(await parseJitless(fetched.pages));
  duck.push(await duckdbWrite(round));
}
await server.close();
await Deno.remove(dir, { recursive: true });

const m = (f: (r: (typeof rows.run)[number]) => number) => median(rows.run.map(f));
const wall = m((r) => r.wall), open = m((r) => r.open);
const collect = m((r) => r.collect), commit = m((r) => r.commit);
const net = median(network), json = median(parse), duckdb = median(duck), start = median(empty);
const readings = DEVICES.reduce((n, d) => n + fakeReadings(d).cells, 0);
const f = (ms: number) => `${ms.toFixed(0)} ms`;
const mib = (bytes / 2 ** 20).toFixed(1);
const lines = [
  `pond run, 7 devices × 10,000 readings × 6 parameters: ${readings} readings, ` +
  `${mib} MiB of JSON in ${DEVICES.length * 10} pages; median of ${ROUNDS} rounds`,
  `  wall time                 ${f(wall)}`,
  `    open the pond           ${f(open)}`,
  `    collect                 ${f(collect)} (in the sandbox, --jitless), of which:`,
  `      start, token, names   ${f(start)} (a run with no active device)`,
  `      network               ${f(net)} (a plain fetch of the same pages, with JIT)`,
  `      JSON.parse            ${f(json)} (the same pages, --jitless)`,
  `      the rest              ${
    f(collect - start - net - json)
  } (readings into tables, Arrow IPC)`,
  `    commit                  ${f(commit)} (Parquet per series, one transaction)`,
  `    process start and exit  ${f(wall - open - collect - commit)}`,
  `  DuckDB, the same rows to Parquet (appender + COPY): ${f(duckdb)}`,
  `  ratios: commit / DuckDB ${(commit / duckdb).toFixed(2)} (paired per round: ${
    median(rows.run.map((r, i) => r.commit / duck[i])).toFixed(2)
  }), ` +
  `collect / network ${(collect / net).toFixed(2)}, wall / DuckDB ${(wall / duckdb).toFixed(2)}`,
];
console.log(lines.join("\n"));
