/** The event-time range of a series version: its Parquet body's first timestamp column, min to max. */
import { type AsyncBuffer, parquetReadObjects, parquetSchema } from "hyparquet";
import type { FileMetaData } from "hyparquet";
import { decompressorsFor } from "../delta/mod.ts";
import type { EventTimes } from "../tinyfs/mod.ts";
import { OplogError } from "./errors.ts";
import { parquetFooter } from "./parquet_body.ts";

const TIMESTAMP_CONVERTED = new Set(["TIMESTAMP_MILLIS", "TIMESTAMP_MICROS"]);

/**
 * The name of the time column of a Parquet file: its first top-level column of a timestamp
 * type, or undefined when it has none.
 *
 * @example
 * ```ts
 * import { parquetMetadataAsync } from "hyparquet";
 * import { LocalStore, asyncBufferFrom } from "../delta/mod.ts";
 *
 * const store = new LocalStore("/data/pond/oplog");
 * const file = await asyncBufferFrom(store, "part-0.parquet");
 * timeColumn(await parquetMetadataAsync(file)); // "timestamp"
 * ```
 */
export function timeColumn(metadata: FileMetaData): string | undefined {
  return parquetSchema(metadata).children.map((c) => c.element).find((e) =>
    e.logical_type?.type === "TIMESTAMP" || TIMESTAMP_CONVERTED.has(e.converted_type ?? "") ||
    e.type === "INT96"
  )?.name;
}

/**
 * The earliest and latest event time of a series body (ms since the epoch, the earliest
 * rounded down and the latest up), from row-group statistics where the writer kept them and
 * from the column itself where not; undefined for a body without rows. A body that is not
 * Parquet, or has no timestamp column, is `InvalidSeries` (`what` names it in the message).
 *
 * @example
 * ```ts
 * import { LocalStore, asyncBufferFrom } from "../delta/mod.ts";
 *
 * const store = new LocalStore("/data/pond/oplog");
 * const asyncBuffer = await asyncBufferFrom(store, "part-0.parquet");
 * const range = await seriesEventTimes(asyncBuffer, "/sensors/north.series");
 * ```
 */
export async function seriesEventTimes(
  file: AsyncBuffer,
  what: string,
): Promise<EventTimes | undefined> {
  const metadata = await parquetFooter(file, what, "series");
  const column = timeColumn(metadata);
  const compressors = await decompressorsFor(metadata);
  if (column === undefined) {
    throw new OplogError(
      "InvalidSeries",
      `${what} has no timestamp column, so it cannot be a series; copy it with --type table`,
    );
  }
  let min = Infinity, max = -Infinity, rowStart = 0;
  for (const group of metadata.row_groups) {
    const rows = Number(group.num_rows);
    const stats = group.columns.find((c) => c.meta_data?.path_in_schema[0] === column)?.meta_data
      ?.statistics;
    const [low, high] = [
      millis(stats?.min_value ?? stats?.min),
      millis(stats?.max_value ?? stats?.max),
    ];
    if (low !== undefined && high !== undefined) {
      min = Math.min(min, low);
      max = Math.max(max, high);
    } else if (rows > 0) {
      const values = await parquetReadObjects({
        file,
        metadata,
        columns: [column],
        rowStart,
        rowEnd: rowStart + rows,
        compressors,
      });
      for (const row of values) {
        const t = millis(row[column]);
        if (t === undefined) continue;
        min = Math.min(min, t);
        max = Math.max(max, t);
      }
    }
    rowStart += rows;
  }
  return min <= max ? { min: Math.floor(min), max: Math.ceil(max) } : undefined;
}

function millis(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "bigint") return Number(v) / 1000;
  return undefined;
}
