/** Data files of a write: rows split by partition values, uniquely named files, and the `add` actions that publish them. */

import type { AddFile, Metadata } from "./actions.ts";
import { DeltaError } from "./errors.ts";
import {
  type Columns,
  encodeParquet,
  normalizeColumns,
  type NormalizedBatch,
} from "./parquet_write.ts";
import { type DataType, parseSchema, type StructType } from "./schema.ts";
import { fileStats, serializeStats } from "./stats.ts";
import type { Store } from "./storage.ts";
import { decimalFromUnscaled, formatDate, formatTimestamp, shortestFloat32 } from "./values.ts";

/** The directory name Hive and Spark use for a null partition value. */
export const HIVE_NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__";

/** New data files, not yet committed: their `add` actions and how many rows they hold. */
export interface WrittenFiles {
  adds: AddFile[];
  numRows: number;
}

/** Options of {@link writeDataFiles}. */
export interface WriteFilesOptions {
  /** Leaf columns that get statistics (`delta.dataSkippingNumIndexedCols`, default 32). */
  numIndexedCols?: number;
  /** `modificationTime` of the new files (default: now). */
  now?: number;
  /** Rows per Parquet row group (default 100,000). */
  rowGroupSize?: number;
}

/**
 * A normalized partition value as the protocol serializes it in `partitionValues`: numbers as
 * text, dates `YYYY-MM-DD`, timestamps ISO-8601 in UTC with microseconds and `Z`, timestamp_ntz
 * `YYYY-MM-DD HH:MM:SS.ffffff`, decimals with their scale; null (and the empty string) as null.
 *
 * @example
 * ```ts
 * partitionValueText("timestamp", 1631099471500000n); // "2021-09-08T11:11:11.500000Z"
 * ```
 */
export function partitionValueText(type: DataType, value: unknown): string | null {
  if (value === null || value === "") return null;
  if (typeof type === "object") {
    if (type.type === "decimal") return decimalFromUnscaled(value as bigint, type.scale);
    throw new DeltaError("InvalidArgument", `a ${type.type} column cannot be a partition column`);
  }
  switch (type) {
    case "date":
      return formatDate(value as number);
    case "timestamp":
      return `${formatTimestamp(value as bigint)}Z`;
    case "timestamp_ntz":
      return formatTimestamp(value as bigint).replace("T", " ");
    case "float":
      return String(shortestFloat32(value as number));
    case "binary":
      throw new DeltaError("InvalidArgument", "a binary column cannot be a partition column");
    default:
      return String(value);
  }
}

/** Characters Hive escapes in partition directory names (as `%XX`), besides control characters. */
const HIVE_ESCAPED = new Set(`"#%'*/:=?\\\u007f{[]^`);

/** A partition column name or value with the characters Hive escapes written `%XX`. */
function hiveEscape(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    out += code < 0x20 || HIVE_ESCAPED.has(c)
      ? `%${code.toString(16).toUpperCase().padStart(2, "0")}`
      : c;
  }
  return out;
}

/**
 * The Hive-style directory of one partition column: `column=value`, with the characters Hive
 * escapes written `%XX`, and null as `__HIVE_DEFAULT_PARTITION__`.
 *
 * @example
 * ```ts
 * partitionDirectory("ts", "2021-09-08 11:11:11"); // "ts=2021-09-08 11%3A11%3A11"
 * ```
 */
export function partitionDirectory(column: string, value: string | null): string {
  return `${hiveEscape(column)}=${value === null ? HIVE_NULL_PARTITION : hiveEscape(value)}`;
}

/**
 * URI-encodes a table-relative path for an action's `path`, exactly once (`%` becomes `%25`,
 * a space `%20`, and `?`/`#` are escaped; `/` stays).
 *
 * @example
 * ```ts
 * encodePath("ts=2021-09-08 11%3A11%3A11/part-0.parquet"); // "ts=2021-09-08%2011%253A11%253A11/part-0.parquet"
 * ```
 */
export function encodePath(path: string): string {
  return encodeURI(path).replace(/[?#]/g, (c) => (c === "?" ? "%3F" : "%23"));
}

/** The values of `batch` at the given row indexes (every column). */
function selectRows(batch: NormalizedBatch, rows: number[]): NormalizedBatch {
  const columns = new Map<string, unknown[]>();
  for (const [name, values] of batch.columns) columns.set(name, rows.map((i) => values[i]));
  return { numRows: rows.length, columns };
}

/** The table schema without its partition columns: what the data files hold. */
function dataSchema(schema: StructType, partitionColumns: readonly string[]): StructType {
  return {
    type: "struct",
    fields: schema.fields.filter((f) => !partitionColumns.includes(f.name)),
  };
}

/**
 * Writes `columns` (every column of the table's schema, partition columns included) as new
 * data files: one uniquely named Parquet file per distinct combination of partition values, in
 * Hive-style directories, each written completely (and fsynced) before it is returned as an
 * `add` action with its stats. Writes nothing for zero rows. The files are not part of the
 * table until a commit publishes the returned actions.
 *
 * @example
 * ```ts
 * import { LocalStore, TableWriter } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const writer = await TableWriter.open(store);
 * const state = writer.state;
 * const { adds } = await writeDataFiles(store, state.metadata, { day: ["2024-01-01"], value: [1.5] });
 * ```
 */
export async function writeDataFiles(
  store: Store,
  metadata: Metadata,
  columns: Columns,
  options: WriteFilesOptions = {},
): Promise<WrittenFiles> {
  const schema = parseSchema(metadata.schemaString);
  const partitionColumns = metadata.partitionColumns;
  const partitionFields = partitionColumns.map((name) => {
    const field = schema.fields.find((f) => f.name === name);
    if (field === undefined) {
      throw new DeltaError(
        "CorruptLog",
        `partition column ${JSON.stringify(name)} is not in the table schema`,
      );
    }
    return field;
  });
  const batch = normalizeColumns(schema, columns);
  if (batch.numRows === 0) return { adds: [], numRows: 0 };
  const groups = new Map<string, { values: Record<string, string | null>; rows: number[] }>();
  for (let i = 0; i < batch.numRows; i++) {
    const values: Record<string, string | null> = {};
    for (const f of partitionFields) {
      values[f.name] = partitionValueText(f.type, batch.columns.get(f.name)![i]);
    }
    const key = JSON.stringify(partitionColumns.map((c) => values[c]));
    const group = groups.get(key);
    if (group) group.rows.push(i);
    else groups.set(key, { values, rows: [i] });
  }
  const fileSchema = dataSchema(schema, partitionColumns);
  const now = options.now ?? Date.now();
  const adds: AddFile[] = [];
  const puts: Promise<void>[] = [];
  let part = 0;
  for (const { values, rows } of groups.values()) {
    const selected = groups.size === 1 ? batch : selectRows(batch, rows);
    const bytes = await encodeParquet(fileSchema, selected, { rowGroupSize: options.rowGroupSize });
    const stats = fileStats(fileSchema, selected, { numIndexedCols: options.numIndexedCols });
    const dirs = partitionColumns.map((c) => `${partitionDirectory(c, values[c])}/`).join("");
    const name = `part-${
      String(part++).padStart(5, "0")
    }-${crypto.randomUUID()}-c000.snappy.parquet`;
    const path = `${dirs}${name}`;
    puts.push(store.put(path, bytes));
    adds.push({
      path: encodePath(path),
      partitionValues: values,
      size: bytes.length,
      modificationTime: now,
      dataChange: true,
      stats: serializeStats(stats),
    });
  }
  // The files are written (and fsynced) at once, not one after another: each is durable before
  // this returns either way, and their fsyncs overlap. All are settled before a failure is thrown,
  // so no write is still running when the caller sees it.
  const failed = (await Promise.allSettled(puts)).find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return { adds, numRows: batch.numRows };
}
