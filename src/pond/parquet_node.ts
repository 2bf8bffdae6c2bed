/** Which nodes hold rows as Parquet: tables, series, and dynamic files computed as tables. */
import type { EntryType } from "../tinyfs/mod.ts";

/**
 * Whether the node at `path` reads as Parquet rows: a `file:table` or `file:series`, or a
 * `file:dynamic` named `*.parquet` (a plugin's computed table, e.g. `sql-derived`'s), which
 * `cat --rows`, `describe` and SQL read like a table.
 *
 * @example
 * ```ts
 * isParquetNode("/daily.parquet", "file:dynamic"); // true
 * isParquetNode("/all.csv", "file:dynamic");       // false
 * ```
 */
export function isParquetNode(path: string, entryType: EntryType): boolean {
  return entryType === "file:table" || entryType === "file:series" ||
    (entryType === "file:dynamic" && path.toLowerCase().endsWith(".parquet"));
}
