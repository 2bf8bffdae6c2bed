/** Bounding a Parquet file's decoding before it starts: its footer's and its page headers' claims, checked. */

import type { FileMetaData } from "hyparquet";
import type { TableLimits } from "./limits.ts";
import { checkPageRuns, type DataPage, type Decompress } from "./parquet_runs.ts";

/** Thrift compact protocol type ids, as far as page headers use them. */
const T = { TRUE: 1, FALSE: 2, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8 } as const;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;
/** How deep a page header's structs may nest (Parquet's nest three deep: statistics). */
const MAX_NESTING = 8;
/** Parquet page types. */
const DICTIONARY_PAGE = 2;

/** What a page header claims, as far as the host bounds it. */
interface PageClaim {
  readonly type: number;
  readonly uncompressed: number;
  readonly compressed: number;
  /** Values (and, for a v2 data page, rows) it decodes to; the largest of its counts. */
  readonly values: number;
  /** Where the page's data starts. */
  readonly dataAt: number;
  /** A data page's facts for its run checks. */
  readonly data?: DataPage;
}

/**
 * Checks, from a Parquet file's footer and its page headers alone, that decoding it stays within
 * `limits` and that the decoder is handed what it can follow: child counts that fit the schema;
 * every row group has one chunk per column of `columns` (the flat schema's names), in order;
 * rows × columns within `limits.cells`;
 * every page header complete; no page (nor a dictionary), nor a column chunk's pages together,
 * claiming more values than its row group has rows; and the pages' uncompressed bytes within
 * `limits.bytes` (a page's buffer is allocated at its claimed size before it is decompressed);
 * and each data page's run-length streams within the page (see `checkPageRuns`, which
 * decompresses with `decompress` where it must). Throws an `Error` saying which claim broke
 * which limit; the caller names the plugin.
 *
 * @example
 * ```ts
 * import { parquetMetadata } from "hyparquet";
 *
 * const bytes = await Deno.readFile("readings.parquet");
 * const metadata = parquetMetadata(bytes.buffer);
 * const limits = { cells: 1 << 24, bytes: 1 << 28 };
 * checkParquetClaims(bytes, metadata, ["time", "value"], limits, (_codec, data) => data);
 * ```
 */
export function checkParquetClaims(
  bytes: Uint8Array,
  metadata: FileMetaData,
  columns: readonly string[],
  limits: TableLimits,
  decompress: Decompress,
): void {
  for (const element of metadata.schema) {
    const children = element.num_children ?? 0;
    if (!(Number.isSafeInteger(children) && children >= 0 && children < metadata.schema.length)) {
      throw new Error(`its schema gives ${element.name ?? "a column"} ${children} children`);
    }
  }
  const rows = Number(metadata.num_rows);
  const cells = rows * columns.length;
  if (!(cells <= limits.cells)) {
    throw new Error(
      `it holds ${rows} rows × ${columns.length} columns, over the limit of ${limits.cells} cells`,
    );
  }
  let groupRows = 0;
  let decoded = 0;
  for (const group of metadata.row_groups) {
    const inGroup = Number(group.num_rows);
    groupRows += inGroup;
    const paths = group.columns.map((chunk) => chunk.meta_data?.path_in_schema.join("."));
    if (paths.join("\0") !== columns.join("\0")) {
      throw new Error("its row groups' column chunks do not match its schema's columns");
    }
    for (const [i, chunk] of group.columns.entries()) {
      const meta = chunk.meta_data!;
      const element = metadata.schema[i + 1];
      const column = {
        optional: element.repetition_type !== "REQUIRED",
        boolean: meta.type === "BOOLEAN",
        codec: meta.codec,
      };
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const end = start + Number(meta.total_compressed_size);
      if (!(start >= 0 && end >= start && end <= bytes.length)) {
        throw new Error("a column chunk lies outside the file");
      }
      let values = 0;
      for (let at = start; at < end;) {
        const page = readPageHeader(bytes, at);
        if (page.type !== DICTIONARY_PAGE) values += page.values;
        if (page.values > inGroup || values > inGroup) {
          throw new Error(
            `a page claims ${page.values} values in a row group of ${inGroup} rows` +
              (page.values > inGroup ? "" : `, ${values} in all`),
          );
        }
        decoded += page.uncompressed;
        if (!(decoded <= limits.bytes)) {
          throw new Error(`its pages decode to more than the limit of ${limits.bytes} bytes`);
        }
        const stored = bytes.subarray(page.dataAt, page.dataAt + page.compressed);
        if (page.data) checkPageRuns(stored, page.data, column, decompress);
        at = page.dataAt + page.compressed;
      }
    }
  }
  if (groupRows !== rows) {
    throw new Error(`its row groups hold ${groupRows} rows, but it says ${rows}`);
  }
}

/**
 * Checks that a Parquet file's footer is Thrift hyparquet can parse without looping: the file
 * ends in a footer length and `PAR1`, and the footer is one well-formed compact-protocol struct
 * (lists no longer than the bytes left, known types, nesting bounded). hyparquet's own parser
 * trusts a list's claimed size, so a mutated footer byte can make it read "elements" that take
 * no bytes, forever. Throws an `Error` saying what is wrong.
 *
 * @example
 * ```ts
 * checkFooter(await Deno.readFile("readings.parquet"));
 * ```
 */
export function checkFooter(bytes: Uint8Array): void {
  if (bytes.length < 12) throw new Error("it is too short to be Parquet");
  const length = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 4)
    .getUint32(0, true);
  const start = bytes.length - 8 - length;
  if (start < 4) throw new Error("its footer length points outside the file");
  const reader = new CompactReader(bytes.subarray(0, bytes.length - 8), start);
  reader.struct(0);
}

/**
 * The fields each page type's header must have (as non-negative integers), by page type:
 * DATA_PAGE, INDEX_PAGE, DICTIONARY_PAGE, DATA_PAGE_V2. A header lacking one is refused, not
 * guessed at (hyparquet can loop on such a page).
 */
const REQUIRED: Readonly<Record<number, { field?: number; ids: readonly number[] }>> = {
  0: { field: 5, ids: [1, 2, 3, 4] },
  1: { ids: [] },
  [DICTIONARY_PAGE]: { field: 7, ids: [1, 2] },
  3: { field: 8, ids: [1, 2, 3, 4, 5, 6] },
};

/** The claims of the page header at `at`, with the position its data starts at. */
function readPageHeader(bytes: Uint8Array, at: number): PageClaim {
  const reader = new CompactReader(bytes, at);
  const header = reader.struct(0);
  const count = (struct: Map<number, unknown>, id: number): number => {
    const n = struct.get(id);
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
      throw new Error(`a page header lacks field ${id} or holds a bad value there`);
    }
    return n;
  };
  const type = count(header, 1);
  const uncompressed = count(header, 2);
  const compressed = count(header, 3);
  const required = REQUIRED[type];
  if (!required) throw new Error(`a page has an unknown type ${type}`);
  let values = 0;
  let data: DataPage | undefined;
  if (required.field !== undefined) {
    const inner = header.get(required.field);
    if (!(inner instanceof Map)) throw new Error(`a page of type ${type} lacks its header`);
    const counts = required.ids.map((id) => count(inner, id));
    values = type === 3 ? Math.max(counts[0], counts[2]) : counts[0];
    if (type === 3 && (counts[1] > counts[0] || counts[4] + counts[5] > compressed)) {
      throw new Error("a data page's nulls or level lengths do not fit it");
    }
    if (type === 0 || type === 3) {
      data = {
        type,
        values: counts[0],
        nulls: type === 3 ? counts[1] : 0,
        encoding: type === 3 ? counts[3] : counts[1],
        repetitionBytes: type === 3 ? counts[5] : 0,
        definitionBytes: type === 3 ? counts[4] : 0,
        compressed: type !== 3 || inner.get(7) !== false,
        uncompressedSize: uncompressed,
      };
    }
  }
  return { type, uncompressed, compressed, values, dataAt: reader.at, data };
}

/** Reads Thrift's compact protocol: structs as maps from field id to value, bounds-checked. */
class CompactReader {
  constructor(readonly bytes: Uint8Array, public at: number) {}

  struct(depth: number): Map<number, unknown> {
    if (depth > MAX_NESTING) throw new Error("a page header nests too deeply");
    const fields = new Map<number, unknown>();
    let id = 0;
    while (true) {
      const byte = this.#byte();
      if (byte === 0) return fields;
      const type = byte & 0x0f;
      const delta = byte >> 4;
      id = delta ? id + delta : this.#zigzag();
      fields.set(id, this.#value(type, depth));
    }
  }

  #value(type: number, depth: number): unknown {
    switch (type) {
      case T.TRUE:
        return true;
      case T.FALSE:
        return false;
      case T.BYTE:
        return this.#byte();
      case T.I16:
      case T.I32:
      case T.I64:
        return this.#zigzag();
      case T.DOUBLE:
        return this.#skip(8);
      case T.BINARY:
        return this.#skip(this.#varint());
      case LIST:
      case SET: {
        const head = this.#byte();
        const size = head >> 4 === 15 ? this.#varint() : head >> 4;
        const element = head & 0x0f;
        if (size > this.bytes.length - this.at) throw new Error("a page header is cut short");
        for (let i = 0; i < size; i++) {
          if (element === T.TRUE || element === T.FALSE) this.#byte();
          else this.#value(element, depth + 1);
        }
        return undefined;
      }
      case MAP: {
        const size = this.#varint();
        if (size === 0) return undefined;
        const kinds = this.#byte();
        if (size > this.bytes.length - this.at) throw new Error("a page header is cut short");
        for (let i = 0; i < size; i++) {
          this.#value(kinds >> 4, depth + 1);
          this.#value(kinds & 0x0f, depth + 1);
        }
        return undefined;
      }
      case STRUCT:
        return this.struct(depth + 1);
    }
    throw new Error(`a page header holds an unknown Thrift type ${type}`);
  }

  #byte(): number {
    if (this.at >= this.bytes.length) throw new Error("a page header is cut short");
    return this.bytes[this.at++];
  }

  #skip(n: number): undefined {
    if (n > this.bytes.length - this.at) throw new Error("a page header is cut short");
    this.at += n;
    return undefined;
  }

  /** An unsigned LEB128 varint, as a number (exact up to 2^53). */
  #varint(): number {
    let value = 0;
    for (let shift = 1, i = 0; i < 10; i++, shift *= 128) {
      const byte = this.#byte();
      value += (byte & 0x7f) * shift;
      if (byte < 0x80) return value;
    }
    throw new Error("a page header holds a varint that does not end");
  }

  #zigzag(): number {
    const n = this.#varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
}
