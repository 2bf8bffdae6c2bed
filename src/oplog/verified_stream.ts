/** A stored body read as a byte stream whose every chunk is checked against its SHA-256 first. */
import { createHash } from "node:crypto";

/** The SHA-256 of one chunk is this many bytes. */
export const HASH_BYTES = 32;

/** What a reader needs to know of a stored body. */
export interface ChunkedBody {
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

/** Reads into `buf` until it is full or the file ends; returns how many bytes were read. */
function fill(file: Deno.FsFile, buf: Uint8Array): number {
  let at = 0;
  while (at < buf.length) {
    const n = file.readSync(buf.subarray(at));
    if (n === null) break;
    at += n;
  }
  return at;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Streams a stored body, handing out a chunk only once its hash matched; `fault` makes the
 * error for what is wrong, raised before any bad byte is handed out. Chunks are read with
 * blocking reads (cheaper than asynchronous ones, and short: one chunk from a local file).
 * It is a byte stream: a reader with its own buffer (BYOB) of a chunk or more gets each
 * chunk read straight into it (and handed out once verified), a smaller one gets the bytes
 * copied from one reused chunk buffer; a default reader gets a new buffer per chunk.
 *
 * @example
 * ```ts
 * import { BlobStore } from "./blob_store.ts";
 *
 * const path = "/data/pond/blobs/3f/3fa1";
 * const blobs = new BlobStore("/data/pond/blobs");
 * const ref = await blobs.put(new TextEncoder().encode("t,v\n1,2\n"));
 * const body = { path, size: ref.size, chunkSize: 1 << 20, hashes: ref.chunks };
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
  let file: Deno.FsFile | undefined;
  let index = 0;
  let current: Uint8Array | undefined;

  /** The next chunk's length, or 0 at the end (having checked that nothing follows). */
  const nextLength = (): number => {
    if (index < total) return Math.min(body.chunkSize, body.size - index * body.chunkSize);
    if (file!.readSync(new Uint8Array(1)) !== null) throw fault({ kind: "long" });
    return 0;
  };
  /** Reads the next chunk (of `length` bytes) into `bytes` and verifies it. */
  const readChunk = (bytes: Uint8Array, length: number): Uint8Array => {
    bytes = bytes.subarray(0, length);
    if (fill(file!, bytes) < length) throw fault({ kind: "short" });
    const want = body.hashes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
    if (!sameBytes(createHash("sha256").update(bytes).digest(), want)) {
      throw fault({ kind: "damaged", chunk: index });
    }
    index++;
    return bytes;
  };
  const finish = () => {
    file?.close();
    file = current = undefined;
  };
  return new ReadableStream({
    type: "bytes",
    async start() {
      try {
        file = await Deno.open(body.path, { read: true });
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) throw fault({ kind: "missing" });
        throw e;
      }
    },
    pull(controller) {
      try {
        const view = controller.byobRequest?.view;
        if (!current) {
          const length = nextLength();
          if (length === 0) {
            finish();
            controller.close();
            controller.byobRequest?.respond(0);
            return;
          }
          if (view && view.byteLength >= length) {
            readChunk(new Uint8Array(view.buffer, view.byteOffset, length), length);
            return controller.byobRequest!.respond(length);
          }
          current = readChunk(spare.pop() ?? new Uint8Array(body.chunkSize), length);
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
      } catch (e) {
        finish();
        throw e;
      }
    },
    cancel: finish,
  });
}
