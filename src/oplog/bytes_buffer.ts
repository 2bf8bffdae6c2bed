/** Bytes in memory as a hyparquet `AsyncBuffer`: Parquet footers and columns of an inline body read by byte range. */
import type { AsyncBuffer } from "hyparquet";

/**
 * Presents bytes in memory as an `AsyncBuffer`.
 *
 * @example
 * ```ts
 * import { parquetMetadataAsync } from "hyparquet";
 *
 * const body = await Deno.readFile("/tmp/a.parquet");
 * const metadata = await parquetMetadataAsync(bytesAsBuffer(body));
 * ```
 */
export function bytesAsBuffer(bytes: Uint8Array): AsyncBuffer {
  return {
    byteLength: bytes.length,
    slice: (start: number, end?: number) => bytes.slice(start, end).buffer as ArrayBuffer,
  };
}
