/** Tests for series files: versions appended one per transaction, every version readable as a stream. */

import assert from "node:assert/strict";
import { FS, MemoryPersistence, type NodeKey } from "../../src/tinyfs/mod.ts";
import { T0, text } from "./helpers.ts";

/** A memory store that refuses whole-body reads, so only streaming can read a body. */
class StreamOnlyStore extends MemoryPersistence {
  override readFile(key: NodeKey, version: number): Promise<Uint8Array> {
    return Promise.reject(new Error(`read whole body of ${key.nodeId} v${version}`));
  }
}

/** A stream of `text` in chunks of at most `size` bytes. */
function chunked(s: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(s);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.slice(at, at + size));
  return ReadableStream.from(chunks);
}

/** Reads every version of the file at `path`, oldest first, each as a stream. */
async function readAll(root: Awaited<ReturnType<FS["root"]>>, path: string) {
  const node = await root.open(path);
  const out: { version: number; type: string; size: number; chunks: string[] }[] = [];
  for (const v of await node.versions()) {
    const chunks = (await Array.fromAsync(await node.stream({ version: v.version }))).map(text);
    out.push({ version: v.version, type: v.entryType, size: v.size, chunks });
  }
  return out;
}

Deno.test("series: appended versions read back in order, each streamed, never read whole", async () => {
  let now = T0;
  const fs = await FS.init(new StreamOnlyStore(), { now: () => now });
  const batches = ["t=1,v=1;", "t=2,v=4;t=3,v=9;", "t=4,v=16;"];
  for (const batch of batches) {
    now += 1000;
    await fs.transact(
      { command: ["append"] },
      (root) =>
        root.write("/s/temp", chunked(batch, 4), { entryType: "file:series", parents: true }),
    );
  }
  const expected = batches.map((b, i) => ({
    version: i + 1,
    type: "file:series",
    size: b.length,
    chunks: b.match(/.{1,4}/g)!,
  }));
  assert.deepEqual(await readAll(await fs.root(), "/s/temp"), expected);
  const modified = (await (await fs.root()).versions("/s/temp")).map((v) => v.modified.getTime());
  assert.deepEqual(modified, [T0 + 1000, T0 + 2000, T0 + 3000]);
  await fs.transact({ command: ["append"] }, async (root) => {
    await root.write("/s/temp", chunked("t=5,v=25;", 4));
    const inside = await readAll(root, "/s/temp");
    assert.deepEqual(inside.map((v) => [v.version, v.type, v.chunks.join("")]), [
      ...batches.map((b, i) => [i + 1, "file:series", b]),
      [4, "file:series", "t=5,v=25;"],
    ], "the pending version is read with the committed ones, and keeps the series type");
  });
  await assert.rejects((await fs.root()).read("/s/temp"), /read whole body/);
});

Deno.test("series: a second write in one transaction replaces that transaction's version", async () => {
  const fs = await FS.init(new MemoryPersistence());
  await fs.transact({ command: ["append"] }, async (root) => {
    await root.write("/s", "a;", { entryType: "file:series" });
    await root.write("/s", "b;");
  });
  const root = await fs.root();
  assert.deepEqual((await root.versions("/s")).map((v) => v.version), [1]);
  assert.equal(text(await root.read("/s")), "b;");
});
