/** Benchmark: `pond list` of 100,000 files, and opening a pond after 10,000 transactions vs 100. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/pond/list_and_open.ts [files=100000] [transactions=10000]
// Times are whole `pond` processes (median of 5), wall clock, same run.
import { Pond } from "../../src/pond/pond.ts";
import { historyPond, median, pond } from "./bench_util.ts";

const FILES = Number(Deno.args[0] ?? 100_000);
const TRANSACTIONS = Number(Deno.args[1] ?? 10_000);
const work = await Deno.makeTempDir({ prefix: "pond-bench-list-" });

async function processMedian(args: string[], p: string): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) ms.push(await pond(args, p));
  return median(ms);
}

const wide = `${work}/wide`;
const lake = await Pond.init(wide);
await lake.transact(["fill"], async (root) => {
  await root.createDirectory("/d");
  for (let i = 0; i < FILES; i++) {
    await root.write(`/d/r${String(i).padStart(6, "0")}.csv`, `${i}\n`);
  }
});
const list = await processMedian(["list", "/d"], wide);
const listLong = await processMedian(["list", "-l", "/d"], wide);
const empty = `${work}/empty`;
await Pond.init(empty);
const baseline = await processMedian(["list", "/"], empty);
console.log(
  `pond list of ${FILES} files: ${list.toFixed(0)} ms; with -l: ${
    listLong.toFixed(0)
  } ms; pond list of an empty pond: ${baseline.toFixed(0)} ms`,
);

const built = performance.now();
const short = await historyPond(`${work}/history100`, 100);
const long = await historyPond(`${work}/history${TRANSACTIONS}`, TRANSACTIONS);
const buildMs = performance.now() - built;
const openShort = await processMedian(["cat", "/dir3/f3.txt"], short);
const openLong = await processMedian(["cat", "/dir3/f3.txt"], long);
const listShort = await processMedian(["list", "/dir3"], short);
const listLongHistory = await processMedian(["list", "/dir3"], long);
console.log(`built ${TRANSACTIONS + 100} transactions in ${(buildMs / 1000).toFixed(0)} s`);
console.log(
  `open + cat one file: after 100 transactions ${openShort.toFixed(0)} ms, after ${TRANSACTIONS} ${
    openLong.toFixed(0)
  } ms: ratio ${(openLong / openShort).toFixed(2)}`,
);
console.log(
  `open + list a directory: after 100 ${listShort.toFixed(0)} ms, after ${TRANSACTIONS} ${
    listLongHistory.toFixed(0)
  } ms (it holds ${TRANSACTIONS / 10} files then)`,
);
await Deno.remove(work, { recursive: true });
