/** Benchmark: adding one file to a directory of 1,000 vs 100,000 entries — bytes written and time. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/pond/directory_growth.ts [adds=20] [big=100000]
// Each directory is filled in one transaction through the library; then `adds` separate
// `pond copy` processes each add one file to it. Bytes are the growth of the pond on disk
// (oplog data files, log and checkpoints included) per add; time is per whole process.
import { Pond } from "../../src/pond/pond.ts";
import { diskBytes, median, pond } from "./bench_util.ts";

const ADDS = Number(Deno.args[0] ?? 20);
const SIZES = [1000, Number(Deno.args[1] ?? 100_000)];
const work = await Deno.makeTempDir({ prefix: "pond-bench-dir-" });
await Deno.writeTextFile(`${work}/new.txt`, "one more reading\n");
const results: { n: number; ms: number; bytes: number; fill: number }[] = [];
for (const n of SIZES) {
  const p = `${work}/pond${n}`;
  const fillStart = performance.now();
  const lake = await Pond.init(p);
  await lake.transact(["fill"], async (root) => {
    await root.createDirectory("/d");
    for (let i = 0; i < n; i++) {
      await root.write(`/d/reading-${String(i).padStart(6, "0")}.csv`, `${i}\n`);
    }
  });
  const fill = performance.now() - fillStart;
  const ms: number[] = [];
  const before = await diskBytes(p);
  for (let i = 0; i < ADDS; i++) {
    ms.push(await pond(["copy", `host:${work}/new.txt`, `/d/new-${i}.txt`], p));
  }
  const bytes = (await diskBytes(p) - before) / ADDS;
  results.push({ n, ms: median(ms), bytes, fill });
}
await Deno.remove(work, { recursive: true });
for (const r of results) {
  console.log(
    `${r.n} entries: add one file ${r.ms.toFixed(0)} ms (median of ${ADDS}), ${
      r.bytes.toFixed(0)
    } bytes written per add (mean); filling took ${(r.fill / 1000).toFixed(1)} s`,
  );
}
const [small, big] = results;
console.log(
  `ratio ${big.n}/${small.n}: time ${(big.ms / small.ms).toFixed(2)}x, bytes ${
    (big.bytes / small.bytes).toFixed(2)
  }x`,
);
