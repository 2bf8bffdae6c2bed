/** The blob store's own checks and garbage: a damaged body found and moved aside, and what collection deletes — all through its Store. */
import assert from "node:assert/strict";
import { LocalStore } from "../../src/delta/mod.ts";
import { BLOB_CHUNK, blobFiles, BlobStore, collectBlobGarbage } from "../../src/oplog/mod.ts";

async function withStore(fn: (blobs: BlobStore, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(new BlobStore(new LocalStore(`${dir}/blobs`)), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const HOUR = 3_600_000;
const text = (s: string) => new TextEncoder().encode(s);

Deno.test("verify names what is wrong with a body; setAside keeps its bytes under another name, so the next put stores it afresh", async () => {
  await withStore(async (blobs) => {
    const body = new Uint8Array(BLOB_CHUNK + 100).map((_, i) => i & 255);
    const ref = await blobs.put(body);
    assert.equal(await blobs.verify(ref), undefined);
    const path = blobs.objectPath(ref.hash);
    await blobs.store.put(path, body.subarray(0, BLOB_CHUNK));
    assert.deepEqual(await blobs.verify(ref), { kind: "body", fault: { kind: "short" } });
    const damaged = body.slice();
    damaged[BLOB_CHUNK + 5] ^= 1;
    await blobs.store.put(path, damaged);
    assert.deepEqual(await blobs.verify(ref), {
      kind: "body",
      fault: { kind: "damaged", chunk: 1 },
    });

    const aside = await blobs.setAside(ref.hash);
    assert.match(aside, new RegExp(`^${ref.hash.slice(0, 2)}/${ref.hash}\\.damaged-\\d+$`));
    assert.deepEqual(await blobs.store.read(aside), damaged);
    assert.deepEqual(await blobs.verify(ref), { kind: "body", fault: { kind: "missing" } });
    assert.deepEqual((await blobFiles(blobs)).stray.map((o) => o.path), [aside]);
    await blobs.put(body);
    assert.equal(await blobs.verify(ref), undefined);
  });
});

Deno.test("garbage collection takes unreferenced blobs older than the cutoff, lists them first, and keeps the rest", async () => {
  await withStore(async (blobs, dir) => {
    const kept = await blobs.put(text("in use"));
    const old = await blobs.put(text("nobody refers to this one"));
    const fresh = await blobs.put(text("nor to this one, but it is new"));
    const past = new Date(Date.now() - 2 * HOUR);
    for (const hash of [kept.hash, old.hash]) {
      await Deno.utime(`${dir}/blobs/${blobs.objectPath(hash)}`, past, past);
    }
    const inUse = new Set([kept.hash]);
    const cutoff = Date.now() - HOUR;
    const plan = await collectBlobGarbage(blobs, inUse, { cutoff });
    assert.deepEqual(plan.blobs.map((o) => o.path), [blobs.objectPath(old.hash)]);
    assert.ok(await blobs.has(old.hash), "a plan deletes nothing");
    const done = await collectBlobGarbage(blobs, inUse, { cutoff, apply: true });
    assert.deepEqual(done.blobs.map((o) => o.path), [blobs.objectPath(old.hash)]);
    assert.deepEqual(
      [await blobs.has(kept.hash), await blobs.has(old.hash), await blobs.has(fresh.hash)],
      [true, false, true],
    );
  });
});
