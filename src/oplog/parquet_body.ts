/** A table's or a series' body must be Parquet: its footer read, or one error saying what it is not. */
import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync } from "hyparquet";
import { OplogError } from "./errors.ts";

/**
 * The Parquet footer of a body that is to be a `file:table` or `file:series`. A body whose
 * footer does not read is `InvalidTable` or `InvalidSeries`, naming `what` and what to do.
 *
 * @example
 * ```ts
 * import { bytesAsBuffer } from "./mod.ts";
 *
 * const body = bytesAsBuffer(await Deno.readFile("readings.csv"));
 * await parquetFooter(body, "host:readings.csv", "table"); // throws InvalidTable: a CSV is not Parquet
 * ```
 */
export async function parquetFooter(
  file: AsyncBuffer,
  what: string,
  kind: "table" | "series",
): Promise<FileMetaData> {
  try {
    return await parquetMetadataAsync(file);
  } catch (e) {
    throw new OplogError(
      kind === "table" ? "InvalidTable" : "InvalidSeries",
      `${what} is not a Parquet file, so it cannot be a ${kind}; copy it with --type data`,
      { cause: e },
    );
  }
}
