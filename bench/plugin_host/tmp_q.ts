import { DuckDBInstance } from "@duckdb/node-api";
import { mergedReductionSql, partialsSql, planReduction } from "../../plugins/temporal_reduce.ts";
import { SqlEngine } from "../../src/sql/engine.ts";
import { Source } from "../../src/sql/sources.ts";
import { Staging } from "../../src/sql/staging.ts";
import { defineSources } from "../../src/sql/query.ts";
const inst = await DuckDBInstance.create(":memory:"); const c = await inst.connect();
await c.run("SET TimeZone='UTC'");
const cols = ["a","b","c","d"].map((n,j)=>`sin(i/${1000+j*100})*10+random() AS ${n}`).join(", ");
await c.run(`COPY (SELECT TIMESTAMPTZ '2023-01-01 00:00:00+00' + to_minutes(i) AS timestamp, ${cols} FROM range(0, ${365*1440}) t(i)) TO '/tmp/hincr/a.parquet'`);
const columns = [{name:"timestamp",type:"TIMESTAMP WITH TIME ZONE"}, ...["a","b","c","d"].map(name=>({name,type:"DOUBLE"}))];
const plan = planReduction({ in_pattern: "/s", resolutions: ["1h","6h","1d","7d"], aggregations: ["avg","min","max"].map((type) => ({ type: type as "avg", columns: ["*"] })) }, columns);
await c.run(`COPY (${partialsSql("read_parquet('/tmp/hincr/a.parquet')", plan)}) TO '/tmp/hincr/p.parquet'`);
const body = await Deno.readFile('/tmp/hincr/p.parquet');
for (let k = 0; k < 3; k++) {
let s = performance.now(); const lap = (l: string) => { const n = performance.now(); console.log(l, (n - s).toFixed(1)); s = n; };
const staging = await Staging.create(); lap("staging");
const src = await Source.ofParquet("p", [body], staging); lap("ofParquet");
const result = staging.path("parquet");
const engine = await SqlEngine.open(src.files(), { outputs: [result], tables: ["p"] }); lap("open");
const sql = mergedReductionSql("p", plan, 3);
await defineSources(engine, [src], sql); lap("define");
await engine.copy(sql, result, "parquet"); lap("copy");
await Deno.readFile(result); lap("read");
engine.close(); await staging.remove(); lap("close");
}
