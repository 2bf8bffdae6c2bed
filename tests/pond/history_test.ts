/** transactionLog() and TreeIndex: what each transaction changed, kept right through moves, removals and compaction. */
import assert from "node:assert/strict";
import { transactionLog } from "../../src/pond/history.ts";
import { compactPond } from "../../src/pond/maintain.ts";
import { OplogRows } from "../../src/pond/oplog_rows.ts";
import { Pond } from "../../src/pond/pond.ts";
import { TreeIndex } from "../../src/pond/tree_index.ts";
import type { WD } from "../../src/tinyfs/mod.ts";

async function withLibraryPond(fn: (pond: Pond, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(await Pond.init(dir), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A history with every kind of change, one transaction per step. */
const STEPS: [string, (root: WD) => Promise<unknown>][] = [
  ["mkdir", (r) => r.createDirectory("/a/b", { parents: true })],
  ["write", async (r) => {
    await r.write("/a/b/x.txt", "x");
    await r.write("/a/y.txt", "y");
  }],
  ["rewrite", (r) => r.write("/a/b/x.txt", "x2")],
  ["move dir", (r) => r.rename("/a/b", "/c")],
  ["rename file", (r) => r.rename("/c/x.txt", "/c/z.txt")],
  ["link", (r) => r.createSymlink("/a/link", "/c/z.txt")],
  ["replace", (r) => r.rename("/a/y.txt", "/c/z.txt")],
  ["rm -r", (r) => r.remove("/a", { recursive: true })],
  ["again", (r) => r.write("/a", "a file now")],
  ["move and write", async (r) => {
    await r.rename("/c", "/d");
    await r.write("/d/z.txt", "z3");
  }],
];

async function build(pond: Pond): Promise<void> {
  for (const [name, step] of STEPS) await pond.transact([name], step);
}

function summary(changes: { change: string; path: string; from?: string }[]): string[] {
  return changes.map((c) => `${c.change} ${c.path}${c.from ? ` <- ${c.from}` : ""}`);
}

Deno.test("transactionLog: each transaction's changes, by path, oldest first", async () => {
  await withLibraryPond(async (pond) => {
    await build(pond);
    const { transactions: log, damage } = await transactionLog(await Pond.open(pond.location), {
      oldestFirst: true,
    });
    assert.deepEqual(damage, []);
    assert.deepEqual(log.map((t) => t.command[0]), ["init", ...STEPS.map(([name]) => name)]);
    assert.deepEqual(log.map((t) => summary(t.changes)), [
      ["added /"],
      ["added /a", "added /a/b"],
      ["added /a/b/x.txt", "added /a/y.txt"],
      ["modified /a/b/x.txt"],
      ["moved /c <- /a/b"],
      ["moved /c/z.txt <- /c/x.txt"],
      ["added /a/link"],
      ["removed /c/z.txt", "moved /c/z.txt <- /a/y.txt"],
      ["removed /a"],
      ["added /a"],
      ["moved /d <- /c", "modified /d/z.txt"],
    ]);
    const rewrite = log[3].changes[0];
    assert.deepEqual([rewrite.before?.version, rewrite.before?.size], [1, 1]);
    assert.deepEqual([rewrite.after?.version, rewrite.after?.size, rewrite.after?.seq], [2, 2, 3]);
  });
});

Deno.test("TreeIndex advanced transaction by transaction agrees with a fresh walk at every one", async () => {
  await withLibraryPond(async (pond) => {
    await build(pond);
    const rows = await OplogRows.open(pond);
    const index = await TreeIndex.at(pond.store, -1);
    const placed = (i: TreeIndex) =>
      i.placements().map((p) => `${p.path} ${p.nodeId} ${p.parent}`).sort();
    for (let seq = 0; seq <= await pond.head(); seq++) {
      await index.advance(seq, await rows.of(seq));
      assert.deepEqual(placed(index), placed(await TreeIndex.at(pond.store, seq)), `at ${seq}`);
    }
  });
});

Deno.test("filters: path globs (a removed or moved directory counts for what it held then), partition, range, limit", async () => {
  await withLibraryPond(async (pond) => {
    await build(pond);
    const seqs = async (options: Parameters<typeof transactionLog>[1]) =>
      (await transactionLog(pond, options)).transactions.map((t) => t.seq);
    assert.deepEqual(await seqs({ path: "/a/b/x.txt" }), [4, 3, 2]);
    assert.deepEqual(await seqs({ path: "/d/**" }), [10]);
    assert.deepEqual(await seqs({ path: "/**/z.txt" }), [10, 7, 5]);
    assert.deepEqual(await seqs({ path: "/a/*", oldestFirst: true }), [1, 2, 3, 4, 6, 7, 8]);
    const a = (await (await pond.root({ seq: 1 })).metadata("/a")).nodeId!;
    assert.deepEqual(
      await seqs({ partition: a }),
      [10, 7, 6, 4, 2, 1],
      "rows in /a's partition: its own, and files made in it, wherever they went",
    );
    assert.deepEqual(await seqs({ since: { seq: 3 }, until: { seq: 5 } }), [5, 4, 3]);
    assert.deepEqual(await seqs({ limit: 2 }), [10, 9]);
    assert.deepEqual(await seqs({ limit: 2, oldestFirst: true }), [0, 1]);
    assert.deepEqual(await seqs({ path: "/a/*", limit: 2 }), [8, 7]);
    assert.deepEqual(await seqs({ limit: 0 }), []);
    const times = (await pond.history()).map((t) => t.timestamp);
    assert.deepEqual(await seqs({ since: { time: times[9] } }), [10, 9]);
    assert.deepEqual(await seqs({ until: { time: times[1] } }), [1, 0]);
  });
});

Deno.test("rows stay findable per transaction after the store merges a partition's files", async () => {
  await withLibraryPond(async (pond) => {
    await pond.transact(["mkdir"], (r) => r.createDirectory("/d"));
    const writes = 20;
    for (let i = 0; i < writes; i++) {
      await pond.transact(["write"], (r) => r.write("/d/f.txt", `v${i}`));
    }
    const log =
      (await transactionLog(await Pond.open(pond.location), { rows: true, oldestFirst: true }))
        .transactions;
    const fileRows = log.slice(2).map((t) => t.rows!.filter((r) => r.entryType === "file:data"));
    assert.deepEqual(
      fileRows.map((rows) => rows.map((r) => r.version)),
      Array.from({ length: writes }, (_, i) => [i + 1]),
    );
    const seqsByFile = new Map<string, Set<number>>();
    for (const t of log) {
      for (const r of t.rows!) {
        seqsByFile.set(r.file, (seqsByFile.get(r.file) ?? new Set()).add(r.seq));
      }
    }
    assert.ok(
      [...seqsByFile.values()].some((s) => s.size > 1),
      "some data file holds rows of several transactions",
    );
    for (const file of seqsByFile.keys()) await Deno.stat(`${pond.location}/oplog/${file}`);
    assert.deepEqual(
      log.slice(2).map((t) => summary(t.changes)),
      fileRows.map((_, i) => [i === 0 ? "added /d/f.txt" : "modified /d/f.txt"]),
    );
  });
});

Deno.test("a maintenance compaction is a transaction that changed no path; the log still finds every row", async () => {
  await withLibraryPond(async (pond) => {
    await build(pond);
    const before =
      (await transactionLog(await Pond.open(pond.location), { rows: true })).transactions;
    const { seq } = await compactPond(await Pond.open(pond.location));
    assert.ok(seq !== null, "there were small files to merge");
    const after =
      (await transactionLog(await Pond.open(pond.location), { rows: true })).transactions;
    assert.equal(after[0].seq, seq);
    assert.deepEqual([after[0].changes, after[0].rows], [[], []]);
    const strip = (log: typeof before) =>
      log.map((t) => ({ ...t, rows: t.rows!.map(({ file: _, ...row }) => row) }));
    assert.deepEqual(strip(after.slice(1)), strip(before));
    assert.ok(
      after[1].rows!.every((r) => !before[0].rows!.some((b) => b.file === r.file)),
      "rows now come from the merged files",
    );
  });
});
