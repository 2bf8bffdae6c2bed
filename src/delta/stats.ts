/** Per-file statistics (`add.stats`): numRecords and per-column minValues, maxValues, nullCount. */

import type { NormalizedBatch } from "./parquet_write.ts";
import type { DataType, StructType } from "./schema.ts";
import {
  compareValues,
  decimalFromUnscaled,
  formatDate,
  formatTimestamp,
  shortestFloat32,
} from "./values.ts";

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
 *
 * @example
 * ```ts
 * serializeStats({ numRecords: 1, minValues: { d: new JsonNumber("0.10") }, maxValues: {}, nullCount: {} }); // ..."d":0.10...
 * ```
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

/** Microseconds since the epoch as ISO-8601 truncated to milliseconds, with or without `Z`. */
function timestampText(micros: bigint, utc: boolean): string {
  const floored = micros - (((micros % 1000n) + 1000n) % 1000n);
  const text = formatTimestamp(floored).slice(0, -3);
  return utc ? `${text}Z` : text;
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
    ? (a: unknown, b: unknown) => compareValues("string", a as string, b as string) < 0
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
      return new JsonNumber(decimalFromUnscaled(v as bigint, (type as { scale: number }).scale));
    }
    switch (type) {
      case "string":
        return truncateString(v as string, isMax, prefixLength);
      case "long":
        return new JsonNumber((v as bigint).toString());
      case "float":
        return new JsonNumber(String(shortestFloat32(v as number)));
      case "date":
        return formatDate(v as number);
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
 * import { LocalStore, Table } from "./mod.ts";
 * import { normalizeColumns } from "./parquet_write.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * const { schema } = snapshot;
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
