/** The table model through Parquet: every column type there and back, timestamps of every unit and writer as microseconds in UTC. */

import assert from "node:assert/strict";
import { parquetMetadata, parquetSchema, type SchemaElement } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { isPondError } from "../../src/errors.ts";
import {
  type Column,
  flatColumns,
  STORED_TIMESTAMP,
  type Table,
  tableFromParquet,
  tableToParquet,
} from "../../src/table/mod.ts";
import { duckdb } from "../delta/fixtures_write/helpers.ts";
import { int96, parquet } from "../delta/int96.ts";

/** The table in `bytes`, read back by the table model. */
async function read(bytes: Uint8Array): Promise<Column[]> {
  const file = bytes.slice().buffer;
  return await tableFromParquet(file, parquetMetadata(file));
}

/** A column's values as a plain array, for comparing typed arrays with arrays. */
function plain(column: Column): unknown[] {
  return Array.from(column.values);
}

const T0 = 1_780_272_000_000_123n; // 2026-06-01T00:00:00.000123Z in microseconds

/** One column of every type the model has, each with a null (and required ones without). */
const EVERY_TYPE: Table = [
  { name: "bool", type: "bool", values: [true, null, false] },
  { name: "int8", type: "int8", values: [-128, null, 127] },
  { name: "int16", type: "int16", values: [-32768, null, 32767] },
  { name: "int32", type: "int32", values: [-2147483648, null, 2147483647] },
  { name: "int64", type: "int64", values: [-(2n ** 63n), null, 2n ** 63n - 1n] },
  { name: "uint8", type: "uint8", values: [0, null, 255] },
  { name: "uint16", type: "uint16", values: [0, null, 65535] },
  { name: "uint32", type: "uint32", values: [0, null, 4294967295] },
  { name: "uint64", type: "uint64", values: [0n, null, 2n ** 64n - 1n] },
  { name: "float32", type: "float32", values: [1.5, null, -0.25] },
  { name: "float64", type: "float64", values: [Math.PI, null, -1e300] },
  { name: "utf8", type: "utf8", values: ["héllo", null, ""] },
  { name: "binary", type: "binary", values: [new Uint8Array([0, 255]), null, new Uint8Array()] },
  { name: "date32", type: "date32", values: [20605, null, -1] },
  { name: "ts", type: STORED_TIMESTAMP, values: [T0, null, -1n] },
  { name: "required", type: "float64", values: new Float64Array([1, 2, 3]), nullable: false },
];

Deno.test("table: every column type comes back from Parquet as it went in, nulls too", async () => {
  const back = await read(await tableToParquet(EVERY_TYPE));
  assert.deepEqual(back.map((c) => [c.name, c.type, c.nullable]), [
    ...EVERY_TYPE.slice(0, -1).map((c) => [c.name, c.type === "uint32" ? "int64" : c.type, true]),
    ["required", "float64", false],
  ]);
  EVERY_TYPE.forEach((column, i) => {
    const values = plain(back[i]);
    if (column.type === "uint32") assert.deepEqual(values, [0n, null, 4294967295n]);
    else assert.deepEqual(values, plain(column), column.name);
  });
});

Deno.test("table: timestamps of every unit, and Dates, are stored as INT64 TIMESTAMP(MICROS, UTC)", async () => {
  const ms = 1_780_272_000_123n;
  const bytes = await tableToParquet([
    { name: "s", type: "timestamp[s]", values: [ms / 1000n] },
    { name: "ms", type: "timestamp[ms, UTC]", values: [ms] },
    { name: "us", type: "timestamp[us]", values: BigInt64Array.of(ms * 1000n + 7n) },
    { name: "ns", type: "timestamp[ns, Europe/Paris]", values: [ms * 1_000_000n + 7_999n] },
    { name: "date", type: "timestamp[ms]", values: [new Date(Number(ms))] },
    { name: "before", type: "timestamp[ns]", values: [-1n] },
  ]);
  const elements = flatColumns(parquetMetadata(bytes.slice().buffer));
  for (const element of elements) {
    assert.equal(element.type, "INT64", element.name);
    assert.deepEqual(
      element.logical_type,
      { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
      element.name,
    );
  }
  const back = await read(bytes);
  assert.ok(back.every((c) => c.type === "timestamp[us, UTC]"));
  assert.deepEqual(back.map((c) => c.values[0]), [
    1_780_272_000_000_000n,
    ms * 1000n,
    ms * 1000n + 7n,
    ms * 1000n + 7n,
    ms * 1000n,
    -1n,
  ]);
});

Deno.test("table: timestamps other writers store in ms, ns or INT96 read back as microseconds in UTC", async () => {
  const us = 1_780_272_000_123_456n;
  const schema: SchemaElement[] = [
    { name: "root", num_children: 4 },
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
      name: "tsus",
      type: "INT64",
      logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
      repetition_type: "OPTIONAL",
    },
  ];
  const bytes = parquet(schema, [
    { name: "ts96", data: [int96(us), null] },
    { name: "tsms", data: [us / 1000n, null] },
    { name: "tsns", data: [us * 1000n + 999n, null] },
    { name: "tsus", data: [us, null] },
  ], { int96: ["ts96"] });
  assert.equal(parquetMetadata(bytes.slice().buffer).schema[1].type, "INT96");
  const back = await read(bytes);
  assert.deepEqual(back.map((c) => [c.name, c.type, plain(c)]), [
    ["ts96", STORED_TIMESTAMP, [us, null]],
    ["tsms", STORED_TIMESTAMP, [us - 456n, null]],
    ["tsns", STORED_TIMESTAMP, [us, null]],
    ["tsus", STORED_TIMESTAMP, [us, null]],
  ]);
});

Deno.test("table: DuckDB's Parquet reads as the model's types, and DuckDB reads the model's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pond-table-" });
  try {
    await duckdb(`COPY (SELECT
        TIMESTAMPTZ '2026-06-01 00:00:00.000123+00' AS tz, TIMESTAMP '2026-06-01 00:00:00' AS naive,
        DATE '2026-06-01' AS day, 1::TINYINT AS i8, 2::SMALLINT AS i16, 3::INTEGER AS i32,
        4::BIGINT AS i64, 5::UTINYINT AS u8, 6::UINTEGER AS u32, 1.5::FLOAT AS f32,
        2.5::DOUBLE AS f64, 'x' AS s, '\\x00\\xFF'::BLOB AS b, true AS flag, 1.25::DECIMAL(5,2) AS dec
      ) TO '${dir}/duck.parquet' (FORMAT parquet)`);
    const duck = await read(await Deno.readFile(`${dir}/duck.parquet`));
    assert.deepEqual(duck.map((c) => [c.name, c.type, plain(c)[0]]), [
      ["tz", STORED_TIMESTAMP, T0],
      ["naive", STORED_TIMESTAMP, T0 - 123n],
      ["day", "date32", 20605],
      ["i8", "int8", 1],
      ["i16", "int16", 2],
      ["i32", "int32", 3],
      ["i64", "int64", 4n],
      ["u8", "uint8", 5],
      ["u32", "uint32", 6],
      ["f32", "float32", 1.5],
      ["f64", "float64", 2.5],
      ["s", "utf8", "x"],
      ["b", "binary", new Uint8Array([0, 255])],
      ["flag", "bool", true],
      ["dec", "float64", 1.25],
    ]);
    await Deno.writeFile(`${dir}/ours.parquet`, await tableToParquet(EVERY_TYPE));
    const types = await duckdb(`DESCRIBE SELECT * FROM '${dir}/ours.parquet'`);
    assert.deepEqual(Object.fromEntries(types.map((r) => [r.column_name, r.column_type])), {
      bool: "BOOLEAN",
      int8: "TINYINT",
      int16: "SMALLINT",
      int32: "INTEGER",
      int64: "BIGINT",
      uint8: "UTINYINT",
      uint16: "USMALLINT",
      uint32: "BIGINT",
      uint64: "UBIGINT",
      float32: "FLOAT",
      float64: "DOUBLE",
      utf8: "VARCHAR",
      binary: "BLOB",
      date32: "DATE",
      ts: "TIMESTAMP WITH TIME ZONE",
      required: "DOUBLE",
    });
    const [first] = await duckdb(
      `SELECT epoch_us(ts) AS us, day::VARCHAR AS day FROM (SELECT ts, date32 AS day FROM '${dir}/ours.parquet' LIMIT 1)`,
    );
    assert.deepEqual(first, { us: String(T0), day: "2026-06-01" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("table: nested Parquet columns and untyped columns are refused naming the column", async () => {
  const nested = new Uint8Array(parquetWriteBuffer({
    schema: [
      { name: "root", num_children: 1 },
      { name: "l", repetition_type: "OPTIONAL", num_children: 1 },
      { name: "x", type: "INT32", repetition_type: "OPTIONAL" },
    ],
    columnData: [{ name: "l", data: [{ x: 1 }, null] }],
  }));
  assert.ok(parquetSchema(parquetMetadata(nested.slice().buffer)).children[0].children.length > 0);
  await assert.rejects(read(nested), (e) => {
    assert.ok(isPondError(e, "NestedColumn"));
    assert.match(e.message, /^column l is nested; pond's tables are flat columns$/);
    return true;
  });
  await assert.rejects(tableToParquet([{ name: "v", values: [1] }]), (e) => {
    assert.ok(isPondError(e, "UntypedColumn"));
    assert.match(e.message, /^column v has no type; give it one/);
    return true;
  });
});

Deno.test("table: binary bodies are snappy-compressed only when that shrinks them, and read back either way", async () => {
  const csv = await Deno.readFile(new URL("../../samples/lake_north.csv", import.meta.url));
  const random = Array.from({ length: 8 }, () => crypto.getRandomValues(new Uint8Array(4096)));
  const cases: [string, Uint8Array[], string][] = [
    ["text", [csv, csv], "SNAPPY"],
    ["random", random, "UNCOMPRESSED"],
  ];
  const dir = await Deno.makeTempDir({ prefix: "pond-table-" });
  try {
    for (const [name, bodies, codec] of cases) {
      const bytes = await tableToParquet([{ name: "body", type: "binary", values: bodies }]);
      const [chunk] = parquetMetadata(bytes.slice().buffer).row_groups[0].columns;
      assert.equal(chunk.meta_data?.codec, codec, name);
      const raw = bodies.reduce((n, b) => n + b.length, 0);
      if (codec === "SNAPPY") {
        assert.ok(bytes.length < raw / 2, `${name}: ${bytes.length} of ${raw}`);
      }
      assert.deepEqual(plain((await read(bytes))[0]), bodies, name);
      await Deno.writeFile(`${dir}/${name}.parquet`, bytes);
      const [duck] = await duckdb(
        `SELECT count(*) AS n, sum(octet_length(body)) AS size FROM '${dir}/${name}.parquet'`,
      );
      assert.deepEqual(duck, { n: String(bodies.length), size: String(raw) }, name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
