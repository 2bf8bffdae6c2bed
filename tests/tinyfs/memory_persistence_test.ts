/** Tests for the in-memory store: what it accepts in a batch, and how it answers reads. */

import assert from "node:assert/strict";
import {
  type CommitBatch,
  type DirEntry,
  type EntryChange,
  isTinyFsError,
  MemoryPersistence,
  newNodeId,
  type NewVersion,
  ROOT_KEY,
} from "../../src/tinyfs/mod.ts";
import { rejectsWith, text } from "./helpers.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

function rootVersion(
  seq: number,
  version: number,
  changes: EntryChange[] = [],
  size = 0,
): NewVersion {
  return { ...ROOT_KEY, entryType: "directory", version, seq, timestamp: seq, size, changes };
}

/** An entry for a new file node in the root's partition. */
function fileEntry(name: string): DirEntry {
  return { name, partId: ROOT_KEY.nodeId, nodeId: newNodeId(), entryType: "file:data" };
}

function batch(seq: number, versions: NewVersion[]): CommitBatch {
  return { seq, timestamp: seq, meta: { command: ["test"] }, versions };
}

async function storeWithFile() {
  const store = new MemoryPersistence();
  const file = { partId: ROOT_KEY.nodeId, nodeId: newNodeId() };
  await store.commit(batch(0, [rootVersion(0, 1)]));
  await store.commit(batch(1, [
    rootVersion(1, 2, [{ op: "put", entry: { name: "f", ...file, entryType: "file:data" } }], 1),
    {
      ...file,
      entryType: "file:data",
      version: 1,
      seq: 1,
      timestamp: 1,
      size: 3,
      content: bytes("one"),
    },
  ]));
  await store.commit(batch(2, [
    {
      ...file,
      entryType: "file:data",
      version: 2,
      seq: 2,
      timestamp: 2,
      size: 3,
      content: bytes("two"),
    },
  ]));
  return { store, file };
}

Deno.test("memory store: versions are answered as of a transaction", async () => {
  const { store, file } = await storeWithFile();
  assert.equal(await store.head(), 2);
  assert.deepEqual((await store.readVersions(file, 1)).map((v) => v.version), [1]);
  assert.deepEqual((await store.readVersions(file, 2)).map((v) => v.version), [1, 2]);
  assert.deepEqual(await store.readVersions(file, 0), []);
  assert.equal("content" in (await store.readVersions(file, 2))[0], false, "headers only");
  assert.equal(text(await store.readFile(file, 1)), "one");
  assert.equal(text(await store.readFile(file, 2)), "two");
  const chunks = await Array.fromAsync(await store.streamFile(file, 2));
  assert.equal(text(chunks[0]), "two");
  assert.deepEqual((await store.readDirectory(ROOT_KEY, 2)).map((e) => e.name), ["f"]);
  assert.deepEqual(await store.readDirectory(ROOT_KEY, 1), []);
});

Deno.test("memory store: reads name the partition; the wrong one finds nothing", async () => {
  const { store, file } = await storeWithFile();
  const elsewhere = { partId: newNodeId(), nodeId: file.nodeId };
  assert.deepEqual(await store.readVersions(elsewhere, 2), []);
  await rejectsWith(store.readFile(elsewhere, 1), "NotFound");
  await rejectsWith(store.readFile(file, 3), "NotFound");
  await rejectsWith(store.readDirectory(file, 1), "NotFound");
});

Deno.test("memory store: returned and committed bytes are copies", async () => {
  const { store, file } = await storeWithFile();
  (await store.readFile(file, 2)).fill(0);
  assert.equal(text(await store.readFile(file, 2)), "two");
  const content = bytes("abc");
  await store.commit(
    batch(3, [{
      ...file,
      entryType: "file:data",
      version: 3,
      seq: 3,
      timestamp: 3,
      size: 3,
      content,
    }]),
  );
  content.fill(0);
  assert.equal(text(await store.readFile(file, 3)), "abc");
});

Deno.test("memory store: malformed or out-of-order batches are refused whole", async () => {
  const { store, file } = await storeWithFile();
  const v = (over: Partial<NewVersion>): NewVersion => ({
    ...file,
    entryType: "file:data",
    version: 3,
    seq: 3,
    timestamp: 3,
    size: 1,
    content: bytes("x"),
    ...over,
  });
  await rejectsWith(store.commit(batch(2, [v({ seq: 2, timestamp: 2 })])), "Conflict");
  await rejectsWith(store.commit(batch(4, [v({ seq: 4, timestamp: 4 })])), "Conflict");
  await rejectsWith(store.commit(batch(3, [v({ version: 4 })])), "Conflict");
  await rejectsWith(store.commit(batch(3, [v({}), v({})])), "Conflict");
  await rejectsWith(store.commit(batch(3, [v({ partId: newNodeId() })])), "Conflict");
  await rejectsWith(store.commit(batch(3, [v({ content: undefined })])), "Conflict");
  await rejectsWith(store.commit(batch(3, [v({ seq: 2 })])), "Conflict");
  await rejectsWith(store.commit(batch(3, [v({ nodeId: "not-an-id" })])), "Conflict");
  const dir = newNodeId();
  await rejectsWith(
    store.commit(
      batch(3, [{
        partId: ROOT_KEY.nodeId,
        nodeId: dir,
        entryType: "directory",
        version: 1,
        seq: 3,
        timestamp: 3,
        size: 0,
        changes: [],
      }]),
    ),
    "Conflict",
  );
  await rejectsWith(
    store.commit(batch(3, [rootVersion(3, 3, [], 1), v({ version: 9 })])),
    "Conflict",
  );
  assert.equal(await store.head(), 2);
  assert.deepEqual(
    (await store.readVersions(ROOT_KEY, 9)).map((r) => r.version),
    [1, 2],
    "nothing applied",
  );
  assert.equal(store.commits.length, 3);
});

Deno.test("memory store: a dynamic file's body is its factory and config, never content", async () => {
  const store = new MemoryPersistence();
  await store.commit(batch(0, [rootVersion(0, 1)]));
  const key = { partId: ROOT_KEY.nodeId, nodeId: newNodeId() };
  const dynamic = { factory: "concat", config: bytes("{}") };
  const entry: DirEntry = { name: "all", ...key, entryType: "file:dynamic" };
  const file = (over: Partial<NewVersion>): NewVersion[] => [
    rootVersion(1, 2, [{ op: "put", entry }], 1),
    { ...key, entryType: "file:dynamic", version: 1, seq: 1, timestamp: 1, size: 0, ...over },
  ];
  await rejectsWith(store.commit(batch(1, file({}))), "Conflict");
  await rejectsWith(store.commit(batch(1, file({ dynamic, content: bytes("x") }))), "Conflict");
  await store.commit(batch(1, file({ dynamic })));
  const [version] = await store.readVersions(key, 1);
  assert.deepEqual([version.entryType, version.dynamic?.factory], ["file:dynamic", "concat"]);
  assert.equal(text(version.dynamic!.config), "{}");
  await rejectsWith(store.readFile(key, 1), "NotFound");
});

Deno.test("memory store: staged bodies are kept in their chunks and only its own are accepted", async () => {
  const { store, file } = await storeWithFile();
  const staged = await store.stageFile(ReadableStream.from([bytes("ab"), bytes("cde")]));
  assert.equal(staged.size, 5);
  assert.deepEqual(
    (await Array.fromAsync(await store.streamStaged(staged))).map(text),
    ["ab", "cde"],
  );
  const v = (over: Partial<NewVersion>): NewVersion => ({
    ...file,
    entryType: "file:data",
    version: 3,
    seq: 3,
    timestamp: 3,
    size: 5,
    staged,
    ...over,
  });
  const foreign = await new MemoryPersistence().stageFile(ReadableStream.from([bytes("abcde")]));
  await rejectsWith(store.commit(batch(3, [v({ staged: foreign })])), "Conflict");
  await rejectsWith(store.commit(batch(3, [v({ staged: { ...staged, ref: {} } })])), "Conflict");
  await rejectsWith(store.commit(batch(3, [v({ size: 4 })])), "Conflict");
  await rejectsWith(store.commit(batch(3, [v({ content: bytes("abcde") })])), "Conflict");
  assert.equal(await store.head(), 2, "nothing applied");
  await store.commit(batch(3, [v({})]));
  assert.equal(text(await store.readFile(file, 3)), "abcde");
  assert.deepEqual((await Array.fromAsync(await store.streamFile(file, 3))).map(text), [
    "ab",
    "cde",
  ]);
  assert.equal("staged" in (await store.readVersions(file, 3))[2], false, "headers only");
  await rejectsWith(store.streamStaged({ ...staged, ref: {} }), "NotFound");
});

Deno.test("memory store: a directory version is its changes from the previous one; lookup answers each version", async () => {
  const { store, file } = await storeWithFile();
  const g = fileEntry("g");
  const f2 = { ...g, name: "f" };
  await store.commit(batch(3, [rootVersion(3, 3, [{ op: "put", entry: g }], 2)]));
  await store.commit(
    batch(4, [rootVersion(4, 4, [{ op: "put", entry: f2 }, { op: "del", name: "g" }], 1)]),
  );
  assert.deepEqual(await store.lookup(ROOT_KEY, 1, "f"), null);
  assert.deepEqual(await store.lookup(ROOT_KEY, 2, "f"), {
    name: "f",
    ...file,
    entryType: "file:data",
  });
  assert.deepEqual(await store.lookup(ROOT_KEY, 3, "g"), g);
  assert.deepEqual(await store.lookup(ROOT_KEY, 4, "f"), f2, "a put replaces the entry");
  assert.deepEqual(await store.lookup(ROOT_KEY, 4, "g"), null);
  assert.deepEqual((await store.readDirectory(ROOT_KEY, 3)).map((e) => e.name), ["f", "g"]);
  assert.deepEqual(await store.readDirectory(ROOT_KEY, 4), [f2]);
  await rejectsWith(store.lookup(file, 1, "f"), "NotFound");
  await rejectsWith(store.lookup(ROOT_KEY, 5, "f"), "NotFound");
  assert.deepEqual(
    store.commits[4].versions[0].changes,
    [{ op: "put", entry: f2 }, { op: "del", name: "g" }],
    "the batch is kept as handed over",
  );
});

Deno.test("memory store: directory changes that do not fit the previous version are refused", async () => {
  const { store } = await storeWithFile();
  const [g, h] = [fileEntry("g"), fileEntry("h")];
  const refused: [EntryChange[], number, RegExp][] = [
    [[{ op: "del", name: "absent" }], 1, /removes "absent"/],
    [[{ op: "put", entry: { ...(await store.lookup(ROOT_KEY, 2, "f"))! } }], 1, /puts "f" as/],
    [[{ op: "put", entry: g }], 1, /size 1 but its changes leave 2/],
    [[{ op: "put", entry: h }, { op: "put", entry: g }], 3, /"g" after "h"/],
    [[{ op: "put", entry: g }, { op: "put", entry: { ...h, name: "g" } }], 2, /"g" twice/],
    [[{ op: "del", name: "f" }, { op: "del", name: "f" }], 0, /"f" twice/],
  ];
  for (const [changes, size, why] of refused) {
    await assert.rejects(
      store.commit(batch(3, [rootVersion(3, 3, changes, size)])),
      (e) => isTinyFsError(e, "Conflict") && why.test(e.message),
    );
  }
  const { changes: _, ...bodiless } = rootVersion(3, 3, [], 1);
  await rejectsWith(store.commit(batch(3, [bodiless])), "Conflict");
  assert.equal(await store.head(), 2, "nothing applied");
  await store.commit(batch(3, [rootVersion(3, 3, [{ op: "put", entry: g }], 2)]));
  assert.deepEqual(await store.lookup(ROOT_KEY, 3, "g"), g);
});
