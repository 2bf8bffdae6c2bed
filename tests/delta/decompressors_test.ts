/** Parquet files read whatever their codec: hyparquet's own decoders for small snappy files, the loaded decompressors for the rest. */
import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { decompressorsFor } from "../../src/delta/mod.ts";

Deno.test("decompressorsFor loads the decompressors only for a codec hyparquet lacks or a large snappy file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pond-codecs-" });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const write = (name: string, rows: number, codec: string) =>
      connection.run(
        `COPY (SELECT i, md5(i::VARCHAR) AS h FROM range(${rows}) t(i)) TO '${dir}/${name}' ` +
          `(FORMAT parquet, COMPRESSION ${codec})`,
      );
    await write("small.parquet", 100, "snappy");
    await write("plain.parquet", 100, "uncompressed");
    await write("zstd.parquet", 100, "zstd");
    await write("gzip.parquet", 100, "gzip");
    await write("large.parquet", 100_000, "snappy");
    const read = async (name: string) => {
      const file = (await Deno.readFile(`${dir}/${name}`)).buffer;
      const metadata = await parquetMetadataAsync(file);
      const compressors = await decompressorsFor(metadata);
      const rows = await parquetReadObjects({ file, metadata, compressors });
      return { loaded: compressors !== undefined, rows: rows.length, last: rows.at(-1)?.h };
    };
    const md5 = (i: number) =>
      connection.run(`SELECT md5('${i}')`).then((r) => r.getRows())
        .then((rows) => rows[0][0]);
    for (
      const [name, loaded, rows] of [
        ["small.parquet", false, 100],
        ["plain.parquet", false, 100],
        ["zstd.parquet", true, 100],
        ["gzip.parquet", true, 100],
        ["large.parquet", true, 100_000],
      ] as const
    ) {
      assert.deepEqual(await read(name), { loaded, rows, last: await md5(rows - 1) }, name);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    await Deno.remove(dir, { recursive: true });
  }
});
