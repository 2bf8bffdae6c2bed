/** Large bodies: stored once by content, streamed back verified, damage detected before it is read. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { isTempFile, LocalStore } from "../../src/delta/storage.ts";
import { BLOB_CHUNK, type BlobRef, BlobStore } from "../../src/oplog/blob_store.ts";
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

Deno.test("each chunk's CRC-32 is recorded beside its SHA-256, big-endian", async () => {
  await withStore(async (blobs) => {
    const data = body(2 * BLOB_CHUNK + 12345, 5);
    const ref = await blobs.put(streamOf(data, 300_001));
    const view = new DataView(ref.crcs!.buffer, ref.crcs!.byteOffset, ref.crcs!.byteLength);
    assert.equal(ref.crcs!.length, 3 * 4);
    for (let i = 0; i < 3; i++) {
      const chunk = data.subarray(i * BLOB_CHUNK, (i + 1) * BLOB_CHUNK);
      assert.equal(view.getUint32(i * 4), crc32(chunk), `chunk ${i}`);
    }
  });
});

/** A reference as a row written before CRC-32s were recorded holds it: SHA-256s only. */
const withoutCrcs = (ref: BlobRef): BlobRef => ({ ...ref, crcs: null });

Deno.test("a damaged chunk is refused before it is handed out, checked by CRC-32 or, in rows without, SHA-256", async () => {
  await withStore(async (blobs) => {
    const data = body(2 * BLOB_CHUNK + 5);
    const ref = await blobs.put(data);
    const f = await Deno.open(blobs.pathOf(ref.hash), { write: true });
    await f.seek(BLOB_CHUNK + 17, Deno.SeekMode.Start);
    await f.write(new Uint8Array([data[BLOB_CHUNK + 17] ^ 0xff]));
    f.close();
    for (const read of [ref, withoutCrcs(ref)]) {
      const got: Uint8Array[] = [];
      await assert.rejects(
        async () => {
          for await (const chunk of blobs.stream(read)) got.push(chunk);
        },
        (e) => isPondError(e, "CorruptBlob") && /damaged chunk 1/.test(e.message),
      );
      assert.equal(got.length, 1, "only the intact first chunk was read");
      assert.deepEqual(await blobs.verify(read), {
        kind: "body",
        fault: { kind: "damaged", chunk: 1 },
      });
    }
  });
});

Deno.test("a wrong CRC-32 in a row never refuses intact bytes, which match their SHA-256; verify names the chunk", async () => {
  await withStore(async (blobs) => {
    const data = body(3 * BLOB_CHUNK + 9, 6);
    const ref = await blobs.put(data);
    const crcs = ref.crcs!.slice();
    crcs[2 * 4 + 3] ^= 1;
    const wrong = { ...ref, crcs };
    assert.deepEqual(await blobs.read(wrong), data);
    assert.deepEqual(await blobs.verify(wrong), {
      kind: "body",
      fault: { kind: "checksum", chunk: 2 },
    });
    assert.equal(await blobs.verify(ref), undefined);
    assert.equal(await blobs.verify(withoutCrcs(ref)), undefined);
  });
});

Deno.test("reads check the CRC-32s where recorded, verify the SHA-256s too", async () => {
  await withStore(async (blobs) => {
    const data = body(2 * BLOB_CHUNK, 9);
    const ref = await blobs.put(data);
    const chunks = ref.chunks.slice();
    chunks[32 + 7] ^= 1;
    const wrongSha = { ...ref, chunks };
    assert.deepEqual(await blobs.read(wrongSha), data, "the CRC-32s match: read without SHA-256");
    assert.deepEqual(await blobs.verify(wrongSha), {
      kind: "body",
      fault: { kind: "damaged", chunk: 1 },
    });
    await assert.rejects(
      () => blobs.read(withoutCrcs(wrongSha)),
      (e) => isPondError(e, "CorruptBlob") && /damaged chunk 1/.test(e.message),
    );
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
    for (const size of [BLOB_CHUNK, 2 * BLOB_CHUNK, 4 * BLOB_CHUNK, 1000]) {
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
    for (const read of [ref, withoutCrcs(ref)]) {
      for (const size of [BLOB_CHUNK, 4 * BLOB_CHUNK, 4096]) {
        const got: Uint8Array<ArrayBuffer>[] = [];
        await assert.rejects(
          () => readIntoBuffer(blobs.stream(read), size, got),
          (e) => isPondError(e, "CorruptBlob") && /damaged chunk 2/.test(e.message),
        );
        const handedOut = got.reduce((n, c) => n + c.length, 0);
        assert.equal(handedOut, 2 * BLOB_CHUNK, `only intact chunks, buffer of ${size} bytes`);
      }
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
    const data = body(3 * BLOB_CHUNK + 5000, 7);
    const ref = await blobs.put(data);
    await Deno.truncate(blobs.pathOf(ref.hash), 2 * BLOB_CHUNK + 10);
    const got: Uint8Array<ArrayBuffer>[] = [];
    await assert.rejects(
      () => readIntoBuffer(blobs.stream(ref), 4 * BLOB_CHUNK, got),
      (e) => isPondError(e, "CorruptBlob") && /shorter than/.test(e.message),
    );
    assert.deepEqual(
      new Uint8Array(await new Blob(got).arrayBuffer()),
      data.subarray(0, 2 * BLOB_CHUNK),
    );
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
