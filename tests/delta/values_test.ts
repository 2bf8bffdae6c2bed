/** Row values: dates, timestamps, decimals, partition values, JSON lines and Arrow output. */

import assert from "node:assert/strict";
import { columnsToArrow } from "../../src/delta/arrow.ts";
import type { Row } from "../../src/delta/parquet_read.ts";
import { isDeltaError } from "../../src/delta/errors.ts";
import { rowToJson } from "../../src/delta/json_rows.ts";
import { parsePartitionValue } from "../../src/delta/partition_values.ts";
import { parseSchema } from "../../src/delta/schema.ts";
import {
  compareValues,
  decimalFromUnscaled,
  decimalParts,
  formatDate,
  formatTimestamp,
  normalizeDecimal,
  parseDate,
  parseTimestamp,
  shortestFloat32,
} from "../../src/delta/values.ts";

Deno.test("dates and timestamps convert both ways, before and after 1970", () => {
  for (
    const [text, days] of [["1970-01-01", 0], ["2021-09-08", 18878], ["1969-12-31", -1], [
      "0001-01-01",
      -719162,
    ]] as const
  ) {
    assert.equal(parseDate(text), days);
    assert.equal(formatDate(days), text);
  }
  assert.equal(parseTimestamp("2021-09-08 11:11:11"), 1631099471000000n);
  assert.equal(parseTimestamp("2021-09-08T11:11:11.123456789Z"), 1631099471123456n);
  assert.equal(parseTimestamp("2021-09-08T13:11:11+02:00"), 1631099471000000n);
  assert.equal(formatTimestamp(1631099471000001n), "2021-09-08T11:11:11.000001");
  assert.equal(formatTimestamp(-1n), "1969-12-31T23:59:59.999999");
  assert.equal(parseTimestamp(formatTimestamp(-86_400_000_001n)), -86_400_000_001n);
  assert.throws(
    () => parseTimestamp("2021-13-01 00:00:00"),
    (e) => isDeltaError(e, "InvalidArgument"),
  );
  assert.throws(() => parseDate("yesterday"), (e) => isDeltaError(e, "InvalidArgument"));
});

Deno.test("decimals stay exact", () => {
  assert.equal(decimalFromUnscaled(-5n, 2), "-0.05");
  assert.equal(
    decimalFromUnscaled(12345678901234567890123456789012345678n, 10),
    "1234567890123456789012345678.9012345678",
  );
  assert.deepEqual(decimalParts("1.50"), [150n, 2]);
  assert.deepEqual(decimalParts("1e3"), [1000n, 0]);
  assert.equal(normalizeDecimal("1.5", 2), "1.50");
  assert.equal(normalizeDecimal("-1.005", 2), "-1.01");
  const dec = { type: "decimal" as const, precision: 10, scale: 2 };
  assert.equal(compareValues(dec, "1.50", "1.5"), 0);
  assert.equal(compareValues(dec, "-0.01", "0"), -1);
});

Deno.test("values order by type: code points for strings, bytes, numbers with bigints", () => {
  assert.equal(compareValues("string", "\u{1F600}", "\uFFFF"), 1);
  assert.equal(compareValues("string", "ab", "abc"), -1);
  assert.equal(compareValues("binary", new Uint8Array([1, 2]), new Uint8Array([1, 3])), -1);
  assert.equal(compareValues("long", 9007199254740993n, 9007199254740992), 1);
  assert.ok(Number.isNaN(compareValues("double", NaN, 1)));
  assert.equal(shortestFloat32(Math.fround(1.1)), 1.1);
  assert.equal(shortestFloat32(Math.fround(16777217)), 16777216);
});

Deno.test("partition values: empty and null are null, each type parses, bad text names the column", () => {
  const p = (raw: string | null, type: Parameters<typeof parsePartitionValue>[1]) =>
    parsePartitionValue(raw, type, "c", "f");
  assert.equal(p("", "integer"), null);
  assert.equal(p(null, "string"), null);
  assert.equal(p("", "string"), null);
  assert.equal(p("null", "string"), "null");
  assert.equal(p("-12", "long"), -12n);
  assert.equal(p("1.0", "float"), 1);
  assert.equal(p("true", "boolean"), true);
  assert.equal(p("2021-09-08", "date"), 18878);
  assert.equal(p("2013-07-05 17:01:00.123456", "timestamp_ntz"), 1373043660123456n);
  assert.equal(p("1970-01-01T00:00:00.123456Z", "timestamp"), 123456n);
  assert.equal(p("1.5", { type: "decimal", precision: 5, scale: 2 }), "1.50");
  assert.throws(
    () => p("x", "integer"),
    (e) => isDeltaError(e, "CorruptLog") && /column c of f/.test(e.message),
  );
  assert.throws(() => p("maybe", "boolean"), (e) => isDeltaError(e, "CorruptLog"));
});

const schema = parseSchema(JSON.stringify({
  type: "struct",
  fields: [
    { name: "l", type: "long", nullable: true, metadata: {} },
    { name: "f", type: "float", nullable: true, metadata: {} },
    { name: "d", type: "decimal(38,2)", nullable: true, metadata: {} },
    { name: "day", type: "date", nullable: true, metadata: {} },
    { name: "ts", type: "timestamp", nullable: true, metadata: {} },
    { name: "ntz", type: "timestamp_ntz", nullable: true, metadata: {} },
    { name: "b", type: "binary", nullable: true, metadata: {} },
    { name: "ok", type: "boolean", nullable: true, metadata: {} },
    {
      name: "m",
      type: { type: "map", keyType: "date", valueType: "double", valueContainsNull: true },
      nullable: true,
      metadata: {},
    },
    {
      name: "s",
      type: {
        type: "struct",
        fields: [{
          name: "xs",
          type: { type: "array", elementType: "long", containsNull: true },
          nullable: true,
          metadata: {},
        }],
      },
      nullable: true,
      metadata: {},
    },
  ],
}));

const row = {
  l: 9007199254740993n,
  f: 1.1,
  d: "-123456789012345678901234567890123456.78",
  day: 18878,
  ts: 1631099471000001n,
  ntz: 0n,
  b: new TextEncoder().encode("héllo"),
  ok: true,
  m: new Map([[18878, NaN], [0, 2.5]]),
  s: { xs: [1n, null, 3n] },
};

Deno.test("JSON lines follow the golden conventions, exactly", () => {
  assert.equal(
    rowToJson(row, schema.fields),
    '{"l":9007199254740993,"f":1.1,"d":-123456789012345678901234567890123456.78,"day":"2021-09-08",' +
      '"ts":"2021-09-08T11:11:11.000001","ntz":"1970-01-01T00:00:00.000000","b":"héllo","ok":true,' +
      '"m":{"2021-09-08":"NaN","1970-01-01":2.5},"s":{"xs":[1,null,3]}}',
  );
  const nulls = Object.fromEntries(schema.fields.map((f) => [f.name, null]));
  assert.equal(JSON.parse(rowToJson(nulls, schema.fields)).s, null);
});

Deno.test("Arrow tables carry exact values and Delta-derived types", () => {
  const table = columnsToArrow(
    {
      firstRowIndex: 0,
      length: 2,
      columns: schema.fields.map((f) => [(row as Row)[f.name], null]),
      selection: null,
    },
    schema.fields,
  );
  assert.equal(table.numRows, 2);
  assert.equal(table.getChild("l")?.get(0), 9007199254740993n);
  assert.equal(table.getChild("l")?.get(1), null);
  assert.equal(
    String(table.schema.fields.find((f) => f.name === "ts")?.type),
    "Timestamp<MICROSECOND, UTC>",
  );
  assert.equal(table.getChild("day")?.type.toString(), "Date32<DAY>");
  assert.deepEqual([...table.getChild("s")!.get(0)!.xs], [1n, null, 3n]);
  assert.equal(new TextDecoder().decode(table.getChild("b")?.get(0)), "héllo");
  assert.equal(table.getChild("ok")?.get(0), true);
  const m = table.getChild("m")!.get(0)!;
  assert.equal(m.size, 2);
  const words = table.getChild("d")!.data[0].values as Uint32Array;
  let unscaled = 0n;
  for (let w = 3; w >= 0; w--) unscaled = (unscaled << 32n) | BigInt(words[w]);
  assert.equal(BigInt.asIntN(128, unscaled), -12345678901234567890123456789012345678n);
  const ts = table.getChild("ts")!.data[0].values as BigInt64Array;
  assert.equal(ts[0], 1631099471000001n);
});

Deno.test("Arrow columns keep only the selected rows, of plain and typed columns alike", () => {
  const fields = parseSchema(JSON.stringify({
    type: "struct",
    fields: [
      { name: "s", type: "string", nullable: true, metadata: {} },
      { name: "id", type: "long", nullable: false, metadata: {} },
    ],
  })).fields;
  const columns = (s: (string | null)[]) => [s, BigInt64Array.of(1n, 2n, 3n, 4n)];
  const read = (s: (string | null)[], selection: Uint32Array | null) => {
    const table = columnsToArrow(
      { firstRowIndex: 0, length: 4, columns: columns(s), selection },
      fields,
    );
    return { s: [...table.getChild("s")!], id: [...table.getChild("id")!] };
  };
  assert.deepEqual(read(["héllo", null, "a", "\u{1F600}"], Uint32Array.of(0, 1, 3)), {
    s: ["héllo", null, "\u{1F600}"],
    id: [1n, 2n, 4n],
  });
  assert.deepEqual(read(["a", "bc", null, ""], null), {
    s: ["a", "bc", null, ""],
    id: [1n, 2n, 3n, 4n],
  });
});
