/** Deletion vectors: the row indexes a DV descriptor marks deleted (Z85, RoaringTreemap, DV files). */

import { DeltaError } from "./errors.ts";
import type { DeletionVectorDescriptor } from "./actions.ts";
import type { Store } from "./storage.ts";

/** Magic numbers in front of a serialized deletion vector (little endian): portable, native. */
const MAGIC_PORTABLE = 1681511377;
const MAGIC_NATIVE = 1681511376;
/** The only DV file format version there is. */
const DV_FILE_VERSION = 1;
/** 32-bit Roaring cookies: without run containers (count follows) and with them (count inside). */
const COOKIE_NO_RUNS = 12346;
const COOKIE_RUNS = 12347;
/** Containers with more values than this are bitmaps, fewer are sorted arrays. */
const ARRAY_MAX = 4096;
/** The Z85 alphabet (ZeroMQ RFC 32). */
const Z85_ALPHABET =
  "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
const Z85_VALUES = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < Z85_ALPHABET.length; i++) table[Z85_ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/**
 * Decodes Z85 text (ZeroMQ RFC 32) into bytes; the text length must be a multiple of 5.
 *
 * @example
 * ```ts
 * z85Decode("HelloWorld"); // Uint8Array [0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]
 * ```
 */
export function z85Decode(text: string): Uint8Array {
  if (text.length % 5 !== 0) {
    throw new DeltaError("CorruptData", `Z85 text of length ${text.length} is not a multiple of 5`);
  }
  const out = new Uint8Array((text.length / 5) * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < text.length; i += 5) {
    let value = 0;
    for (let j = i; j < i + 5; j++) {
      const code = text.charCodeAt(j);
      const digit = code < 128 ? Z85_VALUES[code] : -1;
      if (digit < 0) {
        throw new DeltaError(
          "CorruptData",
          `character ${JSON.stringify(text[j])} at ${j} is not Z85`,
        );
      }
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) {
      throw new DeltaError(
        "CorruptData",
        `Z85 group ${JSON.stringify(text.slice(i, i + 5))} overflows 32 bits`,
      );
    }
    view.setUint32((i / 5) * 4, value, false);
  }
  return out;
}

/** Formats 16 bytes as a canonical lower-case UUID. */
function formatUuid(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/**
 * The file a DV lives in: for `u`, the path relative to the table root
 * (`<random prefix>/deletion_vector_<uuid>.bin`); for `p`, the absolute path, URI-decoded once.
 * Inline DVs (`i`) have no file.
 *
 * @example
 * ```ts
 * deletionVectorPath({ storageType: "u", pathOrInlineDv: "ab^-aqEH.-t@S}K{vb[*k^", sizeInBytes: 40, cardinality: 6 });
 * // "ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin"
 * ```
 */
export function deletionVectorPath(descriptor: DeletionVectorDescriptor): string {
  const { storageType, pathOrInlineDv } = descriptor;
  if (storageType === "u") {
    if (pathOrInlineDv.length < 20) {
      throw new DeltaError(
        "CorruptLog",
        `deletion vector id ${JSON.stringify(pathOrInlineDv)} is shorter than a Z85 UUID`,
      );
    }
    const prefix = pathOrInlineDv.slice(0, -20);
    const name = `deletion_vector_${formatUuid(z85Decode(pathOrInlineDv.slice(-20)))}.bin`;
    return prefix === "" ? name : `${prefix}/${name}`;
  }
  if (storageType === "p") {
    return pathOrInlineDv.startsWith("file:")
      ? decodeURIComponent(new URL(pathOrInlineDv).pathname)
      : decodeURIComponent(pathOrInlineDv);
  }
  throw new DeltaError(
    "UnsupportedFeature",
    `deletion vector storage type ${JSON.stringify(storageType)} has no file`,
  );
}

/**
 * The DV's part of a logical file's key in log replay: `<storageType><pathOrInlineDv>[@offset]`.
 *
 * @example
 * ```ts
 * deletionVectorUniqueId({ storageType: "u", pathOrInlineDv: "vBn[lx{q8@P<9BNH/isA", offset: 1, sizeInBytes: 36, cardinality: 2 });
 * // "uvBn[lx{q8@P<9BNH/isA@1"
 * ```
 */
export function deletionVectorUniqueId(descriptor: DeletionVectorDescriptor): string {
  const base = `${descriptor.storageType}${descriptor.pathOrInlineDv}`;
  return descriptor.offset === undefined || descriptor.offset === null
    ? base
    : `${base}@${descriptor.offset}`;
}

/** Sequential little-endian reads over a byte array, failing with `CorruptData` past its end. */
class Cursor {
  readonly view: DataView;
  pos = 0;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number): void {
    if (this.pos + n > this.bytes.length) {
      throw new DeltaError(
        "CorruptData",
        `roaring bitmap truncated: needs ${this.pos + n} bytes, has ${this.bytes.length}`,
      );
    }
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new DeltaError("CorruptData", `roaring count ${v} is absurd`);
    }
    return Number(v);
  }
}

/** Decodes one 32-bit Roaring bitmap (portable format) at the cursor, adding `high` to each value. */
function decodeRoaring32(cur: Cursor, high: number): Float64Array {
  const cookie = cur.u32();
  let size: number;
  let runFlags: Uint8Array | undefined;
  let hasOffsets: boolean;
  if ((cookie & 0xffff) === COOKIE_RUNS) {
    size = (cookie >>> 16) + 1;
    const flagBytes = Math.ceil(size / 8);
    cur.need(flagBytes);
    runFlags = cur.bytes.subarray(cur.pos, cur.pos + flagBytes);
    cur.pos += flagBytes;
    hasOffsets = size >= 4;
  } else if (cookie === COOKIE_NO_RUNS) {
    size = cur.u32();
    hasOffsets = true;
  } else {
    throw new DeltaError("CorruptData", `roaring bitmap has unknown cookie ${cookie}`);
  }
  const keys = new Uint32Array(size);
  const cards = new Uint32Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) {
    keys[i] = cur.u16();
    cards[i] = cur.u16() + 1;
    if (i > 0 && keys[i] <= keys[i - 1]) {
      throw new DeltaError(
        "CorruptData",
        `roaring container keys are not ascending (${keys[i - 1]}, ${keys[i]})`,
      );
    }
    total += cards[i];
  }
  if (hasOffsets) {
    cur.need(4 * size);
    cur.pos += 4 * size;
  }
  const values = new Float64Array(total);
  let n = 0;
  for (let i = 0; i < size; i++) {
    const base = high + keys[i] * 65536;
    const start = n;
    if (runFlags && (runFlags[i >>> 3] >>> (i & 7)) & 1) {
      const runs = cur.u16();
      cur.need(4 * runs);
      let last = -1;
      for (let r = 0; r < runs; r++) {
        const from = cur.u16();
        const length = cur.u16() + 1;
        if (from <= last || from + length > 65536 || n + length > start + cards[i]) {
          throw new DeltaError("CorruptData", `roaring run container ${keys[i]} is malformed`);
        }
        for (let v = from; v < from + length; v++) values[n++] = base + v;
        last = from + length - 1;
      }
    } else if (cards[i] <= ARRAY_MAX) {
      cur.need(2 * cards[i]);
      let last = -1;
      for (let k = 0; k < cards[i]; k++) {
        const v = cur.u16();
        if (v <= last) {
          throw new DeltaError("CorruptData", `roaring array container ${keys[i]} is not sorted`);
        }
        values[n++] = base + v;
        last = v;
      }
    } else {
      cur.need(8192);
      for (let word = 0; word < 2048; word++) {
        let bits = cur.view.getUint32(cur.pos + 4 * word, true);
        while (bits !== 0) {
          const bit = 31 - Math.clz32(bits & -bits);
          if (n >= start + cards[i]) {
            throw new DeltaError(
              "CorruptData",
              `roaring bitmap container ${keys[i]} has too many bits`,
            );
          }
          values[n++] = base + word * 32 + bit;
          bits &= bits - 1;
        }
      }
      cur.pos += 8192;
    }
    if (n !== start + cards[i]) {
      throw new DeltaError(
        "CorruptData",
        `roaring container ${keys[i]} holds ${n - start} values but its header says ${cards[i]}`,
      );
    }
  }
  return values;
}

/** Decodes the buckets of a RoaringBitmapArray after its magic number, as `[high key, bitmap]`. */
function decodeBuckets(cur: Cursor, magic: number): Float64Array[] {
  const parts: Float64Array[] = [];
  if (magic === MAGIC_NATIVE) {
    // Native: a 32-bit bitmap count, then per bitmap its byte size and the bitmap; key = index.
    const count = cur.u32();
    for (let key = 0; key < count; key++) {
      const size = cur.u32();
      const end = cur.pos + size;
      parts.push(decodeRoaring32(cur, key * 2 ** 32));
      if (cur.pos !== end) {
        throw new DeltaError("CorruptData", `native DV bitmap ${key} is not ${size} bytes long`);
      }
    }
    return parts;
  }
  if (magic !== MAGIC_PORTABLE) {
    throw new DeltaError(
      "CorruptData",
      `deletion vector magic number is ${magic}, expected ${MAGIC_PORTABLE}`,
    );
  }
  // Portable: a 64-bit bucket count, then per bucket its 32-bit high key and the bitmap.
  const buckets = cur.u64();
  let lastKey = -1;
  for (let b = 0; b < buckets; b++) {
    const key = cur.u32();
    if (key <= lastKey) {
      throw new DeltaError(
        "CorruptData",
        `roaring treemap keys are not ascending (${lastKey}, ${key})`,
      );
    }
    lastKey = key;
    parts.push(decodeRoaring32(cur, key * 2 ** 32));
  }
  return parts;
}

/**
 * Decodes a Delta deletion vector's bitmap bytes — the magic number then a 64-bit
 * RoaringTreemap in the "portable" format (bucket count, then per bucket a 32-bit high key and
 * a 32-bit Roaring bitmap), or Delta's older "native" layout — into the sorted deleted row
 * indexes. Row indexes at or above 2^53 are refused as `UnsupportedFeature`.
 *
 * @example
 * ```ts
 * const rows = decodeRoaringTreemap(z85Decode("^Bg9^0rr910000000000iXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L"));
 * // Float64Array [3, 4, 7, 11, 18, 29]
 * ```
 */
export function decodeRoaringTreemap(bytes: Uint8Array): Float64Array {
  const cur = new Cursor(bytes);
  const parts = decodeBuckets(cur, cur.u32());
  if (cur.pos !== bytes.length) {
    throw new DeltaError(
      "CorruptData",
      `deletion vector has ${bytes.length - cur.pos} trailing bytes`,
    );
  }
  const out = new Float64Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  if (out.length > 0 && out[out.length - 1] > Number.MAX_SAFE_INTEGER) {
    throw new DeltaError(
      "UnsupportedFeature",
      "deletion vector row indexes at or above 2^53 are not supported",
    );
  }
  return out;
}

/** Reads the bitmap bytes of an on-disk DV at `offset` of `path`: size, data, CRC-32 check. */
async function readStoredBitmap(
  store: Pick<Store, "readRange" | "locate">,
  path: string,
  descriptor: DeletionVectorDescriptor,
): Promise<Uint8Array> {
  const offset = descriptor.offset ?? 0;
  const where = store.locate(path);
  if (offset === 0) {
    const version = (await store.readRange(path, 0, 1))[0];
    if (version !== DV_FILE_VERSION) {
      throw new DeltaError(
        "CorruptData",
        `${where} has DV file format version ${version}, expected ${DV_FILE_VERSION}`,
        { path },
      );
    }
  }
  const start = offset === 0 ? 1 : offset;
  const framed = await store.readRange(path, start, start + 4 + descriptor.sizeInBytes + 4);
  const view = new DataView(framed.buffer, framed.byteOffset, framed.byteLength);
  const size = view.getUint32(0, false);
  if (size !== descriptor.sizeInBytes) {
    throw new DeltaError(
      "CorruptData",
      `${where} at ${start}: DV size ${size} disagrees with the log's ${descriptor.sizeInBytes}`,
      { path },
    );
  }
  const data = framed.subarray(4, 4 + size);
  const expected = view.getUint32(4 + size, false);
  const { crc32 } = await import("node:zlib"); // loaded only for tables with deletion vectors
  const actual = crc32(data) >>> 0;
  if (actual !== expected) {
    throw new DeltaError(
      "CorruptData",
      `${where} at ${start}: DV checksum ${actual.toString(16)} is not ${expected.toString(16)}`,
      { path },
    );
  }
  return data;
}

/**
 * The sorted row indexes (0-based positions in the data file) that a deletion vector marks
 * deleted. Reads `u` and `p` DVs through the table's store (a `p` path must lie inside the
 * table root), verifies the DV's CRC-32 and that its cardinality matches the descriptor.
 *
 * @example
 * ```ts
 * import { LocalStore, Table } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * const [add] = snapshot.files();
 * const rows = await Array.fromAsync(snapshot.scan().rows());
 * if (add.deletionVector) {
 *   const deleted = await readDeletionVector(add.deletionVector, store);
 *   const keep = rows.filter((_, i) => !deleted.includes(i));
 * }
 * ```
 */
export async function readDeletionVector(
  descriptor: DeletionVectorDescriptor,
  store: Pick<Store, "readRange" | "locate">,
): Promise<Float64Array> {
  let bytes: Uint8Array;
  if (descriptor.storageType === "i") {
    bytes = z85Decode(descriptor.pathOrInlineDv).subarray(0, descriptor.sizeInBytes);
  } else {
    let path = deletionVectorPath(descriptor);
    if (descriptor.storageType === "p") {
      const root = store.locate("");
      if (!path.startsWith(`${root}/`)) {
        throw new DeltaError(
          "UnsupportedFeature",
          `deletion vector ${path} lies outside the table at ${root}`,
          { path },
        );
      }
      path = path.slice(root.length + 1);
    }
    bytes = await readStoredBitmap(store, path, descriptor);
  }
  const rows = decodeRoaringTreemap(bytes);
  if (rows.length !== descriptor.cardinality) {
    throw new DeltaError(
      "CorruptData",
      `deletion vector ${
        deletionVectorUniqueId(descriptor)
      } holds ${rows.length} rows but the log says ${descriptor.cardinality}`,
    );
  }
  return rows;
}
