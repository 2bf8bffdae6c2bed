/** Per-file statistics (`add.stats`): numRecords and per-column minValues, maxValues, nullCount. */

import type { NormalizedBatch } from "./parquet_write.ts";
import type { DataType, StructType } from "./schema.ts";

/** Options of {@link fileStats}. */
export interface StatsOptions {
  /**
   * How many leaf columns (in schema order, struct fields expanded) get statistics, as the
   * table property `delta.dataSkippingNumIndexedCols` (default 32; -1 for all).
   */
  numIndexedCols?: number;
  /** Strings longer than this many code points are cut in minValues/maxValues (default 32). */
  stringPrefixLength?: number;
}

/**
 * A JSON number written verbatim (longs beyond 2^53 and decimals keep every digit).
 * Appears inside {@link FileStats} min/max values.
 */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** A stats value: JSON scalars, verbatim numbers, or nested objects for struct columns. */
export type StatsValue = string | number | JsonNumber | { [name: string]: StatsValue };

/** The statistics of one data file, as Delta writes them in `add.stats`. */
export interface FileStats {
  numRecords: number;
  minValues: Record<string, StatsValue>;
  maxValues: Record<string, StatsValue>;
  nullCount: Record<string, StatsValue>;
}

const DAY_MS = 86_400_000;

/** Compares two strings by code point (the order of their UTF-8 bytes), not UTF-16 units. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF: sort them after 0xE000-0xFFFF.
    if (x >= 0xd800) x += x <= 0xdfff ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y <= 0xdfff ? 0x2000 : -0x800;
    return x - y;
  }
  return a.length - b.length;
}

/** The shortest decimal text that reads back as the same 32-bit float. */
function float32Text(v: number): string {
  for (let p = 1; p < 9; p++) {
    const text = v.toPrecision(p);
    if (Math.fround(Number(text)) === v) return String(Number(text));
  }
  return String(v);
}

/** An unscaled decimal as JSON number text with `scale` fractional digits. */
function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Microseconds since the epoch as ISO-8601 truncated to milliseconds, with or without `Z`. */
function timestampText(micros: bigint, utc: boolean): string {
  const ms = Number(micros / 1000n) - (micros % 1000n < 0n ? 1 : 0);
  const iso = new Date(ms).toISOString();
  return utc ? iso : iso.slice(0, -1);
}

/** Cuts a min string to a prefix; a max string to a prefix that still sorts after it (or keeps it). */
function truncateString(s: string, isMax: boolean, length: number): string {
  const points = Array.from(s);
  if (points.length <= length) return s;
  const prefix = points.slice(0, length).join("");
  if (!isMax) return prefix;
  // prefix + U+10FFFF sorts after every string starting with prefix, unless the next one is U+10FFFF.
  return points[length] === "\u{10ffff}" ? s : `${prefix}\u{10ffff}`;
}

/** The min and max of one leaf column's normalized values, as stats values, or undefined. */
function minMax(
  type: DataType,
  values: unknown[],
  prefixLength: number,
): [StatsValue, StatsValue] | undefined {
  let min: unknown;
  let max: unknown;
  const less = typeof type === "string" && type === "string"
    ? (a: unknown, b: unknown) => compareCodePoints(a as string, b as string) < 0
    : (a: unknown, b: unknown) => (a as number | bigint) < (b as number | bigint);
  for (const v of values) {
    if (v === null) continue;
    if (typeof v === "number" && !Number.isFinite(v)) return undefined; // NaN/±Infinity: no bounds
    if (min === undefined || less(v, min)) min = v;
    if (max === undefined || less(max, v)) max = v;
  }
  if (min === undefined) return undefined;
  const show = (v: unknown, isMax: boolean): StatsValue => {
    if (typeof type !== "string") {
      return new JsonNumber(decimalText(v as bigint, (type as { scale: number }).scale));
    }
    switch (type) {
      case "string":
        return truncateString(v as string, isMax, prefixLength);
      case "long":
        return new JsonNumber((v as bigint).toString());
      case "float":
        return new JsonNumber(float32Text(v as number));
      case "date":
        return new Date((v as number) * DAY_MS).toISOString().slice(0, 10);
      case "timestamp":
        return timestampText(v as bigint, true);
      case "timestamp_ntz":
        return timestampText(v as bigint, false);
      default:
        return v as number;
    }
  };
  return [show(min, false), show(max, true)];
}

/** Types whose min/max Delta records (booleans, binary and nested collections get only nullCount). */
function hasBounds(type: DataType): boolean {
  if (typeof type === "string") return type !== "boolean" && type !== "binary";
  return type.type === "decimal";
}

/**
 * Computes the statistics of a file from the normalized values written to it. Min/max are
 * recorded for numbers, decimals, strings (cut to a 32-code-point prefix), dates and
 * timestamps (truncated to milliseconds); nullCount for every column; struct columns nest.
 *
 * @example
 * ```ts
 * serializeStats(fileStats(schema, normalizeColumns(schema, { id: [3, 1, null] }))); // '{"numRecords":3,"minValues":{"id":1},"maxValues":{"id":3},"nullCount":{"id":1}}'
 * ```
 */
export function fileStats(
  schema: StructType,
  batch: NormalizedBatch,
  options: StatsOptions = {},
): FileStats {
  const limit = options.numIndexedCols ?? 32;
  const prefixLength = options.stringPrefixLength ?? 32;
  let leaves = 0;
  const stats: FileStats = {
    numRecords: batch.numRows,
    minValues: {},
    maxValues: {},
    nullCount: {},
  };

  const visit = (
    struct: StructType,
    rows: unknown[][],
    min: Record<string, StatsValue>,
    max: Record<string, StatsValue>,
    nulls: Record<string, StatsValue>,
  ) => {
    struct.fields.forEach((field, i) => {
      if (limit >= 0 && leaves >= limit) return;
      const values = rows[i];
      if (typeof field.type === "object" && field.type.type === "struct") {
        const inner = field.type;
        const children = inner.fields.map((f) =>
          values.map((v) => v === null ? null : (v as Record<string, unknown>)[f.name])
        );
        const [cMin, cMax, cNulls] = [{}, {}, {}] as Record<string, StatsValue>[];
        visit(inner, children, cMin, cMax, cNulls);
        if (Object.keys(cMin).length > 0) min[field.name] = cMin;
        if (Object.keys(cMax).length > 0) max[field.name] = cMax;
        if (Object.keys(cNulls).length > 0) nulls[field.name] = cNulls;
        return;
      }
      leaves++;
      nulls[field.name] = values.reduce((n: number, v) => (v === null ? n + 1 : n), 0);
      const bounds = hasBounds(field.type) ? minMax(field.type, values, prefixLength) : undefined;
      if (bounds) [min[field.name], max[field.name]] = bounds;
    });
  };
  visit(
    schema,
    schema.fields.map((f) => batch.columns.get(f.name) ?? []),
    stats.minValues,
    stats.maxValues,
    stats.nullCount,
  );
  return stats;
}

function statsJson(value: StatsValue | number): string {
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === "object") {
    return `{${
      Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${statsJson(v)}`).join(",")
    }}`;
  }
  return JSON.stringify(value);
}

/**
 * Serializes file statistics to the JSON string stored in `add.stats`, keeping every digit of
 * longs and decimals.
 *
 * @example
 * ```ts
 * serializeStats({ numRecords: 1, minValues: { n: new JsonNumber("9007199254740993") }, maxValues: {}, nullCount: { n: 0 } });
 * // '{"numRecords":1,"minValues":{"n":9007199254740993},"maxValues":{},"nullCount":{"n":0}}'
 * ```
 */
export function serializeStats(stats: FileStats): string {
  return statsJson({
    numRecords: stats.numRecords,
    minValues: stats.minValues,
    maxValues: stats.maxValues,
    nullCount: stats.nullCount,
  });
}
