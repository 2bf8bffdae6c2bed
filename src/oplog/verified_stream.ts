/** A stored body read as a byte stream whose every chunk is checked against its SHA-256 first. */
import { isDeltaError, type Store } from "../delta/mod.ts";

/** The SHA-256 of one chunk is this many bytes. */
export const HASH_BYTES = 32;

/** What a reader needs to know of a stored body, and the store it is read from. */
export interface ChunkedBody {
  /** With `localPath`, a store whose body is a local file: read through one open handle. */
  readonly store: Pick<Store, "head" | "readRange" | "localPath">;
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

/** A stored body open for reading: the stored object's size, and reads of its bytes. */
interface OpenedBody {
  /** The size of the stored object (a damaged one's may differ from the body's). */
  readonly stored: number;
  /** Fills `into` with the object's bytes from `start`; the object ends before is `short`. */
  read(start: number, into: Uint8Array): Promise<unknown> | unknown;
  close(): void;
}

/**
 * Opens a stored body: a local file through one handle (no open per chunk, and every chunk
 * from the same file, even if the body is replaced meanwhile), else a range read of the store
 * per chunk.
 */
async function openBody(body: ChunkedBody, fault: (what: BodyFault) => Error): Promise<OpenedBody> {
  const file = body.store.localPath?.(body.path);
  if (file !== undefined) return openFile(file, fault);
  let stored: number;
  try {
    stored = (await body.store.head(body.path)).size;
  } catch (e) {
    if (isDeltaError(e, "MissingFile")) throw fault({ kind: "missing" });
    throw e;
  }
  return {
    stored,
    read: async (start, into) => {
      try {
        await body.store.readRange(body.path, start, start + into.length, into);
      } catch (e) {
        if (isDeltaError(e, "MissingFile")) throw fault({ kind: "missing" });
        if (isDeltaError(e, "CorruptData")) throw fault({ kind: "short" });
        throw e;
      }
    },
    close: () => {},
  };
}

/** A local file opened as a stored body; one that is absent or not a file is `missing`. */
function openFile(file: string, fault: (what: BodyFault) => Error): OpenedBody {
  let handle: Deno.FsFile;
  try {
    handle = Deno.openSync(file, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw fault({ kind: "missing" });
    throw e;
  }
  const info = handle.statSync();
  if (!info.isFile) {
    handle.close();
    throw fault({ kind: "missing" });
  }
  return {
    stored: info.size,
    read: (start, into) => {
      handle.seekSync(start, Deno.SeekMode.Start);
      for (let filled = 0; filled < into.length;) {
        const n = handle.readSync(into.subarray(filled));
        if (n === null) throw fault({ kind: "short" });
        filled += n;
      }
    },
    close: () => handle.close(),
  };
}

/**
 * Streams a stored body, handing out a chunk only once its hash matched; `fault` makes the
 * error for what is wrong, raised before any bad byte is handed out. A body the store keeps
 * as a local file is read through one open handle, else each chunk is one range read of the
 * store. It is a byte stream: a reader with its own buffer (BYOB) of a
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
  /** The stored object, open once the stream has started, closed when it ends. */
  let opened: OpenedBody | undefined;
  /** node:crypto's hasher, loaded when the stream starts (most commands read no blob). */
  let createHash: typeof import("node:crypto").createHash;
  let index = 0;
  let current: Uint8Array | undefined;
  const close = () => {
    opened?.close();
    opened = undefined;
  };

  /** The next chunk's length, or 0 at the end (having checked that nothing follows). */
  const nextLength = (): number => {
    if (index < total) return Math.min(body.chunkSize, body.size - index * body.chunkSize);
    if (opened!.stored > body.size) throw fault({ kind: "long" });
    return 0;
  };
  /** Reads the next chunk (of `length` bytes) into `bytes` and verifies it. */
  const readChunk = async (bytes: Uint8Array, length: number): Promise<Uint8Array> => {
    const start = index * body.chunkSize;
    if (start + length > opened!.stored) throw fault({ kind: "short" });
    bytes = bytes.subarray(0, length);
    await opened!.read(start, bytes);
    const want = body.hashes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
    if (!sameBytes(createHash("sha256").update(bytes).digest(), want)) {
      throw fault({ kind: "damaged", chunk: index });
    }
    index++;
    return bytes;
  };
  /** Hands out the next chunk, or the end, into the reader's buffer or as a new one. */
  const pull = async (controller: ReadableByteStreamController) => {
    const view = controller.byobRequest?.view;
    if (!current) {
      const length = nextLength();
      if (length === 0) {
        close();
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
  };
  return new ReadableStream({
    type: "bytes",
    async start() {
      ({ createHash } = await import("node:crypto"));
      opened = await openBody(body, fault);
    },
    async pull(controller) {
      try {
        await pull(controller);
      } catch (e) {
        close();
        throw e;
      }
    },
    cancel: close,
  });
}
