/** Directory contents survive encoding, diffs replay to the same listing, skip-delta chains stay short. */
import assert from "node:assert/strict";
import { Table, tableFromIPC, tableToIPC, Utf8, vectorFromArray } from "apache-arrow";
import {
  changeName,
  decodeChanges,
  deltaBase,
  encodeChanges,
  storeWhole,
} from "../../src/oplog/directory_codec.ts";
import type { DirEntry, EntryChange } from "../../src/tinyfs/mod.ts";

const entry = (name: string, n = 1): DirEntry => ({
  name,
  partId: "a".repeat(32),
  nodeId: n.toString(16).padStart(32, "0"),
  entryType: "file:data",
});

Deno.test("changes round-trip through Arrow IPC, including none at all and odd names", () => {
  const changes: EntryChange[] = [
    { op: "put", entry: entry("ünïcode name.csv", 7) },
    { op: "del", name: "gone" },
    { op: "put", entry: { ...entry("sub", 9), entryType: "directory" } },
  ];
  assert.deepEqual(decodeChanges(encodeChanges(changes)), changes);
  assert.deepEqual(decodeChanges(encodeChanges([])), []);
});

/** A listing as pond wrote it before its own codec: apache-arrow's IPC stream of Utf8 vectors. */
function apacheArrowListing(changes: readonly EntryChange[]): Uint8Array {
  const column = (pick: (c: EntryChange) => string | null) =>
    vectorFromArray(changes.map(pick), new Utf8());
  return tableToIPC(
    new Table({
      name: column(changeName),
      op: column((c) => c.op),
      part_id: column((c) => c.op === "put" ? c.entry.partId : null),
      node_id: column((c) => c.op === "put" ? c.entry.nodeId : null),
      entry_type: column((c) => c.op === "put" ? c.entry.entryType : null),
    }),
    "stream",
  );
}

Deno.test("listings apache-arrow wrote (older ponds) decode, and apache-arrow reads ours", () => {
  const changes: EntryChange[] = [
    { op: "del", name: "gone" },
    { op: "put", entry: entry("ünïcode name.csv", 7) },
    { op: "put", entry: { ...entry("sub", 9), entryType: "directory" } },
  ];
  for (const written of [changes, [], changes.slice(1)]) {
    assert.deepEqual(decodeChanges(apacheArrowListing(written)), written);
  }
  const read = tableFromIPC(encodeChanges(changes));
  assert.deepEqual(read.getChild("name")!.toArray(), changes.map(changeName));
  assert.deepEqual(read.getChild("part_id")!.toArray(), [null, "a".repeat(32), "a".repeat(32)]);
});

Deno.test("a listing that is not one fails as a corrupt row, naming what is wrong", () => {
  assert.throws(() => decodeChanges(new Uint8Array([1, 2, 3, 4, 5])), {
    code: "CorruptRow",
    message: /directory listing does not decode/,
  });
});

Deno.test("a change names its entry, put or del", () => {
  assert.equal(changeName({ op: "put", entry: entry("a.csv") }), "a.csv");
  assert.equal(changeName({ op: "del", name: "b.csv" }), "b.csv");
});

Deno.test("skip-delta chains from any version reach the anchor in at most log2 steps", () => {
  const anchor = 100;
  for (let v = anchor + 1; v <= anchor + 4096; v++) {
    let steps = 0;
    for (let at = v; at !== anchor; at = deltaBase(at, anchor)) {
      assert.ok(deltaBase(at, anchor) < at);
      steps++;
    }
    assert.ok(steps <= Math.log2(v - anchor) + 1, `version ${v}: ${steps} steps`);
  }
});

Deno.test("small directories and half-rewritten ones are stored whole", () => {
  assert.equal(storeWhole(5, 1), true);
  assert.equal(storeWhole(1000, 499), false);
  assert.equal(storeWhole(1000, 500), true);
});
