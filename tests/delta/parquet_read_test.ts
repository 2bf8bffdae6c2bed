/** Data files from other writers' habits: INT96 and other timestamp units, decimal encodings, row groups with DVs. */

import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import { parquetMetadata, type SchemaElement } from "hyparquet";
import { type Action, serializeCommit } from "../../src/delta/actions.ts";
import { readDataFile } from "../../src/delta/parquet_read.ts";
import { LocalStore } from "../../src/delta/storage.ts";
import { openTable } from "../../src/delta/table.ts";
import { int96, parquet } from "./int96.ts";

/** A one-file Delta table with the given Delta schema fields and data file (plus extra add fields). */
async function makeTable(
  dir: string,
  fields: unknown[],
  data: Uint8Array,
  extra: Record<string, unknown> = {},
) {
  await Deno.mkdir(`${dir}/_delta_log`, { recursive: true });
  await Deno.writeFile(`${dir}/data.parquet`, data);
  const actions: Action[] = [
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    {
      metaData: {
        id: "t",
        format: { provider: "parquet", options: {} },
        schemaString: JSON.stringify({ type: "struct", fields }),
        partitionColumns: [],
        configuration: {},
      },
    },
    {
      add: {
        path: "data.parquet",
        partitionValues: {},
        size: data.length,
        modificationTime: 0,
        dataChange: true,
        ...extra,
      },
    },
  ];
  await Deno.writeTextFile(`${dir}/_delta_log/00000000000000000000.json`, serializeCommit(actions));
}

const field = (name: string, type: unknown) => ({ name, type, nullable: true, metadata: {} });

Deno.test("timestamps of every physical form read as microseconds; decimals exactly; types widened", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const schema: SchemaElement[] = [
      { name: "root", num_children: 8 },
      { name: "ts96", type: "FIXED_LEN_BYTE_ARRAY", type_length: 12, repetition_type: "OPTIONAL" },
      {
        name: "tsms",
        type: "INT64",
        converted_type: "TIMESTAMP_MILLIS",
        repetition_type: "OPTIONAL",
      },
      {
        name: "tsns",
        type: "INT64",
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "NANOS" },
        repetition_type: "OPTIONAL",
      },
      {
        name: "d38",
        type: "FIXED_LEN_BYTE_ARRAY",
        type_length: 16,
        converted_type: "DECIMAL",
        precision: 38,
        scale: 2,
        repetition_type: "OPTIONAL",
      },
      {
        name: "d9",
        type: "INT32",
        converted_type: "DECIMAL",
        precision: 9,
        scale: 2,
        repetition_type: "OPTIONAL",
      },
      {
        name: "d18",
        type: "INT64",
        converted_type: "DECIMAL",
        precision: 18,
        scale: 3,
        repetition_type: "OPTIONAL",
      },
      { name: "widened", type: "INT32", repetition_type: "OPTIONAL" },
      { name: "raw_text", type: "BYTE_ARRAY", repetition_type: "OPTIONAL" },
    ];
    const data = parquet(schema, [
      { name: "ts96", data: [int96(1631099471000001n), int96(-1n), null], encoding: "PLAIN" },
      { name: "tsms", data: [1631099471001n, -1n, null] },
      { name: "tsns", data: [1631099471000001999n, -1n, null] },
      {
        name: "d38",
        data: [-12345678901234567890123456789012345678n, 5n, null],
      },
      { name: "d9", data: [-5n, 123456789n, null] },
      { name: "d18", data: [1n, -999999999999999999n, null] },
      { name: "widened", data: [2147483647, -1, null] },
      { name: "raw_text", data: [new TextEncoder().encode("héllo"), new Uint8Array(0), null] },
    ], { int96: ["ts96"] });
    const written = parquetMetadata(data.buffer as ArrayBuffer).schema;
    assert.deepEqual(written.filter((e) => e.type === "INT96").map((e) => e.name), ["ts96"]);
    await makeTable(dir, [
      field("ts96", "timestamp"),
      field("tsms", "timestamp"),
      field("tsns", "timestamp_ntz"),
      field("d38", "decimal(38,2)"),
      field("d9", "decimal(9,2)"),
      field("d18", "decimal(18,3)"),
      field("widened", "long"),
      field("raw_text", "string"),
      field("absent", "integer"),
    ], data);
    const rows = await Array.fromAsync((await (await openTable(dir)).snapshot()).scan().rows());
    assert.deepEqual(rows, [
      {
        ts96: 1631099471000001n,
        tsms: 1631099471001000n,
        tsns: 1631099471000001n,
        d38: "-123456789012345678901234567890123456.78",
        d9: "-0.05",
        d18: "0.001",
        widened: 2147483647n,
        raw_text: "héllo",
        absent: null,
      },
      {
        ts96: -1n,
        tsms: -1000n,
        tsns: -1n,
        d38: "0.05",
        d9: "1234567.89",
        d18: "-999999999999999.999",
        widened: -1n,
        raw_text: "",
        absent: null,
      },
      {
        ts96: null,
        tsms: null,
        tsns: null,
        d38: null,
        d9: null,
        d18: null,
        widened: null,
        raw_text: null,
        absent: null,
      },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A DV file (format version 1) holding one RoaringTreemap of `rows` (all < 65536), at offset 1. */
function dvFile(rows: number[]): { file: Uint8Array; size: number } {
  const out: number[] = [];
  const u16 = (v: number) => out.push(v & 0xff, (v >> 8) & 0xff);
  const u32 = (v: number) =>
    out.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
  u32(1681511377); // magic, little endian
  u32(1), u32(0); // one bucket (u64)
  u32(0); // bucket key
  u32(12346), u32(1); // 32-bit roaring: cookie (no runs), one container
  u16(0), u16(rows.length - 1); // container key, cardinality - 1
  u32(8 + 4 + 4); // offset of the container data within the 32-bit bitmap
  rows.forEach(u16);
  const bitmap = Uint8Array.from(out);
  const file = new Uint8Array(1 + 4 + bitmap.length + 4);
  const view = new DataView(file.buffer);
  file[0] = 1;
  view.setUint32(1, bitmap.length, false);
  file.set(bitmap, 5);
  view.setUint32(5 + bitmap.length, crc32(bitmap) >>> 0, false);
  return { file, size: bitmap.length };
}

Deno.test("rows stream one row group at a time, and deletion vectors index rows across row groups", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ids = [10n, 11n, 12n, 13n, 14n, 15n];
    const data = parquet(
      [{ name: "root", num_children: 1 }, {
        name: "id",
        type: "INT64",
        repetition_type: "REQUIRED",
      }],
      [{ name: "id", data: ids }],
      { rowGroupSize: 2 },
    );
    const dv = dvFile([1, 2, 5]);
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeFile(`${dir}/dv.bin`, dv.file);
    await makeTable(dir, [field("id", "long")], data, {
      stats: JSON.stringify({ numRecords: 6 }),
      deletionVector: {
        storageType: "p",
        pathOrInlineDv: `file://${dir}/dv.bin`,
        offset: 1,
        sizeInBytes: dv.size,
        cardinality: 3,
      },
    });
    const batches = await Array.fromAsync(
      readDataFile(
        new LocalStore(dir),
        "data.parquet",
        data.length,
        [field("id", "long") as never],
        "none",
      ),
    );
    assert.deepEqual(batches.map((b) => [b.firstRowIndex, b.rows.map((r) => r.id)]), [
      [0, [10n, 11n]],
      [2, [12n, 13n]],
      [4, [14n, 15n]],
    ]);
    const rows = await Array.fromAsync((await (await openTable(dir)).snapshot()).scan().rows());
    assert.deepEqual(rows.map((r) => r.id), [10n, 13n, 14n]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
