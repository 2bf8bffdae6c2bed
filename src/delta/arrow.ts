/** Arrow output: columns of the reader turned into Apache Arrow tables whose types follow the Delta schema. */

import * as A from "apache-arrow";
import type { Column, ColumnBatch, Row } from "./parquet_read.ts";
import type { DataType, StructField } from "./schema.ts";
import { decimalParts, type Value } from "./values.ts";

/** Writes record batches as an Arrow IPC stream (apache-arrow's), for callers of {@link columnsToArrow}. */
export { RecordBatchStreamWriter } from "apache-arrow";

/**
 * The Arrow type of a Delta type: integers and floats by width, `long` as Int64,
 * `decimal(p,s)` as Decimal128, `date` as Date32 (days), `timestamp` as microseconds in UTC,
 * `timestamp_ntz` as microseconds without a zone, `map` as Map of `key`/`value` entries.
 *
 * @example
 * ```ts
 * arrowType("timestamp"); // Timestamp<MICROSECOND, UTC>
 * ```
 */
export function arrowType(type: DataType): A.DataType {
  if (typeof type === "object") {
    switch (type.type) {
      case "decimal":
        return new A.Decimal(type.scale, type.precision, 128);
      case "struct":
        return new A.Struct(type.fields.map(arrowField));
      case "array":
        return new A.List(new A.Field("element", arrowType(type.elementType), type.containsNull));
      case "map":
        return new A.Map_(
          new A.Field(
            "entries",
            new A.Struct<{ key: A.DataType; value: A.DataType }>([
              new A.Field<A.DataType>("key", arrowType(type.keyType), false),
              new A.Field<A.DataType>("value", arrowType(type.valueType), type.valueContainsNull),
            ]),
            false,
          ),
        );
    }
  }
  switch (type) {
    case "string":
      return new A.Utf8();
    case "binary":
      return new A.Binary();
    case "boolean":
      return new A.Bool();
    case "byte":
      return new A.Int8();
    case "short":
      return new A.Int16();
    case "integer":
      return new A.Int32();
    case "long":
      return new A.Int64();
    case "float":
      return new A.Float32();
    case "double":
      return new A.Float64();
    case "date":
      return new A.DateDay();
    case "timestamp":
      return new A.TimestampMicrosecond("UTC");
    case "timestamp_ntz":
      return new A.TimestampMicrosecond();
  }
}

function arrowField(field: StructField): A.Field {
  return new A.Field(field.name, arrowType(field.type), field.nullable);
}

/** The validity bitmap of values (bit set = not null; none for a typed array) and the null count. */
function validity(values: Column): { nullBitmap: Uint8Array; nullCount: number } {
  if (ArrayBuffer.isView(values)) return { nullBitmap: new Uint8Array(0), nullCount: 0 };
  const nullBitmap = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) nullCount++;
    else nullBitmap[i >> 3] |= 1 << (i & 7);
  }
  return { nullBitmap, nullCount };
}

const utf8 = new TextEncoder();

/**
 * Strings as Utf8 offsets and data. All the strings are encoded in one call; when that takes
 * one byte per UTF-16 unit (all ASCII), the offsets are the strings' lengths, otherwise the
 * strings are encoded one by one (so a lone surrogate stays one replacement character).
 */
function utf8Data(values: Column) {
  const valueOffsets = new Int32Array(values.length + 1);
  const all = utf8.encode(Array.prototype.join.call(values, "")); // null joins as ""
  for (let i = 0; i < values.length; i++) {
    valueOffsets[i + 1] = valueOffsets[i] + ((values[i] as string | null)?.length ?? 0);
  }
  if (all.length === valueOffsets[values.length]) return { valueOffsets, data: all };
  return binaryData(Array.from(values, (v) => utf8.encode((v as string | null) ?? "")));
}

/** Byte strings as Binary offsets and concatenated data. */
function binaryData(values: Column) {
  const valueOffsets = new Int32Array(values.length + 1);
  for (let i = 0; i < values.length; i++) {
    valueOffsets[i + 1] = valueOffsets[i] + ((values[i] as Uint8Array | null)?.length ?? 0);
  }
  const data = new Uint8Array(valueOffsets[values.length]);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as Uint8Array | null;
    if (v !== null) data.set(v, valueOffsets[i]);
  }
  return { valueOffsets, data };
}

/** 128-bit little-endian two's complement words of an unscaled decimal. */
function decimalWords(unscaled: bigint, out: Uint32Array, at: number): void {
  let v = BigInt.asUintN(128, unscaled);
  for (let w = 0; w < 4; w++) {
    out[at + w] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
}

/** The values of a column as a typed array (nulls as 0), the column itself if it is one. */
function typed<T extends Int8Array | Int16Array | Int32Array | Float32Array | Float64Array>(
  values: Column,
  Typed: { new (length: number): T },
): T {
  if (values instanceof Typed) return values;
  const out = new Typed(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Number(values[i] ?? 0);
  return out;
}

/** The 64-bit integers of a column of bigints (nulls as 0), the column itself if it is one. */
function bigints(values: Column): BigInt64Array {
  if (values instanceof BigInt64Array) return values;
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = BigInt((values[i] as bigint | number | null) ?? 0);
  }
  return out;
}

/** Builds the Arrow data of one column of values of Delta type `type`. */
function columnData(type: DataType, values: Column): A.Data {
  const arrow = arrowType(type);
  const length = values.length;
  const { nullBitmap, nullCount } = validity(values);
  const base = { type: arrow, length, nullCount, nullBitmap };
  if (typeof type === "object") {
    switch (type.type) {
      case "decimal": {
        const data = new Uint32Array(length * 4);
        for (let i = 0; i < length; i++) {
          const v = values[i];
          if (v === null || v === undefined) continue;
          const [unscaled, scale] = decimalParts(String(v));
          decimalWords(unscaled * 10n ** BigInt(Math.max(0, type.scale - scale)), data, i * 4);
        }
        return A.makeData({ ...base, type: arrow as A.Decimal, data });
      }
      case "struct": {
        const children = type.fields.map((f) =>
          columnData(
            f.type,
            Array.from(
              values,
              (v) => (v === null || v === undefined ? null : (v as Row)[f.name] ?? null),
            ),
          )
        );
        return A.makeData({ ...base, type: arrow as A.Struct, children });
      }
      case "array": {
        const valueOffsets = new Int32Array(length + 1);
        const items: Value[] = [];
        for (let i = 0; i < length; i++) {
          const v = values[i];
          if (Array.isArray(v)) { for (const item of v) items.push(item); }
          valueOffsets[i + 1] = items.length;
        }
        return A.makeData({
          ...base,
          type: arrow as A.List,
          valueOffsets,
          child: columnData(type.elementType, items),
        });
      }
      case "map": {
        const valueOffsets = new Int32Array(length + 1);
        const entries: Value[] = [];
        for (let i = 0; i < length; i++) {
          const v = values[i];
          if (v instanceof Map) { for (const [key, value] of v) entries.push({ key, value }); }
          valueOffsets[i + 1] = entries.length;
        }
        const entryType: DataType = {
          type: "struct",
          fields: [
            { name: "key", type: type.keyType, nullable: false, metadata: {} },
            { name: "value", type: type.valueType, nullable: type.valueContainsNull, metadata: {} },
          ],
        } as const;
        return A.makeData({
          ...base,
          type: arrow as A.Map_,
          valueOffsets,
          child: columnData(entryType, entries),
        });
      }
    }
  }
  switch (type) {
    case "string":
      return A.makeData({ ...base, type: arrow as A.Utf8, ...utf8Data(values) });
    case "binary":
      return A.makeData({ ...base, type: arrow as A.Binary, ...binaryData(values) });
    case "boolean": {
      const data = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++) if (values[i] === true) data[i >> 3] |= 1 << (i & 7);
      return A.makeData({ ...base, type: arrow as A.Bool, data });
    }
    case "byte":
      return A.makeData({ ...base, type: arrow as A.Int8, data: typed(values, Int8Array) });
    case "short":
      return A.makeData({ ...base, type: arrow as A.Int16, data: typed(values, Int16Array) });
    case "integer":
      return A.makeData({ ...base, type: arrow as A.Int32, data: typed(values, Int32Array) });
    case "date":
      return A.makeData({ ...base, type: arrow as A.DateDay, data: typed(values, Int32Array) });
    case "float":
      return A.makeData({ ...base, type: arrow as A.Float32, data: typed(values, Float32Array) });
    case "double":
      return A.makeData({ ...base, type: arrow as A.Float64, data: typed(values, Float64Array) });
    case "long":
      return A.makeData({ ...base, type: arrow as A.Int64, data: bigints(values) });
    case "timestamp":
    case "timestamp_ntz":
      return A.makeData({ ...base, type: arrow as A.TimestampMicrosecond, data: bigints(values) });
  }
}

/** The selected values of a column (of the same kind of array), or the column if all are selected. */
function take(column: Column, selection: Uint32Array | null): Column {
  if (selection === null) return column;
  const out = ArrayBuffer.isView(column)
    ? new (column.constructor as new (length: number) => Value[])(selection.length)
    : new Array<Value>(selection.length);
  for (let j = 0; j < selection.length; j++) out[j] = column[selection[j]];
  return out;
}

/**
 * An Arrow table of the selected rows of a batch, with one column per field (the batch's first
 * `fields.length` columns, in order) and Arrow types from {@link arrowType}. Values are copied
 * exactly (64-bit integers, microseconds, decimals); typed-array columns are used as they are.
 *
 * @example
 * ```ts
 * const table = columnsToArrow(
 *   { firstRowIndex: 0, length: 2, columns: [[1n, null]], selection: null },
 *   [{ name: "id", type: "long", nullable: true, metadata: {} }],
 * );
 * table.getChild("id")?.get(0); // 1n
 * ```
 */
export function columnsToArrow(batch: ColumnBatch, fields: readonly StructField[]): A.Table {
  const schema = new A.Schema(fields.map(arrowField));
  const children = fields.map((f, k) =>
    columnData(f.type, take(batch.columns[k], batch.selection))
  );
  const data = A.makeData({
    type: new A.Struct(schema.fields),
    length: batch.selection?.length ?? batch.length,
    nullCount: 0,
    children,
  });
  return new A.Table(schema, new A.RecordBatch(schema, data));
}
