/** Tests for dynamic files: computed on read, read-only, moved and removed like files, loops caught. */

import assert from "node:assert/strict";
import { type DynamicFileFactory, FS, isTinyFsError, ROOT_ID } from "../../src/tinyfs/mod.ts";
import { concatFactory } from "./fixtures/concat_file.ts";
import { visitFactory } from "./fixtures/visit_directory.ts";
import { build, changesOf, newPond, rejectsWith, T0, text } from "./helpers.ts";

const concatOf = (pattern: string) => JSON.stringify({ pattern });

/** A pond holding `files`, then (one transaction and a second later) the dynamic files `dynamic`. */
async function pondWith(files: Record<string, string>, dynamic: Record<string, string>) {
  const pond = await newPond({ visit: visitFactory }, { concat: concatFactory });
  await build(pond.fs, files);
  pond.tick(1000);
  await pond.fs.transact({ command: ["mknod"] }, async (root) => {
    for (const [path, pattern] of Object.entries(dynamic)) {
      await root.createDynamicFile(path, "concat", concatOf(pattern), { parents: true });
    }
  });
  return pond;
}

/** Asserts `promise` fails with a VisitLoop naming the dynamic file at `path`. */
async function fileLoop(promise: Promise<unknown>, path: string) {
  await assert.rejects(promise, (e) => {
    assert.ok(isTinyFsError(e, "VisitLoop"), `expected VisitLoop, got ${e}`);
    assert.equal(e.path, path);
    assert.match(
      e.message,
      new RegExp(`^dynamic file ${path} reaches itself while it is computed`),
    );
    return true;
  });
}

Deno.test("dynamic file: read, stream and metadata compute it from what the tree holds now", async () => {
  const { fs } = await pondWith(
    { "/in/a.txt": "A\n", "/in/b.txt": "B\n", "/in/d/c.txt": "C\n" },
    { "/views/all.txt": "/in/*.txt" },
  );
  const root = await fs.root();
  assert.equal(text(await root.read("/views/all.txt")), "A\nB\n");
  const chunks = await Array.fromAsync(await root.stream("/views/all.txt"));
  assert.deepEqual(chunks.map(text), ["A\n", "B\n"], "a computed stream is handed on as it is");
  const meta = await root.metadata("/views/all.txt");
  assert.deepEqual(
    [meta.kind, meta.entryType, meta.factory, meta.size, meta.version, meta.computed],
    ["file", "file:dynamic", "concat", 4, 1, false],
  );
  assert.ok(meta.nodeId, "a dynamic file is a stored node with an id");
  assert.equal(meta.created.getTime(), T0 + 1000);
  const node = await root.open("/views/all.txt");
  assert.deepEqual([node.kind, node.entryType], ["file", "file:dynamic"]);
  const spec = await node.dynamic();
  assert.equal(spec?.factory, "concat");
  assert.equal(text(spec!.config), concatOf("/in/*.txt"));
  assert.equal(await (await root.open("/in/a.txt")).dynamic(), undefined);
  await rejectsWith(root.read("/views/all.txt", { version: 2 }), "NotFound", "/views/all.txt");
});

Deno.test("dynamic file: its content follows its inputs; time travel computes from the inputs then", async () => {
  const { fs } = await pondWith({ "/in/a.txt": "A\n" }, { "/all.txt": "/in/*.txt" });
  const made = await fs.head();
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createFile("/in/b.txt", "B\n");
    assert.equal(text(await root.read("/all.txt")), "A\nB\n", "a transaction sees its changes");
    assert.equal(text(await (await fs.root()).read("/all.txt")), "A\n", "others do not yet");
  });
  assert.equal(text(await (await fs.root()).read("/all.txt")), "A\nB\n");
  assert.equal(text(await (await fs.root({ asOf: made })).read("/all.txt")), "A\n");
  await rejectsWith((await fs.root({ asOf: made - 1 })).read("/all.txt"), "NotFound", "/all.txt");
});

Deno.test("dynamic file: time travel reads a replaced file with its config as it was", async () => {
  const { fs } = await pondWith({ "/in/a.txt": "A\n", "/in/b.md": "B\n" }, {
    "/all": "/in/*.txt",
  });
  const first = await fs.head();
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.remove("/all");
    await root.createDynamicFile("/all", "concat", concatOf("/in/*.md"));
  });
  assert.equal(text(await (await fs.root()).read("/all")), "B\n");
  const then = await fs.root({ asOf: first });
  assert.equal(text(await then.read("/all")), "A\n");
  assert.equal(text((await (await then.open("/all")).dynamic())!.config), concatOf("/in/*.txt"));
});

Deno.test("dynamic file: listings, globs and visits show it without computing it", async () => {
  let reads = 0;
  const counted: DynamicFileFactory = {
    open: () => ({ read: () => Promise.resolve(new Uint8Array(++reads)) }),
  };
  const { fs } = await newPond({}, { counted });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createFile("/d/a.txt", "A", { parents: true });
    await root.createDynamicFile("/d/n.txt", "counted", "");
  });
  const root = await fs.root();
  assert.deepEqual((await root.list("/d")).map((e) => [e.name, e.kind, e.entryType]), [
    ["a.txt", "file", "file:data"],
    ["n.txt", "file", "file:dynamic"],
  ]);
  assert.deepEqual((await root.glob("/**/*.txt")).map((m) => [m.node.path, m.captures]), [
    ["/d/a.txt", ["d", "a"]],
    ["/d/n.txt", ["d", "n"]],
  ]);
  assert.deepEqual(await root.glob("/d/n.txt/*"), [], "a dynamic file is not descended into");
  assert.equal(await root.exists("/d/n.txt"), true);
  assert.equal(reads, 0, "nothing above computed the file");
  assert.equal((await root.metadata("/d/n.txt")).size, 1, "its size costs a read");
  assert.equal(reads, 1);
});

Deno.test("dynamic file: writes into it are ReadOnly; its name is taken like any file's", async () => {
  const { fs } = await pondWith({ "/in/a.txt": "A" }, { "/all": "/in/*" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await rejectsWith(root.write("/all", "x"), "ReadOnly", "/all");
    await rejectsWith(root.createFile("/all", "x"), "AlreadyExists", "/all");
    await rejectsWith(root.createDirectory("/all/x"), "NotADirectory", "/all");
    await rejectsWith(
      root.createDynamicFile("/all", "concat", concatOf("/in/*")),
      "AlreadyExists",
      "/all",
    );
    await rejectsWith(
      root.createDynamicFile("/all/", "concat", concatOf("/in/*")),
      "NotADirectory",
      "/all",
    );
  });
  assert.equal(text(await (await fs.root()).read("/all")), "A");
});

Deno.test("dynamic file: moved, it computes from its new directory; replaced and removed like a file", async () => {
  const { fs } = await pondWith({ "/a/x.txt": "X", "/b/y.txt": "Y", "/z": "Z" }, {
    "/a/all": "*.txt",
  });
  const made = await fs.head();
  assert.equal(text(await (await fs.root()).read("/a/all")), "X");
  await fs.transact({ command: ["mv"] }, (root) => root.rename("/a/all", "/b/all"));
  const root = await fs.root();
  assert.equal(text(await root.read("/b/all")), "Y", "relative patterns start at its directory");
  assert.equal(await root.exists("/a/all"), false);
  await fs.transact({ command: ["ln"] }, (root) => root.createSymlink("/link", "b/all"));
  assert.equal(text(await (await fs.root()).read("/link")), "Y", "a symlink reads its target");
  await fs.transact({ command: ["mv"] }, (root) => root.rename("/z", "/b/all"));
  assert.equal(text(await (await fs.root()).read("/b/all")), "Z", "a plain file replaced it");
  await fs.transact({ command: ["rm"] }, async (root) => {
    await root.createDynamicFile("/again", "concat", concatOf("/b/*.txt"));
  });
  await fs.transact({ command: ["rm"] }, (root) => root.remove("/again"));
  assert.equal(await (await fs.root()).exists("/again"), false);
  assert.equal(text(await (await fs.root({ asOf: made })).read("/a/all")), "X");
});

Deno.test("dynamic file: the store keeps its factory and config, no body; reopening brings it back", async () => {
  const { fs, store } = await pondWith({ "/in/a.txt": "A" }, { "/all": "/in/*" });
  const row = store.commits.at(-1)!.versions.find((v) => v.entryType === "file:dynamic")!;
  assert.equal(row.dynamic!.factory, "concat");
  assert.equal(text(row.dynamic!.config), concatOf("/in/*"));
  assert.deepEqual([row.content, row.staged, row.changes, row.size], [
    undefined,
    undefined,
    undefined,
    0,
  ]);
  assert.equal(row.partId, ROOT_ID, "a file lives in its directory's partition");
  const root = store.commits.at(-1)!.versions.find((v) => v.nodeId === ROOT_ID)!;
  assert.deepEqual(root.changes, [{
    op: "put",
    entry: { name: "all", partId: ROOT_ID, nodeId: row.nodeId, entryType: "file:dynamic" },
  }]);
  const again = await FS.open(store, { fileFactories: { concat: concatFactory } });
  assert.equal(text(await (await again.root()).read("/all")), "A");
  const without = await FS.open(store, { factories: { concat: visitFactory } });
  await assert.rejects((await without.root()).read("/all"), (e) => {
    assert.ok(isTinyFsError(e, "UnknownFactory"), `expected UnknownFactory, got ${e}`);
    assert.match(e.message, /^\/all needs the dynamic file factory "concat", but the pond was/);
    return true;
  });
  assert.deepEqual((await (await without.root()).list()).map((e) => e.name), ["all", "in"]);
  assert.equal(text(await (await fs.root()).read("/all")), "A");
});

Deno.test("dynamic file: unknown factories and configs a factory refuses fail at creation", async () => {
  const { fs } = await newPond({ visit: visitFactory }, { concat: concatFactory });
  await fs.transact({ command: ["t"] }, async (root) => {
    await rejectsWith(root.createDynamicFile("/x", "nope", "{}"), "UnknownFactory", "/x");
    await rejectsWith(
      root.createDynamicFile("/x", "visit", concatOf("/*")),
      "UnknownFactory",
      "/x",
    );
    await rejectsWith(root.createDynamicDirectory("/x", "concat", "{}"), "UnknownFactory", "/x");
    await assert.rejects(root.createDynamicFile("/x", "concat", "{}"), /pattern/);
    await assert.rejects(root.createDynamicFile("/x", "concat", concatOf("/a/[")), /glob/);
  });
  assert.equal(await (await fs.root()).exists("/x"), false);
});

Deno.test("dynamic file: it computes with its path, a read-only view at its directory, no captures", async () => {
  const seen: unknown[] = [];
  const probe: DynamicFileFactory = {
    open: () => ({
      async read(context) {
        seen.push(
          context.path,
          context.fs.path,
          context.captures,
          text(await context.fs.read("s")),
          changesOf(context.fs),
        );
        return new Uint8Array();
      },
    }),
  };
  const { fs } = await newPond({}, { probe });
  await build(fs, { "/d/s": "S" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createDynamicFile("/d/p", "probe", "");
    assert.deepEqual(await root.read("/d/p"), new Uint8Array());
  });
  assert.deepEqual(seen, ["/d/p", "/d", [], "S", []]);
});

Deno.test("dynamic file: one that reads itself is a VisitLoop naming it, not a hang", async () => {
  const { fs } = await pondWith({ "/loop/a.txt": "A" }, { "/loop/all": "/loop/*" });
  const root = await fs.root();
  await fileLoop(root.read("/loop/all"), "/loop/all");
  await fileLoop(root.stream("/loop/all"), "/loop/all");
  await fileLoop(root.metadata("/loop/all"), "/loop/all");
  assert.deepEqual((await root.list("/loop")).map((e) => e.name), ["a.txt", "all"]);
  assert.equal(text(await root.read("/loop/a.txt")), "A", "the rest of the tree is fine");
});

Deno.test("dynamic file: files reading each other, or a directory reading the file, are a VisitLoop", async () => {
  const { fs } = await pondWith({}, { "/f1": "/f2", "/f2": "/f1" });
  await fileLoop((await fs.root()).read("/f1"), "/f1");
  await fileLoop((await fs.root()).read("/f2"), "/f2");
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createDynamicFile("/g/file", "concat", concatOf("/g/v/*"), { parents: true });
    await root.createDynamicDirectory("/g/v", "visit", JSON.stringify({ pattern: "/g/file" }));
  });
  await fileLoop((await fs.root()).read("/g/file"), "/g/file");
  await rejectsWith((await fs.root()).read("/g/v/file"), "VisitLoop", "/g/v");
});

Deno.test("dynamic file: reading other dynamic nodes is no loop, also in concurrent reads", async () => {
  const { fs } = await pondWith({ "/src/s.txt": "S" }, {
    "/x/a": "/src/*",
    "/x/b": "/src/*",
    "/top": "/x/*",
  });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createDynamicDirectory("/v", "visit", JSON.stringify({ pattern: "/x/*" }));
    await root.createDynamicFile("/through", "concat", concatOf("/v/*"));
  });
  const root = await fs.root();
  const contents = await Promise.all(
    ["/top", "/x/a", "/through", "/top", "/v/a"].map(async (p) => text(await root.read(p))),
  );
  assert.deepEqual(contents, ["SS", "S", "SS", "SS", "S"]);
});
