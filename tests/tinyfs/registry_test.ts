/** Tests for pattern-registered dynamic directories: lookup, listing, globs, history, loops. */

import assert from "node:assert/strict";
import {
  type DynamicContext,
  type DynamicFactory,
  type Factories,
  FS,
  REGISTRY_ID,
} from "../../src/tinyfs/mod.ts";
import { visitFactory } from "./fixtures/visit_directory.ts";
import { build, changeList, newPond, rejectsWith, text } from "./helpers.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const file = (name: string, content: () => Promise<string> | string) => ({
  kind: "file" as const,
  name,
  read: async () => bytes(await content()),
});

/**
 * Config: a label. Shows `site` (the captures joined with `/`), `label`, `names` (the
 * entries of the directory holding it) and `nested/captures` (a computed subdirectory
 * reporting the captures it was computed with).
 */
const summary: DynamicFactory = {
  open(config) {
    const label = new TextDecoder().decode(config);
    if (label === "") throw new Error("summary needs a label");
    return {
      entries: (context: DynamicContext) =>
        Promise.resolve([
          file("site", () => context.captures.join("/")),
          file("label", () => label),
          file("names", async () => (await context.fs.list()).map((e) => e.name).join(",")),
          {
            kind: "directory" as const,
            name: "nested",
            directory: {
              entries: (inner: DynamicContext) =>
                Promise.resolve([file("captures", () => inner.captures.join("/"))]),
            },
          },
        ]),
    };
  },
};

/**
 * Config: `{"a": "b/own"}`, by site. Shows `own` (the site's capture) and, for a site the
 * config names, `from`: the file at `/sites/<site>/peer/<file>` for the value `<site>/<file>`.
 */
const peer: DynamicFactory = {
  open(config) {
    const reads: Record<string, string> = JSON.parse(new TextDecoder().decode(config));
    return {
      entries(context: DynamicContext) {
        const [site] = context.captures;
        const target = reads[site]?.split("/");
        const from = target &&
          file(
            "from",
            async () => text(await context.fs.read(`/sites/${target[0]}/peer/${target[1]}`)),
          );
        return Promise.resolve([file("own", () => site), ...(from ? [from] : [])]);
      },
    };
  },
};

const factories: Factories = { summary, peer, visit: visitFactory };

async function sites() {
  const pond = await newPond(factories);
  await build(pond.fs, { "/sites/a/data.csv": "A", "/sites/b/data.csv": "B", "/other/x": "X" });
  return pond;
}

Deno.test("registry: every matching directory shows the node, computed with its captures", async () => {
  const { fs } = await sites();
  const registration = await fs.transact(
    { command: ["mknod"] },
    (root) => root.registerDynamic("/sites/*/summary", "summary", "daily"),
  );
  assert.equal(registration.pattern, "/sites/*/summary");
  const root = await fs.root();
  assert.deepEqual((await root.list("/sites/a")).map((e) => [e.name, e.entryType]), [
    ["data.csv", "file:data"],
    ["summary", "directory:dynamic"],
  ]);
  assert.deepEqual((await root.list("/sites/b/summary")).map((e) => e.name), [
    "label",
    "names",
    "nested",
    "site",
  ]);
  assert.equal(text(await root.read("/sites/a/summary/site")), "a");
  assert.equal(text(await root.read("/sites/b/summary/site")), "b");
  assert.equal(text(await root.read("/sites/b/summary/label")), "daily");
  assert.equal(text(await root.read("/sites/a/summary/names")), "data.csv,summary");
  assert.equal(text(await root.read("/sites/a/summary/nested/captures")), "a");
  assert.equal(await root.exists("/other/summary"), false);
  assert.equal(await root.exists("/sites/summary"), false);
  const meta = await root.metadata("/sites/a/summary");
  assert.deepEqual(
    [meta.kind, meta.entryType, meta.factory, meta.pattern, meta.nodeId, meta.computed],
    ["directory", "directory:dynamic", "summary", "/sites/*/summary", registration.nodeId, false],
  );
  assert.equal((await root.metadata("/sites/a/summary/site")).computed, true);
});

Deno.test("registry: directories that appear later are served too, inside the transaction at once", async () => {
  const { fs } = await sites();
  await fs.transact({ command: ["mknod"] }, async (root) => {
    await root.registerDynamic("/sites/*/summary", "summary", "x");
    assert.equal(text(await root.read("/sites/a/summary/site")), "a", "seen before commit");
  });
  await fs.transact({ command: ["mkdir"] }, async (root) => {
    await root.createDirectory("/sites/c");
    assert.equal(text(await root.read("/sites/c/summary/site")), "c");
  });
  assert.equal(text(await (await fs.root()).read("/sites/c/summary/names")), "summary");
});

Deno.test("registry: ** patterns serve every depth, capturing each directory's name", async () => {
  const { fs } = await newPond(factories);
  await build(fs, { "/data/x/y/f": "F" });
  await fs.transact({ command: ["mknod"] }, async (root) => {
    await root.registerDynamic("/data/**/index", "summary", "i");
    await root.registerDynamic("/top", "summary", "t");
  });
  const root = await fs.root();
  const site = (path: string) => root.read(`${path}/index/site`).then(text);
  assert.deepEqual(
    await Promise.all(["/data", "/data/x", "/data/x/y"].map(site)),
    ["", "x", "x/y"],
  );
  assert.equal(text(await root.read("/top/label")), "t");
  assert.deepEqual((await root.list()).map((e) => e.name), ["data", "top"]);
});

Deno.test("registry: globs and visits see served nodes and what they compute", async () => {
  const { fs } = await sites();
  await fs.transact(
    { command: ["mknod"] },
    (root) => root.registerDynamic("/sites/*/summary", "summary", "x"),
  );
  const root = await fs.root();
  assert.deepEqual(
    (await root.glob("/sites/*/summary")).map((m) => [m.node.path, ...m.captures]),
    [["/sites/a/summary", "a"], ["/sites/b/summary", "b"]],
  );
  assert.deepEqual(
    (await root.glob("/sites/*/summary/site")).map((m) => m.node.path),
    ["/sites/a/summary/site", "/sites/b/summary/site"],
  );
  const all = (await root.glob("/sites/a/**")).map((m) => m.node.path);
  assert.deepEqual(all, [
    "/sites/a/data.csv",
    "/sites/a/summary",
    "/sites/a/summary/label",
    "/sites/a/summary/names",
    "/sites/a/summary/nested",
    "/sites/a/summary/nested/captures",
    "/sites/a/summary/site",
  ]);
});

Deno.test("registry: a real entry of the same name wins; served nodes are read-only", async () => {
  const { fs } = await sites();
  await build(fs, { "/sites/b/summary": "real" });
  await fs.transact(
    { command: ["mknod"] },
    (root) => root.registerDynamic("/sites/*/summary", "summary", "x"),
  );
  const root = await fs.root();
  assert.equal(text(await root.read("/sites/b/summary")), "real");
  assert.equal((await root.list("/sites/b")).find((e) => e.name === "summary")!.kind, "file");
  await fs.transact({ command: ["t"] }, async (w) => {
    await rejectsWith(w.createFile("/sites/a/summary", "x"), "AlreadyExists", "/sites/a/summary");
    await rejectsWith(w.write("/sites/a/summary", "x"), "IsADirectory", "/sites/a/summary");
    await rejectsWith(w.remove("/sites/a/summary"), "ReadOnly", "/sites/a/summary");
    await rejectsWith(w.rename("/sites/a/summary", "/s"), "ReadOnly", "/sites/a/summary");
    await w.createDirectory("/e");
    await rejectsWith(w.rename("/e", "/sites/a/summary"), "ReadOnly", "/sites/a/summary");
    await rejectsWith(w.createFile("/sites/a/summary/f", "x"), "ReadOnly", "/sites/a/summary/f");
    await w.remove("/sites/b/summary");
    assert.equal(text(await w.read("/sites/b/summary/site")), "b", "once removed, served again");
  });
});

Deno.test("registry: registrations are versioned; time travel shows them as they were", async () => {
  const { fs, store } = await sites();
  const before = await fs.head();
  await fs.transact(
    { command: ["mknod"] },
    (root) => root.registerDynamic("/sites/*/summary", "summary", "v1"),
  );
  const registered = await fs.head();
  await fs.transact({ command: ["rmnod"] }, (root) => root.unregisterDynamic("/sites//*/summary/"));
  const now = await fs.root();
  assert.deepEqual(await now.registrations(), []);
  assert.equal(await now.exists("/sites/a/summary"), false);
  const then = await fs.root({ asOf: registered });
  assert.deepEqual(
    (await then.registrations()).map((r) => [r.pattern, r.factory, text(r.config)]),
    [["/sites/*/summary", "summary", "v1"]],
  );
  assert.equal(text(await then.read("/sites/a/summary/label")), "v1");
  assert.equal(await (await fs.root({ asOf: before })).exists("/sites/a/summary"), false);
  const rows = store.commits[registered].versions;
  const registry = rows.find((v) => v.nodeId === REGISTRY_ID)!;
  assert.deepEqual([registry.partId, registry.version], [REGISTRY_ID, 1]);
  assert.deepEqual(changeList(registry.changes), ["+%2Fsites%2F*%2Fsummary"]);
  const node = rows.find((v) => v.entryType === "directory:dynamic")!;
  assert.deepEqual([node.partId, node.dynamic!.factory], [node.nodeId, "summary"]);
  assert.equal(rows.length, 2, "only the registry and the registration; the tree is untouched");
  const removal = store.commits.at(-1)!.versions;
  assert.deepEqual(removal.map((v) => [v.nodeId, v.version, v.size, v.changes]), [
    [REGISTRY_ID, 2, 0, [{ op: "del", name: "%2Fsites%2F*%2Fsummary" }]],
  ]);
});

Deno.test("registry: a reopened pond keeps its registrations; without the factory only they fail", async () => {
  const { fs, store } = await sites();
  await fs.transact({ command: ["mknod"] }, async (root) => {
    await root.registerDynamic("/sites/*/summary", "summary", "x");
    await root.registerDynamic("/odd%2F/name", "summary", "y");
  });
  const again = await (await FS.open(store, { factories })).root();
  assert.deepEqual((await again.registrations()).map((r) => r.pattern), [
    "/odd%2F/name",
    "/sites/*/summary",
  ]);
  assert.equal(text(await again.read("/sites/a/summary/site")), "a");
  const without = await (await FS.open(store)).root();
  await rejectsWith(without.list("/sites/a/summary"), "UnknownFactory", "/sites/a/summary");
  assert.deepEqual((await without.list("/sites/a")).map((e) => e.name), ["data.csv", "summary"]);
});

Deno.test("registry: a served node whose computation reaches itself is a VisitLoop", async () => {
  const { fs } = await sites();
  await fs.transact(
    { command: ["mknod"] },
    (root) =>
      root.registerDynamic("/sites/*/all", "visit", JSON.stringify({ pattern: "/sites/**" })),
  );
  const root = await fs.root();
  await rejectsWith(root.list("/sites/a/all"), "VisitLoop", "/sites/a/all");
  await rejectsWith(root.glob("/sites/**"), "VisitLoop");
  assert.equal(text(await root.read("/sites/a/data.csv")), "A", "the rest of the tree is fine");
});

Deno.test("registry: served nodes may read each other when that is no loop", async () => {
  const { fs } = await sites();
  await fs.transact({ command: ["mknod"] }, async (root) => {
    await root.registerDynamic("/sites/*/summary", "summary", "x");
    await root.registerDynamic(
      "/sites/*/sites",
      "visit",
      JSON.stringify({ pattern: "/sites/*/summary/site" }),
    );
  });
  const root = await fs.root();
  assert.deepEqual((await root.list("/sites/a/sites")).map((e) => e.name), ["a", "b"]);
  assert.equal(text(await root.read("/sites/a/sites/b")), "b");
});

Deno.test("registry: one registration's nodes at different paths are different nodes for loops", async () => {
  const { fs } = await sites();
  await fs.transact(
    { command: ["mknod"] },
    (root) => root.registerDynamic("/sites/*/peer", "peer", JSON.stringify({ a: "b/own" })),
  );
  const root = await fs.root();
  assert.equal(text(await root.read("/sites/a/peer/from")), "b", "a reads b: no loop");
  await fs.transact({ command: ["t"] }, async (w) => {
    await w.unregisterDynamic("/sites/*/peer");
    await w.registerDynamic("/sites/*/peer", "peer", JSON.stringify({ a: "b/from", b: "a/from" }));
  });
  await rejectsWith((await fs.root()).read("/sites/a/peer/from"), "VisitLoop", "/sites/a/peer");
});

Deno.test("registry: two patterns serving one path make it AlreadyExists, unless an entry has it", async () => {
  const { fs } = await sites();
  await build(fs, { "/sites/b/summary": "real" });
  await fs.transact({ command: ["mknod"] }, async (root) => {
    await root.registerDynamic("/sites/*/summary", "summary", "x");
    await root.registerDynamic("/sites/{a,b}/summary", "summary", "y");
    await root.createDirectory("/sites/c");
  });
  const root = await fs.root();
  await rejectsWith(root.list("/sites/a"), "AlreadyExists", "/sites/a/summary");
  await rejectsWith(root.read("/sites/a/summary/site"), "AlreadyExists", "/sites/a/summary");
  await rejectsWith(root.glob("/sites/*/summary"), "AlreadyExists", "/sites/a/summary");
  assert.equal(text(await root.read("/sites/c/summary/label")), "x", "one pattern serves c");
  assert.deepEqual((await root.list("/sites/b")).map((e) => [e.name, e.kind]), [
    ["data.csv", "file"],
    ["summary", "file"],
  ], "a real entry settles it");
});

Deno.test("registry: bad patterns, factories and configs are refused; registering needs a transaction", async () => {
  const { fs } = await sites();
  await fs.transact({ command: ["mknod"] }, async (root) => {
    await rejectsWith(root.registerDynamic("sites/*/s", "summary", "x"), "InvalidPath");
    await rejectsWith(root.registerDynamic("/sites/*", "summary", "x"), "InvalidPath");
    await rejectsWith(root.registerDynamic("/sites/**", "summary", "x"), "InvalidPath");
    await rejectsWith(root.registerDynamic("/../s", "summary", "x"), "InvalidPath");
    await rejectsWith(root.registerDynamic("/", "summary", "x"), "InvalidPath");
    await rejectsWith(root.registerDynamic("/a/[", "summary", "x"), "InvalidPath");
    await rejectsWith(root.registerDynamic("/s", "nope", "x"), "UnknownFactory", "/s");
    await assert.rejects(root.registerDynamic("/s", "summary", ""), /needs a label/);
    await root.registerDynamic("/s", "summary", "x");
    await rejectsWith(root.registerDynamic("//s/", "summary", "y"), "AlreadyExists", "/s");
    await rejectsWith(root.unregisterDynamic("/t"), "NotFound", "/t");
  });
  const root = await fs.root();
  assert.deepEqual((await root.registrations()).map((r) => r.pattern), ["/s"]);
});
