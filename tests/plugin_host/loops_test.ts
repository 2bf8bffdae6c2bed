/** Tests for loops across plugin directories: VisitLoop naming the directory, never a hang. */

import assert from "node:assert/strict";
import { isTinyFsError } from "../../src/tinyfs/mod.ts";
import { builtinPlugins } from "../../src/plugin_host/mod.ts";
import { pondWith, text, withHost } from "./helpers.ts";

const { visit, reverse, derived } = await builtinPlugins();

async function visitLoop(promise: Promise<unknown>, path: string) {
  await assert.rejects(promise, (e) => {
    assert.ok(isTinyFsError(e, "VisitLoop"), `expected VisitLoop, got ${e}`);
    assert.equal(e.path, path);
    assert.match(e.message, new RegExp(`dynamic directory ${path} reaches itself`));
    return true;
  });
}

Deno.test("loops: a visit whose glob reaches itself is a VisitLoop naming it", async () => {
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, { "/loop/test.txt": "Test content" }, [[
      "/loop/visit",
      visit,
      { patterns: ["/loop/**"] },
    ]]);
    const root = await fs.root();
    await visitLoop(root.list("/loop/visit"), "/loop/visit");
    await visitLoop(root.glob("/loop/visit/**"), "/loop/visit");
    await visitLoop(root.glob("/**"), "/loop/visit");
    assert.equal(text(await root.read("/loop/test.txt")), "Test content");
  });
});

Deno.test("loops: two plugins reading each other are a VisitLoop, whichever is read first", async () => {
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, { "/data/a": "A" }, [
      ["/v1", visit, { patterns: ["/v2/*"] }],
      ["/v2", reverse, { source: "/v1/*" }],
      ["/c1", derived, { inputs: ["/c2/*"], transform: "concat-csv" }],
      ["/c2", visit, { patterns: ["/c1/*", "/data/*"] }],
    ]);
    const root = await fs.root();
    await visitLoop(root.list("/v1"), "/v1");
    await visitLoop(root.list("/v2"), "/v2");
    await visitLoop(root.list("/c2"), "/c2");
  });
});

Deno.test("loops: a plugin reaching itself through its own subdirectories is a VisitLoop", async () => {
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, { "/data/f": "F" }, [["/data/r", reverse, {
      source: "/data/*",
    }]]);
    const root = await fs.root();
    assert.deepEqual((await root.list("/data/r")).map((e) => e.name), ["f", "r"]);
    assert.equal(text(await root.read("/data/r/f")), "F");
    await visitLoop(root.list("/data/r/r"), "/data/r");
    await visitLoop(root.glob("/data/**"), "/data/r");
  });
});
