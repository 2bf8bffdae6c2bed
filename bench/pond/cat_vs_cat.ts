/** Benchmark: `pond cat` of a large file (stored as a verified blob) against `cat` of the host file. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/pond/cat_vs_cat.ts [MiB=1024] [rounds=3]
// Reports throughput of each (to /dev/null and into a pipe), their ratio, CPU seconds of each,
// and pond cat's peak RSS.
import { cpuSeconds, median, peakRssKiB, pond, ROOT, timed } from "./bench_util.ts";
// "ratio" is pond's throughput over cat's (1 would be as fast as cat).

const MIB = Number(Deno.args[0] ?? 1024);
const ROUNDS = Number(Deno.args[1] ?? 3);
const work = await Deno.makeTempDir({ prefix: "pond-bench-cat-" });
const host = `${work}/big.bin`;
{
  const file = await Deno.open(host, { write: true, create: true });
  const chunk = new Uint8Array(1 << 20);
  for (let i = 0; i < MIB; i++) {
    crypto.getRandomValues(chunk.subarray(0, 65536));
    chunk.copyWithin(65536, 0, 65536);
    await file.write(chunk);
  }
  file.close();
}
const p = `${work}/pond`;
await pond(["init", p], p);
const copyMs = await pond(["copy", `host:${host}`, "/big.bin"], p);
const copyRss = await peakRssKiB(
  Deno.execPath(),
  ["run", "--no-prompt", "-A", `${ROOT}main.ts`, "copy", `host:${host}`, "/again.bin"],
  { POND: p },
);
const pondCat = `"${Deno.execPath()}" run --no-prompt -A "${ROOT}main.ts" cat /big.bin`;
const hostCat = `cat "${host}"`;
const runs = async (command: string) => {
  const ms: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ms.push(await timed("sh", ["-c", command], { env: { POND: p } }));
  }
  return median(ms);
};
const [pm, cm] = [await runs(`${pondCat} > /dev/null`), await runs(`${hostCat} > /dev/null`)];
const [pp, cp] = [await runs(`${pondCat} | wc -c`), await runs(`${hostCat} | wc -c`)];
const cpu = async (command: string) => {
  const s: number[] = [];
  for (let r = 0; r < ROUNDS; r++) s.push(await cpuSeconds("sh", ["-c", command], { POND: p }));
  return median(s);
};
const [pc, cc] = [await cpu(`${pondCat} > /dev/null`), await cpu(`${hostCat} > /dev/null`)];
const rss = await peakRssKiB(Deno.execPath(), [
  "run",
  "--no-prompt",
  "-A",
  `${ROOT}main.ts`,
  "cat",
  "/big.bin",
], { POND: p });
await Deno.remove(work, { recursive: true });
const mbps = (ms: number) => (MIB / (ms / 1000)).toFixed(0);
console.log(`copy of ${MIB} MiB into the pond: ${copyMs.toFixed(0)} ms (${mbps(copyMs)} MiB/s)`);
console.log(
  `to /dev/null:  pond cat ${mbps(pm)} MiB/s, cat ${mbps(cm)} MiB/s, ratio ${(cm / pm).toFixed(3)}`,
);
console.log(
  `into a pipe:   pond cat ${mbps(pp)} MiB/s, cat ${mbps(cp)} MiB/s, ratio ${(cp / pp).toFixed(3)}`,
);
console.log(
  `CPU to /dev/null: pond cat ${pc.toFixed(2)} s, cat ${cc.toFixed(2)} s` +
    (cc > 0 ? `, pond cat uses ${(pc / cc).toFixed(1)}× cat's CPU` : ""),
);
console.log(
  `peak RSS for a ${MIB} MiB file: pond cat ${(rss / 1024).toFixed(0)} MiB, pond copy ${
    (copyRss / 1024).toFixed(0)
  } MiB`,
);
