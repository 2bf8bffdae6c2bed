/** Size-tiered compaction: full tiers merge, partitions keep few files, reads do not change. */
import assert from "node:assert/strict";
import type { AddFile } from "../../src/delta/mod.ts";
import { openTable } from "../../src/delta/mod.ts";
import { filesToMerge, TIER_FANOUT } from "../../src/oplog/compaction.ts";
import { Pond } from "../../src/pond/pond.ts";

const file = (name: string, size: number): AddFile => ({
  path: name,
  size,
  partitionValues: { part_id: "p" },
  modificationTime: 0,
  dataChange: true,
});

Deno.test("the smallest full tier is merged; big files and partial tiers are left alone", () => {
  const small = Array.from({ length: TIER_FANOUT - 1 }, (_, i) => file(`s${i}`, 3000));
  assert.deepEqual(filesToMerge(small), []);
  const full = [...small, file("s7", 9000)];
  assert.deepEqual(filesToMerge(full).map((f) => f.path), full.map((f) => f.path));
  const mid = Array.from({ length: TIER_FANOUT }, (_, i) => file(`m${i}`, 200_000));
  assert.deepEqual(
    filesToMerge([...small, ...mid]).map((f) => f.path[0]),
    Array(TIER_FANOUT).fill("m"),
  );
  const huge = Array.from({ length: TIER_FANOUT }, (_, i) => file(`h${i}`, 100 * 2 ** 20));
  assert.deepEqual(filesToMerge(huge), []);
});

Deno.test("a directory written by 300 transactions keeps few files, and reads the same at every seq", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pond = await Pond.init(`${dir}/p`);
    await pond.transact(["mkdir"], (r) => r.createDirectory("/d"));
    for (let i = 0; i < 300; i++) {
      await pond.transact(["add"], (r) => r.write(`/d/f${String(i).padStart(3, "0")}`, `v${i}`));
    }
    const snapshot = await (await openTable(`${dir}/p/oplog`)).snapshot();
    const byPart = new Map<string, number>();
    for (const f of snapshot.files()) {
      const p = f.partitionValues.part_id!;
      byPart.set(p, (byPart.get(p) ?? 0) + 1);
    }
    assert.ok(
      Math.max(...byPart.values()) <= 3 * TIER_FANOUT,
      `files per partition: ${[...byPart.values()]}`,
    );
    const reopened = await Pond.open(`${dir}/p`);
    for (const seq of [2, 57, 150, 301]) {
      const root = await reopened.root({ seq });
      const names = (await root.list("/d")).map((n) => n.name);
      assert.equal(names.length, seq - 1, `seq ${seq}`);
      assert.equal(new TextDecoder().decode(await root.read(`/d/${names.at(-1)}`)), `v${seq - 2}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
