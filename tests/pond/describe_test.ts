/** describe(): dynamic directories show their plugin; what they compute has one version and no transaction. */
import assert from "node:assert/strict";
import { describe } from "../../src/pond/describe.ts";
import { Pond } from "../../src/pond/pond.ts";
import type { DynamicFactory } from "../../src/tinyfs/mod.ts";
import { REPO_ROOT } from "../cli/harness.ts";

const SAMPLE = await Deno.readFile(`${REPO_ROOT}samples/river_inlet.parquet`);

/** Computes one table, `copy.parquet`, holding the sample's bytes. */
const sampleTable: DynamicFactory = {
  open: () => ({
    entries: () =>
      Promise.resolve([
        {
          kind: "file" as const,
          name: "copy.parquet",
          entryType: "file:table" as const,
          read: () => Promise.resolve(SAMPLE.slice()),
        },
      ]),
  }),
};

Deno.test("describe: a dynamic directory names its plugin; a computed table has a schema and no transaction", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const factories = { sample: sampleTable };
    const made = await Pond.init(dir, { command: ["init"] }, { factories });
    const { seq } = await made.transact(
      ["test"],
      (root) => root.createDynamicDirectory("/derived", "sample", "{}"),
    );
    const pond = await Pond.open(dir, { factories });
    const dynamic = await describe(pond, "/derived");
    assert.equal(dynamic.entryType, "directory:dynamic");
    assert.equal(dynamic.plugin, "sample");
    assert.deepEqual(dynamic.versions.map((v) => v.seq), [seq]);
    const computed = await describe(pond, "/derived/copy.parquet");
    assert.equal(computed.computed, true);
    assert.equal(computed.nodeId, null);
    assert.deepEqual(computed.versions.map((v) => [v.version, v.size, v.seq]), [[
      1,
      SAMPLE.length,
      null,
    ]]);
    assert.equal(computed.schema?.rows, 336);
    assert.equal(computed.schema?.columns.length, 5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
