/** Large file bodies outside the oplog rows: content-addressed, stored once, verified chunk by chunk on read. */
import { createHash } from "node:crypto";
import type { AsyncBuffer } from "hyparquet";
import { fileByteRanges } from "./file_ranges.ts";
import { createTemp, syncDirectory, writerGone } from "../delta/mod.ts";
import { isPondError } from "../errors.ts";
import { OplogError } from "./errors.ts";
import { HASH_BYTES, verifiedStream } from "./verified_stream.ts";

/** Bodies are hashed, and verified on read, in chunks of this many bytes. */
export const BLOB_CHUNK = 1 << 20;

/** Where a stored body is and how to check it: its SHA-256, size and per-chunk SHA-256s. */
export interface BlobRef {
  /** Hex SHA-256 of the whole body: its name in the store. */
  readonly hash: string;
  readonly size: number;
  /** The SHA-256 of each {@link BLOB_CHUNK}-byte chunk, concatenated. */
  readonly chunks: Uint8Array;
}

/**
 * A directory of bodies named by their SHA-256 (`ab/abcdef…`). Writing streams through a
 * temporary file that is fsynced and then linked into place, so a body is either whole or
 * absent, and identical bodies are stored once. Reading streams chunk by chunk and refuses
 * to hand out a chunk whose hash does not match, so memory stays bounded and nothing corrupt
 * reaches the reader.
 *
 * @example
 * ```ts
 * const file = await Deno.open("/tmp/a.csv");
 * const blobs = new BlobStore("/data/pond/blobs");
 * const ref = await blobs.put(file.readable);
 * for await (const chunk of blobs.stream(ref)) Deno.stdout.writeSync(chunk);
 * ```
 */
export class BlobStore {
  #swept = false;

  constructor(readonly dir: string) {}

  /** The file that holds a body. */
  pathOf(hash: string): string {
    return `${this.dir}/${hash.slice(0, 2)}/${hash}`;
  }

  /**
   * Stores a body (bytes or a stream) and returns its reference; a body already present is
   * not written again.
   *
   * @example
   * ```ts
   * const blobs = new BlobStore("/data/pond/blobs");
   * const ref = await blobs.put(new TextEncoder().encode("hello"));
   * ```
   */
  async put(body: Uint8Array | ReadableStream<Uint8Array>): Promise<BlobRef> {
    await Deno.mkdir(this.dir, { recursive: true });
    await this.#sweep();
    const { path: tmp, file } = await createTemp(this.dir, "tmp");
    const whole = createHash("sha256");
    const chunkHashes: Uint8Array[] = [];
    let chunk = createHash("sha256");
    let inChunk = 0;
    let size = 0;
    try {
      for await (const piece of body instanceof Uint8Array ? [body] : body) {
        for (let at = 0; at < piece.length;) {
          const take = Math.min(BLOB_CHUNK - inChunk, piece.length - at);
          const part = piece.subarray(at, at + take);
          chunk.update(part);
          whole.update(part);
          inChunk += take;
          at += take;
          if (inChunk === BLOB_CHUNK) {
            chunkHashes.push(chunk.digest());
            chunk = createHash("sha256");
            inChunk = 0;
          }
        }
        for (let off = 0; off < piece.length;) off += await file.write(piece.subarray(off));
        size += piece.length;
      }
      if (inChunk > 0 || size === 0) chunkHashes.push(chunk.digest());
      await file.sync();
    } catch (e) {
      file.close();
      await Deno.remove(tmp).catch(() => {});
      throw e;
    }
    file.close();
    const ref = { hash: whole.digest("hex"), size, chunks: concat(chunkHashes) };
    await Deno.mkdir(`${this.dir}/${ref.hash.slice(0, 2)}`, { recursive: true });
    try {
      await this.#publish(tmp, ref);
    } finally {
      await Deno.remove(tmp).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e; // it replaced a damaged blob
      });
    }
    return ref;
  }

  /**
   * Removes, on this store's first write, the temporary files of writers that are gone (a copy
   * killed or interrupted mid-write): they are named after their writer's pid, so none that a
   * running command may still write is touched.
   */
  async #sweep(): Promise<void> {
    if (this.#swept) return;
    this.#swept = true;
    for await (const entry of Deno.readDir(this.dir)) {
      if (!entry.isFile || !(await writerGone(`${this.dir}/${entry.name}`))) continue;
      await Deno.remove(`${this.dir}/${entry.name}`).catch(() => {});
    }
  }

  /**
   * Links the written temp file into place. A body already there is checked first — its
   * size, then every chunk against the hashes just computed — and replaced (renamed over, so
   * readers see the old file or the new one) when it is damaged: storing the original again
   * is how a damaged blob is healed. An intact one is touched instead, so that a vacuum,
   * which deletes only unreferenced blobs older than its retention, cannot take it from under
   * the transaction about to reference it; if it vanishes meanwhile, the link is tried again.
   */
  async #publish(tmp: string, ref: BlobRef): Promise<void> {
    const target = this.pathOf(ref.hash);
    const dir = target.slice(0, target.lastIndexOf("/"));
    for (;;) {
      try {
        await Deno.link(tmp, target);
        await syncDirectory(dir);
        return;
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
      const stored = await this.#stored(ref);
      if (stored === "missing") continue;
      if (stored === "damaged") {
        await Deno.rename(tmp, target);
        await syncDirectory(dir);
        return;
      }
      try {
        const now = new Date();
        await Deno.utime(target, now, now);
        return;
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
  }

  /** Whether the stored body of `ref` is intact: its size first, then every chunk's hash. */
  async #stored(ref: BlobRef): Promise<"intact" | "damaged" | "missing"> {
    try {
      if ((await Deno.stat(this.pathOf(ref.hash))).size !== ref.size) return "damaged";
      for await (const _ of this.stream(ref)) { /* each chunk is verified as it is read */ }
      return "intact";
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || isPondError(e, "MissingBlob")) return "missing";
      if (isPondError(e, "CorruptBlob")) return "damaged";
      throw e;
    }
  }

  /**
   * A stored body as a hyparquet `AsyncBuffer`, read by byte range (e.g. a Parquet footer)
   * without loading it all. Ranges are not checked against the chunk hashes: this serves the
   * store's own look at bodies it just wrote, not readers (who use {@link stream}).
   *
   * @example
   * ```ts
   * import { parquetMetadataAsync } from "hyparquet";
   *
   * const blobs = new BlobStore("/data/pond/blobs");
   * const ref = await blobs.put(new TextEncoder().encode("t,v\n1,2\n"));
   * const metadata = await parquetMetadataAsync(blobs.byteRanges(ref));
   * ```
   */
  byteRanges(ref: BlobRef): AsyncBuffer {
    return fileByteRanges(this.pathOf(ref.hash), ref.size);
  }

  /** True when the body is in the store. */
  async has(hash: string): Promise<boolean> {
    try {
      await Deno.stat(this.pathOf(hash));
      return true;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      throw e;
    }
  }

  /**
   * The body as a stream of verified chunks. A missing body is `MissingBlob`; a chunk whose
   * hash differs, or a body of the wrong size, is `CorruptBlob` (raised before the bad chunk
   * is handed out).
   *
   * @example
   * ```ts
   * const blobs = new BlobStore("/data/pond/blobs");
   * const ref = await blobs.put(new TextEncoder().encode("t,v\n1,2\n"));
   * const bytes = new Uint8Array(await new Response(blobs.stream(ref)).arrayBuffer());
   * ```
   */
  stream(ref: BlobRef): ReadableStream<Uint8Array> {
    const path = this.pathOf(ref.hash);
    const body = { path, size: ref.size, chunkSize: BLOB_CHUNK, hashes: ref.chunks };
    return verifiedStream(body, (what) => {
      const error = (code: "CorruptBlob" | "MissingBlob", why: string) =>
        new OplogError(code, `blob ${ref.hash} ${why} (${path}); run \`pond check\``);
      switch (what.kind) {
        case "missing":
          return error("MissingBlob", "is missing");
        case "short":
          return error("CorruptBlob", `is shorter than its ${ref.size} bytes`);
        case "long":
          return error("CorruptBlob", `is longer than its ${ref.size} bytes`);
        case "damaged":
          return error(
            "CorruptBlob",
            `has a damaged chunk ${what.chunk} (bytes ${what.chunk * BLOB_CHUNK}…)`,
          );
      }
    });
  }

  /**
   * The whole body in memory, verified.
   *
   * @example
   * ```ts
   * const blobs = new BlobStore("/data/pond/blobs");
   * const ref = await blobs.put(new TextEncoder().encode("t,v\n1,2\n"));
   * const text = new TextDecoder().decode(await blobs.read(ref));
   * ```
   */
  async read(ref: BlobRef): Promise<Uint8Array> {
    return new Uint8Array(await new Response(this.stream(ref)).arrayBuffer());
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.length * HASH_BYTES);
  parts.forEach((p, i) => out.set(p, i * HASH_BYTES));
  return out;
}
