/** Tests that changing one entry of a big directory costs one change, not the directory's size. */

import assert from "node:assert/strict";
import {
  type DirEntry,
  FS,
  MemoryPersistence,
  type NodeKey,
  ROOT_ID,
} from "../../src/tinyfs/mod.ts";
import { changeList, text } from "./helpers.ts";

const SIZE = 10_000;

/** A memory store that records every name lookup and every whole-listing read. */
class CountingStore extends MemoryPersistence {
  lookups: string[] = [];
  listings: string[] = [];

  override lookup(key: NodeKey, version: number, name: string): Promise<DirEntry | null> {
    this.lookups.push(name);
    return super.lookup(key, version, name);
  }

  override readDirectory(key: NodeKey, version: number): Promise<readonly DirEntry[]> {
    this.listings.push(key.nodeId);
    return super.readDirectory(key, version);
  }

  reset(): void {
    this.lookups = [];
    this.listings = [];
  }
}

/** A store holding `/big` with {@link SIZE} files, and a freshly opened tree over it (no cache). */
async function bigDirectory() {
  const store = new CountingStore();
  await FS.init(store);
  await (await FS.open(store)).transact({ command: ["fill"] }, async (root) => {
    const big = await root.createDirectory("/big");
    for (let i = 0; i < SIZE; i++) await big.createFile(`f${String(i).padStart(5, "0")}`, "");
  });
  store.reset();
  return { store, fs: await FS.open(store) };
}

/** The version of `/big` in the newest commit. */
function bigVersion(store: MemoryPersistence) {
  const versions = store.commits.at(-1)!.versions;
  return versions.find((v) => v.entryType === "directory" && v.nodeId !== ROOT_ID)!;
}

Deno.test("change cost: adding a file to a directory of 10,000 entries reads no listing and commits one change", async () => {
  const { store, fs } = await bigDirectory();
  await fs.transact({ command: ["add"] }, async (root) => {
    await root.createFile("/big/new.csv", "t,v\n");
    assert.equal(text(await root.read("/big/new.csv")), "t,v\n");
  });
  assert.deepEqual(store.listings, [], "no whole listing was read");
  assert.deepEqual(
    [...new Set(store.lookups)].sort(),
    ["big", "new.csv"],
    "only the names on the path were looked up",
  );
  const batch = store.commits.at(-1)!;
  assert.equal(batch.versions.length, 2, "/big and the new file; the root is untouched");
  const big = bigVersion(store);
  assert.deepEqual([big.version, big.size], [2, SIZE + 1]);
  const file = batch.versions.find((v) => v.entryType === "file:data")!;
  assert.deepEqual(big.changes, [{
    op: "put",
    entry: { name: "new.csv", partId: big.nodeId, nodeId: file.nodeId, entryType: "file:data" },
  }]);
  const listed = await (await fs.root()).list("/big");
  assert.equal(listed.length, SIZE + 1);
  assert.equal(store.listings.length, 1, "listing the directory does read it whole, once");
});

Deno.test("change cost: renaming and removing in a directory of 10,000 entries reads no listing", async () => {
  const { store, fs } = await bigDirectory();
  await fs.transact({ command: ["mv", "rm"] }, async (root) => {
    await root.rename("/big/f00001", "/big/renamed");
    await root.remove("/big/f00002");
    assert.equal(await root.exists("/big/f00001"), false);
    assert.equal((await root.metadata("/big")).size, SIZE - 1);
  });
  assert.deepEqual(store.listings, []);
  assert.deepEqual(changeList(bigVersion(store).changes), ["-f00001", "-f00002", "+renamed"]);
  assert.equal(bigVersion(store).size, SIZE - 1);
});

Deno.test("change cost: a committed name is looked up in the store once; a listing read answers lookups", async () => {
  const { store, fs } = await bigDirectory();
  const root = await fs.root();
  assert.equal(await root.exists("/big/f00003"), true);
  assert.equal(await (await fs.root()).exists("/big/f00003"), true);
  await fs.transact({ command: ["t"] }, (txn) => txn.write("/big/f00003", "x"));
  assert.deepEqual(store.lookups, ["big", "f00003"], "remembered across views and transactions");
  assert.equal((await root.list("/big")).length, SIZE);
  assert.equal(await root.exists("/big/f00004"), true);
  assert.equal(await root.exists("/big/missing"), false);
  assert.deepEqual(store.lookups, ["big", "f00003"], "answered from the listing");
});
