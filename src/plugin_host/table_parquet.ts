/** Tables plugins are handed from Parquet, read within the plugin's table limits. */

import { type Column, flatColumns, tableFromParquet } from "../table/mod.ts";
import type { TableLimits } from "./limits.ts";
import { checkParquetClaims } from "./parquet_pages.ts";

/**
 * The columns of a Parquet file as the table model reads them (see `tableFromParquet`:
 * timestamps as microseconds in UTC), with hyparquet-compressors (loaded on first use); nested
 * columns are refused naming them, and so is a file whose footer or page headers claim more
 * than `limits` allow (see `checkParquetClaims`), before any of it is decoded. `check` runs
 * before each row group is decoded and after the last (a deadline's check), and may throw to stop.
 *
 * @example
 * ```ts
 * import { tableLimits } from "./limits.ts";
 *
 * const bytes = await Deno.readFile("readings.parquet");
 * const [time, value] = await parquetToTable(bytes, tableLimits(256)); // { name: "time", type: "timestamp[us, UTC]", values: [1700000000000000n…] }
 * ```
 */
export async function parquetToTable(
  bytes: Uint8Array,
  limits: TableLimits,
  check: () => void = () => {},
): Promise<Column[]> {
  const [{ parquetMetadata }, { compressors }] = await Promise.all([
    import("hyparquet"),
    import("hyparquet-compressors"),
  ]);
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const file = (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
  const metadata = parquetMetadata(file);
  const names = flatColumns(metadata).map((element) => element.name);
  checkParquetClaims(new Uint8Array(file), metadata, names, limits);
  return await tableFromParquet(file, metadata, { compressors, check });
}
