/** Arrow output: rows of the reader turned into Apache Arrow tables whose types follow the Delta schema. */

import * as A from "apache-arrow";
import type { Row } from "./parquet_read.ts";
import type { DataType, StructField } from "./schema.ts";
import { decimalParts, type Value } from "./values.ts";

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

/** The validity bitmap of values (bit set = not null) and the null count. */
function validity(values: readonly Value[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null || v === undefined) nullCount++;
    else nullBitmap[i >> 3] |= 1 << (i & 7);
  });
  return { nullBitmap, nullCount };
}

/** Variable-length bytes (Utf8/Binary): offsets and concatenated data. */
function variableWidth(values: readonly Value[], encode: (v: Value) => Uint8Array) {
  const parts = values.map((v) => (v === null || v === undefined ? new Uint8Array(0) : encode(v)));
  const valueOffsets = new Int32Array(values.length + 1);
  parts.forEach((p, i) => (valueOffsets[i + 1] = valueOffsets[i] + p.length));
  const data = new Uint8Array(valueOffsets[values.length]);
  parts.forEach((p, i) => data.set(p, valueOffsets[i]));
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

/** The 64-bit integers of a column of bigints (nulls as 0). */
function bigints(values: readonly Value[]): BigInt64Array {
  return BigInt64Array.from(values, (v) => BigInt((v as bigint | number | null) ?? 0));
}

/** Builds the Arrow data of one column of values of Delta type `type`. */
function columnData(type: DataType, values: readonly Value[]): A.Data {
  const arrow = arrowType(type);
  const length = values.length;
  const { nullBitmap, nullCount } = validity(values);
  const base = { type: arrow, length, nullCount, nullBitmap };
  if (typeof type === "object") {
    switch (type.type) {
      case "decimal": {
        const data = new Uint32Array(length * 4);
        values.forEach((v, i) => {
          if (v === null || v === undefined) return;
          const [unscaled, scale] = decimalParts(String(v));
          decimalWords(unscaled * 10n ** BigInt(Math.max(0, type.scale - scale)), data, i * 4);
        });
        return A.makeData({ ...base, type: arrow as A.Decimal, data });
      }
      case "struct": {
        const children = type.fields.map((f) =>
          columnData(
            f.type,
            values.map((v) => (v === null || v === undefined ? null : (v as Row)[f.name] ?? null)),
          )
        );
        return A.makeData({ ...base, type: arrow as A.Struct, children });
      }
      case "array": {
        const valueOffsets = new Int32Array(length + 1);
        const items: Value[] = [];
        values.forEach((v, i) => {
          if (Array.isArray(v)) items.push(...v);
          valueOffsets[i + 1] = items.length;
        });
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
        values.forEach((v, i) => {
          if (v instanceof Map) { for (const [key, value] of v) entries.push({ key, value }); }
          valueOffsets[i + 1] = entries.length;
        });
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
      return A.makeData({
        ...base,
        type: arrow as A.Utf8,
        ...variableWidth(values, (v) => new TextEncoder().encode(v as string)),
      });
    case "binary":
      return A.makeData({
        ...base,
        type: arrow as A.Binary,
        ...variableWidth(values, (v) => v as Uint8Array),
      });
    case "boolean": {
      const data = new Uint8Array((length + 7) >> 3);
      values.forEach((v, i) => v === true && (data[i >> 3] |= 1 << (i & 7)));
      return A.makeData({ ...base, type: arrow as A.Bool, data });
    }
    case "byte":
      return A.makeData({
        ...base,
        type: arrow as A.Int8,
        data: Int8Array.from(values, (v) => Number(v ?? 0)),
      });
    case "short":
      return A.makeData({
        ...base,
        type: arrow as A.Int16,
        data: Int16Array.from(values, (v) => Number(v ?? 0)),
      });
    case "integer":
      return A.makeData({
        ...base,
        type: arrow as A.Int32,
        data: Int32Array.from(values, (v) => Number(v ?? 0)),
      });
    case "date":
      return A.makeData({
        ...base,
        type: arrow as A.DateDay,
        data: Int32Array.from(values, (v) => Number(v ?? 0)),
      });
    case "float":
      return A.makeData({
        ...base,
        type: arrow as A.Float32,
        data: Float32Array.from(values, (v) => Number(v ?? 0)),
      });
    case "double":
      return A.makeData({
        ...base,
        type: arrow as A.Float64,
        data: Float64Array.from(values, (v) => Number(v ?? 0)),
      });
    case "long":
      return A.makeData({ ...base, type: arrow as A.Int64, data: bigints(values) });
    case "timestamp":
    case "timestamp_ntz":
      return A.makeData({ ...base, type: arrow as A.TimestampMicrosecond, data: bigints(values) });
  }
}

/**
 * An Arrow table of rows, with one column per field (in order) and Arrow types from
 * {@link arrowType}. Values are copied exactly (64-bit integers, microseconds, decimals).
 *
 * @example
 * ```ts
 * const table = rowsToArrow([{ id: 1n }, { id: null }], [{ name: "id", type: "long", nullable: true, metadata: {} }]);
 * table.getChild("id")?.get(0); // 1n
 * ```
 */
export function rowsToArrow(rows: readonly Row[], fields: readonly StructField[]): A.Table {
  const schema = new A.Schema(fields.map(arrowField));
  const children = fields.map((f) => columnData(f.type, rows.map((r) => r[f.name] ?? null)));
  const data = A.makeData({
    type: new A.Struct(schema.fields),
    length: rows.length,
    nullCount: 0,
    children,
  });
  return new A.Table(schema, new A.RecordBatch(schema, data));
}
