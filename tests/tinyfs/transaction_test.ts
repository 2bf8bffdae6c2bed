/** Tests for transactions: atomic visibility, overlay reads, abandonment, batches and history. */

import assert from "node:assert/strict";
import { FS, MemoryPersistence, ROOT_ID } from "../../src/tinyfs/mod.ts";
import { build, changeList, newPond, rejectsWith, T0, text } from "./helpers.ts";

Deno.test("transaction: reads inside see pending changes; reads outside see only committed state", async () => {
  const { fs } = await newPond();
  await build(fs, { "/f": "old" });
  const outside = await fs.root();
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.write("/f", "new");
    await root.createFile("/g", "G", { parents: true });
    await root.createDirectory("/d/e", { parents: true });
    assert.equal(text(await root.read("/f")), "new");
    assert.equal((await root.metadata("/f")).version, 2);
    assert.deepEqual((await root.list()).map((e) => e.name), ["d", "f", "g"]);
    assert.equal(text(await outside.read("/f")), "old");
    assert.equal(await outside.exists("/g"), false);
    assert.equal(text(await (await fs.root()).read("/f")), "old", "a fresh committed view too");
  });
  assert.equal(text(await outside.read("/f")), "old", "a view keeps the state it was made at");
  const after = await fs.root();
  assert.equal(text(await after.read("/f")), "new");
  assert.deepEqual((await after.list()).map((e) => e.name), ["d", "f", "g"]);
});

Deno.test("transaction: a failing body leaves nothing behind", async () => {
  const { fs, store } = await newPond();
  await build(fs, { "/f": "kept" });
  const commits = store.commits.length;
  await assert.rejects(
    fs.transact({ command: ["t"] }, async (root) => {
      await root.write("/f", "lost");
      await root.createFile("/g", "lost");
      await root.remove("/f");
      throw new Error("boom");
    }),
    /boom/,
  );
  assert.equal(store.commits.length, commits);
  const root = await fs.root();
  assert.equal(text(await root.read("/f")), "kept");
  assert.equal(await root.exists("/g"), false);
  assert.equal((await root.metadata("/f")).version, 1);
});

Deno.test("transaction: the store receives one batch per commit, with the metadata", async () => {
  const { fs, store, tick } = await newPond();
  assert.equal(store.commits.length, 1);
  assert.deepEqual(store.commits[0].meta, { command: ["init"] });
  tick(5);
  const meta = { command: ["copy", "a.csv", "/in/"], user: "ada" };
  await fs.transact(meta, async (root) => {
    await root.createDirectory("/in");
    await root.createFile("/in/a.csv", "t,v\n");
    await root.createSymlink("/in/latest", "a.csv");
  });
  assert.equal(store.commits.length, 2);
  const batch = store.commits[1];
  assert.equal(batch.seq, 1);
  assert.equal(batch.timestamp, T0 + 5);
  assert.deepEqual(batch.meta, meta);
  const rows = new Map(batch.versions.map((v) => [v.entryType, v]));
  assert.equal(batch.versions.length, 4, "root, /in, the file and the symlink");
  const root = batch.versions.find((v) => v.nodeId === ROOT_ID)!;
  assert.equal(root.version, 2);
  assert.deepEqual(changeList(root.changes), ["+in"]);
  const dir = batch.versions.find((v) => v.entryType === "directory" && v.nodeId !== ROOT_ID)!;
  assert.equal(dir.partId, dir.nodeId, "a directory is its own partition");
  assert.deepEqual(dir.changes!.map((c) => c.op === "put" && [c.entry.name, c.entry.entryType]), [
    ["a.csv", "file:data"],
    ["latest", "symlink"],
  ]);
  assert.deepEqual([root.size, dir.size], [1, 2]);
  const file = rows.get("file:data")!;
  assert.equal(file.partId, dir.nodeId, "a file lives in its parent's partition");
  assert.deepEqual([file.version, file.size, text(file.content!)], [1, 4, "t,v\n"]);
  const link = rows.get("symlink")!;
  assert.deepEqual([link.partId, link.target], [dir.nodeId, "a.csv"]);
  for (const v of batch.versions) assert.deepEqual([v.seq, v.timestamp], [1, T0 + 5]);
});

Deno.test("transaction: a node gets at most one new version per transaction", async () => {
  const { fs, store } = await newPond();
  await build(fs, { "/f": "1" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.write("/f", "2");
    await root.write("/f", "3");
    await root.createFile("/g", "x");
    await root.write("/g", "y");
  });
  const batch = store.commits.at(-1)!;
  const file = batch.versions.filter((v) => v.entryType === "file:data");
  assert.deepEqual(file.map((v) => [v.version, text(v.content!)]).sort(), [[1, "y"], [2, "3"]]);
  assert.equal(batch.versions.filter((v) => v.nodeId === ROOT_ID).length, 1);
  const root = await fs.root();
  assert.equal(text(await root.read("/f")), "3");
  assert.equal((await root.versions("/f")).length, 2);
});

Deno.test("transaction: nodes created and removed in the same transaction are not committed", async () => {
  const { fs, store } = await newPond();
  await build(fs, { "/keep": "k" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createFile("/d/tmp/scratch", "s", { parents: true });
    await root.remove("/d", { recursive: true });
    await root.createFile("/other", "o");
  });
  const batch = store.commits.at(-1)!;
  assert.equal(batch.versions.length, 2, "only the root and /other");
  const root = batch.versions.find((v) => v.nodeId === ROOT_ID)!;
  assert.deepEqual(changeList(root.changes), ["+other"], "/d came and went: no change");
  assert.equal(root.size, 2);
});

Deno.test("transaction: a directory's new version is its changes; reads inside merge them with its entries", async () => {
  const { fs, store } = await newPond();
  await build(fs, { "/d/a": "A", "/d/b": "B", "/d/c": "C" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.remove("/d/a");
    await root.rename("/d/b", "/d/e");
    await root.createFile("/d/f", "F");
    await root.write("/d/c", "C2");
    assert.deepEqual((await root.list("/d")).map((e) => e.name), ["c", "e", "f"]);
    assert.deepEqual(
      await Promise.all(["a", "b", "e", "f"].map((n) => root.exists(`/d/${n}`))),
      [false, false, true, true],
    );
    assert.equal(text(await root.read("/d/e")), "B");
    assert.equal((await root.metadata("/d")).size, 3);
  });
  const d = store.commits.at(-1)!.versions.find((v) => v.entryType === "directory")!;
  assert.deepEqual(
    changeList(d.changes),
    ["-a", "-b", "+e", "+f"],
    "/d/c's new version is not /d's",
  );
  assert.deepEqual([d.version, d.size], [2, 3]);
  assert.deepEqual((await (await fs.root()).list("/d")).map((e) => e.name), ["c", "e", "f"]);
});

Deno.test("transaction: changes that cancel out drop out; a name given another node is one put", async () => {
  const { fs, store } = await newPond();
  await build(fs, { "/d/a": "A", "/d/x": "X" });
  const old = await (await fs.root()).metadata("/d/x");
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.rename("/d/a", "/d/b");
    await root.rename("/d/b", "/d/a");
    await root.createFile("/d/tmp", "T");
    await root.remove("/d/tmp");
    await root.remove("/d/x");
    await root.createFile("/d/x", "X2");
  });
  const versions = store.commits.at(-1)!.versions;
  const d = versions.find((v) => v.entryType === "directory")!;
  const x = versions.find((v) => v.entryType === "file:data")!;
  assert.deepEqual(d.changes, [{
    op: "put",
    entry: { name: "x", partId: d.nodeId, nodeId: x.nodeId, entryType: "file:data" },
  }]);
  assert.notEqual(x.nodeId, old.nodeId, "a new node, not a new version of the old one");
  assert.deepEqual([d.size, versions.length], [2, 2]);
});

Deno.test("transaction: concurrent creates of one name inside a transaction make one node", async () => {
  const { fs, store } = await newPond();
  await build(fs, { "/d/a": "A" });
  await fs.transact({ command: ["t"] }, async (root) => {
    const results = await Promise.allSettled(
      ["1", "2", "3"].map((content) => root.createFile("/d/same", content)),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected", "rejected"]);
    for (const r of results) {
      if (r.status === "rejected") assert.equal(r.reason.code, "AlreadyExists");
    }
  });
  const d = store.commits.at(-1)!.versions.find((v) => v.entryType === "directory")!;
  assert.deepEqual([changeList(d.changes), d.size], [["+same"], 2]);
});

Deno.test("transaction: one that changes nothing commits nothing", async () => {
  const { fs, store } = await newPond();
  const result = await fs.transact(
    { command: ["cat"] },
    async (root) => (await root.list()).length,
  );
  assert.equal(result, 0);
  assert.equal(store.commits.length, 1);
});

Deno.test("transaction: working directories turn read-only when it ends", async () => {
  const { fs } = await newPond();
  const leaked = await fs.transact({ command: ["t"] }, async (root) => {
    await root.createFile("/f", "x");
    return root;
  });
  await rejectsWith(leaked.createFile("/g", "y"), "ReadOnly");
  assert.equal(text(await leaked.read("/f")), "x");
});

Deno.test("transaction: a transaction that lost the race fails with Conflict and leaves nothing", async () => {
  const { fs } = await newPond();
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const slow = fs.transact({ command: ["slow"] }, async (root) => {
    await root.createFile("/slow", "s");
    await gate;
  });
  await fs.transact({ command: ["fast"] }, (root) => root.createFile("/fast", "f"));
  release();
  await rejectsWith(slow, "Conflict");
  const root = await fs.root();
  assert.equal(await root.exists("/fast"), true);
  assert.equal(await root.exists("/slow"), false);
});

Deno.test("transaction: concurrent changes inside one transaction all land", async () => {
  const { fs } = await newPond();
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createDirectory("/d");
    await Promise.all(Array.from({ length: 20 }, (_, i) => root.createFile(`/d/f${i}`, `${i}`)));
    const racing = await Promise.allSettled([
      root.createFile("/d/same", "a"),
      root.createFile("/d/same", "b"),
    ]);
    assert.deepEqual(racing.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
    const lost = racing.find((r) => r.status === "rejected")!;
    assert.equal(lost.reason.code, "AlreadyExists");
  });
  assert.equal((await (await fs.root()).list("/d")).length, 21);
});

Deno.test("transaction: history is readable as of any earlier transaction", async () => {
  const { fs } = await newPond();
  await build(fs, { "/f": "v1" });
  await fs.transact({ command: ["t"] }, (root) => root.write("/f", "v2"));
  await fs.transact({ command: ["t"] }, (root) => root.remove("/f"));
  assert.equal(await fs.head(), 3);
  assert.equal(await (await fs.root()).exists("/f"), false);
  assert.equal(text(await (await fs.root({ asOf: 1 })).read("/f")), "v1");
  assert.equal(text(await (await fs.root({ asOf: 2 })).read("/f")), "v2");
  assert.deepEqual(await (await fs.root({ asOf: 0 })).list(), []);
  await rejectsWith(fs.root({ asOf: 4 }), "NotFound");
  await rejectsWith(fs.root({ asOf: -1 }), "NotFound");
});

Deno.test("transaction: a reopened pond sees everything committed", async () => {
  const store = new MemoryPersistence();
  const first = await FS.init(store);
  await build(first, { "/a/b": "B" });
  const again = await FS.open(store);
  assert.equal(text(await (await again.root()).read("/a/b")), "B");
  await rejectsWith(FS.init(store), "AlreadyExists");
  await rejectsWith(FS.open(new MemoryPersistence()), "NotFound");
});
