/** A stored body read as a byte stream whose every chunk is checked first: by its CRC-32 where one is recorded, by its SHA-256 otherwise. */
import { isDeltaError, type Store } from "../delta/mod.ts";

/** The SHA-256 of one chunk is this many bytes. */
export const HASH_BYTES = 32;

/** The CRC-32 of one chunk is this many bytes, big-endian. */
export const CRC_BYTES = 4;

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
  /**
   * The CRC-32 of each chunk ({@link CRC_BYTES} each), concatenated; null or absent for a body
   * stored before they were recorded, whose chunks are then checked by their SHA-256 alone.
   */
  readonly crcs?: Uint8Array | null;
}

/**
 * What can be wrong with a stored body: absent, ending early or late, a chunk's bytes
 * (`damaged`: they do not match the chunk's SHA-256), or — found only when every check is
 * asked for — a chunk whose bytes match its SHA-256 but not the CRC-32 recorded for it.
 */
export type BodyFault =
  | { kind: "missing" }
  | { kind: "short" }
  | { kind: "long" }
  | { kind: "damaged"; chunk: number }
  | { kind: "checksum"; chunk: number };

/** How a body is read: `fast` by each chunk's CRC-32 where recorded, `every` by its SHA-256 and CRC-32 both. */
export type ReadCheck = "fast" | "every";

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
 * per read.
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
  /** Where the handle reads next: reads in order need no seek. */
  let position = 0;
  return {
    stored: info.size,
    read: (start, into) => {
      if (start !== position) handle.seekSync(start, Deno.SeekMode.Start);
      position = start;
      for (let filled = 0; filled < into.length;) {
        const n = handle.readSync(into.subarray(filled));
        if (n === null) throw fault({ kind: "short" });
        filled += n;
        position += n;
      }
    },
    close: () => handle.close(),
  };
}

/** The checks of one chunk's bytes: hashers loaded once a stream starts (most commands read no blob). */
interface Checks {
  sha256: (bytes: Uint8Array) => Uint8Array;
  crc32: (bytes: Uint8Array) => number;
}

async function loadChecks(): Promise<Checks> {
  const [{ createHash }, { crc32 }] = await Promise.all([
    import("node:crypto"),
    import("node:zlib"),
  ]);
  return { sha256: (bytes) => createHash("sha256").update(bytes).digest(), crc32 };
}

/**
 * Streams a stored body, handing out a chunk only once it checked out; `fault` makes the error
 * for what is wrong, raised before any bad byte is handed out. With `check` `fast` (the
 * default), a chunk whose CRC-32 is recorded is checked by it, and by its SHA-256 only if the
 * CRC-32 differs (so a damaged CRC-32 never refuses intact bytes); a body stored without
 * CRC-32s is checked by the SHA-256s. With `every`, each chunk is checked by both: a
 * mismatch of the SHA-256 is `damaged`, of the CRC-32 alone `checksum` (raised at the end).
 *
 * A body the store keeps as a local file is read through one open handle, else each read is
 * one range read of the store. It is a byte stream: a reader with its own buffer (BYOB) of a
 * chunk or more gets as many whole chunks as fit read straight into it in one read (handed
 * out once verified; when one of them is damaged, those before it are handed out and the
 * error comes with the next read), a smaller one gets the bytes copied from one reused chunk
 * buffer; a default reader gets a new buffer per chunk.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 * import { BlobStore } from "./blob_store.ts";
 *
 * const store = new LocalStore("/data/pond/blobs");
 * const ref = await new BlobStore(store).put(new TextEncoder().encode("t,v\n1,2\n"));
 * const path = `${ref.hash.slice(0, 2)}/${ref.hash}`;
 * const body = { store, path, size: ref.size, chunkSize: 1 << 20, hashes: ref.chunks, crcs: ref.crcs };
 * const stream = verifiedStream(body, (f) => new Error(`${path}: ${f.kind}`));
 * const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
 * ```
 */
export function verifiedStream(
  body: ChunkedBody,
  fault: (what: BodyFault) => Error,
  check: ReadCheck = "fast",
): ReadableStream<Uint8Array> {
  const { chunkSize } = body;
  const total = Math.ceil(body.size / chunkSize);
  const recorded = body.crcs;
  // A list of the wrong length (a damaged row, which `pond check` reports) is not used.
  const crcs = recorded && recorded.length === Math.max(1, total) * CRC_BYTES
    ? new DataView(recorded.buffer, recorded.byteOffset, recorded.byteLength)
    : undefined;
  const spare: Uint8Array[] = [];
  /** The stored object, open once the stream has started, closed when it ends. */
  let opened: OpenedBody | undefined;
  let checks: Checks;
  let index = 0;
  let current: Uint8Array | undefined;
  /** A fault found past the chunks last handed out: raised by the next read. */
  let deferred: Error | undefined;
  /** With `every`: the first chunk whose bytes match its SHA-256 but not its CRC-32. */
  let checksum: number | undefined;
  const close = () => {
    opened?.close();
    opened = undefined;
  };

  /** Whether chunk `chunk`'s bytes are intact (see the modes above). */
  const intact = (bytes: Uint8Array, chunk: number): boolean => {
    const crc = crcs && checks.crc32(bytes) === crcs.getUint32(chunk * CRC_BYTES);
    if (crc && check === "fast") return true;
    const want = body.hashes.subarray(chunk * HASH_BYTES, (chunk + 1) * HASH_BYTES);
    if (!sameBytes(checks.sha256(bytes), want)) return false;
    if (crc === false && check === "every") checksum ??= chunk;
    return true;
  };
  /**
   * The length of the next read, at most `room` bytes of whole chunks (one chunk at least),
   * fewer where the stored object ends early; 0 at the end, having checked nothing follows.
   */
  const nextLength = (room: number): number => {
    if (index >= total) {
      if (opened!.stored > body.size) throw fault({ kind: "long" });
      if (checksum !== undefined) throw fault({ kind: "checksum", chunk: checksum });
      return 0;
    }
    const start = index * chunkSize;
    const chunks = Math.max(1, Math.floor(room / chunkSize));
    const length = Math.min(chunks * chunkSize, body.size - start);
    if (start + length <= opened!.stored) return length;
    const whole = Math.floor((opened!.stored - start) / chunkSize) * chunkSize;
    if (whole <= 0) throw fault({ kind: "short" });
    return whole; // the chunks the object holds; the next read finds it short
  };
  /**
   * Reads the next `bytes.length` bytes (whole chunks, or the last) into `bytes` and verifies
   * each chunk: returns how many bytes, from the start, are intact (a damaged chunk after the
   * first is raised by the next read).
   */
  const readChunks = async (bytes: Uint8Array): Promise<number> => {
    await opened!.read(index * chunkSize, bytes);
    for (let at = 0; at < bytes.length; at += chunkSize) {
      if (!intact(bytes.subarray(at, at + chunkSize), index)) {
        const error = fault({ kind: "damaged", chunk: index });
        if (at === 0) throw error;
        deferred = error;
        return at;
      }
      index++;
    }
    return bytes.length;
  };
  /** Hands out the next chunks, or the end, into the reader's buffer or as a new one. */
  const pull = async (controller: ReadableByteStreamController) => {
    if (deferred) throw deferred;
    const view = controller.byobRequest?.view;
    if (!current) {
      const length = nextLength(view?.byteLength ?? 0);
      if (length === 0) {
        close();
        controller.close();
        controller.byobRequest?.respond(0);
        return;
      }
      if (view && view.byteLength >= length) {
        const n = await readChunks(new Uint8Array(view.buffer, view.byteOffset, length));
        return controller.byobRequest!.respond(n);
      }
      const into = (spare.pop() ?? new Uint8Array(chunkSize)).subarray(0, length);
      await readChunks(into);
      current = into;
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
      checks = await loadChecks();
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
