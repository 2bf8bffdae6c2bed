/** The Parquet decompressors a file needs, beyond hyparquet's own (uncompressed, snappy): loaded on first need. */
import type { Compressors, FileMetaData } from "hyparquet";

/** Compressed bytes of snappy above which the WebAssembly snappy decoder pays for its loading. */
const LARGE_SNAPPY = 1 << 20;

let loaded: Promise<Compressors> | undefined;

/**
 * The decompressors to read the file `metadata` describes: none (hyparquet's built-in
 * decoders) for an uncompressed or small snappy file, such as the pond's oplog files a
 * small command reads; else hyparquet-compressors (WebAssembly snappy, gzip, brotli, lz4,
 * zstd), imported once, when first needed, so commands that never need it never load it.
 *
 * @example
 * ```ts
 * import { parquetMetadataAsync, parquetReadObjects } from "hyparquet";
 * import { asyncBufferFrom, LocalStore } from "./mod.ts";
 *
 * const file = await asyncBufferFrom(new LocalStore("/data/table"), "part-0000.parquet");
 * const metadata = await parquetMetadataAsync(file);
 * const rows = await parquetReadObjects({ file, metadata, compressors: await decompressorsFor(metadata) });
 * ```
 */
export async function decompressorsFor(metadata: FileMetaData): Promise<Compressors | undefined> {
  let snappy = 0;
  for (const group of metadata.row_groups) {
    for (const { meta_data: column } of group.columns) {
      if (!column || column.codec === "UNCOMPRESSED") continue;
      if (column.codec !== "SNAPPY") return await load();
      snappy += Number(column.total_compressed_size);
    }
  }
  return snappy > LARGE_SNAPPY ? await load() : undefined;
}

function load(): Promise<Compressors> {
  loaded ??= import("hyparquet-compressors").then((m) => m.compressors);
  return loaded;
}
