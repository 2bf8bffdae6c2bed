/** Tests for deletion-vector decoding: Z85, Roaring containers, DV files, and a Spark-written table. */

import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import { parquetReadObjects } from "hyparquet";
import {
  decodeRoaringTreemap,
  deletionVectorPath,
  deletionVectorUniqueId,
  readDeletionVector,
  z85Decode,
} from "../../src/delta/deletion_vector.ts";
import { isDeltaError } from "../../src/delta/errors.ts";
import { asyncBufferFrom, LocalStore } from "../../src/delta/storage.ts";
import { GOLDEN_DIR, goldenTable } from "./golden.ts";

type Kind = "array" | "bitmap" | "run";
interface Container {
  key: number;
  kind: Kind;
  values: number[];
}

/** Little-endian byte builder for hand-made bitmaps. */
class Bytes {
  parts: number[] = [];
  u8(v: number) {
    this.parts.push(v & 0xff);
  }
  u16(v: number) {
    this.u8(v);
    this.u8(v >>> 8);
  }
  u32(v: number) {
    this.u16(v & 0xffff);
    this.u16(v >>> 16);
  }
  u64(v: number) {
    this.u32(v);
    this.u32(0);
  }
  get length() {
    return this.parts.length;
  }
  out(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function runsOf(values: number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const v of values) {
    const last = runs.at(-1);
    if (last && last[0] + last[1] === v) last[1]++;
    else runs.push([v, 1]);
  }
  return runs;
}

function containerBytes(c: Container): Uint8Array {
  const b = new Bytes();
  if (c.kind === "run") {
    const runs = runsOf(c.values);
    b.u16(runs.length);
    for (const [start, length] of runs) {
      b.u16(start);
      b.u16(length - 1);
    }
  } else if (c.kind === "array") {
    assert.ok(c.values.length <= 4096);
    for (const v of c.values) b.u16(v);
  } else {
    assert.ok(c.values.length > 4096);
    const words = new Uint32Array(2048);
    for (const v of c.values) words[v >>> 5] |= 1 << (v & 31);
    for (const w of words) b.u32(w);
  }
  return b.out();
}

/** A 32-bit Roaring bitmap in the portable format, with or without the run-container cookie. */
function roaring32(containers: Container[], runCookie: boolean): Uint8Array {
  const b = new Bytes();
  const size = containers.length;
  if (runCookie) {
    b.u32(12347 | ((size - 1) << 16));
    const flags = new Uint8Array(Math.ceil(size / 8));
    containers.forEach((c, i) => {
      if (c.kind === "run") flags[i >>> 3] |= 1 << (i & 7);
    });
    flags.forEach((f) => b.u8(f));
  } else {
    assert.ok(containers.every((c) => c.kind !== "run"));
    b.u32(12346);
    b.u32(size);
  }
  for (const c of containers) {
    b.u16(c.key);
    b.u16(c.values.length - 1);
  }
  const bodies = containers.map(containerBytes);
  if (!runCookie || size >= 4) {
    let offset = b.length + 4 * size;
    for (const body of bodies) {
      b.u32(offset);
      offset += body.length;
    }
  }
  for (const body of bodies) body.forEach((x) => b.u8(x));
  return b.out();
}

/** The Delta DV bitmap: magic, then a portable 64-bit treemap of the given buckets. */
function treemap(buckets: [number, Uint8Array][]): Uint8Array {
  const b = new Bytes();
  b.u32(1681511377);
  b.u64(buckets.length);
  for (const [key, bitmap] of buckets) {
    b.u32(key);
    bitmap.forEach((x) => b.u8(x));
  }
  return b.out();
}

/** A DV file holding one bitmap at offset 1: version, big-endian size, data, CRC-32. */
function dvFile(bitmap: Uint8Array, checksum = crc32(bitmap) >>> 0): Uint8Array {
  const out = new Uint8Array(1 + 4 + bitmap.length + 4);
  const view = new DataView(out.buffer);
  out[0] = 1;
  view.setUint32(1, bitmap.length, false);
  out.set(bitmap, 5);
  view.setUint32(5 + bitmap.length, checksum, false);
  return out;
}

function rangeOf(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let v = from; v < to; v += step) out.push(v);
  return out;
}

Deno.test("z85Decode decodes the ZeroMQ reference vector and rejects bad text", () => {
  assert.deepEqual(Array.from(z85Decode("HelloWorld")), [
    0x86,
    0x4f,
    0xd2,
    0x6f,
    0xb5,
    0x59,
    0xf7,
    0x5b,
  ]);
  assert.throws(() => z85Decode("Hell~"), (e) => isDeltaError(e, "CorruptData"));
  assert.throws(() => z85Decode("Hell"), (e) => isDeltaError(e, "CorruptData"));
  assert.throws(() => z85Decode("#####"), (e) => isDeltaError(e, "CorruptData")); // > 2^32
});

Deno.test("deletionVectorPath derives the protocol's example file names", () => {
  assert.equal(
    deletionVectorPath({
      storageType: "u",
      pathOrInlineDv: "ab^-aqEH.-t@S}K{vb[*k^",
      offset: 4,
      sizeInBytes: 40,
      cardinality: 6,
    }),
    "ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin",
  );
  assert.equal(
    deletionVectorPath({
      storageType: "u",
      pathOrInlineDv: "vBn[lx{q8@P<9BNH/isA",
      offset: 1,
      sizeInBytes: 36,
      cardinality: 2,
    }),
    "deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin",
  );
  const u = (pathOrInlineDv: string) =>
    deletionVectorPath({ storageType: "u", pathOrInlineDv, sizeInBytes: 1, cardinality: 1 });
  assert.equal(
    u("dvrsTVZ&*Sl-RXRWjryu/!"),
    "dv/deletion_vector_550e8400-e29b-41d4-a716-446655440000.bin",
  );
  assert.equal(
    u("5<w-%>:JjlQ/G/]6C<1m"),
    "deletion_vector_123e4567-e89b-12d3-a456-426614174000.bin",
  );
  assert.throws(() => u("short"), (e) => isDeltaError(e, "CorruptLog"));
  assert.equal(
    deletionVectorPath({
      storageType: "p",
      pathOrInlineDv: "file:///t/my%20table/deletion_vector_x.bin",
      sizeInBytes: 1,
      cardinality: 1,
    }),
    "/t/my table/deletion_vector_x.bin",
  );
  assert.throws(
    () =>
      deletionVectorPath({ storageType: "i", pathOrInlineDv: "", sizeInBytes: 0, cardinality: 0 }),
    (e) => isDeltaError(e, "UnsupportedFeature"),
  );
  assert.equal(
    deletionVectorUniqueId({
      storageType: "u",
      pathOrInlineDv: "vBn[lx{q8@P<9BNH/isA",
      offset: 1,
      sizeInBytes: 36,
      cardinality: 2,
    }),
    "uvBn[lx{q8@P<9BNH/isA@1",
  );
  assert.equal(
    deletionVectorUniqueId({
      storageType: "i",
      pathOrInlineDv: "abcde",
      sizeInBytes: 4,
      cardinality: 1,
    }),
    "iabcde",
  );
});

Deno.test("an inline DV decodes to rows 3, 4, 7, 11, 18, 29 and its cardinality is checked", async () => {
  // The portable-format version of the protocol's inline example (the one delta-kernel-rs tests with).
  const descriptor = {
    storageType: "i",
    pathOrInlineDv: "^Bg9^0rr910000000000iXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L",
    sizeInBytes: 44,
    cardinality: 6,
  };
  const rows = await readDeletionVector(descriptor, new LocalStore("/nonexistent"));
  assert.deepEqual(Array.from(rows), [3, 4, 7, 11, 18, 29]);
  await assert.rejects(
    readDeletionVector({ ...descriptor, cardinality: 5 }, new LocalStore("/x")),
    (e) => isDeltaError(e, "CorruptData"),
  );
  // PROTOCOL.md's own example is serialized big-endian, which no Delta reader accepts.
  await assert.rejects(
    readDeletionVector(
      {
        ...descriptor,
        pathOrInlineDv: "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L",
        sizeInBytes: 40,
      },
      new LocalStore("/x"),
    ),
    (e) => isDeltaError(e, "CorruptData") && /magic/.test(e.message),
  );
});

Deno.test("a Spark-written on-disk DV deletes exactly the rows the golden table expects", async () => {
  const expected =
    JSON.parse(await Deno.readTextFile(`${GOLDEN_DIR}/EXPECTED.json`))["table-with-dv-small"];
  const [file] = expected.activeFiles;
  const store = new LocalStore(goldenTable("table-with-dv-small"));
  const deleted = await readDeletionVector(file.deletionVector, store);
  assert.equal(deleted.length, file.deletionVector.cardinality);
  assert.deepEqual(Array.from(deleted), [0, 9]);
  const rows = await parquetReadObjects({ file: await asyncBufferFrom(store, file.path) });
  const dropped = new Set(deleted);
  const kept = rows.filter((_, i) => !dropped.has(i));
  assert.equal(kept.length, expected.rowCount);
  assert.deepEqual(kept, expected.rows);
});

Deno.test("decodeRoaringTreemap reads array, bitmap and run containers across buckets", () => {
  const arrayC: Container = { key: 0, kind: "array", values: [1, 5, 65535] };
  const bitmapC: Container = { key: 3, kind: "bitmap", values: rangeOf(0, 65536, 7) };
  const runC: Container = {
    key: 7,
    kind: "run",
    values: [...rangeOf(10, 5000), ...rangeOf(60000, 65536)],
  };
  const fullRun: Container = { key: 8, kind: "run", values: rangeOf(0, 65536) };
  const expectedLow = [arrayC, bitmapC, runC, fullRun].flatMap((c) =>
    c.values.map((v) => c.key * 65536 + v)
  );
  // size >= 4 with the run cookie: offsets are present.
  const low = roaring32([arrayC, bitmapC, runC, fullRun], true);
  // size < 4 with the run cookie: no offsets; a second bucket puts values above 2^32.
  const high = roaring32([{ key: 0, kind: "array", values: [0, 2] }, {
    key: 65535,
    kind: "run",
    values: [65534, 65535],
  }], true);
  const rows = decodeRoaringTreemap(treemap([[0, low], [1, high]]));
  const expected = [
    ...expectedLow,
    2 ** 32,
    2 ** 32 + 2,
    2 ** 32 + 65535 * 65536 + 65534,
    2 ** 32 + 65535 * 65536 + 65535,
  ];
  assert.equal(rows.length, expected.length);
  assert.deepEqual(Array.from(rows), expected);

  // The no-run cookie (offsets always present), bitmap + array containers.
  const noRuns = roaring32([{ key: 2, kind: "array", values: [9] }, {
    key: 4,
    kind: "bitmap",
    values: rangeOf(1, 65536, 2),
  }], false);
  const rows2 = decodeRoaringTreemap(treemap([[0, noRuns]]));
  assert.deepEqual(Array.from(rows2), [
    2 * 65536 + 9,
    ...rangeOf(1, 65536, 2).map((v) => 4 * 65536 + v),
  ]);

  assert.deepEqual(Array.from(decodeRoaringTreemap(treemap([]))), []);
});

Deno.test("decodeRoaringTreemap reads Delta's native layout (bitmap index = high key)", () => {
  const b = new Bytes();
  b.u32(1681511376);
  const bitmaps = [
    roaring32([{ key: 0, kind: "array", values: [7] }], false),
    roaring32([{ key: 2, kind: "run", values: [1, 2, 3] }], true),
  ];
  b.u32(bitmaps.length);
  for (const bitmap of bitmaps) {
    b.u32(bitmap.length);
    bitmap.forEach((x) => b.u8(x));
  }
  const rows = decodeRoaringTreemap(b.out());
  assert.deepEqual(Array.from(rows), [
    7,
    2 ** 32 + 2 * 65536 + 1,
    2 ** 32 + 2 * 65536 + 2,
    2 ** 32 + 2 * 65536 + 3,
  ]);
});

Deno.test("decodeRoaringTreemap refuses row indexes beyond 2^53", () => {
  const huge = treemap([[2 ** 21, roaring32([{ key: 0, kind: "array", values: [1] }], false)]]);
  assert.throws(() => decodeRoaringTreemap(huge), (e) => isDeltaError(e, "UnsupportedFeature"));
});

Deno.test("decodeRoaringTreemap rejects corrupt bitmaps with CorruptData", () => {
  const good = roaring32([{ key: 0, kind: "array", values: [1, 2, 3] }], false);
  const bad = (bytes: Uint8Array) =>
    assert.throws(() => decodeRoaringTreemap(bytes), (e) => isDeltaError(e, "CorruptData"));
  const wrongMagic = treemap([[0, good]]);
  wrongMagic[0] ^= 1;
  bad(wrongMagic);
  bad(treemap([[0, good]]).subarray(0, 20)); // truncated
  bad(Uint8Array.from([...treemap([[0, good]]), 0])); // trailing byte
  bad(treemap([[1, good], [0, good]])); // bucket keys out of order
  const unsorted = roaring32([{ key: 0, kind: "array", values: [3, 2, 1] }], false);
  bad(treemap([[0, unsorted]]));
  const badCookie = roaring32([{ key: 0, kind: "array", values: [1] }], false);
  badCookie[0] = 0;
  bad(treemap([[0, badCookie]]));
});

Deno.test("readDeletionVector reads u and p DV files, checks size and CRC-32", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new LocalStore(root);
    const bitmap = treemap([[
      0,
      roaring32([{ key: 1, kind: "run", values: rangeOf(100, 200) }], true),
    ]]);
    const expected = rangeOf(65536 + 100, 65536 + 200);
    // "u" with a random prefix: <prefix>/deletion_vector_<uuid>.bin
    const u = {
      storageType: "u",
      pathOrInlineDv: "ab^-aqEH.-t@S}K{vb[*k^",
      offset: 1,
      sizeInBytes: bitmap.length,
      cardinality: 100,
    };
    await store.put(deletionVectorPath(u), dvFile(bitmap));
    assert.deepEqual(Array.from(await readDeletionVector(u, store)), expected);
    // "p": an absolute file URI inside the table, offset absent means the file start.
    const p = {
      storageType: "p",
      pathOrInlineDv: `file://${root}/dv%20files/one.bin`,
      sizeInBytes: bitmap.length,
      cardinality: 100,
    };
    await store.put("dv files/one.bin", dvFile(bitmap));
    assert.deepEqual(Array.from(await readDeletionVector(p, store)), expected);
    await assert.rejects(
      readDeletionVector({ ...p, pathOrInlineDv: "file:///elsewhere/one.bin" }, store),
      (e) => isDeltaError(e, "UnsupportedFeature"),
    );
    await store.put("dv files/one.bin", dvFile(bitmap, 12345));
    await assert.rejects(
      readDeletionVector(p, store),
      (e) => isDeltaError(e, "CorruptData") && /checksum/.test(e.message),
    );
    await assert.rejects(
      readDeletionVector({ ...u, sizeInBytes: bitmap.length - 4 }, store),
      (e) => isDeltaError(e, "CorruptData"),
    );
    await assert.rejects(
      readDeletionVector({ ...u, cardinality: 99 }, store),
      (e) => isDeltaError(e, "CorruptData"),
    );
    await assert.rejects(
      readDeletionVector({ ...u, pathOrInlineDv: "vBn[lx{q8@P<9BNH/isA" }, store),
      (e) => isDeltaError(e, "MissingFile"),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
