/** The run-length streams inside a Parquet data page, checked before hyparquet decodes them: no run may outgrow its page. */

/** Parquet's encodings, by the numbers page headers hold. */
const ENCODING = {
  PLAIN_DICTIONARY: 2,
  RLE: 3,
  DELTA_BINARY_PACKED: 5,
  DELTA_LENGTH_BYTE_ARRAY: 6,
  DELTA_BYTE_ARRAY: 7,
  RLE_DICTIONARY: 8,
} as const;

/** How many values a delta-encoded block may hold (writers use 128 or 256; the spec, multiples of 128). */
const MAX_DELTA_BLOCK = 1 << 16;

/** What the run checks need to know of a data page and its column. */
export interface DataPage {
  /** 0 for DATA_PAGE, 3 for DATA_PAGE_V2. */
  readonly type: number;
  /** The values it holds, nulls included. */
  readonly values: number;
  /** A v2 page's nulls (a v1 page's are counted from its definition levels). */
  readonly nulls: number;
  readonly encoding: number;
  /** A v2 page's level lengths (stored before its data, never compressed). */
  readonly repetitionBytes: number;
  readonly definitionBytes: number;
  /** A v2 page's data may be stored uncompressed. */
  readonly compressed: boolean;
  /** The page's size once decompressed, levels included. */
  readonly uncompressedSize: number;
}

/** A flat column's facts: whether it has definition levels, its physical type, its codec. */
export interface PageColumn {
  readonly optional: boolean;
  readonly boolean: boolean;
  readonly codec: string;
}

/** Decompresses `bytes` of `codec` into `size` bytes (hyparquet's own decompressors). */
export type Decompress = (codec: string, bytes: Uint8Array, size: number) => Uint8Array;

/**
 * Checks the run-length/bit-packed streams of one data page (`stored`: its bytes as stored,
 * after the header) the way hyparquet will read them: levels, RLE booleans and dictionary
 * indices. hyparquet repeats a run's value as often as the run says, past the end of its output
 * (a 2-byte run header can ask for 2³¹ values) and loops through a bit-packed run of width 0
 * however long it claims to be; so every RLE run here must fit in what is left of its page, and
 * every bit-packed run's bits in the page's bytes. The
 * first header of a delta-encoded stream is checked too (its block sizes allocate and loop),
 * and DELTA_BYTE_ARRAY, whose second stream cannot be found without decoding the first, is
 * refused. Throws an `Error` saying which run broke which bound.
 *
 * @example
 * ```ts
 * const page = { type: 3, values: 10, nulls: 0, encoding: 0, repetitionBytes: 0, definitionBytes: 2, compressed: false, uncompressedSize: 84 };
 * // definition levels: one RLE run of 10 ones (header 10 << 1), then 10 doubles
 * const stored = new Uint8Array([20, 1, ...new Uint8Array(80)]);
 * checkPageRuns(stored, page, { optional: true, boolean: false, codec: "UNCOMPRESSED" }, (_, b) => b);
 * ```
 */
export function checkPageRuns(
  stored: Uint8Array,
  page: DataPage,
  column: PageColumn,
  decompress: Decompress,
): void {
  if (page.encoding === ENCODING.DELTA_BYTE_ARRAY) {
    throw new Error(
      "a page is DELTA_BYTE_ARRAY encoded, which the host does not decode for plugins",
    );
  }
  const levels = page.type === 3 ? page.repetitionBytes + page.definitionBytes : 0;
  if (levels > stored.length) throw new Error("a data page's level lengths do not fit it");
  const data = (): Uint8Array => {
    const rest = stored.subarray(levels);
    if (page.type === 3 && !page.compressed) return rest;
    return decompress(column.codec, rest, page.uncompressedSize - levels);
  };
  const wantsData = page.encoding === ENCODING.RLE ||
    page.encoding === ENCODING.PLAIN_DICTIONARY || page.encoding === ENCODING.RLE_DICTIONARY ||
    page.encoding === ENCODING.DELTA_BINARY_PACKED ||
    page.encoding === ENCODING.DELTA_LENGTH_BYTE_ARRAY;
  const levelRuns = { width: 1, values: page.values, what: "definition levels" };
  let body: Uint8Array;
  let at = 0;
  let present = page.values;
  if (page.type === 3) {
    if (column.optional) {
      const { end } = checkRuns(stored, page.repetitionBytes, levelRuns);
      if (end > levels) throw new Error("a data page's definition levels overrun their length");
      present = page.values - page.nulls;
    }
    if (!wantsData) return;
    body = data();
  } else {
    if (!column.optional && !wantsData) return;
    body = data();
    if (column.optional) ({ end: at, ones: present } = prefixedRuns(body, 0, levelRuns));
  }
  checkData(body, at, { ...page, values: present }, column);
}

/** Checks the data section of a page, from `at`, by its encoding. */
function checkData(body: Uint8Array, at: number, page: DataPage, column: PageColumn): void {
  switch (page.encoding) {
    case ENCODING.RLE:
      if (column.boolean || page.type === 3) {
        prefixedRuns(body, at, { width: 1, values: page.values, what: "booleans" });
        return;
      }
      return dictionaryRuns(body, at, page);
    case ENCODING.PLAIN_DICTIONARY:
    case ENCODING.RLE_DICTIONARY:
      return dictionaryRuns(body, at, page);
    case ENCODING.DELTA_BINARY_PACKED:
    case ENCODING.DELTA_LENGTH_BYTE_ARRAY:
      return checkDeltaHeader(body, at, page.values);
  }
}

/**
 * Dictionary indices: a bit width byte, then runs of that width (which a v1 page of width 0
 * does not have: hyparquet reads none there).
 */
function dictionaryRuns(body: Uint8Array, at: number, page: DataPage): void {
  if (at >= body.length) throw new Error("a dictionary-encoded page is cut short");
  const width = body[at];
  if (width > 32) throw new Error(`a page's dictionary indices are ${width} bits wide`);
  if (width === 0 && page.type === 0) return;
  checkRuns(body, at + 1, { width, values: page.values, what: "dictionary indices" });
}

/** One run-length stream: its values' bit width, how many values it covers, what it holds. */
interface Runs {
  readonly width: number;
  readonly values: number;
  readonly what: string;
}

/** Where a stream of runs ends, and how many of its values are 1 (for levels: the values present). */
interface Walked {
  readonly end: number;
  readonly ones: number;
}

/** Runs behind a 4-byte length, as v1 levels and RLE booleans are stored; ends past the length. */
function prefixedRuns(body: Uint8Array, at: number, runs: Runs): Walked {
  if (at + 4 > body.length) throw new Error(`a page's ${runs.what} are cut short`);
  const length = new DataView(body.buffer, body.byteOffset + at, 4).getUint32(0, true);
  const { ones } = checkRuns(body, at + 4, runs);
  if (at + 4 + length > body.length) throw new Error(`a page's ${runs.what} overrun the page`);
  return { end: at + 4 + length, ones };
}

/**
 * Walks run headers from `at` until `values` values are covered, as hyparquet does, and returns
 * where the last run ends. An RLE run may not exceed what is left; a bit-packed run's bits must
 * lie in the page (and one of width 0 may pad only its last group of eight).
 */
function checkRuns(body: Uint8Array, at: number, { width, values, what }: Runs): Walked {
  const valueBytes = (width + 7) >> 3;
  let seen = 0;
  let ones = 0;
  while (seen < values) {
    const [header, next] = varint(body, at, what);
    at = next;
    const left = values - seen;
    if (header % 2 === 1) {
      // Writers pad a bit-packed run past the page's values (DuckDB to 256), and hyparquet reads
      // the padding without keeping it: harmless while each value takes bits, which must be in
      // the page. Of width 0 nothing is read, so only its count bounds the loop.
      const groups = Math.floor(header / 2);
      if (width === 0 && groups * 8 > left + 7) {
        throw new Error(
          `a page's ${what} hold a bit-packed run of ${groups * 8} values where ${left} are left`,
        );
      }
      if (at + groups * width > body.length) throw new Error(`a page's ${what} run past the page`);
      if (width === 1) {
        for (let k = 0; k < Math.min(groups * 8, left); k++) {
          ones += (body[at + (k >> 3)] >> (k & 7)) & 1;
        }
      }
      at += groups * width;
      seen += groups * 8;
    } else {
      const count = header / 2;
      if (count > left) {
        throw new Error(`a page's ${what} hold a run of ${count} values where ${left} are left`);
      }
      if (at + valueBytes > body.length) throw new Error(`a page's ${what} run past the page`);
      if (width === 1 && body[at] === 1) ones += count;
      at += valueBytes;
      seen += count;
    }
  }
  return { end: at, ones };
}

/** The header of a delta-encoded stream: block size, miniblocks per block, value count. */
function checkDeltaHeader(body: Uint8Array, at: number, values: number): void {
  const [block, afterBlock] = varint(body, at, "delta header");
  const [miniblocks, afterMini] = varint(body, afterBlock, "delta header");
  const [count] = varint(body, afterMini, "delta header");
  const valid = block > 0 && block <= MAX_DELTA_BLOCK && block % 128 === 0 &&
    miniblocks > 0 && block % miniblocks === 0 && (block / miniblocks) % 32 === 0;
  if (!valid) {
    throw new Error(
      `a page's delta encoding claims blocks of ${block} values in ${miniblocks} miniblocks`,
    );
  }
  if (count > values) {
    throw new Error(
      `a page's delta encoding claims ${count} values where the page holds ${values}`,
    );
  }
}

/** An unsigned LEB128 varint of at most 32 bits at `at`, and where it ends. */
function varint(body: Uint8Array, at: number, what: string): [number, number] {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (at >= body.length) throw new Error(`a page's ${what} are cut short`);
    const byte = body[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
  }
  throw new Error(`a page's ${what} hold a varint that does not end`);
}
