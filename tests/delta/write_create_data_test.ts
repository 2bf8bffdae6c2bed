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
