/** Name lookups in a stored listing: binary search over the Arrow column finds exactly what is there. */
import assert from "node:assert/strict";
import { encodeChanges } from "../../src/oplog/directory_codec.ts";
import { ListingIndex } from "../../src/oplog/listing_index.ts";
import type { DirEntry } from "../../src/tinyfs/mod.ts";

const entry = (name: string, i: number): DirEntry => ({
  name,
  partId: "p".padEnd(32, "0"),
  nodeId: i.toString(16).padStart(32, "0"),
  entryType: i % 2 ? "directory" : "file:data",
});

Deno.test("every name in a sorted listing is found with its entry; others are not", () => {
  const names = ["a", "b b", "résumé.csv", "z", "Zebra", "日本.txt", "10", "9"].sort();
  const entries = names.map((n, i) => entry(n, i));
  const index = new ListingIndex(encodeChanges(entries.map((e) => ({ op: "put", entry: e }))));
  assert.equal(index.size, names.length);
  for (const e of entries) assert.deepEqual(index.find(e.name), e);
  for (const missing of ["", "aa", "résume.csv", "日", "~"]) {
    assert.equal(index.find(missing), null);
  }
  assert.equal(new ListingIndex(encodeChanges([])).find("a"), null);
});
