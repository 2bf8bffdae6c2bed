/** A small, self-contained Arrow IPC stream codec for the column types pond's tables use. */

// This module runs inside every plugin sandbox as well as in the host, so it imports nothing but
// the table model's types (erased when it runs) and generates no code: apache-arrow builds
// accessors with `new Function`, which the sandbox's `--disallow-code-generation-from-strings`
// refuses. Untrusted input fails with `ArrowIpcError`.

import type { Column, ColumnType, Table } from "./column.ts";

export type { Column, ColumnType, Table } from "./column.ts";

/**
 * A stream that is not Arrow IPC, or uses what this codec does not (dictionaries, compression,
 * nested or other types, big-endian data), or a table that cannot be written.
 *
 * @example
 * ```ts
 * const bytes = await Deno.readFile("my_plugin.ts");
 * try { tableFromIPC(bytes); } catch (e) { if (e instanceof ArrowIpcError) console.error(e.message); }
 * ```
 */
export class ArrowIpcError extends Error {
  override name = "ArrowIpcError";
}

/** The byte width and typed array of each fixed-width type. */
const FIXED: Readonly<Record<string, { width: number; array: TypedArrayClass }>> = {
  int8: { width: 1, array: Int8Array },
  int16: { width: 2, array: Int16Array },
  int32: { width: 4, array: Int32Array },
  int64: { width: 8, array: BigInt64Array },
  uint8: { width: 1, array: Uint8Array },
  uint16: { width: 2, array: Uint16Array },
  uint32: { width: 4, array: Uint32Array },
  uint64: { width: 8, array: BigUint64Array },
  float32: { width: 4, array: Float32Array },
  float64: { width: 8, array: Float64Array },
  date32: { width: 4, array: Int32Array },
};
type TypedArrayClass = {
  new (buffer: ArrayBufferLike, offset: number, length: number): ArrayLike<unknown>;
  new (length: number): ArrayLike<unknown> & { set(values: ArrayLike<unknown>): void };
  readonly BYTES_PER_ELEMENT: number;
};
const UNITS = ["s", "ms", "us", "ns"];
const TIMESTAMP = /^timestamp\[(s|ms|us|ns)(?:, ?([^\]]+))?\]$/;
/** Flatbuffer type ids of the Arrow `Type` union, as far as they are read or written here. */
const TYPE_ID = { Int: 2, FloatingPoint: 3, Binary: 4, Utf8: 5, Bool: 6, Date: 8, Timestamp: 10 };
const LARGE = { LargeBinary: 19, LargeUtf8: 20 };
const TYPE_NAMES = [
  "NONE",
  "Null",
  "Int",
  "FloatingPoint",
  "Binary",
  "Utf8",
  "Bool",
  "Decimal",
  "Date",
  "Time",
  "Timestamp",
  "Interval",
  "List",
  "Struct",
  "Union",
  "FixedSizeBinary",
  "FixedSizeList",
  "Map",
  "Duration",
  "LargeBinary",
  "LargeUtf8",
  "LargeList",
  "RunEndEncoded",
  "BinaryView",
  "Utf8View",
]; // deno-fmt-ignore
const CONTINUATION = 0xffffffff;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads an Arrow IPC stream into columns, one per schema field, every record batch joined.
 * Numbers without nulls come as typed arrays over `bytes` itself when it is aligned (no copy);
 * with nulls, as arrays holding `null`. 64-bit integers and timestamps (in their unit) are
 * bigints. Throws `ArrowIpcError` for anything else, whatever the bytes hold: among it, buffers
 * that overlap (so no byte is decoded twice, and what is read is bounded by the stream's size),
 * and, before a record batch is decoded, more than `maxCells` rows × columns in all.
 *
 * @example
 * ```ts
 * const bytes = await Deno.readFile("my_plugin.ts");
 * const [time, value] = tableFromIPC(bytes); // [{ name: "t", type: "timestamp[ms]", values: BigInt64Array }, …]
 * ```
 */
export function tableFromIPC(bytes: Uint8Array, maxCells = Infinity): Column[] {
  try {
    return readStream(bytes, maxCells);
  } catch (e) {
    if (e instanceof ArrowIpcError) throw e;
    throw new ArrowIpcError(`not a readable Arrow IPC stream (${(e as Error).message})`);
  }
}

/** A utf8 column read on demand: a value is decoded only when asked for. */
export interface TextColumn {
  readonly length: number;
  /** The value in `row` (0 ≤ row < length), or null. */
  at(row: number): string | null;
}

/**
 * The utf8 columns of an Arrow IPC stream by name, each value decoded only when asked for (other
 * columns are checked and skipped): for large stored listings searched by name, where decoding
 * every value would cost more than the search. Fails as {@link tableFromIPC} does.
 *
 * @example
 * ```ts
 * const columns = textColumnsFromIPC(tableToIPC([{ name: "name", type: "utf8", values: ["a", "b"] }]));
 * columns.get("name")!.at(1); // "b"
 * ```
 */
export function textColumnsFromIPC(bytes: Uint8Array): Map<string, TextColumn> {
  try {
    const columns = readStream(bytes, Infinity, lazyText);
    return new Map(
      columns.filter((c) => c.type === "utf8").map((
        c,
      ) => [c.name, c.values as unknown as TextColumn]),
    );
  } catch (e) {
    if (e instanceof ArrowIpcError) throw e;
    throw new ArrowIpcError(`not a readable Arrow IPC stream (${(e as Error).message})`);
  }
}

/**
 * Writes columns as an Arrow IPC stream (a schema, one record batch, the end marker) that
 * apache-arrow and other readers take. A column's type is guessed from its values when absent:
 * typed arrays by kind, and arrays by their first value (number → float64, bigint → int64,
 * string → utf8, boolean → bool, Uint8Array → binary, Date → timestamp[ms]). Values that do not
 * fit the type, and columns of different lengths, are `ArrowIpcError`s naming the column.
 *
 * @example
 * ```ts
 * const bytes = tableToIPC([{ name: "t", values: new Float64Array([1, 2]) }, { name: "s", values: ["a", null] }]);
 * ```
 */
export function tableToIPC(table: Table): Uint8Array {
  if (!Array.isArray(table) || table.length === 0) {
    throw new ArrowIpcError('a table is a list of columns, like [{ name: "t", values: [1, 2] }]');
  }
  const rows = columnLength(table[0]);
  const encoded = table.map((column) => {
    if (columnLength(column) !== rows) {
      throw new ArrowIpcError(
        `column ${column.name} has ${column.values.length} values, but ${
          table[0].name
        } has ${rows}`,
      );
    }
    return encodeColumn(column);
  });
  const fields = encoded.map((c) => fieldTable(c.name, c.type));
  const schema = message(1, table$([u16(0), vector(fields)]), 0);
  let bodyLength = 0;
  const buffers: [number, number][] = [];
  for (const buffer of encoded.flatMap((c) => c.buffers)) {
    buffers.push([bodyLength, buffer.length]);
    bodyLength += pad8(buffer.length);
  }
  const batch = message(
    3,
    table$([
      i64(rows),
      structs(encoded.map((c) => [rows, c.nulls]), 16),
      structs(buffers, 16),
    ]),
    bodyLength,
  );
  const out = new Uint8Array(schema.length + batch.length + bodyLength + 8);
  out.set(schema, 0);
  out.set(batch, schema.length);
  let at = schema.length + batch.length;
  for (const buffer of encoded.flatMap((c) => c.buffers)) {
    out.set(buffer, at);
    at += pad8(buffer.length);
  }
  new DataView(out.buffer).setUint32(at, CONTINUATION, true);
  return out;
}

// ---- Writing: columns to buffers ----

interface EncodedColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly nulls: number;
  readonly buffers: Uint8Array[];
}

function columnLength(column: Column): number {
  if (
    typeof column !== "object" || column === null || typeof column.name !== "string" ||
    typeof column.values?.length !== "number"
  ) {
    throw new ArrowIpcError(
      'each column is { name, values, type? }, like { name: "t", values: [1] }',
    );
  }
  return column.values.length;
}

function encodeColumn(column: Column): EncodedColumn {
  const { name, values } = column;
  const type = column.type ?? guessType(column);
  const bad = (i: number, what: string) =>
    new ArrowIpcError(`column ${name} (${type}) has ${describe(values[i])} at row ${i}; ${what}`);
  const n = values.length;
  let nulls = 0;
  let validity = new Uint8Array(0);
  const isNull = (i: number) => values[i] === null || values[i] === undefined;
  if (!ArrayBuffer.isView(values) && (values as unknown[]).some((v) => v == null)) {
    validity = new Uint8Array(Math.ceil(n / 8));
    for (let i = 0; i < n; i++) {
      if (isNull(i)) nulls++;
      else validity[i >> 3] |= 1 << (i & 7);
    }
  }
  const encoded = (buffers: Uint8Array[]): EncodedColumn => ({
    name,
    type,
    nulls,
    buffers: [validity, ...buffers],
  });
  if (type === "bool") {
    const bits = new Uint8Array(Math.ceil(n / 8));
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === true) bits[i >> 3] |= 1 << (i & 7);
      else if (v !== false && !isNull(i)) throw bad(i, "use true, false or null");
    }
    return encoded([bits]);
  }
  if (type === "utf8" || type === "binary") return encoded(encodeVarying(values, type, bad));
  const timestamp = TIMESTAMP.exec(type);
  const fixed = FIXED[timestamp ? "int64" : type];
  if (!fixed) {
    throw new ArrowIpcError(`column ${name} has type ${JSON.stringify(type)}; ${typeList()}`);
  }
  if (values instanceof fixed.array) {
    return encoded([bytesOf(values as unknown as ArrayBufferView)]);
  }
  const out = new fixed.array(n);
  const float = type.startsWith("float");
  const big = fixed.width === 8 && !float;
  const perMs = timestamp ? 10 ** (3 * UNITS.indexOf(timestamp[1]) - 3) : 0;
  if (!ArrayBuffer.isView(values) && nulls === 0 && float && allNumbers(values as unknown[])) {
    out.set(values);
  } else {
    const slots = out as unknown as unknown[];
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (isNull(i)) slots[i] = big ? 0n : 0;
      else if (!big) {
        if (typeof v !== "number") throw bad(i, "use numbers or null");
        slots[i] = v;
        if (!float && slots[i] !== v) throw bad(i, `use integers that fit ${type}`);
      } else if (typeof v === "bigint") slots[i] = v;
      else if (Number.isSafeInteger(v)) slots[i] = BigInt(v as number);
      else if (perMs && v instanceof Date) slots[i] = BigInt(Math.round(v.getTime() * perMs));
      else {throw bad(
          i,
          timestamp ? "use bigints, integers, Dates or null" : "use bigints, integers or null",
        );}
    }
  }
  return encoded([bytesOf(out as unknown as ArrayBufferView)]);
}

/** Offsets and data of a utf8 or binary column; text that is all ASCII is encoded in one call. */
function encodeVarying(
  values: ArrayLike<unknown>,
  type: "utf8" | "binary",
  bad: (i: number, what: string) => ArrowIpcError,
): Uint8Array[] {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  if (type === "utf8") {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === "string") offsets[i + 1] = offsets[i] + v.length;
      else if (v == null) offsets[i + 1] = offsets[i];
      else throw bad(i, "use strings or null");
    }
    const data = utf8.encode(Array.prototype.join.call(values, ""));
    if (data.length === offsets[n]) return [bytesOf(offsets), data];
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const part = typeof v === "string" && type === "utf8"
      ? utf8.encode(v)
      : v instanceof Uint8Array && type === "binary"
      ? v
      : v == null
      ? new Uint8Array(0)
      : undefined;
    if (!part) throw bad(i, type === "utf8" ? "use strings or null" : "use Uint8Arrays or null");
    parts.push(part);
    size += part.length;
    if (size > 0x7fffffff) throw new ArrowIpcError("a text or binary column over 2 GiB");
    offsets[i + 1] = size;
  }
  const data = new Uint8Array(size);
  for (let i = 0; i < n; i++) data.set(parts[i], offsets[i]);
  return [bytesOf(offsets), data];
}

function guessType(column: Column): ColumnType {
  const { values } = column;
  for (const [type, { array }] of Object.entries(FIXED)) {
    if (values instanceof array) return type as ColumnType;
  }
  let first: unknown;
  for (let i = 0; i < values.length && first == null; i++) first = values[i];
  switch (typeof first) {
    case "number":
      return "float64";
    case "bigint":
      return "int64";
    case "string":
      return "utf8";
    case "boolean":
      return "bool";
  }
  if (first instanceof Uint8Array) return "binary";
  if (first instanceof Date) return "timestamp[ms]";
  throw new ArrowIpcError(
    `column ${column.name}: cannot tell its type from ${
      describe(first)
    }; give it a type (${typeList()})`,
  );
}

function allNumbers(values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== "number") return false;
  return true;
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

// ---- Writing: flatbuffers, laid out front to back ----

/** A flatbuffer value to lay out: a scalar field, or something a field refers to. */
type Flat =
  | { readonly kind: "scalar"; readonly size: 1 | 2 | 4 | 8; readonly value: number }
  | { readonly kind: "table"; readonly fields: readonly (Flat | undefined)[] }
  | { readonly kind: "string"; readonly bytes: Uint8Array }
  | { readonly kind: "vector"; readonly items: readonly Flat[] }
  | {
    readonly kind: "structs";
    readonly rows: readonly (readonly number[])[];
    readonly size: number;
  };

const u8 = (value: number): Flat => ({ kind: "scalar", size: 1, value });
const u16 = (value: number): Flat => ({ kind: "scalar", size: 2, value });
const i32 = (value: number): Flat => ({ kind: "scalar", size: 4, value });
const i64 = (value: number): Flat => ({ kind: "scalar", size: 8, value });
const table$ = (fields: readonly (Flat | undefined)[]): Flat => ({ kind: "table", fields });
const string = (text: string): Flat => ({ kind: "string", bytes: utf8.encode(text) });
const vector = (items: readonly Flat[]): Flat => ({ kind: "vector", items });
/** A vector of structs of 64-bit integers (FieldNode, Buffer: 16 bytes each). */
const structs = (rows: readonly (readonly number[])[], size: number): Flat => ({
  kind: "structs",
  rows,
  size,
});

function fieldTable(name: string, type: ColumnType): Flat {
  const timestamp = TIMESTAMP.exec(type);
  const fixed = FIXED[type];
  const [id, body] = timestamp
    ? [
      TYPE_ID.Timestamp,
      table$([u16(UNITS.indexOf(timestamp[1])), timestamp[2] ? string(timestamp[2]) : undefined]),
    ]
    : type === "bool"
    ? [TYPE_ID.Bool, table$([])]
    : type === "utf8"
    ? [TYPE_ID.Utf8, table$([])]
    : type === "binary"
    ? [TYPE_ID.Binary, table$([])]
    : type === "date32"
    ? [TYPE_ID.Date, table$([u16(0)])]
    : type.startsWith("float")
    ? [TYPE_ID.FloatingPoint, table$([u16(fixed.width === 4 ? 1 : 2)])]
    : [TYPE_ID.Int, table$([i32(fixed.width * 8), u8(type.startsWith("int") ? 1 : 0)])];
  return table$([string(name), u8(1), u8(id), body, undefined, vector([])]);
}

/** One encapsulated message: continuation, metadata size, the Message flatbuffer, padding. */
function message(headerType: number, header: Flat, bodyLength: number): Uint8Array {
  const flat = new FlatWriter();
  flat.root(table$([u16(4), u8(headerType), header, i64(bodyLength)]));
  const size = pad8(flat.length + 8) - 8;
  const out = new Uint8Array(8 + size);
  const view = new DataView(out.buffer);
  view.setUint32(0, CONTINUATION, true);
  view.setInt32(4, size, true);
  out.set(flat.bytes.subarray(0, flat.length), 8);
  return out;
}

/** Lays flatbuffers out front to back: a table's children after it, so offsets point forward. */
class FlatWriter {
  bytes = new Uint8Array(256);
  view = new DataView(this.bytes.buffer);
  length = 0;

  root(value: Flat): void {
    const at = this.#take(4, 4);
    const target = this.#write(value);
    this.view.setUint32(at, target - at, true);
  }

  #take(size: number, align: number, skew = 0): number {
    const at = Math.ceil((this.length + skew) / align) * align - skew;
    if (at + size > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, at + size));
      grown.set(this.bytes);
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = at + size;
    return at;
  }

  /** Writes `value` and what it refers to; returns where it starts. */
  #write(value: Flat): number {
    switch (value.kind) {
      case "string": {
        const at = this.#take(4 + value.bytes.length + 1, 4);
        this.view.setUint32(at, value.bytes.length, true);
        this.bytes.set(value.bytes, at + 4);
        return at;
      }
      case "structs": {
        const at = this.#take(4 + value.rows.length * value.size, 8, 4);
        this.view.setUint32(at, value.rows.length, true);
        value.rows.forEach((row, r) =>
          row.forEach((x, c) =>
            this.view.setBigInt64(at + 4 + r * value.size + c * 8, BigInt(x), true)
          )
        );
        return at;
      }
      case "vector": {
        const at = this.#take(4 + 4 * value.items.length, 4);
        this.view.setUint32(at, value.items.length, true);
        value.items.forEach((item, i) => {
          const slot = at + 4 + 4 * i;
          const target = this.#write(item);
          this.view.setUint32(slot, target - slot, true);
        });
        return at;
      }
      case "table":
        return this.#table(value.fields);
      case "scalar":
        throw new ArrowIpcError("a scalar is written inside its table");
    }
  }

  #table(fields: readonly (Flat | undefined)[]): number {
    const vtable = this.#take(4 + 2 * fields.length, 2);
    const order = fields.map((f, i) => ({ f, i, size: f?.kind === "scalar" ? f.size : 4 }))
      .filter(({ f }) => f !== undefined).sort((a, b) => b.size - a.size);
    const start = this.#take(4, 8);
    const slots: number[] = [];
    for (const { i, size } of order) slots[i] = this.#take(size, size);
    this.view.setInt32(start, start - vtable, true);
    this.view.setUint16(vtable, 4 + 2 * fields.length, true);
    this.view.setUint16(vtable + 2, this.length - start, true);
    fields.forEach((_, i) =>
      this.view.setUint16(vtable + 4 + 2 * i, slots[i] ? slots[i] - start : 0, true)
    );
    for (const { f, i } of order) {
      const at = slots[i];
      if (f!.kind !== "scalar") {
        const target = this.#write(f!);
        this.view.setUint32(at, target - at, true);
      } else if (f!.size === 1) this.view.setUint8(at, f!.value);
      else if (f!.size === 2) this.view.setInt16(at, f!.value, true);
      else if (f!.size === 4) this.view.setInt32(at, f!.value, true);
      else this.view.setBigInt64(at, BigInt(f!.value), true);
    }
    return start;
  }
}

// ---- Reading ----

/** A field of the schema, with what its type needs to read its buffers. */
interface FieldType {
  readonly name: string;
  readonly type: ColumnType;
  /** For utf8 and binary: whether offsets are 64-bit (LargeUtf8, LargeBinary). */
  readonly large: boolean;
}

/** How a utf8 or binary column's buffers become its values. */
type VaryingReader = typeof readVarying;

function readStream(
  bytes: Uint8Array,
  maxCells: number,
  varying: VaryingReader = readVarying,
): Column[] {
  let at = 0;
  let cells = 0;
  let fields: FieldType[] | undefined;
  const batches: ArrayLike<unknown>[][] = [];
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (at + 4 <= bytes.length) {
    let size = data.getInt32(at, true);
    at += 4;
    if (size === -1) {
      size = data.getInt32(at, true);
      at += 4;
    }
    if (size === 0) break;
    if (size < 0 || at + size > bytes.length) {
      throw new ArrowIpcError("a message runs past the stream");
    }
    const meta = new Flatbuffer(bytes.subarray(at, at + size));
    at += size;
    const root = meta.root();
    const headerType = meta.u8(root, 1);
    const bodyLength = meta.i64(root, 3);
    if (bodyLength < 0 || at + bodyLength > bytes.length) {
      throw new ArrowIpcError("a message body runs past the stream");
    }
    const body = bytes.subarray(at, at + bodyLength);
    at += bodyLength;
    const header = meta.table(root, 2);
    if (headerType === 1 && !fields) fields = readSchema(meta, header);
    else if (headerType === 3 && fields) {
      cells += meta.i64(header, 0) * Math.max(1, fields.length);
      if (!(cells <= maxCells)) {
        throw new ArrowIpcError(
          `it holds more than ${maxCells} cells (rows × columns), the limit`,
        );
      }
      batches.push(readBatch(meta, header, body, fields, varying));
    } else {
      throw new ArrowIpcError(
        headerType === 2
          ? "dictionary-encoded columns are not supported; write plain columns"
          : `an unexpected message (type ${headerType}) ${fields ? "after" : "before"} the schema`,
      );
    }
  }
  if (!fields) throw new ArrowIpcError("the stream has no schema");
  return fields.map((field, c) => ({
    name: field.name,
    type: field.type,
    values: batches.length === 1 ? batches[0][c] : join(batches.map((b) => b[c]), field.type),
  }));
}

function readSchema(meta: Flatbuffer, schema: number): FieldType[] {
  if (meta.u16(schema, 0) !== 0) throw new ArrowIpcError("big-endian data is not supported");
  return meta.vector(schema, 1).map((field) => {
    const name = meta.string(field, 0) ?? "";
    if (meta.has(field, 4)) {
      throw new ArrowIpcError(`column ${name} is dictionary-encoded; write plain columns`);
    }
    const id = meta.u8(field, 2);
    const type = meta.table(field, 3);
    const named = (t: ColumnType): FieldType => ({ name, type: t, large: false });
    switch (id) {
      case TYPE_ID.Bool:
        return named("bool");
      case TYPE_ID.Utf8:
      case LARGE.LargeUtf8:
        return { name, type: "utf8", large: id === LARGE.LargeUtf8 };
      case TYPE_ID.Binary:
      case LARGE.LargeBinary:
        return { name, type: "binary", large: id === LARGE.LargeBinary };
      case TYPE_ID.FloatingPoint: {
        const precision = meta.u16(type, 0);
        if (precision === 1 || precision === 2) {
          return named(precision === 1 ? "float32" : "float64");
        }
        break;
      }
      case TYPE_ID.Int: {
        const bits = meta.i32(type, 0);
        const t = `${meta.u8(type, 1) ? "int" : "uint"}${bits}`;
        if (FIXED[t]) return named(t as ColumnType);
        break;
      }
      case TYPE_ID.Date:
        if (meta.has(type, 0) && meta.u16(type, 0) === 0) return named("date32");
        break;
      case TYPE_ID.Timestamp: {
        const unit = UNITS[meta.u16(type, 0)];
        const zone = meta.string(type, 1);
        if (unit) return named(`timestamp[${unit}${zone ? `, ${zone}` : ""}]` as ColumnType);
        break;
      }
    }
    throw new ArrowIpcError(
      `column ${name} has Arrow type ${
        TYPE_NAMES[id] ?? id
      }, which pond's tables do not use; ${typeList()}`,
    );
  });
}

function readBatch(
  meta: Flatbuffer,
  batch: number,
  body: Uint8Array,
  fields: readonly FieldType[],
  varying: VaryingReader,
): ArrayLike<unknown>[] {
  if (meta.has(batch, 3)) throw new ArrowIpcError("compressed record batches are not supported");
  const rows = meta.i64(batch, 0);
  if (rows < 0) throw new ArrowIpcError("a record batch has a negative length");
  const nodes = meta.structs(batch, 1, 2);
  const buffers = meta.structs(batch, 2, 2);
  let next = 0;
  let end = 0;
  const buffer = (): Uint8Array => {
    const [offset, length] = buffers[next++] ?? [-1, 0];
    if (offset < 0 || length < 0 || offset + length > body.length) {
      throw new ArrowIpcError("a buffer lies outside its record batch");
    }
    if (length > 0) {
      if (offset < end) throw new ArrowIpcError("a buffer overlaps the one before it");
      end = offset + length;
    }
    return body.subarray(offset, offset + length);
  };
  return fields.map((field, c) => {
    const [length, nulls] = nodes[c] ?? [-1, 0];
    if (length !== rows) throw new ArrowIpcError(`column ${field.name} does not have ${rows} rows`);
    const validity = buffer();
    const valid = nulls === 0
      ? undefined
      : (i: number) => validity.length * 8 > i && (validity[i >> 3] & (1 << (i & 7))) !== 0;
    if (field.type === "bool") {
      const bits = buffer();
      if (bits.length * 8 < rows) throw new ArrowIpcError(`column ${field.name} is cut short`);
      return Array.from(
        { length: rows },
        (_, i) => valid && !valid(i) ? null : (bits[i >> 3] & (1 << (i & 7))) !== 0,
      );
    }
    if (field.type === "utf8" || field.type === "binary") {
      return varying(field, rows, buffer(), buffer(), valid);
    }
    const fixed = FIXED[TIMESTAMP.test(field.type) ? "int64" : field.type];
    const raw = buffer();
    if (raw.length < rows * fixed.width) {
      throw new ArrowIpcError(`column ${field.name} is cut short`);
    }
    const values = raw.byteOffset % fixed.width === 0
      ? new fixed.array(raw.buffer, raw.byteOffset, rows)
      : new fixed.array(raw.slice(0, rows * fixed.width).buffer, 0, rows);
    return valid ? Array.from({ length: rows }, (_, i) => valid(i) ? values[i] : null) : values;
  });
}

/** A utf8 or binary column's values: text that is all ASCII is decoded in one call and sliced. */
function readVarying(
  field: FieldType,
  rows: number,
  offsetBytes: Uint8Array,
  data: Uint8Array,
  valid: ((i: number) => boolean) | undefined,
): ArrayLike<unknown> {
  const offsets = readOffsets(field, rows, offsetBytes, data);
  const values = new Array<unknown>(rows);
  if (field.type === "binary") {
    for (let i = 0; i < rows; i++) {
      values[i] = valid && !valid(i) ? null : data.slice(offsets[i], offsets[i + 1]);
    }
    return values;
  }
  const start = offsets[0];
  const text = strictUtf8.decode(data.subarray(start, offsets[rows]));
  const ascii = text.length === offsets[rows] - start;
  for (let i = 0; i < rows; i++) {
    values[i] = valid && !valid(i)
      ? null
      : ascii
      ? text.slice(offsets[i] - start, offsets[i + 1] - start)
      : strictUtf8.decode(data.subarray(offsets[i], offsets[i + 1]));
  }
  return values;
}

/** A varying column's offsets, checked: each within its data and none before the one before. */
function readOffsets(
  field: FieldType,
  rows: number,
  offsetBytes: Uint8Array,
  data: Uint8Array,
): number[] {
  const width = field.large ? 8 : 4;
  if (offsetBytes.length < (rows + 1) * width) {
    throw new ArrowIpcError(`column ${field.name} is cut short`);
  }
  const view = new DataView(offsetBytes.buffer, offsetBytes.byteOffset, offsetBytes.byteLength);
  const offsets = new Array<number>(rows + 1);
  for (let i = 0; i <= rows; i++) {
    offsets[i] = width === 4 ? view.getInt32(i * 4, true) : Number(view.getBigInt64(i * 8, true));
    if (offsets[i] < (i ? offsets[i - 1] : 0) || offsets[i] > data.length) {
      throw new ArrowIpcError(`column ${field.name} has offsets outside its data`);
    }
  }
  return offsets;
}

/** Like {@link readVarying}, but utf8 values are decoded when read (see {@link textColumnsFromIPC}). */
const lazyText: VaryingReader = (field, rows, offsetBytes, data, valid) => {
  const offsets = readOffsets(field, rows, offsetBytes, data);
  if (field.type !== "utf8") return [];
  const text = new LazyText(
    rows,
    (row) =>
      valid && !valid(row)
        ? null
        : strictUtf8.decode(data.subarray(offsets[row], offsets[row + 1])),
  );
  return text as unknown as ArrayLike<unknown>;
};

/** A {@link TextColumn} as the lazy reader makes it: `at` decodes one row. */
class LazyText implements TextColumn {
  constructor(readonly length: number, readonly at: (row: number) => string | null) {}
}

/** Lazy text columns of several record batches as one. */
function chainText(parts: readonly LazyText[]): LazyText {
  const starts = parts.map((_, i) => parts.slice(0, i).reduce((n, p) => n + p.length, 0));
  return new LazyText(parts.reduce((n, p) => n + p.length, 0), (row) => {
    let i = parts.length - 1;
    while (i > 0 && starts[i] > row) i--;
    return parts[i].at(row - starts[i]);
  });
}

/** The values of several record batches of one column, as one array (or typed array). */
function join(parts: ArrayLike<unknown>[], type: ColumnType): ArrayLike<unknown> {
  if (parts.every((p) => p instanceof LazyText)) {
    return chainText(parts) as unknown as ArrayLike<unknown>;
  }
  const fixed = FIXED[TIMESTAMP.test(type) ? "int64" : type];
  if (fixed && parts.every((p) => p instanceof fixed.array)) {
    const out = new fixed.array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      (out as unknown as { set(a: ArrayLike<unknown>, at: number): void }).set(part, at);
      at += part.length;
    }
    return out;
  }
  return parts.flatMap((p) => Array.from(p));
}

/** Reads a flatbuffer's tables; every read is bounds-checked by its DataView. */
class Flatbuffer {
  readonly #view: DataView;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  root(): number {
    return this.#view.getUint32(0, true);
  }

  /** Where field `i` of the table at `table` is, or 0 when it is absent. */
  #field(table: number, i: number): number {
    const vtable = table - this.#view.getInt32(table, true);
    const size = this.#view.getUint16(vtable, true);
    return 4 + 2 * i < size ? this.#view.getUint16(vtable + 4 + 2 * i, true) : 0;
  }

  has(table: number, i: number): boolean {
    return this.#field(table, i) !== 0;
  }

  u8(table: number, i: number): number {
    const at = this.#field(table, i);
    return at ? this.#view.getUint8(table + at) : 0;
  }

  u16(table: number, i: number): number {
    const at = this.#field(table, i);
    return at ? this.#view.getInt16(table + at, true) : 0;
  }

  i32(table: number, i: number): number {
    const at = this.#field(table, i);
    return at ? this.#view.getInt32(table + at, true) : 0;
  }

  i64(table: number, i: number): number {
    const at = this.#field(table, i);
    return at ? safe(this.#view.getBigInt64(table + at, true)) : 0;
  }

  /** The table field `i` refers to; a missing one is an error. */
  table(table: number, i: number): number {
    const at = this.#field(table, i);
    if (!at) throw new ArrowIpcError("a message lacks a table it needs");
    return this.#deref(table + at);
  }

  string(table: number, i: number): string | undefined {
    const at = this.#field(table, i);
    if (!at) return undefined;
    const start = this.#deref(table + at);
    const length = this.#view.getUint32(start, true);
    if (start + 4 + length > this.#bytes.length) {
      throw new ArrowIpcError("a name runs past its message");
    }
    return strictUtf8.decode(this.#bytes.subarray(start + 4, start + 4 + length));
  }

  /** The tables of the vector field `i` (none when absent). */
  vector(table: number, i: number): number[] {
    const at = this.#field(table, i);
    if (!at) return [];
    const start = this.#deref(table + at);
    const count = this.#view.getUint32(start, true);
    if (start + 4 + 4 * count > this.#bytes.length) {
      throw new ArrowIpcError("a list runs past its message");
    }
    return Array.from({ length: count }, (_, k) => this.#deref(start + 4 + 4 * k));
  }

  /** The vector field `i` of structs of `width` 64-bit integers each. */
  structs(table: number, i: number, width: number): number[][] {
    const at = this.#field(table, i);
    if (!at) return [];
    const start = this.#deref(table + at);
    const count = this.#view.getUint32(start, true);
    if (start + 4 + 8 * width * count > this.#bytes.length) {
      throw new ArrowIpcError("a list runs past its message");
    }
    return Array.from(
      { length: count },
      (_, k) =>
        Array.from(
          { length: width },
          (_, c) => safe(this.#view.getBigInt64(start + 4 + 8 * (width * k + c), true)),
        ),
    );
  }

  #deref(at: number): number {
    return at + this.#view.getUint32(at, true);
  }
}

function safe(value: bigint): number {
  if (value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ArrowIpcError("a length or offset is out of range");
  }
  return Number(value);
}

function pad8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function typeList(): string {
  return `use ${Object.keys(FIXED).join(", ")}, bool, utf8, binary or timestamp[s|ms|us|ns]`;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") return `a ${value.constructor?.name ?? "object"}`;
  return `${typeof value} ${String(value).slice(0, 40)}`;
}
