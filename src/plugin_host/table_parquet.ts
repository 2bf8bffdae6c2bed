/** Tables plugins are handed from Parquet, read within the plugin's table limits. */

import { type Column, flatColumns, tableFromParquet } from "../table/mod.ts";
import type { TableLimits } from "./limits.ts";
import { checkFooter, checkParquetClaims } from "./parquet_pages.ts";

/**
 * The columns of a Parquet file as the table model reads them (see `tableFromParquet`:
 * timestamps as microseconds in UTC), with hyparquet-compressors (loaded on first use); nested
 * columns are refused naming them, and so is a file whose footer hyparquet could not follow
 * (see `checkFooter`) or whose footer or page headers claim more than `limits` allow (see
 * `checkParquetClaims`), before any of it is decoded. `check` runs
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
  const [{ parquetMetadata, snappyUncompress }, { compressors }] = await Promise.all([
    import("hyparquet"),
    import("hyparquet-compressors"),
  ]);
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const file = (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
  checkFooter(new Uint8Array(file));
  // GeoParquet marking walks the schema by each element's child count; -1 there loops forever.
  const metadata = parquetMetadata(file, { geoparquet: false });
  const names = flatColumns(metadata).map((element) => element.name);
  const decompress = (codec: string, data: Uint8Array, size: number): Uint8Array => {
    if (codec === "UNCOMPRESSED") return data;
    const decompressor = compressors[codec as keyof typeof compressors];
    if (decompressor) return decompressor(data, size);
    if (codec !== "SNAPPY") throw new Error(`its pages use the unknown codec ${codec}`);
    const out = new Uint8Array(size);
    snappyUncompress(data, out);
    return out;
  };
  checkParquetClaims(new Uint8Array(file), metadata, names, limits, decompress);
  return await tableFromParquet(file, metadata, { compressors, check });
}
