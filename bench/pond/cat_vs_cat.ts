/** Benchmark: `pond cat` of a large file (stored as a verified blob) against `cat` of the host file. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/pond/cat_vs_cat.ts [MiB=1024] [rounds=3]
// Each round runs pond cat and cat in turn, to /dev/null and into a pipe (`| wc -c`), so each
// pair is measured under the same load; prints the medians and the median of the pairs' ratios
// (pond's time over cat's: 1 would be as fast as cat), wall and CPU seconds, pond cat's peak
// RSS, and the floor a verified read cannot go under on one core: a Deno process that only
// reads the blob as pond cat does (4 MiB a read) and checks each 1 MiB chunk's CRC-32
// (node:zlib), writing nothing; and, for rows written before CRC-32s were recorded (read by
// each chunk's SHA-256), the same with SHA-256 (node:crypto) instead.
import { type Measured, measured, median, peakRssKiB, pond, ROOT } from "./bench_util.ts";

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
const shard = [...Deno.readDirSync(`${p}/blobs`)].find((e) => e.isDirectory)!.name;
const blob = `${p}/blobs/${shard}/${[...Deno.readDirSync(`${p}/blobs/${shard}`)][0].name}`;
/** A Deno program reading the blob 4 MiB a read and applying `check` to each 1 MiB chunk. */
const floorCode = (imports: string, check: string) =>
  `${imports}
const f = Deno.openSync(${JSON.stringify(blob)});
const buf = new Uint8Array(4 << 20);
for (let n; (n = f.readSync(buf)) !== null;) {
  for (let at = 0; at < n; at += 1 << 20) ${check}(buf.subarray(at, Math.min(n, at + (1 << 20))));
}`;
const crcFloor = floorCode(`import { crc32 } from "node:zlib";`, "crc32");
const shaFloor = floorCode(
  `import { createHash } from "node:crypto";\nconst sha = (b) => createHash("sha256").update(b).digest();`,
  "sha",
);
const pondCat = `"${Deno.execPath()}" run --no-prompt -A "${ROOT}main.ts" cat /big.bin`;
const hostCat = `cat "${host}"`;
const sh = (command: string) => measured("sh", ["-c", command], { env: { POND: p } });
const runs: Record<string, Measured[]> = { pn: [], cn: [], pp: [], cp: [], floor: [], sha: [] };
for (let r = 0; r < ROUNDS; r++) {
  runs.pn.push(await sh(`${pondCat} > /dev/null`));
  runs.cn.push(await sh(`${hostCat} > /dev/null`));
  runs.pp.push(await sh(`${pondCat} | wc -c`));
  runs.cp.push(await sh(`${hostCat} | wc -c`));
  runs.floor.push(await measured(Deno.execPath(), ["eval", crcFloor]));
  runs.sha.push(await measured(Deno.execPath(), ["eval", shaFloor]));
}
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
const wall = (key: string) => median(runs[key].map((m) => m.ms));
const cpu = (key: string) => median(runs[key].map((m) => m.cpu));
const paired = (a: string, b: string, of: keyof Measured) =>
  median(runs[a].map((m, i) => m[of] / runs[b][i][of])).toFixed(2);
console.log(`copy of ${MIB} MiB into the pond: ${copyMs.toFixed(0)} ms (${mbps(copyMs)} MiB/s)`);
for (const [label, pk, ck] of [["to /dev/null:", "pn", "cn"], ["into a pipe: ", "pp", "cp"]]) {
  console.log(
    `${label} pond cat ${mbps(wall(pk))} MiB/s (${cpu(pk).toFixed(2)} s CPU), cat ${
      mbps(wall(ck))
    } MiB/s (${cpu(ck).toFixed(2)} s CPU); pond/cat, median of ${ROUNDS} pairs: wall ${
      paired(pk, ck, "ms")
    }×, CPU ${paired(pk, ck, "cpu")}×`,
  );
}
console.log(
  `floor (a Deno process: read 4 MiB a read + CRC-32 per 1 MiB chunk, one core): ${
    mbps(wall("floor"))
  } MiB/s, ${cpu("floor").toFixed(2)} s CPU; over cat: wall ${
    paired("floor", "cn", "ms")
  }×; pond cat to /dev/null over it: wall ${paired("pn", "floor", "ms")}×, CPU ${
    paired("pn", "floor", "cpu")
  }×`,
);
console.log(
  `rows without CRC-32s (SHA-256 per 1 MiB chunk instead): floor ${mbps(wall("sha"))} MiB/s, ` +
    `over cat: wall ${paired("sha", "cn", "ms")}×`,
);
console.log(
  `peak RSS for a ${MIB} MiB file: pond cat ${(rss / 1024).toFixed(0)} MiB, pond copy ${
    (copyRss / 1024).toFixed(0)
  } MiB`,
);
