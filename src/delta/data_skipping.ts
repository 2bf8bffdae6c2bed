/** Data skipping: deciding from partition values and per-file statistics that a file cannot match a predicate. */

import type { AddFile } from "./actions.ts";
import { type BoundPredicate, negationNormalForm, satisfies } from "./predicate.ts";
import { type ColumnMappingMode, type DataType, physicalName, type StructField } from "./schema.ts";
import { parsePartitionValue } from "./partition_values.ts";
import { compareValues, parseDate, parseTimestamp, shortestFloat32, type Value } from "./values.ts";

/** What a file is known to hold in one column. */
interface ColumnBounds {
  /** A value at most the smallest non-null value (absent: unknown). */
  min?: Value;
  /** A value at least the largest non-null value (absent: unknown); see `maxIsPrefix`. */
  max?: Value;
  /** `max` is a string that may have been cut: values may extend it (`"abc"` bounds `"abcz"`). */
  maxIsPrefix?: boolean;
  /** Every row is null in this column. */
  allNull?: boolean;
  /** No row is null in this column. */
  noNulls?: boolean;
}

/** The parsed `add.stats`, with values still as JSON source text where precision matters. */
interface ParsedStats {
  numRecords?: number;
  minValues?: Record<string, unknown>;
  maxValues?: Record<string, unknown>;
  nullCount?: Record<string, unknown>;
}

/** JSON numbers are kept as their source text (long and decimal bounds need every digit). */
class NumberText {
  constructor(readonly text: string) {}
}

function parseStats(stats: string | null | undefined): ParsedStats | null {
  if (!stats) return null;
  try {
    const parsed = JSON.parse(
      stats,
      (_key, value, context?: { source?: string }) =>
        typeof value === "number" && context?.source !== undefined
          ? new NumberText(context.source)
          : value,
    );
    return typeof parsed === "object" && parsed !== null ? parsed : null;
  } catch {
    return null;
  }
}

function asNumber(v: unknown): number | undefined {
  if (v instanceof NumberText) return Number(v.text);
  return typeof v === "number" ? v : undefined;
}

/** The typed bound of a statistics value, or `undefined` when it cannot be used. */
function statValue(v: unknown, type: DataType, isMax: boolean): Value | undefined {
  if (v === null || v === undefined) return undefined;
  try {
    if (typeof type === "object") {
      return type.type === "decimal" && v instanceof NumberText ? v.text : undefined;
    }
    switch (type) {
      case "byte":
      case "short":
      case "integer":
      case "double":
        return asNumber(v);
      case "float": {
        const n = asNumber(v);
        return n === undefined ? undefined : shortestFloat32(Math.fround(n));
      }
      case "long":
        return v instanceof NumberText && /^-?\d+$/.test(v.text) ? BigInt(v.text) : undefined;
      case "string":
        return typeof v === "string" ? v : undefined;
      case "date":
        return typeof v === "string" ? parseDate(v.slice(0, 10)) : undefined;
      case "timestamp":
      case "timestamp_ntz":
        // Timestamp statistics are truncated to milliseconds: widen the maximum by 999 µs.
        return typeof v === "string" ? parseTimestamp(v) + (isMax ? 999n : 0n) : undefined;
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/**
 * What a file is known to hold in one top-level column: its exact partition value, or the
 * bounds in its statistics (keyed by physical name under column mapping). `undefined` when
 * nothing is known.
 */
function columnBounds(
  add: AddFile,
  field: StructField,
  mode: ColumnMappingMode,
  partitionColumns: ReadonlySet<string>,
  stats: ParsedStats | null,
): ColumnBounds | undefined {
  const key = physicalName(field, mode);
  if (partitionColumns.has(field.name)) {
    const raw = key in add.partitionValues
      ? add.partitionValues[key]
      : add.partitionValues[field.name];
    const value = parsePartitionValue(raw, field.type, field.name, add.path);
    return value === null ? { allNull: true } : { min: value, max: value, noNulls: true };
  }
  if (stats === null) return undefined;
  const bounds: ColumnBounds = {};
  const nulls = asNumber(stats.nullCount?.[key]);
  const records = asNumber(stats.numRecords);
  if (nulls !== undefined) {
    bounds.noNulls = nulls === 0;
    bounds.allNull = records !== undefined && nulls === records;
  }
  const min = statValue(stats.minValues?.[key], field.type, false);
  const max = statValue(stats.maxValues?.[key], field.type, true);
  if (min !== undefined) bounds.min = min;
  if (max !== undefined) {
    bounds.max = max;
    bounds.maxIsPrefix = field.type === "string";
  }
  return bounds;
}

/** Whether some value within `bounds` could satisfy `value op literal`. */
function comparisonMayMatch(
  op: BoundPredicate["op"],
  type: DataType,
  bounds: ColumnBounds,
  literal: Value,
): boolean {
  if (literal === null || bounds.allNull) return false;
  const { min, max } = bounds;
  const cmp = (a: Value, b: Value) => compareValues(type, a, b);
  // Some value could be >= literal (or > when strict), given a possibly cut string maximum.
  const reachesUp = (strict: boolean) => {
    if (max === undefined || max === null) return true;
    const order = cmp(max, literal);
    if (Number.isNaN(order) || (strict ? order > 0 : order >= 0)) return true;
    return bounds.maxIsPrefix === true && typeof literal === "string" &&
      literal.startsWith(max as string);
  };
  const reachesDown = (strict: boolean) => {
    if (min === undefined || min === null) return true;
    const order = cmp(min, literal);
    return Number.isNaN(order) || (strict ? order < 0 : order <= 0);
  };
  switch (op) {
    case "=":
      return reachesDown(false) && reachesUp(false);
    case "!=":
      if (min === undefined || max === undefined || bounds.maxIsPrefix) return true;
      return !(satisfies("=", cmp(min, literal)) && satisfies("=", cmp(max, literal)));
    case "<":
      return reachesDown(true);
    case "<=":
      return reachesDown(false);
    case ">":
      return reachesUp(true);
    case ">=":
      return reachesUp(false);
    default:
      return true;
  }
}

/** `mayMatch` on a predicate in negation normal form. */
function mayMatchNormal(
  predicate: BoundPredicate,
  bounds: (field: StructField) => ColumnBounds | undefined,
): boolean {
  switch (predicate.op) {
    case "and":
      return predicate.args.every((p) => mayMatchNormal(p, bounds));
    case "or":
      return predicate.args.some((p) => mayMatchNormal(p, bounds));
    case "not":
      return true;
    case "isNull":
      return bounds(predicate.field)?.noNulls !== true;
    case "isNotNull":
      return bounds(predicate.field)?.allNull !== true;
    default: {
      const b = bounds(predicate.field);
      return b === undefined ||
        comparisonMayMatch(predicate.op, predicate.field.type, b, predicate.value);
    }
  }
}

/**
 * Whether a file may hold rows matching `predicate`, judged from its partition values and
 * statistics only. `false` means it certainly holds none and need not be read; `true` means
 * it must be read (rows are still filtered exactly).
 *
 * @example
 * ```ts
 * import { LocalStore, Table, bindPredicate, eq } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * const bound = bindPredicate(eq("id", 3), snapshot.schema);
 * const files = snapshot.files().filter((f) => fileMayMatch(f, bound, "none", new Set(snapshot.partitionColumns)));
 * ```
 */
export function fileMayMatch(
  add: AddFile,
  predicate: BoundPredicate,
  mode: ColumnMappingMode,
  partitionColumns: ReadonlySet<string>,
): boolean {
  const stats = parseStats(add.stats);
  const cache = new Map<StructField, ColumnBounds | undefined>();
  const bounds = (field: StructField) => {
    if (!cache.has(field)) {
      cache.set(field, columnBounds(add, field, mode, partitionColumns, stats));
    }
    return cache.get(field);
  };
  return mayMatchNormal(negationNormalForm(predicate), bounds);
}
