/** Tests for Parquet data files and their Delta stats: DuckDB and hyparquet read back the types and values. */

import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { isDeltaError } from "../../src/delta/errors.ts";
import { columnsFromRows, encodeParquet, normalizeColumns } from "../../src/delta/parquet_write.ts";
import { parseSchema } from "../../src/delta/schema.ts";
import { fileStats, JsonNumber, serializeStats } from "../../src/delta/stats.ts";

const field = (name: string, type: unknown, nullable = true) => ({
  name,
  type,
  nullable,
  metadata: {},
});
const schema = parseSchema(JSON.stringify({
  type: "struct",
  fields: [
    field("b", "byte"),
    field("s", "short"),
    field("i", "integer", false),
    field("l", "long"),
    field("f", "float"),
    field("d", "double"),
    field("flag", "boolean"),
    field("str", "string"),
    field("bin", "binary"),
    field("day", "date"),
    field("ts", "timestamp"),
    field("ntz", "timestamp_ntz"),
    field("d5", "decimal(5,2)"),
    field("d18", "decimal(18,3)"),
    field("d30", "decimal(30,4)"),
    field("st", { type: "struct", fields: [field("x", "integer"), field("y", "string")] }),
    field("arr", { type: "array", elementType: "long", containsNull: true }),
    field("m", { type: "map", keyType: "string", valueType: "integer", valueContainsNull: true }),
  ],
}));

const rows = [
  {
    b: -128,
    s: 32767,
    i: 1,
    l: 9007199254740993n,
    f: 0.1,
    d: 2.5,
    flag: true,
    str: "héllo",
    bin: new Uint8Array([0, 255]),
    day: "2024-02-29",
    ts: "2024-01-02T03:04:05.678901Z",
    ntz: "2024-01-02 03:04:05.000001",
    d5: "123.45",
    d18: -1.5,
    d30: "12345678901234567890.0001",
    st: { x: 7, y: "in" },
    arr: [1n, null, 3],
    m: { a: 1, b: null },
  },
  {
    b: null,
    s: null,
    i: -2,
    l: -3,
    f: null,
    d: -0.25,
    flag: false,
    str: null,
    bin: null,
    day: new Date(Date.UTC(1969, 11, 31)),
    ts: new Date(Date.UTC(1960, 0, 1, 0, 0, 0, 1)),
    ntz: -1n,
    d5: null,
    d18: 999999999999999999n, // unscaled: 999999999999999.999
    d30: null,
    st: null,
    arr: [],
    m: new Map([["z", 26]]),
  },
  {
    b: 127,
    s: -1,
    i: 0,
    l: null,
    f: 3.5,
    d: null,
    flag: null,
    str: "a".repeat(40),
    bin: new Uint8Array(),
    day: 0,
    ts: null,
    ntz: null,
    d5: -0.01,
    d18: null,
    d30: "-0.5",
    st: { x: null, y: null },
    arr: null,
    m: null,
  },
];

async function duckdb<T>(sql: string): Promise<Record<string, T>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, T>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

Deno.test("DuckDB reads every Delta type written by encodeParquet with the right type and value", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const batch = normalizeColumns(schema, columnsFromRows(schema, rows));
    assert.equal(batch.numRows, 3);
    const bytes = await encodeParquet(schema, batch);
    const file = `${dir}/data.parquet`;
    await Deno.writeFile(file, bytes);
    const types = Object.fromEntries(
      (await duckdb<string>(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).map((
        r,
      ) => [r.column_name, r.column_type]),
    );
    assert.deepEqual(types, {
      b: "TINYINT",
      s: "SMALLINT",
      i: "INTEGER",
      l: "BIGINT",
      f: "FLOAT",
      d: "DOUBLE",
      flag: "BOOLEAN",
      str: "VARCHAR",
      bin: "BLOB",
      day: "DATE",
      ts: "TIMESTAMP WITH TIME ZONE",
      ntz: "TIMESTAMP",
      d5: "DECIMAL(5,2)",
      d18: "DECIMAL(18,3)",
      d30: "DECIMAL(30,4)",
      st: "STRUCT(x INTEGER, y VARCHAR)",
      arr: "BIGINT[]",
      m: "MAP(VARCHAR, INTEGER)",
    });
    const got = await duckdb<unknown>(
      `SELECT b, s, i, l::VARCHAR AS l, f, d, flag, str, hex(bin) AS bin, day::VARCHAR AS day,
              strftime(ts, '%Y-%m-%dT%H:%M:%S.%f') AS ts, strftime(ntz, '%Y-%m-%d %H:%M:%S.%f') AS ntz,
              d5::VARCHAR AS d5, d18::VARCHAR AS d18, d30::VARCHAR AS d30, st, arr::VARCHAR AS arr, m::VARCHAR AS m
       FROM read_parquet('${file}') ORDER BY i DESC`,
    );
    assert.deepEqual(got, [
      {
        b: -128,
        s: 32767,
        i: 1,
        l: "9007199254740993",
        f: 0.10000000149011612,
        d: 2.5,
        flag: true,
        str: "héllo",
        bin: "00FF",
        day: "2024-02-29",
        ts: "2024-01-02T03:04:05.678901",
        ntz: "2024-01-02 03:04:05.000001",
        d5: "123.45",
        d18: "-1.500",
        d30: "12345678901234567890.0001",
        st: { x: 7, y: "in" },
        arr: "[1, NULL, 3]",
        m: "{a=1, b=NULL}",
      },
      {
        b: 127,
        s: -1,
        i: 0,
        l: null,
        f: 3.5,
        d: null,
        flag: null,
        str: "a".repeat(40),
        bin: "",
        day: "1970-01-01",
        ts: null,
        ntz: null,
        d5: "-0.01",
        d18: null,
        d30: "-0.5000",
        st: { x: null, y: null },
        arr: null,
        m: null,
      },
      {
        b: null,
        s: null,
        i: -2,
        l: "-3",
        f: null,
        d: -0.25,
        flag: false,
        str: null,
        bin: null,
        day: "1969-12-31",
        ts: "1960-01-01T00:00:00.001000",
        ntz: "1969-12-31 23:59:59.999999",
        d5: null,
        d18: "999999999999999.999",
        d30: null,
        st: null,
        arr: "[]",
        m: "{z=26}",
      },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the timestamp column is INT64 micros adjusted to UTC; hyparquet reads the rows back", async () => {
  const bytes = await encodeParquet(
    schema,
    normalizeColumns(schema, columnsFromRows(schema, rows)),
  );
  const buffer = bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  ) as ArrayBuffer;
  const meta = parquetMetadata(buffer);
  const ts = meta.schema.find((e) => e.name === "ts")!;
  assert.equal(ts.type, "INT64");
  assert.deepEqual(ts.logical_type, { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" });
  const ntz = meta.schema.find((e) => e.name === "ntz")!;
  assert.deepEqual(ntz.logical_type, { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "MICROS" });
  const back = await parquetReadObjects({ file: buffer, columns: ["i", "str", "l"] });
  assert.deepEqual(back, [
    { i: 1, str: "héllo", l: 9007199254740993n },
    { i: -2, str: null, l: -3n },
    { i: 0, str: "a".repeat(40), l: null },
  ]);
});

Deno.test("fileStats follows Delta's conventions for every type", () => {
  const stats = fileStats(schema, normalizeColumns(schema, columnsFromRows(schema, rows)));
  const json = JSON.parse(serializeStats(stats));
  assert.equal(json.numRecords, 3);
  assert.deepEqual(json.nullCount, {
    b: 1,
    s: 1,
    i: 0,
    l: 1,
    f: 1,
    d: 1,
    flag: 1,
    str: 1,
    bin: 1,
    day: 0,
    ts: 1,
    ntz: 1,
    d5: 1,
    d18: 1,
    d30: 1,
    st: { x: 2, y: 2 },
    arr: 1,
    m: 1,
  });
  assert.deepEqual(json.minValues, {
    b: -128,
    s: -1,
    i: -2,
    l: -3,
    f: 0.1,
    d: -0.25,
    str: "a".repeat(32),
    day: "1969-12-31",
    ts: "1960-01-01T00:00:00.001Z",
    ntz: "1969-12-31T23:59:59.999",
    d5: -0.01,
    d18: -1.5,
    d30: -0.5,
    st: { x: 7, y: "in" },
  });
  assert.deepEqual(json.maxValues, {
    b: 127,
    s: 32767,
    i: 1,
    l: 9007199254740992,
    f: 3.5,
    d: 2.5,
    str: "héllo",
    day: "2024-02-29",
    ts: "2024-01-02T03:04:05.678Z",
    ntz: "2024-01-02T03:04:05.000",
    d5: 123.45,
    d18: 999999999999999.999,
    d30: 12345678901234567890.0001,
    st: { x: 7, y: "in" },
  });
  // Every digit survives in the JSON text (JSON.parse above rounds to doubles).
  const text = serializeStats(stats);
  assert.match(text, /"l":9007199254740993/);
  assert.match(text, /"d30":12345678901234567890\.0001/);
  assert.match(text, /"d18":999999999999999\.999/);
});

Deno.test("string bounds are cut to 32 code points; a cut max still sorts after the value", () => {
  const s = parseSchema(
    '{"type":"struct","fields":[{"name":"t","type":"string","nullable":true,"metadata":{}}]}',
  );
  const long = "z".repeat(31) + "😀😀";
  const stats = fileStats(s, normalizeColumns(s, { t: [long, "z".repeat(31) + "\u{ffff}", "a"] }));
  assert.equal(stats.minValues.t, "a");
  // By code point 😀 (U+1F600) sorts after U+FFFF, though its UTF-16 units sort before.
  assert.equal(stats.maxValues.t, "z".repeat(31) + "😀\u{10ffff}");
});

Deno.test("numIndexedCols limits stats to the first leaf columns; non-finite floats give no bounds", () => {
  const s = parseSchema(JSON.stringify({
    type: "struct",
    fields: [
      field("a", "double"),
      field("st", { type: "struct", fields: [field("x", "long"), field("y", "long")] }),
      field("z", "long"),
    ],
  }));
  const encoded = normalizeColumns(s, { a: [1, NaN], st: [{ x: 1, y: 2 }, null], z: [5, 6] });
  const two = fileStats(s, encoded, { numIndexedCols: 2 });
  assert.deepEqual(two.nullCount, { a: 0, st: { x: 1 } });
  assert.deepEqual(two.minValues, { st: { x: new JsonNumber("1") } });
  const all = fileStats(s, encoded, { numIndexedCols: -1 });
  assert.deepEqual(Object.keys(all.nullCount), ["a", "st", "z"]);
  assert.equal(all.minValues.a, undefined);
});

Deno.test("normalizeColumns refuses wrong types, nulls in required columns and unknown columns", () => {
  const bad = (columns: Record<string, unknown[]>, pattern: RegExp) =>
    assert.throws(
      () => normalizeColumns(schema, { i: [1], ...columns }),
      (e) => isDeltaError(e, "InvalidArgument") && pattern.test(e.message),
    );
  bad({ i: [null] }, /i row 0.*not nullable/);
  bad({ b: [128] }, /b row 0: expected an integer in \[-128, 127\]/);
  bad({ l: [2 ** 60] }, /64-bit integer/);
  bad({ str: [5] }, /a string/);
  bad({ d5: ["1234.5"] }, /decimal\(5,2\)/);
  bad({ d5: ["1.234"] }, /at most 2 fractional digits/);
  bad({ ts: ["yesterday"] }, /ISO-8601/);
  bad({ st: [{ x: "no" }] }, /st\.x row|st row 0\.x/);
  bad({ nope: [1] }, /not in the schema/);
  bad({ s: [1, 2] }, /different lengths/);
});
