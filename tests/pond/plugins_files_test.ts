/** Dynamic files through the library: made by makeDynamic, stored in the oplog, found as uses without computing. */
import assert from "node:assert/strict";
import { isPondError } from "../../src/errors.ts";
import { isPluginError, PluginHost } from "../../src/plugin_host/mod.ts";
import { kindToMake, makeDynamic } from "../../src/pond/dynamic_nodes.ts";
import { Pond } from "../../src/pond/pond.ts";
import { pluginUses } from "../../src/pond/plugin_uses.ts";
import { addPlugin, findPlugin } from "../../src/pond/plugins.ts";
import { ROOT_ID } from "../../src/tinyfs/mod.ts";
import { withPond } from "./fixture.ts";

/** A plugin providing only a file, whose read fails: computing it anywhere would show. */
const BROKEN = `export const manifest = { name: "broken", version: "1.0.0", provides: ["file"] };
export function read() { throw new Error("computed"); }
`;

/** A plugin providing only a directory. */
const EMPTY = `export const manifest = { name: "empty", version: "1.0.0", provides: ["directory"] };
export function entries() { return []; }
`;

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("makeDynamic makes a dynamic file the oplog keeps as a row with its factory and config", async () => {
  await withPond(async (p) => {
    await using host = new PluginHost();
    const pond = await Pond.open(p.dir, { plugins: host });
    await pond.transact(["write"], (root) => root.write("/in/a.csv", "t\n1\n", { parents: true }));
    const config = "inputs: [/in/*.csv]\ntransform: concat-csv\n";
    const { made } = await makeDynamic(pond, "derived", "/all.csv", config, {
      kind: "file",
      command: ["mknod"],
    });
    assert.deepEqual(made, { plugin: "derived", kind: "file", path: "/all.csv" });
    const reopened = await Pond.open(p.dir, { plugins: host });
    assert.equal(text(await (await reopened.root()).read("/all.csv")), "t\n1\n");
    const node = await (await reopened.root()).open("/all.csv");
    const [row] = await reopened.store.readVersions(
      { partId: ROOT_ID, nodeId: (await node.metadata()).nodeId! },
      await reopened.head(),
    );
    assert.deepEqual([row.entryType, row.size, row.dynamic?.factory], [
      "file:dynamic",
      0,
      "derived",
    ]);
    assert.equal(text(row.dynamic!.config), config);
  });
});

Deno.test("dynamic files are plugin uses, found without computing them", async () => {
  await withPond(async (p) => {
    await using host = new PluginHost();
    const pond = await Pond.open(p.dir, { plugins: host });
    await addPlugin(pond, bytes(BROKEN), { label: "broken.ts", grants: {}, command: ["add"] });
    await makeDynamic(pond, "broken", "/deep/er/x", "", { parents: true, command: ["mknod"] });
    await makeDynamic(pond, "broken", "/.hidden", "", { command: ["mknod"] });
    const root = await pond.root();
    assert.deepEqual(await pluginUses(root), [
      { plugin: "broken", kind: "file", path: "/.hidden" },
      { plugin: "broken", kind: "file", path: "/deep/er/x" },
    ]);
    await assert.rejects(root.read("/.hidden"), (e) => isPluginError(e, "PluginFailed"));
    await makeDynamic(pond, "broken", "/.hidden", "", { replace: true, command: ["again"] });
  });
});

Deno.test("what a plugin makes: what it provides, or the kind asked for when it provides both", async () => {
  await withPond(async (p) => {
    await using host = new PluginHost();
    const pond = await Pond.open(p.dir, { plugins: host });
    await addPlugin(pond, bytes(EMPTY), { label: "empty.ts", grants: {}, command: ["add"] });
    const root = await pond.root();
    const [derived, empty] = await Promise.all(
      ["derived", "empty"].map((name) => findPlugin(root, name)),
    );
    assert.equal(kindToMake(empty, "/e", undefined), "directory");
    assert.equal(kindToMake(derived, "/d", "file"), "file");
    assert.equal(kindToMake(derived, "/sites/*/d", undefined), "directory");
    const refused = (f: () => unknown, code: string) =>
      assert.throws(f, (e) => isPondError(e, code));
    refused(() => kindToMake(derived, "/d", undefined), "KindNeeded");
    refused(() => kindToMake(empty, "/e", "file"), "KindNotProvided");
    refused(() => kindToMake(derived, "/sites/*/d", "file"), "PatternFile");
    await assert.rejects(
      pond.transact(["mknod"], (root) => root.createDynamicFile("/e", "empty", "")),
      (e) =>
        isPluginError(e, "InvalidManifest") && /plugin empty provides directory/.test(e.message),
      "an installed plugin's file factory refuses what its manifest does not provide",
    );
  });
});
