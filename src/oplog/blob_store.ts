/** Large file bodies outside the oplog rows: content-addressed, stored once, verified chunk by chunk on read. */
import type { AsyncBuffer } from "hyparquet";
import { byteRangesOf, isDeltaError, type Store, type Upload } from "../delta/mod.ts";
import { OplogError } from "./errors.ts";
import {
  type BodyFault,
  CRC_BYTES,
  HASH_BYTES,
  type ReadCheck,
  verifiedStream,
} from "./verified_stream.ts";

/** Bodies are hashed, and verified on read, in chunks of this many bytes. */
export const BLOB_CHUNK = 1 << 20;

/**
 * Where a stored body is and how to check it: its SHA-256, size, per-chunk SHA-256s and
 * per-chunk CRC-32s.
 */
export interface BlobRef {
  /** Hex SHA-256 of the whole body: its name in the store. */
  readonly hash: string;
  readonly size: number;
  /** The SHA-256 of each {@link BLOB_CHUNK}-byte chunk, concatenated. */
  readonly chunks: Uint8Array;
  /**
   * The CRC-32 of each chunk, 4 bytes big-endian each, concatenated: what reads check (see
   * `verifiedStream`). Null or absent for a body recorded before they were.
   */
  readonly crcs?: Uint8Array | null;
}

/**
 * What a read of a stored body found wrong with it: a fault of its bytes (see `BodyFault`),
 * another error of the store, or bytes whose whole hash is not the body's name.
 */
export type BlobFault =
  | { kind: "body"; fault: BodyFault }
  | { kind: "error"; cause: unknown }
  | { kind: "name" };

/**
 * What is wrong with a body of `size` bytes, in a few words (`is missing`, `has a damaged
 * chunk 2 (bytes 2097152…)`), for errors and check reports.
 *
 * @example
 * ```ts
 * bodyFaultText({ kind: "short" }, 4096); // "is shorter than its 4096 bytes"
 * ```
 */
export function bodyFaultText(fault: BodyFault, size: number): string {
  switch (fault.kind) {
    case "missing":
      return "is missing";
    case "short":
      return `is shorter than its ${size} bytes`;
    case "long":
      return `is longer than its ${size} bytes`;
    case "damaged":
      return `has a damaged chunk ${fault.chunk} (bytes ${fault.chunk * BLOB_CHUNK}…)`;
    case "checksum":
      return `has a chunk ${fault.chunk} (bytes ${
        fault.chunk * BLOB_CHUNK
      }…) that matches its SHA-256 but not the CRC-32 its row records`;
  }
}

/**
 * A {@link Store} of bodies named by their SHA-256 (`ab/abcdef…`). Writing streams through
 * an upload that is published only if absent, so a body is either whole or absent, and
 * identical bodies are stored once; each chunk's SHA-256 and CRC-32 are recorded. Reading
 * streams whole chunks and refuses to hand out one that does not check out (by its CRC-32,
 * or its SHA-256 for a body recorded without CRC-32s), so memory stays bounded and nothing
 * corrupt reaches the reader; {@link verify} checks every SHA-256 and CRC-32.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 *
 * const blobs = new BlobStore(new LocalStore("/data/pond/blobs"));
 * const ref = await blobs.put(ReadableStream.from([new TextEncoder().encode("t,v\n1,2\n")]));
 * for await (const chunk of blobs.stream(ref)) Deno.stdout.writeSync(chunk);
 * ```
 */
export class BlobStore {
  #swept = false;

  constructor(readonly store: Store) {}

  /** Where a body is, for messages and tools (for a local store, the file that holds it). */
  pathOf(hash: string): string {
    return this.store.locate(objectOf(hash));
  }

  /**
   * The path of a body in the store: `ab/abcdef…`, filed under the first two hex digits of its
   * hash.
   *
   * @example
   * ```ts
   * import { LocalStore } from "../delta/mod.ts";
   *
   * new BlobStore(new LocalStore("/data/pond/blobs")).objectPath("2cf24dba…"); // "2c/2cf24dba…"
   * ```
   */
  objectPath(hash: string): string {
    return objectOf(hash);
  }

  /** The file on this computer that holds a body, when the store keeps its objects as local files. */
  localPath(hash: string): string | undefined {
    return this.store.localPath?.(objectOf(hash));
  }

  /**
   * Stores a body (bytes or a stream) and returns its reference; a body already present is
   * not written again.
   *
   * @example
   * ```ts
   * import { LocalStore } from "../delta/mod.ts";
   *
   * const blobs = new BlobStore(new LocalStore("/data/pond/blobs"));
   * const ref = await blobs.put(new TextEncoder().encode("hello"));
   * ```
   */
  async put(body: Uint8Array | ReadableStream<Uint8Array>): Promise<BlobRef> {
    await this.#sweep();
    const upload = await this.store.upload("");
    // Loaded by the first write, not by commands that read no blob.
    const [{ createHash }, { crc32 }] = await Promise.all([
      import("node:crypto"),
      import("node:zlib"),
    ]);
    try {
      const whole = createHash("sha256");
      const chunkHashes: Uint8Array[] = [];
      const chunkCrcs: number[] = [];
      let chunk = createHash("sha256");
      let crc = 0;
      let inChunk = 0;
      let size = 0;
      for await (const piece of body instanceof Uint8Array ? [body] : body) {
        for (let at = 0; at < piece.length;) {
          const take = Math.min(BLOB_CHUNK - inChunk, piece.length - at);
          const part = piece.subarray(at, at + take);
          chunk.update(part);
          whole.update(part);
          crc = crc32(part, crc);
          inChunk += take;
          at += take;
          if (inChunk === BLOB_CHUNK) {
            chunkHashes.push(chunk.digest());
            chunkCrcs.push(crc);
            chunk = createHash("sha256");
            crc = 0;
            inChunk = 0;
          }
        }
        await upload.write(piece);
        size += piece.length;
      }
      if (inChunk > 0 || size === 0) {
        chunkHashes.push(chunk.digest());
        chunkCrcs.push(crc);
      }
      const ref = {
        hash: whole.digest("hex"),
        size,
        chunks: concat(chunkHashes),
        crcs: crcBytes(chunkCrcs),
      };
      await this.#publish(upload, ref);
      return ref;
    } finally {
      await upload.abort();
    }
  }

  /**
   * Removes, on this store's first write, the temporary files of writers that are gone (a copy
   * killed or interrupted mid-write): the store knows them from those a running command may
   * still write, which are not touched.
   */
  async #sweep(): Promise<void> {
    if (this.#swept) return;
    this.#swept = true;
    await this.store.sweep("");
  }

  /**
   * Publishes the written body if absent. A body already there is checked by its size alone,
   * never read, so storing a body again costs no read of the stored one: one of another size
   * is replaced (readers see the old body or the new), which is how storing the original
   * again heals a truncated blob; one damaged in place, at its size, is found by reading
   * (`pond check`), whose repair moves it aside, so the next put stores it afresh. A body of
   * the right size is touched instead, so that a vacuum, which deletes only unreferenced blobs
   * older than its retention, cannot take it from under the transaction about to reference it;
   * if it vanishes meanwhile, publishing is tried again.
   */
  async #publish(upload: Upload, ref: BlobRef): Promise<void> {
    const path = objectOf(ref.hash);
    for (;;) {
      if (await upload.putIfAbsent(path)) return;
      const stored = await this.#stored(ref);
      if (stored === "missing") continue;
      if (stored === "damaged") return await upload.put(path);
      if (await this.store.touch(path)) return;
    }
  }

  /** Whether a body of `ref`'s size is stored under its name (one `head`, no read). */
  async #stored(ref: BlobRef): Promise<"intact" | "damaged" | "missing"> {
    try {
      return (await this.store.head(objectOf(ref.hash))).size === ref.size ? "intact" : "damaged";
    } catch (e) {
      if (isDeltaError(e, "MissingFile")) return "missing";
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
   * import { LocalStore } from "../delta/mod.ts";
   *
   * const blobs = new BlobStore(new LocalStore("/data/pond/blobs"));
   * const ref = await blobs.put(new TextEncoder().encode("t,v\n1,2\n"));
   * const metadata = await parquetMetadataAsync(blobs.byteRanges(ref));
   * ```
   */
  byteRanges(ref: BlobRef): AsyncBuffer {
    return byteRangesOf(this.store, objectOf(ref.hash), ref.size);
  }

  /** True when the body is in the store. */
  async has(hash: string): Promise<boolean> {
    try {
      await this.store.head(objectOf(hash));
      return true;
    } catch (e) {
      if (isDeltaError(e, "MissingFile")) return false;
      throw e;
    }
  }

  /**
   * The body as a stream of verified chunks (see `verifiedStream`'s `fast` check). A missing
   * body is `MissingBlob`; a damaged chunk, or a body of the wrong size, is `CorruptBlob`
   * (raised before the bad chunk is handed out).
   *
   * @example
   * ```ts
   * import { LocalStore } from "../delta/mod.ts";
   *
   * const blobs = new BlobStore(new LocalStore("/data/pond/blobs"));
   * const ref = await blobs.put(new TextEncoder().encode("t,v\n1,2\n"));
   * const bytes = new Uint8Array(await new Response(blobs.stream(ref)).arrayBuffer());
   * ```
   */
  stream(ref: BlobRef): ReadableStream<Uint8Array> {
    const path = this.pathOf(ref.hash);
    return this.#verified(ref, (fault) =>
      new OplogError(
        fault.kind === "missing" ? "MissingBlob" : "CorruptBlob",
        `blob ${ref.hash} ${bodyFaultText(fault, ref.size)} (${path}); run \`pond check\``,
      ));
  }

  #verified(
    ref: BlobRef,
    error: (fault: BodyFault) => Error,
    check: ReadCheck = "fast",
  ): ReadableStream<Uint8Array> {
    const body = {
      store: this.store,
      path: objectOf(ref.hash),
      size: ref.size,
      chunkSize: BLOB_CHUNK,
      hashes: ref.chunks,
      crcs: ref.crcs,
    };
    return verifiedStream(body, error, check);
  }

  /**
   * Reads a body whole, chunk by chunk, and checks each chunk against its SHA-256 and (where
   * recorded) its CRC-32, and the whole against its hash: undefined when it is intact, else
   * what is wrong.
   *
   * @example
   * ```ts
   * import { LocalStore } from "../delta/mod.ts";
   *
   * const blobs = new BlobStore(new LocalStore("/data/pond/blobs"));
   * const ref = await blobs.put(new TextEncoder().encode("t,v\n1,2\n"));
   * await blobs.verify(ref); // undefined
   * ```
   */
  async verify(ref: BlobRef): Promise<BlobFault | undefined> {
    const { createHash } = await import("node:crypto");
    const whole = createHash("sha256");
    let found: BodyFault | undefined;
    try {
      const chunks = this.#verified(ref, (fault) => {
        found = fault;
        return new OplogError(fault.kind === "missing" ? "MissingBlob" : "CorruptBlob", "");
      }, "every");
      for await (const chunk of chunks) whole.update(chunk);
    } catch (e) {
      // A CRC-32 alone that differs is raised once every chunk was read: the whole hash too says.
      if (found?.kind !== "checksum") {
        return found ? { kind: "body", fault: found } : { kind: "error", cause: e };
      }
    }
    if (whole.digest("hex") !== ref.hash) return { kind: "name" };
    return found ? { kind: "body", fault: found } : undefined;
  }

  /**
   * Moves a (damaged) body to `<hash>.damaged-<ms>` beside it, never deleting its bytes: the
   * copy is published before the body is deleted, so the next put of the body finds none of
   * its name and stores it afresh (a put checks only sizes). Returns the new path in the store.
   *
   * @example
   * ```ts
   * import { LocalStore } from "../delta/mod.ts";
   *
   * const blobs = new BlobStore(new LocalStore("/data/pond/blobs"));
   * const aside = await blobs.setAside("2cf24dba…"); // "2c/2cf24dba….damaged-1780272000000"
   * ```
   */
  async setAside(hash: string): Promise<string> {
    const from = objectOf(hash);
    const to = `${from}.damaged-${Date.now()}`;
    const { size } = await this.store.head(from);
    const upload = await this.store.upload("");
    try {
      for (let at = 0; at < size; at += BLOB_CHUNK) {
        await upload.write(await this.store.readRange(from, at, Math.min(size, at + BLOB_CHUNK)));
      }
      await upload.putIfAbsent(to);
    } finally {
      await upload.abort();
    }
    await this.store.delete(from);
    return to;
  }

  /**
   * The whole body in memory, verified.
   *
   * @example
   * ```ts
   * import { LocalStore } from "../delta/mod.ts";
   *
   * const blobs = new BlobStore(new LocalStore("/data/pond/blobs"));
   * const ref = await blobs.put(new TextEncoder().encode("t,v\n1,2\n"));
   * const text = new TextDecoder().decode(await blobs.read(ref));
   * ```
   */
  async read(ref: BlobRef): Promise<Uint8Array> {
    return new Uint8Array(await new Response(this.stream(ref)).arrayBuffer());
  }
}

/** The store path of a body: filed under the first two hex digits of its hash. */
function objectOf(hash: string): string {
  return `${hash.slice(0, 2)}/${hash}`;
}

/** CRC-32s as bytes, {@link CRC_BYTES} big-endian each. */
function crcBytes(crcs: number[]): Uint8Array {
  const out = new Uint8Array(crcs.length * CRC_BYTES);
  const view = new DataView(out.buffer);
  crcs.forEach((crc, i) => view.setUint32(i * CRC_BYTES, crc));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.length * HASH_BYTES);
  parts.forEach((p, i) => out.set(p, i * HASH_BYTES));
  return out;
}
