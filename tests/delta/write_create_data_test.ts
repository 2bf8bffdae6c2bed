/** A table can start with rows: version 0 adds their data files in the same commit that creates it. */
import assert from "node:assert/strict";
import { createTable, LocalStore, openTable, parseSchema } from "../../src/delta/mod.ts";

Deno.test("createTable with data: version 0 holds the rows, partitioned", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const schema = parseSchema(JSON.stringify({
      type: "struct",
      fields: [
        { name: "part", type: "string", nullable: false, metadata: {} },
        { name: "n", type: "long", nullable: true, metadata: {} },
      ],
    }));
    const writer = await createTable(new LocalStore(dir), {
      schema,
      partitionColumns: ["part"],
      data: { part: ["a", "b", "a"], n: [1n, 2n, 3n] },
    });
    assert.equal(writer.version, 0);
    assert.equal(writer.state.files.size, 2);
    const snapshot = await (await openTable(dir)).snapshot();
    assert.equal(snapshot.version, 0);
    const rows = await Array.fromAsync(snapshot.scan().rows());
    assert.deepEqual(
      rows.map((r) => `${r.part}:${r.n}`).sort(),
      ["a:1", "a:3", "b:2"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createTable with data honours delta.dataSkippingNumIndexedCols for version 0's statistics", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const schema = parseSchema(JSON.stringify({
      type: "struct",
      fields: ["a", "b", "c"].map((name) => ({ name, type: "long", nullable: true, metadata: {} })),
    }));
    const writer = await createTable(new LocalStore(dir), {
      schema,
      configuration: { "delta.dataSkippingNumIndexedCols": "1" },
      data: { a: [1n, 5n], b: [2n, 6n], c: [3n, 7n] },
    });
    const [add] = writer.state.files.values();
    const stats = JSON.parse(add.stats!);
    assert.equal(stats.numRecords, 2);
    assert.deepEqual(stats.minValues, { a: 1 });
    assert.deepEqual(stats.maxValues, { a: 5 });
    const appended = await writer.append({ a: [9n], b: [9n], c: [9n] });
    const later = [
      ...(await (await openTable(dir)).snapshot({ version: appended.version })).files(),
    ]
      .map((f) => Object.keys(JSON.parse(f.stats!).minValues));
    assert.deepEqual(later, [["a"], ["a"]], "version 0 and later commits index the same columns");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
