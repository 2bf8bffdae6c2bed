/** Large bodies: stored once by content, streamed back verified, damage detected before it is read. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { isTempFile, LocalStore } from "../../src/delta/storage.ts";
import { BLOB_CHUNK, BlobStore } from "../../src/oplog/blob_store.ts";
import { isPondError } from "../../src/errors.ts";

async function withStore(fn: (blobs: BlobStore, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(new BlobStore(new LocalStore(`${dir}/blobs`)), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function body(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let s = seed;
  for (let i = 0; i < size; i++) out[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return out;
}

function streamOf(bytes: Uint8Array, piece: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at += piece));
    },
  });
}

Deno.test("a streamed body reads back byte for byte, named by its SHA-256", async () => {
  await withStore(async (blobs) => {
    const data = body(2 * BLOB_CHUNK + 12345);
    const ref = await blobs.put(streamOf(data, 100_003));
    assert.equal(ref.hash, createHash("sha256").update(data).digest("hex"));
    assert.equal(ref.size, data.length);
    assert.equal(ref.chunks.length, 3 * 32);
    assert.deepEqual(await blobs.read(ref), data);
  });
});

Deno.test("identical bodies are stored once; empty bodies work", async () => {
  await withStore(async (blobs, dir) => {
    const data = body(70_000);
    const a = await blobs.put(data);
    const b = await blobs.put(streamOf(data, 999));
    assert.deepEqual(a, b);
    const files = [...Deno.readDirSync(`${dir}/blobs/${a.hash.slice(0, 2)}`)];
    assert.equal(files.length, 1);
    assert.equal(
      [...Deno.readDirSync(`${dir}/blobs`)].filter((e) => isTempFile(e.name)).length,
      0,
    );
    const empty = await blobs.put(new Uint8Array());
    assert.deepEqual(await blobs.read(empty), new Uint8Array());
  });
});

Deno.test("a damaged chunk is refused before it is handed out", async () => {
  await withStore(async (blobs) => {
    const data = body(2 * BLOB_CHUNK + 5);
    const ref = await blobs.put(data);
    const f = await Deno.open(blobs.pathOf(ref.hash), { write: true });
    await f.seek(BLOB_CHUNK + 17, Deno.SeekMode.Start);
    await f.write(new Uint8Array([data[BLOB_CHUNK + 17] ^ 0xff]));
    f.close();
    const got: Uint8Array[] = [];
    await assert.rejects(
      async () => {
        for await (const chunk of blobs.stream(ref)) got.push(chunk);
      },
      (e) => isPondError(e, "CorruptBlob") && /damaged chunk 1/.test(e.message),
    );
    assert.equal(got.length, 1, "only the intact first chunk was read");
  });
});

/** Reads a stream with a reader of our own buffer of `size` bytes; returns what it handed out. */
async function readIntoBuffer(
  stream: ReadableStream<Uint8Array>,
  size: number,
  got: Uint8Array<ArrayBuffer>[],
) {
  const reader = stream.getReader({ mode: "byob" });
  let buf = new Uint8Array(size);
  for (;;) {
    const { value, done } = await reader.read(buf);
    if (done) return;
    got.push(value.slice());
    buf = new Uint8Array(value.buffer);
  }
}

Deno.test("a reader with its own buffer gets the same bytes, whatever the buffer's size", async () => {
  await withStore(async (blobs) => {
    const data = body(2 * BLOB_CHUNK + 777);
    const ref = await blobs.put(data);
    for (const size of [BLOB_CHUNK, 2 * BLOB_CHUNK, 1000]) {
      const got: Uint8Array<ArrayBuffer>[] = [];
      await readIntoBuffer(blobs.stream(ref), size, got);
      const whole = new Uint8Array(await new Blob(got).arrayBuffer());
      assert.deepEqual(whole, data, `buffer of ${size} bytes`);
    }
  });
});

Deno.test("a reader with its own buffer is refused a damaged chunk, and a body too long", async () => {
  await withStore(async (blobs) => {
    const data = body(3 * BLOB_CHUNK);
    const ref = await blobs.put(data);
    const path = blobs.pathOf(ref.hash);
    const f = await Deno.open(path, { write: true });
    await f.seek(2 * BLOB_CHUNK + 3, Deno.SeekMode.Start);
    await f.write(new Uint8Array([data[2 * BLOB_CHUNK + 3] ^ 1]));
    f.close();
    for (const size of [BLOB_CHUNK, 4096]) {
      const got: Uint8Array<ArrayBuffer>[] = [];
      await assert.rejects(
        () => readIntoBuffer(blobs.stream(ref), size, got),
        (e) => isPondError(e, "CorruptBlob") && /damaged chunk 2/.test(e.message),
      );
      assert.equal(got.reduce((n, c) => n + c.length, 0), 2 * BLOB_CHUNK, "only intact chunks");
    }
    await Deno.writeFile(path, new Uint8Array([...data, 0]));
    await assert.rejects(
      () => readIntoBuffer(blobs.stream(ref), BLOB_CHUNK, []),
      (e) => isPondError(e, "CorruptBlob") && /longer than/.test(e.message),
    );
  });
});

Deno.test("a truncated or missing body is a clear error", async () => {
  await withStore(async (blobs) => {
    const ref = await blobs.put(body(5000));
    await Deno.truncate(blobs.pathOf(ref.hash), 4000);
    await assert.rejects(() => blobs.read(ref), (e) => isPondError(e, "CorruptBlob"));
    await Deno.remove(blobs.pathOf(ref.hash));
    await assert.rejects(() => blobs.read(ref), (e) => isPondError(e, "MissingBlob"));
  });
});

Deno.test("storing a body that is already there makes it young again, so vacuum keeps it", async () => {
  await withStore(async (blobs) => {
    const data = body(70_000, 3);
    const ref = await blobs.put(data);
    const old = new Date(Date.now() - 30 * 86_400_000);
    await Deno.utime(blobs.pathOf(ref.hash), old, old);
    await blobs.put(data);
    const mtime = (await Deno.stat(blobs.pathOf(ref.hash))).mtime!.getTime();
    assert.ok(Date.now() - mtime < 60_000, `mtime ${new Date(mtime).toISOString()}`);
  });
});

/** A local store that counts the reads of stored bytes made through the Store interface. */
class CountingStore extends LocalStore {
  reads = 0;
  override read(path: string): Promise<Uint8Array> {
    this.reads++;
    return super.read(path);
  }
  override readRange(path: string, start: number, end: number, into?: Uint8Array) {
    this.reads++;
    return super.readRange(path, start, end, into);
  }
}

Deno.test("storing a body again reads nothing of the stored one: a head, no read; one of another size is replaced", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new CountingStore(`${dir}/blobs`);
    const blobs = new BlobStore(store);
    const data = body(3 * BLOB_CHUNK + 5, 8);
    const ref = await blobs.put(data);
    store.reads = 0;
    assert.deepEqual(await blobs.put(streamOf(data, 65_536)), ref);
    assert.equal(store.reads, 0, "the existing blob was not read");
    await Deno.truncate(blobs.pathOf(ref.hash), BLOB_CHUNK);
    await blobs.put(data);
    assert.equal(store.reads, 0);
    assert.deepEqual(await blobs.read(ref), data, "a blob of another size is replaced");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
