/**
 * SQL over the operation log as history grows: the same queries over `oplog` and `nodes` of a
 * pond after N transactions and after N/100, as whole `pond query` processes, in one run.
 * A query that returns a fixed number of rows (one transaction's, the ten directories) should
 * not grow with history beyond what DuckDB reads of the oplog's (compacted) data files.
 *
 * Run: deno run --no-prompt -A bench/sql/oplog_history.ts [transactions=10000]
 */
import { Table } from "../../src/delta/mod.ts";
import { Pond } from "../../src/pond/pond.ts";
import { historyPond, median, pond } from "../pond/bench_util.ts";

const TRANSACTIONS = Number(Deno.args[0] ?? 10_000);
const work = await Deno.makeTempDir({ prefix: "pond-bench-oplog-" });

const QUERIES: [string, string][] = [
  ["one transaction's rows", "SELECT node_id, entry_type, version FROM oplog WHERE seq = 5"],
  ["rows by entry type", "SELECT entry_type, count(*) FROM oplog GROUP BY entry_type"],
  [
    "the ten directories, from nodes",
    "SELECT path, size FROM nodes WHERE entry_type = 'directory'",
  ],
];

const small = await historyPond(`${work}/history${TRANSACTIONS / 100}`, TRANSACTIONS / 100);
const large = await historyPond(`${work}/history${TRANSACTIONS}`, TRANSACTIONS);
for (const [what, sql] of QUERIES) {
  const times = { small: [] as number[], large: [] as number[] };
  for (let i = 0; i < 5; i++) {
    times.small.push(await pond(["query", sql], small));
    times.large.push(await pond(["query", sql], large));
  }
  const [a, b] = [median(times.large), median(times.small)];
  console.log(
    `${what}: ${TRANSACTIONS} transactions ${a.toFixed(0)} ms, ${TRANSACTIONS / 100}: ${
      b.toFixed(0)
    } ms, ratio ${(a / b).toFixed(2)}`,
  );
}
const live = (await new Table((await Pond.open(large)).store.table).snapshot()).files().length;
console.log(`(the ${TRANSACTIONS}-transaction oplog has ${live} live data files)`);
await Deno.remove(work, { recursive: true });
