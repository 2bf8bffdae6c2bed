/** The plugin library a script uses: one Pond following its installed plugins, damage contained, versions, uses. */
import assert from "node:assert/strict";
import { isPondError } from "../../src/errors.ts";
import { PluginHost } from "../../src/plugin_host/mod.ts";
import { makeDynamic } from "../../src/pond/dynamic_nodes.ts";
import { Pond } from "../../src/pond/pond.ts";
import { pluginUses } from "../../src/pond/plugin_uses.ts";
import { addPlugin, compareVersions, listPlugins, removePlugin } from "../../src/pond/plugins.ts";
import type { DynamicFactory } from "../../src/tinyfs/mod.ts";
import { BUILTIN_PLUGINS, withPond } from "./fixture.ts";

const SHOUT = `export const manifest = { name: "shout", version: "1.0.0", provides: ["directory"],
  config: { files: { type: "glob", required: true } } };
export function entries({ inputs }: { inputs: { files: { path: string; name: string }[] } }) {
  return inputs.files.map((f) => ({ name: f.name.toUpperCase(), compute: { inputs: [f.path] } }));
}
export function read({ inputs }: { inputs: { bytes: Uint8Array }[] }) {
  return new TextDecoder().decode(inputs[0].bytes).toUpperCase();
}
`;

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("one Pond adds a plugin and makes a node with it: its plugins follow the state it reads", async () => {
  await withPond(async (p) => {
    await using host = new PluginHost();
    const pond = await Pond.open(p.dir, { plugins: host });
    await pond.transact(["write"], (root) => root.write("/notes/a.txt", "hi", { parents: true }));
    await addPlugin(pond, bytes(SHOUT), { label: "shout.ts", grants: {}, command: ["add"] });
    const { made, seq } = await makeDynamic(pond, "shout", "/loud", "files: /notes/*.txt\n", {
      command: ["mknod"],
    });
    assert.deepEqual(made, { plugin: "shout", kind: "directory", path: "/loud" });
    assert.equal(text(await (await pond.root()).read("/loud/A.TXT")), "HI");
    await removePlugin(pond, "shout", { force: true, command: ["remove"] });
    assert.equal(text(await (await pond.root({ seq: seq! })).read("/loud/A.TXT")), "HI");
    await assert.rejects(
      (await pond.root()).read("/loud/A.TXT"),
      (e) => isPondError(e, "UnknownFactory"),
    );
  });
});

Deno.test("a damaged installed plugin fails only the reads that need it, naming it; adding it again mends it", async () => {
  await withPond(async (p) => {
    await using host = new PluginHost();
    const pond = await Pond.open(p.dir, { plugins: host });
    await pond.transact(["write"], (root) => root.write("/notes/a.txt", "hi", { parents: true }));
    await addPlugin(pond, bytes(SHOUT), { label: "shout.ts", grants: {}, command: ["add"] });
    await makeDynamic(pond, "shout", "/loud", "files: /notes/*.txt\n", { command: ["mknod"] });
    await pond.transact(
      ["tamper"],
      (root) => root.write("/.pond/plugins/shout.ts", SHOUT.replace("toUpperCase()", "trim()")),
    );
    const root = await pond.root();
    await assert.rejects(root.list("/loud"), (e) => {
      assert.ok(isPondError(e, "PluginCorrupt"), String(e));
      assert.equal(
        e.message,
        "installed plugin shout is damaged: /.pond/plugins/shout.ts is not the source that was " +
          "added (its hash differs); add it again with 'pond plugin add FILE'",
      );
      return true;
    });
    assert.equal(text(await root.read("/notes/a.txt")), "hi", "other reads still work");
    assert.deepEqual((await listPlugins(root)).map((x) => x.name), [...BUILTIN_PLUGINS, "shout"]);
    await addPlugin(pond, bytes(SHOUT), { label: "shout.ts", grants: {}, command: ["add"] });
    assert.equal(text(await (await pond.root()).read("/loud/A.TXT")), "HI");
  });
});

Deno.test("a plugin asking for the network is added only when that is granted", async () => {
  await withPond(async (p) => {
    await using host = new PluginHost();
    const pond = await Pond.open(p.dir, { plugins: host });
    const net = SHOUT.replace(
      'provides: ["directory"]',
      'provides: ["directory"], permissions: { net: ["example.com"] }',
    );
    await assert.rejects(
      addPlugin(pond, bytes(net), { label: "net.ts", grants: {}, command: ["add"] }),
      (e) => isPondError(e, "PermissionNotGranted"),
    );
    assert.deepEqual((await listPlugins(await pond.root())).map((x) => x.name), [
      ...BUILTIN_PLUGINS,
    ]);
    await addPlugin(pond, bytes(net), {
      label: "net.ts",
      grants: { net: ["example.com"] },
      command: ["add"],
    });
    const [shout] = (await listPlugins(await pond.root())).filter((x) => !x.builtin);
    assert.deepEqual(shout.permissions, { net: ["example.com"] });
  });
});

Deno.test("a record under a built-in's name never replaces the built-in", async () => {
  await withPond(async (p) => {
    await using host = new PluginHost();
    const pond = await Pond.open(p.dir, { plugins: host });
    await pond.transact(["fake"], async (root) => {
      await root.write("/in/a.csv", "x", { parents: true });
      await root.write("/.pond/plugins/visit.json", "{}", { parents: true });
      await root.createDynamicDirectory("/v", "visit", "patterns: [/in/*]\n");
    });
    const root = await pond.root();
    assert.deepEqual((await root.list("/v")).map((e) => e.name), ["a.csv"]);
    assert.deepEqual(
      (await listPlugins(root)).map((x) => [x.name, x.builtin]),
      BUILTIN_PLUGINS.map((name) => [name, true]),
    );
  });
});

Deno.test("plugin uses are found in hidden and nested directories without computing any", async () => {
  await withPond(async (p) => {
    const computed: string[] = [];
    const boom: DynamicFactory = {
      open: () => ({
        entries: (context) => {
          computed.push(context.path);
          return Promise.reject(new Error("computed"));
        },
      }),
    };
    const pond = await Pond.open(p.dir, { factories: { boom } });
    await pond.transact(["make"], async (root) => {
      await root.createDynamicDirectory("/.hidden/deep/b", "boom", "", { parents: true });
      await root.createDynamicDirectory("/a", "boom", "");
      await root.registerDynamic("/sites/*/x", "boom", "");
    });
    assert.deepEqual(await pluginUses(await pond.root()), [
      { plugin: "boom", kind: "directory", path: "/.hidden/deep/b" },
      { plugin: "boom", kind: "directory", path: "/a" },
      { plugin: "boom", kind: "pattern", path: "/sites/*/x" },
    ]);
    assert.deepEqual(computed, []);
  });
});

Deno.test("plugin versions order as semantic versions", () => {
  const ordered = [
    "0.9.9",
    "1.0.0-alpha",
    "1.0.0-beta",
    "1.0.0",
    "1.0.1",
    "1.2.0",
    "1.10.0",
    "2.0.0",
  ];
  for (let i = 0; i < ordered.length; i++) {
    for (let j = 0; j < ordered.length; j++) {
      assert.equal(
        Math.sign(compareVersions(ordered[i], ordered[j])),
        Math.sign(i - j),
        `${ordered[i]} vs ${ordered[j]}`,
      );
    }
  }
  assert.equal(compareVersions("1.0.0+build.7", "1.0.0"), 0);
});
