/** Tests for dynamic directories: the visit and reverse fixtures, loops, read-only, factories. */

import assert from "node:assert/strict";
import { type DynamicFactory, type Factories, FS, ROOT_ID } from "../../src/tinyfs/mod.ts";
import { reverseFactory } from "./fixtures/reverse_directory.ts";
import { visitFactory } from "./fixtures/visit_directory.ts";
import { build, changesOf, newPond, rejectsWith, T0, text } from "./helpers.ts";

const factories: Factories = { visit: visitFactory, reverse: reverseFactory };
const visitOf = (pattern: string) => JSON.stringify({ pattern });
const reverseOf = (source: string) => JSON.stringify({ source });

async function pondWith(files: Record<string, string>, dynamic: [string, string, string][]) {
  const pond = await newPond(factories);
  await build(pond.fs, files);
  await pond.fs.transact({ command: ["mknod"] }, async (root) => {
    for (const [path, factory, config] of dynamic) {
      await root.createDynamicDirectory(path, factory, config, { parents: true });
    }
  });
  return pond;
}

Deno.test("dynamic: a visit directory shows glob matches named by their captures", async () => {
  const { fs } = await pondWith({
    "/in/a/1.txt": "Content A",
    "/in/a/b/1.txt": "Content A-B",
    "/in/a/c/1.txt": "Content A-C",
    "/in/b/a/1.txt": "Content B-A",
  }, [["/away/visit-test", "visit", visitOf("/in/**/1.txt")]]);
  const root = await fs.root();
  assert.equal(text(await root.read("/away/visit-test/a")), "Content A");
  assert.equal(text(await root.read("/away/visit-test/a_b")), "Content A-B");
  const listing = await root.list("/away/visit-test");
  assert.deepEqual(
    await Promise.all(listing.map(async (e) => [e.name, text(await e.read())])),
    [["a", "Content A"], ["a_b", "Content A-B"], ["a_c", "Content A-C"], ["b_a", "Content B-A"]],
  );
  const meta = await root.metadata("/away/visit-test/a_c");
  assert.deepEqual([meta.kind, meta.computed, meta.nodeId, meta.version, meta.size], [
    "file",
    true,
    undefined,
    1,
    11,
  ]);
  assert.equal(meta.created.getTime(), T0);
  const dir = await root.metadata("/away/visit-test");
  assert.deepEqual([dir.kind, dir.entryType, dir.factory, dir.computed], [
    "directory",
    "directory:dynamic",
    "visit",
    false,
  ]);
});

Deno.test("dynamic: a visit entry without captures takes the match's name; matched directories show their contents", async () => {
  const { fs } = await pondWith({ "/src/d/x.txt": "X", "/src/top.txt": "T" }, [[
    "/v",
    "visit",
    visitOf("/src/d"),
  ]]);
  const root = await fs.root();
  assert.deepEqual((await root.list("/v")).map((e) => [e.name, e.kind]), [["d", "directory"]]);
  assert.equal(text(await root.read("/v/d/x.txt")), "X");
});

Deno.test("dynamic: a visit directory whose glob reaches itself is a VisitLoop", async () => {
  const { fs } = await pondWith({ "/loop/test.txt": "Test content" }, [[
    "/loop/visit",
    "visit",
    visitOf("/loop/**"),
  ]]);
  const root = await fs.root();
  await rejectsWith(root.glob("/loop/visit/**"), "VisitLoop", "/loop/visit");
  await rejectsWith(root.list("/loop/visit"), "VisitLoop", "/loop/visit");
  await rejectsWith(root.glob("/**"), "VisitLoop", "/loop/visit");
  assert.equal(
    text(await root.read("/loop/test.txt")),
    "Test content",
    "the rest of the tree is fine",
  );
});

Deno.test("dynamic: directories that read each other in a cycle are a VisitLoop", async () => {
  const { fs } = await pondWith({}, [["/v1", "visit", visitOf("/v2/*")], [
    "/v2",
    "visit",
    visitOf("/v1/*"),
  ]]);
  await rejectsWith((await fs.root()).list("/v1"), "VisitLoop", "/v1");
});

Deno.test("dynamic: a directory computed from itself through nested entries is a VisitLoop, not a hang", async () => {
  const { fs } = await pondWith({ "/data/f": "F" }, [["/data/r", "reverse", reverseOf("/data")]]);
  const root = await fs.root();
  assert.deepEqual((await root.list("/data/r")).map((e) => e.name), ["f", "r"]);
  assert.equal(text(await root.read("/data/r/f")), "F");
  await rejectsWith(root.list("/data/r/r"), "VisitLoop", "/data/r");
  await rejectsWith(root.glob("/data/**"), "VisitLoop", "/data/r");
});

Deno.test("dynamic: concurrent reads each carry their own expansion stack", async () => {
  const { fs } = await pondWith(
    { "/data/a.txt": "A", "/data/b.txt": "B" },
    [["/v1", "visit", visitOf("/data/*.txt")], ["/v2", "visit", visitOf("/v1/*")]],
  );
  const root = await fs.root();
  const [lists, matches] = await Promise.all([
    Promise.all([root.list("/v1"), root.list("/v2"), root.list("/v1")]),
    root.glob("/v*/*"),
  ]);
  assert.deepEqual(lists.map((l) => l.map((e) => e.name)), [["a", "b"], ["a", "b"], ["a", "b"]]);
  assert.deepEqual(matches.map((m) => m.node.path), ["/v1/a", "/v1/b", "/v2/a", "/v2/b"]);
  const contents = await Promise.all(
    ["/v1/a", "/v2/b", "/v2/a"].map(async (p) => text(await root.read(p))),
  );
  assert.deepEqual(contents, ["A", "B", "A"]);
});

Deno.test("dynamic: a reverse directory shows another directory's children with reversed names", async () => {
  const { fs } = await pondWith(
    { "/1/hello.txt": "Hello World", "/1/test.bin": "Binary Data", "/1/sub/inner": "I" },
    [["/2", "reverse", reverseOf("/1")]],
  );
  const root = await fs.root();
  assert.equal(text(await root.read("/2/txt.olleh")), "Hello World");
  assert.equal(text(await root.read("/2/nib.tset")), "Binary Data");
  const listing = await root.list("/2");
  assert.deepEqual(listing.map((e) => [e.name, e.kind]), [["bus", "directory"], [
    "nib.tset",
    "file",
  ], ["txt.olleh", "file"]]);
  assert.equal(text(await root.read("/2/bus/renni")), "I");
  const chunks = await Array.fromAsync(await root.stream("/2/txt.olleh"));
  assert.equal(text(chunks[0]), "Hello World");
  const inside = await root.chdir("/2/bus");
  assert.equal(inside.path, "/2/bus");
  assert.equal(text(await inside.read("../txt.olleh")), "Hello World");
});

Deno.test("dynamic: directories are read-only inside; the dynamic node itself can be moved and removed", async () => {
  const { fs } = await pondWith({ "/1/a": "A", "/x": "X" }, [["/2", "reverse", reverseOf("/1")]]);
  await fs.transact({ command: ["t"] }, async (root) => {
    await rejectsWith(root.createFile("/2/new", "n"), "ReadOnly", "/2/new");
    await rejectsWith(root.write("/2/a", "n"), "ReadOnly", "/2/a");
    await rejectsWith(root.createDirectory("/2/d"), "ReadOnly", "/2/d");
    await rejectsWith(root.createDirectory("/2/d/e", { parents: true }), "ReadOnly", "/2/d");
    await rejectsWith(root.remove("/2/a"), "ReadOnly", "/2/a");
    await rejectsWith(root.rename("/2/a", "/b"), "ReadOnly", "/2/a");
    await rejectsWith(root.rename("/x", "/2/x"), "ReadOnly", "/2/x");
    await rejectsWith(root.rename("/x", "/2"), "IsADirectory", "/2");
    await root.rename("/2", "/3");
    assert.equal(text(await root.read("/3/a")), "A");
    await root.remove("/3");
  });
  assert.deepEqual((await (await fs.root()).list()).map((e) => e.name), ["1", "x"]);
});

Deno.test("dynamic: a factory's view of the tree is read-only, inside a transaction too", async () => {
  const seen: string[][] = [];
  const writer: DynamicFactory = {
    open: () => ({
      entries(context) {
        seen.push(changesOf(context.fs));
        return Promise.resolve([]);
      },
    }),
  };
  const { fs } = await newPond({ writer });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createDynamicDirectory("/w", "writer", "");
    assert.deepEqual(await root.list("/w"), []);
  });
  assert.deepEqual(seen, [[]]);
});

Deno.test("dynamic: a factory computes with its own path and a view at its parent directory", async () => {
  const seen: string[] = [];
  const probe: DynamicFactory = {
    open: () => ({
      async entries(context) {
        seen.push(context.path, context.fs.path, text(await context.fs.read("sibling")));
        return [];
      },
    }),
  };
  const { fs } = await newPond({ probe });
  await build(fs, { "/d/sibling": "S" });
  await fs.transact({ command: ["t"] }, (root) => root.createDynamicDirectory("/d/p", "probe", ""));
  await (await fs.root()).list("/d/p");
  assert.deepEqual(seen, ["/d/p", "/d", "S"]);
});

Deno.test("dynamic: inside a transaction, dynamic directories see its pending changes", async () => {
  const { fs } = await pondWith({ "/in/a.txt": "A" }, [["/v", "visit", visitOf("/in/*.txt")]]);
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createFile("/in/b.txt", "B");
    await root.write("/in/a.txt", "A2");
    assert.deepEqual((await root.list("/v")).map((e) => e.name), ["a", "b"]);
    assert.equal(text(await root.read("/v/a")), "A2");
    assert.deepEqual(
      (await (await fs.root()).list("/v")).map((e) => e.name),
      ["a"],
      "others see the old state",
    );
  });
});

Deno.test("dynamic: the store keeps the factory name and config; reopening with the factory brings it back", async () => {
  const { fs, store } = await pondWith({ "/1/ab": "AB" }, [["/2", "reverse", reverseOf("/1")]]);
  const row = store.commits.at(-1)!.versions.find((v) => v.entryType === "directory:dynamic")!;
  assert.equal(row.dynamic!.factory, "reverse");
  assert.equal(text(row.dynamic!.config), reverseOf("/1"));
  assert.equal(row.changes, undefined, "a dynamic directory stores no entries");
  assert.equal(row.partId, row.nodeId);
  const root = store.commits.at(-1)!.versions.find((v) => v.nodeId === ROOT_ID)!;
  assert.deepEqual(root.changes, [{
    op: "put",
    entry: { name: "2", partId: row.nodeId, nodeId: row.nodeId, entryType: "directory:dynamic" },
  }]);
  assert.equal(root.size, 2);
  const again = await FS.open(store, { factories });
  assert.equal(text(await (await again.root()).read("/2/ba")), "AB");
  const without = await FS.open(store);
  await rejectsWith((await without.root()).list("/2"), "UnknownFactory", "/2");
  assert.deepEqual((await (await without.root()).list()).map((e) => e.name), ["1", "2"]);
  assert.equal(text(await (await fs.root()).read("/2/ba")), "AB");
});

Deno.test("dynamic: unknown factories and configs a factory refuses fail at creation", async () => {
  const { fs } = await newPond(factories);
  await fs.transact({ command: ["t"] }, async (root) => {
    await rejectsWith(root.createDynamicDirectory("/x", "nope", "{}"), "UnknownFactory", "/x");
    await assert.rejects(root.createDynamicDirectory("/x", "visit", "{}"), /pattern/);
    await assert.rejects(
      root.createDynamicDirectory("/x", "visit", visitOf("/a/[")),
      /glob pattern/,
    );
    await rejectsWith(root.createDynamicDirectory("/x", "toString", "{}"), "UnknownFactory", "/x");
  });
  assert.equal(await (await fs.root()).exists("/x"), false);
});

Deno.test("dynamic: invalid or repeated names from a factory are InvalidPath", async () => {
  const file = (name: string) => ({
    kind: "file" as const,
    name,
    read: () => Promise.resolve(new Uint8Array()),
  });
  const twice: DynamicFactory = {
    open: () => ({ entries: () => Promise.resolve([file("a"), file("a")]) }),
  };
  const dotted: DynamicFactory = { open: () => ({ entries: () => Promise.resolve([file("..")]) }) };
  const { fs } = await newPond({ twice, dotted });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createDynamicDirectory("/t", "twice", "");
    await root.createDynamicDirectory("/d", "dotted", "");
  });
  const root = await fs.root();
  await rejectsWith(root.list("/t"), "InvalidPath", "/t/a");
  await rejectsWith(root.list("/d"), "InvalidPath", "/d/..");
});
