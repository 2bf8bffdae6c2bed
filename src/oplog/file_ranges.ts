/** A file on disk, or bytes in memory, as a hyparquet `AsyncBuffer`: Parquet footers and columns read by byte range. */
import type { AsyncBuffer } from "hyparquet";

/**
 * Presents the file at `path` (`size` bytes) as an `AsyncBuffer`, opening it for each range
 * read, so that only the ranges asked for are read.
 *
 * @example
 * ```ts
 * import { parquetMetadataAsync } from "hyparquet";
 *
 * const { size } = await Deno.stat("/tmp/a.parquet");
 * const metadata = await parquetMetadataAsync(fileByteRanges("/tmp/a.parquet", size));
 * ```
 */
export function fileByteRanges(path: string, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      const file = await Deno.open(path, { read: true });
      try {
        await file.seek(start, Deno.SeekMode.Start);
        const buf = new Uint8Array(Math.max(0, Math.min(end, size) - start));
        for (let at = 0; at < buf.length;) {
          const n = await file.read(buf.subarray(at));
          if (n === null) break;
          at += n;
        }
        return buf.buffer;
      } finally {
        file.close();
      }
    },
  };
}

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
