/** pond diff: what changed between two transactions or times, under a path. */
import assert from "node:assert/strict";
import { assertFails, assertOk, type TestPond, withPond } from "../pond/fixture.ts";
import { pondProcess } from "./harness.ts";

/** Transactions 1..4 after init; returns their seqs. */
async function history(p: TestPond): Promise<number[]> {
  const seqs: number[] = [];
  const step = async (body: Parameters<TestPond["change"]>[0]) =>
    seqs.push((await p.change(body))!);
  await step(async (root) => {
    await root.write("/sites/north/a.csv", "1", { parents: true });
    await root.write("/sites/north/b.csv", "2");
    await root.write("/old/x.txt", "x", { parents: true });
    await root.write("/keep.txt", "k");
  });
  await step((root) => root.write("/sites/north/a.csv", "1\n2"));
  await step(async (root) => {
    await root.rename("/sites/north", "/sites/lake_north");
    await root.remove("/old", { recursive: true });
    await root.createSymlink("/latest", "/sites/lake_north");
  });
  await step((root) => root.write("/sites/lake_north/c.csv", "3"));
  return seqs;
}

interface JsonChange {
  change: string;
  path: string;
  from?: string;
  type: string;
  before?: { version: number; size: number; seq: number };
  after?: { version: number; size: number; seq: number };
}

async function diffJson(p: TestPond, args: string[]) {
  return JSON.parse(assertOk(await p.run(["diff", "--json", ...args])).stdout);
}

const brief = (changes: JsonChange[]) =>
  changes.map((c) => `${c.change} ${c.path}${c.from ? ` <- ${c.from}` : ""}`);

Deno.test("diff lists what was added, removed, modified and moved, with versions and sizes", async () => {
  await withPond(async (p) => {
    const [one, , , four] = await history(p);
    const d = await diffJson(p, [String(one), String(four)]);
    assert.deepEqual([d.from, d.to, d.path], [one, four, "/"]);
    assert.deepEqual(brief(d.changes), [
      "added /latest",
      "removed /old",
      "moved /sites/lake_north <- /sites/north",
      "modified /sites/lake_north/a.csv",
      "added /sites/lake_north/c.csv",
    ]);
    const modified = d.changes.find((c: JsonChange) => c.change === "modified");
    assert.deepEqual(modified.before, { version: 1, size: 1, seq: one });
    assert.deepEqual(modified.after, { version: 2, size: 3, seq: one + 1 });
    assert.equal(modified.type, "file:data");
    const text = assertOk(await p.run(["diff", String(one), String(four)])).stdout;
    assert.equal(
      text,
      [
        "added     /latest                  symlink v1",
        "removed   /old/                    directory v1 1 entry",
        "moved     /sites/lake_north/       from /sites/north, v1 -> v2, 2 entries -> 3 entries",
        "modified  /sites/lake_north/a.csv  file:data v1 -> v2, 1 B -> 3 B",
        "added     /sites/lake_north/c.csv  file:data v1 1 B",
        "",
      ].join("\n"),
    );
  });
});

Deno.test("diff from the later transaction to the earlier shows the way back", async () => {
  await withPond(async (p) => {
    const [one, , , four] = await history(p);
    const d = await diffJson(p, [String(four), String(one)]);
    assert.deepEqual(brief(d.changes), [
      "removed /latest",
      "added /old",
      "added /old/x.txt",
      "removed /sites/lake_north/c.csv",
      "moved /sites/north <- /sites/lake_north",
      "modified /sites/north/a.csv",
    ]);
  });
});

Deno.test("diff under a path: follows the directory it names across renames; moves across its edge are adds or removes", async () => {
  await withPond(async (p) => {
    const [one, two, three, four] = await history(p);
    const d = await diffJson(p, [String(two), String(four), "/latest"]);
    assert.equal(d.path, "/sites/lake_north", "the symlink is resolved");
    assert.deepEqual(brief(d.changes), [
      "moved /sites/lake_north <- /sites/north",
      "added /sites/lake_north/c.csv",
    ]);
    const north = await diffJson(p, [String(one), String(three), "/sites/north"]);
    assert.deepEqual(brief(north.changes), [
      "moved /sites/lake_north <- /sites/north",
      "modified /sites/lake_north/a.csv",
    ]);
    const file = await diffJson(p, [String(one), String(four), "/sites/lake_north/a.csv"]);
    assert.deepEqual(brief(file.changes), [
      "moved /sites/lake_north/a.csv <- /sites/north/a.csv",
    ], "a file that moved with its directory is followed, and its move shown");
    assert.deepEqual([file.changes[0].before.version, file.changes[0].after.version], [1, 2]);
    assert.deepEqual(brief((await diffJson(p, [String(one), String(two), "/sites"])).changes), [
      "modified /sites/north/a.csv",
    ]);
    const five = (await p.change((root) =>
      root.rename("/keep.txt", "/sites/lake_north/keep.txt")
    ))!;
    assert.deepEqual(brief((await diffJson(p, [String(four), String(five), "/sites"])).changes), [
      "added /sites/lake_north/keep.txt",
    ]);
    assert.deepEqual(brief((await diffJson(p, [String(four), String(five)])).changes), [
      "moved /sites/lake_north/keep.txt <- /keep.txt",
    ]);
    assert.deepEqual(brief((await diffJson(p, [String(five), String(four), "/sites"])).changes), [
      "removed /sites/lake_north/keep.txt",
    ]);
  });
});

Deno.test("diff takes times; nothing changed prints nothing", async () => {
  await withPond(async (p) => {
    const [one, , , four] = await history(p);
    const times = (await (await p.open()).history()).map((t) =>
      new Date(t.timestamp).toISOString()
    );
    const byTime = await diffJson(p, [times[one], times[four]]);
    assert.deepEqual([byTime.from, byTime.to], [one, four]);
    const r = assertOk(await p.run(["diff", String(four), String(four)]));
    assert.equal(r.stdout, "");
    assert.deepEqual((await diffJson(p, [String(one), String(one + 1), "/old"])).changes, []);
  });
});

Deno.test("diff errors: a path in neither state, a transaction that does not exist, bad arguments", async () => {
  await withPond(async (p) => {
    const [one, , , four] = await history(p);
    assertFails(
      await p.run(["diff", String(one), String(four), "/nowhere"]),
      1,
      `pond: /nowhere exists neither at transaction ${one} nor at ${four}; check the path with 'pond list --at'\n`,
    );
    assertFails(
      await p.run(["diff", "0", "99"]),
      1,
      `pond: there is no transaction 99; the newest is ${four}\n`,
    );
    assertFails(
      await p.run(["diff", "1990-01-01T00:00:00Z", "1"]),
      1,
      /^pond: .*oplog has no version at or before 1990-01-01T00:00:00\.000Z: its earliest available version, 0, was committed at /,
    );
    assertFails(
      await p.run(["diff", "0", "soon"]),
      2,
      "pond diff: A and B are transaction numbers or times such as 2026-06-01T12:00:00Z, not 'soon'\n",
    );
    assertFails(
      await p.run(["diff", "0"]),
      2,
      /^pond diff: missing argument \(usage: pond diff A B \[PATH\]/,
    );
    assertFails(await p.run(["diff", "0", "1", "/", "/x"]), 2, /^pond diff: too many arguments/);
  });
});

Deno.test("diff A B PATH follows a file moved by a rename above it or of its own, from either end's path", async () => {
  await withPond(async (p) => {
    const a = (await p.change((root) => root.write("/m/n/f.txt", "f", { parents: true })))!;
    await p.change((root) => root.rename("/m/n", "/m/o"));
    const above = (await p.change((root) => root.rename("/m", "/q")))!;
    const own = (await p.change((root) => root.rename("/q/o/f.txt", "/q/o/g.txt")))!;
    const run = (args: string[]) => pondProcess(args, { POND: p.dir });
    for (const path of ["/q/o/f.txt", "/m/n/f.txt"]) {
      const r = assertOk(await run(["diff", String(a), String(above), path]));
      assert.equal(
        r.stdout,
        "moved  /q/o/f.txt  from /m/n/f.txt\n",
        `moved above it, from ${path}`,
      );
    }
    for (const path of ["/q/o/g.txt", "/m/n/f.txt"]) {
      const r = assertOk(await run(["diff", String(a), String(own), path]));
      assert.equal(r.stdout, "moved  /q/o/g.txt  from /m/n/f.txt\n", `and renamed, from ${path}`);
    }
    const back = assertOk(await run(["diff", String(own), String(a), "/q/o/g.txt"]));
    assert.equal(back.stdout, "moved  /m/n/f.txt  from /q/o/g.txt\n");
    const dir = await diffJson(p, [String(a), String(own), "/q/o"]);
    assert.deepEqual(brief(dir.changes), [
      "moved /q/o <- /m/n",
      "moved /q/o/g.txt <- /m/n/f.txt",
    ], "a directory moved from above is shown moved, with its own contents' changes");
  });
});
