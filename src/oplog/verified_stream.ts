/** A stored body read as a byte stream whose every chunk is checked against its SHA-256 first. */
import { isDeltaError, type Store } from "../delta/mod.ts";

/** The SHA-256 of one chunk is this many bytes. */
export const HASH_BYTES = 32;

/** What a reader needs to know of a stored body, and the store it is read from. */
export interface ChunkedBody {
  readonly store: Pick<Store, "head" | "readRange">;
  /** The body's path in `store`. */
  readonly path: string;
  readonly size: number;
  readonly chunkSize: number;
  /** The SHA-256 of each chunk, concatenated. */
  readonly hashes: Uint8Array;
}

/** What can be wrong with a stored body: absent, ending early or late, or a chunk's bytes. */
export type BodyFault =
  | { kind: "missing" }
  | { kind: "short" }
  | { kind: "long" }
  | { kind: "damaged"; chunk: number };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Streams a stored body, handing out a chunk only once its hash matched; `fault` makes the
 * error for what is wrong, raised before any bad byte is handed out. Each chunk is one
 * range read of the store. It is a byte stream: a reader with its own buffer (BYOB) of a
 * chunk or more gets each chunk read straight into it (and handed out once verified), a
 * smaller one gets the bytes copied from one reused chunk buffer; a default reader gets a
 * new buffer per chunk.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 * import { BlobStore } from "./blob_store.ts";
 *
 * const store = new LocalStore("/data/pond/blobs");
 * const ref = await new BlobStore(store).put(new TextEncoder().encode("t,v\n1,2\n"));
 * const path = `${ref.hash.slice(0, 2)}/${ref.hash}`;
 * const body = { store, path, size: ref.size, chunkSize: 1 << 20, hashes: ref.chunks };
 * const stream = verifiedStream(body, (f) => new Error(`${path}: ${f.kind}`));
 * const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
 * ```
 */
export function verifiedStream(
  body: ChunkedBody,
  fault: (what: BodyFault) => Error,
): ReadableStream<Uint8Array> {
  const total = Math.ceil(body.size / body.chunkSize);
  const spare: Uint8Array[] = [];
  /** The size of the stored object, known once the stream has started. */
  let stored = 0;
  /** node:crypto's hasher, loaded when the stream starts (most commands read no blob). */
  let createHash: typeof import("node:crypto").createHash;
  let index = 0;
  let current: Uint8Array | undefined;

  /** The next chunk's length, or 0 at the end (having checked that nothing follows). */
  const nextLength = (): number => {
    if (index < total) return Math.min(body.chunkSize, body.size - index * body.chunkSize);
    if (stored > body.size) throw fault({ kind: "long" });
    return 0;
  };
  /** Reads the next chunk (of `length` bytes) into `bytes` and verifies it. */
  const readChunk = async (bytes: Uint8Array, length: number): Promise<Uint8Array> => {
    const start = index * body.chunkSize;
    if (start + length > stored) throw fault({ kind: "short" });
    try {
      bytes = await body.store.readRange(body.path, start, start + length, bytes);
    } catch (e) {
      if (isDeltaError(e, "MissingFile")) throw fault({ kind: "missing" });
      if (isDeltaError(e, "CorruptData")) throw fault({ kind: "short" });
      throw e;
    }
    const want = body.hashes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
    if (!sameBytes(createHash("sha256").update(bytes).digest(), want)) {
      throw fault({ kind: "damaged", chunk: index });
    }
    index++;
    return bytes;
  };
  return new ReadableStream({
    type: "bytes",
    async start() {
      ({ createHash } = await import("node:crypto"));
      try {
        stored = (await body.store.head(body.path)).size;
      } catch (e) {
        if (isDeltaError(e, "MissingFile")) throw fault({ kind: "missing" });
        throw e;
      }
    },
    async pull(controller) {
      const view = controller.byobRequest?.view;
      if (!current) {
        const length = nextLength();
        if (length === 0) {
          controller.close();
          controller.byobRequest?.respond(0);
          return;
        }
        if (view && view.byteLength >= length) {
          await readChunk(new Uint8Array(view.buffer, view.byteOffset, length), length);
          return controller.byobRequest!.respond(length);
        }
        current = await readChunk(spare.pop() ?? new Uint8Array(body.chunkSize), length);
      }
      if (!view) {
        controller.enqueue(current);
        current = undefined;
        return;
      }
      const n = Math.min(view.byteLength, current.length);
      new Uint8Array(view.buffer, view.byteOffset, n).set(current.subarray(0, n));
      current = current.subarray(n);
      controller.byobRequest!.respond(n);
      if (current.length === 0) {
        spare.push(new Uint8Array(current.buffer));
        current = undefined;
      }
    },
  });
}
