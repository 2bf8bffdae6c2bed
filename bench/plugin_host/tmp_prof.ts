import { PluginHost } from "../../src/plugin_host/mod.ts";
import type { SqlPort } from "../../src/plugin_host/mod.ts";
import { Pond, pondCache } from "../../src/pond/mod.ts";
import { queryMatches } from "../../src/sql/mod.ts";
const dir = await Deno.makeTempDir();
await (await Pond.init(`${dir}/p`)).close();
let sqlMs = 0;
const port: SqlPort = async (q, t, b) => { const s = performance.now(); const r = await queryMatches(q, t, b); sqlMs += performance.now() - s; return r; };
const host = new PluginHost({ sql: port, cache: pondCache(`${dir}/p`), deadlineMs: 600000 });
const pond = await Pond.open(`${dir}/p`, { plugins: host });
const { DuckDBInstance } = await import("@duckdb/node-api");
const inst = await DuckDBInstance.create(":memory:"); const c = await inst.connect();
const DAYS = Number(Deno.args[0] ?? 365);
const cols = ["a","b","c","d"].map((n,j)=>`sin(i/${1000+j*100})*10+random() AS ${n}`).join(", ");
await c.run(`COPY (SELECT TIMESTAMPTZ '2023-01-01 00:00:00+00' + to_minutes(i) AS timestamp, ${cols} FROM range(0, ${DAYS*1440}) t(i)) TO '${dir}/a.parquet'`);
for (const n of ["a", "b", "c"]) await pond.transact(["p"], (r) => r.write(`/s/${n}.series`, new Blob([Deno.readFileSync(`${dir}/a.parquet`)]).stream(), { entryType: "file:series", parents: true }));
await pond.transact(["m"], (r) => r.createDynamicDirectory("/r", "temporal-reduce", JSON.stringify({ in_pattern: "/s/*.series", out_pattern: "$0", resolutions: ["1h", "6h", "1d", "7d"], aggregations: ["avg","min","max"].map(type=>({ type, columns: ["*"] })) })));
for (const n of ["a", "b", "c"]) {
  const s0 = performance.now(); sqlMs = 0;
  await (await pond.root()).list(`/r/${n}`);
  console.log(n, "list", (performance.now() - s0).toFixed(0), "sql", sqlMs.toFixed(0));
  for (const r of ["1h", "6h", "1d", "7d"]) {
    const s = performance.now(); sqlMs = 0;
    await (await pond.root()).read(`/r/${n}/res=${r}.series`);
    console.log(n, r, (performance.now() - s).toFixed(0), "sql", sqlMs.toFixed(0));
  }
}
await pond.close(); await host.close();
await Deno.remove(dir, { recursive: true });
