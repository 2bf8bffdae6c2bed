/** pond log (show): transactions newest first with what they changed, filters, --rows, --json. */
import assert from "node:assert/strict";
import { pondInProcess, pondProcess } from "./harness.ts";
import { assertFails, assertOk, type TestPond, withPond } from "../pond/fixture.ts";

/** Five transactions after init, made with the CLI so their commands are recorded. */
async function history(p: TestPond): Promise<void> {
  await Deno.writeTextFile(`${p.host}/a.csv`, "t,v\n1,2\n");
  assertOk(await p.run(["mkdir", "-p", "/sites/north"]));
  assertOk(await p.run(["copy", `host:${p.host}/a.csv`, "/sites/north/a.csv"]));
  await Deno.writeTextFile(`${p.host}/a.csv`, "t,v\n1,2\n2,3\n");
  assertOk(await p.run(["copy", `host:${p.host}/a.csv`, "/sites/north/a.csv"]));
  assertOk(await p.run(["mv", "/sites/north", "/sites/lake north"]));
  assertOk(await p.run(["rm", "-r", "/sites"]));
}

Deno.test("log prints each transaction, newest first: number, time, user, command, changes", async () => {
  await withPond(async (p) => {
    await history(p);
    const r = assertOk(await p.run(["log"]));
    const blocks = r.stdout.split("\n\n");
    assert.equal(blocks.length, 6);
    assert.match(
      blocks[0],
      /^transaction 5 {2}\d{4}-\d\d-\d\dT[\d:.]+Z( {2}\S+)?\n {2}pond rm -r \/sites\n/,
    );
    assert.match(blocks[0], /\n {2}removed {2}\/sites\/ {2}directory v2 1 entry$/);
    assert.match(
      blocks[1],
      /\n {2}pond mv \/sites\/north '\/sites\/lake north'\n {2}moved {2}\/sites\/lake north\/ {2}from \/sites\/north$/,
    );
    assert.match(
      blocks[2],
      /\n {2}modified {2}\/sites\/north\/a\.csv {2}file:data v1 -> v2, 8 B -> 12 B$/,
    );
    assert.match(blocks[3], /\n {2}added {2}\/sites\/north\/a\.csv {2}file:data v1 8 B$/);
    assert.match(
      blocks[4],
      /\n {2}added {2}\/sites\/ {8}directory v1 1 entry\n {2}added {2}\/sites\/north\/ {2}directory v1 0 entries$/,
    );
    assert.match(
      blocks[5],
      /^transaction 0 .*\n {2}pond init \S+\n {2}added {2}\/ {2}directory v1 0 entries\n$/,
    );
    assert.equal(r.stderr, "");
    assert.equal(assertOk(await p.run(["show"])).stdout, r.stdout, "show is log");
  });
});

Deno.test("log --json: pure JSON on stdout, with the changes' versions and sizes", async () => {
  await withPond(async (p) => {
    await history(p);
    const r = assertOk(await p.run(["log", "--json", "--reverse"]));
    const log = JSON.parse(r.stdout);
    assert.deepEqual(log.map((t: { seq: number }) => t.seq), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(log[4].command, ["mv", "/sites/north", "/sites/lake north"]);
    assert.equal(typeof log[4].user, "string");
    assert.ok(!Number.isNaN(Date.parse(log[4].time)));
    assert.deepEqual(log[3].changes, [{
      change: "modified",
      path: "/sites/north/a.csv",
      nodeId: log[2].changes[0].nodeId,
      type: "file:data",
      before: { version: 1, size: 8, seq: 2 },
      after: { version: 2, size: 12, seq: 3 },
    }]);
    assert.equal(log[0].rows, undefined, "rows only with --rows");
  });
});

Deno.test("log filters: --path, --partition, --since/--until by transaction or time, --limit", async () => {
  await withPond(async (p) => {
    await history(p);
    const seqs = async (args: string[]) =>
      JSON.parse(assertOk(await p.run(["log", "--json", ...args])).stdout).map((
        t: { seq: number },
      ) => t.seq);
    assert.deepEqual(
      await seqs(["--path", "/sites/north/*.csv"]),
      [4, 3, 2],
      "not 5: by then it was /sites/lake north/a.csv",
    );
    assert.deepEqual(await seqs(["--path", "/sites/north/*.csv", "--limit", "1", "--reverse"]), [
      2,
    ]);
    assert.deepEqual(await seqs(["--path", "/nothing/**"]), []);
    const sites =
      JSON.parse(assertOk(await p.run(["describe", "--json", "/sites", "--at", "1"])).stdout)[0];
    assert.deepEqual(
      await seqs(["--partition", sites.nodeId]),
      [4, 1],
      "a.csv lives in north's partition",
    );
    assert.deepEqual(await seqs(["--since", "2", "--until", "3"]), [3, 2]);
    assert.deepEqual(await seqs(["--limit", "2"]), [5, 4]);
    const times = JSON.parse(assertOk(await p.run(["log", "--json"])).stdout).map((
      t: { time: string },
    ) => t.time);
    assert.deepEqual(await seqs(["--since", times[1]]), [5, 4]);
    assert.deepEqual(await seqs(["--until", times[4]]), [1, 0]);
    assert.equal(assertOk(await p.run(["log", "--path", "/nothing"])).stdout, "");
  });
});

Deno.test("log --rows shows each transaction's oplog rows, grouped by the data file holding them", async () => {
  await withPond(async (p) => {
    await history(p);
    const [t] = JSON.parse(
      assertOk(await p.run(["log", "--rows", "--json", "--since", "3", "--until", "3"])).stdout,
    );
    assert.equal(
      t.rows.length,
      1,
      "a new version of a file is one row; its directory is unchanged",
    );
    const [row] = t.rows;
    assert.equal(row.nodeId, t.changes[0].nodeId);
    assert.deepEqual([row.version, row.entryType, row.size, row.storage], [
      2,
      "file:data",
      12,
      "inline",
    ]);
    assert.match(row.hash, /^[0-9a-f]{64}$/);
    assert.match(row.file, new RegExp(`^part_id=${row.partId}/.*\\.parquet$`));
    await Deno.stat(`${p.dir}/oplog/${row.file}`);
    const [mkdir] = JSON.parse(
      assertOk(await p.run(["log", "--rows", "--json", "--since", "1", "--until", "1"])).stdout,
    );
    assert.deepEqual(
      mkdir.rows.map((r: { entryType: string; version: number }) => [r.entryType, r.version])
        .sort(),
      [
        ["directory", 1],
        ["directory", 1],
        ["directory", 2],
      ],
    );
    const text =
      assertOk(await p.run(["log", "--rows", "--limit", "1", "--since", "3", "--until", "3"]))
        .stdout;
    assert.match(
      text,
      new RegExp(
        `\n {2}rows in ${
          row.file.replaceAll(".", "\\.")
        }\n {4}${row.nodeId} {2}v2 {2}file:data {2}12 {2}inline sha256:${row.hash.slice(0, 16)}\n$`,
      ),
    );
  });
});

Deno.test("log errors: a bad --limit, --since or glob; arguments; no pond", async () => {
  await withPond(async (p) => {
    assertFails(
      await p.run(["log", "--limit", "ten"]),
      2,
      "pond log: --limit takes a whole number, not 'ten'\n",
    );
    assertFails(
      await p.run(["log", "--since", "last week"]),
      2,
      "pond log: --since takes a transaction number or a time such as 2026-06-01T12:00:00Z, not 'last week'\n",
    );
    assertFails(await p.run(["log", "/sites"]), 2, /^pond log: too many arguments/);
    assertFails(
      await p.run(["log", "--path", "/a/[b"]),
      1,
      /^pond: bad glob pattern "\/a\/\[b": a \[ is not closed by \]\n$/,
    );
  });
  assertFails(await pondInProcess(["log"]), 2, /^pond log: which pond\?/);
});

Deno.test("log --json from a separate process reads what other processes wrote", async () => {
  await withPond(async (p) => {
    assertOk(await p.run(["mkdir", "/a"]));
    const r = await pondProcess(["log", "--json", "--limit", "1"], { POND: p.dir });
    assert.equal(r.code, 0, r.stderr);
    const [t] = JSON.parse(r.stdout);
    assert.deepEqual([t.seq, t.command[0], t.changes[0].change, t.changes[0].path], [
      1,
      "mkdir",
      "added",
      "/a",
    ]);
  });
});

Deno.test("log shows a maintenance compaction as its own transaction, with its command", async () => {
  await withPond(async (p) => {
    await history(p);
    assertOk(await p.run(["maintain", "--compact"]));
    const text = assertOk(await p.run(["log", "--limit", "1"])).stdout;
    assert.match(
      text,
      /^transaction 6 {2}\S+Z {2}\S+\n {2}pond maintain --compact\n {2}\(no paths changed\)\n$/,
    );
  });
});
