/** Tests for the sandbox's Arrow IPC codec: read and written against apache-arrow, and untrusted bytes refused. */

import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { ArrowIpcError, type Column, tableFromIPC, tableToIPC } from "../../src/table/mod.ts";

const n = 1000;
const columns: Column[] = [
  {
    name: "t",
    type: "timestamp[ms, UTC]",
    values: BigInt64Array.from({ length: n }, (_, i) => BigInt(1_700_000_000_000 + i * 60_000)),
  },
  { name: "v", values: Float64Array.from({ length: n }, (_, i) => i / 4) },
  {
    name: "i",
    type: "int32",
    values: Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i - 500)),
  },
  {
    name: "site",
    values: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `site-${i % 3}`)),
  },
  { name: "note", values: Array.from({ length: n }, (_, i) => (i % 2 ? "größer ✓" : "ok")) },
  { name: "ok", values: Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : i % 2 === 0)) },
  {
    name: "raw",
    values: Array.from({ length: n }, (_, i) => (i % 3 ? new Uint8Array([i & 255, 1]) : null)),
  },
  { name: "big", values: Array.from({ length: n }, (_, i) => BigInt(i) * 10n ** 12n) },
  {
    name: "f",
    type: "float32",
    values: Array.from({ length: n }, (_, i) => (i % 4 ? i / 2 : null)),
  },
  { name: "u", type: "uint16", values: new Uint16Array(n).map((_, i) => i) },
  {
    name: "day",
    type: "date32",
    values: Array.from({ length: n }, (_, i) => (i % 9 ? i - 9 : null)),
  },
]; // deno-fmt-ignore

/** What each column reads back as: typed arrays stay typed; nulls stay null. */
function plain(values: ArrayLike<unknown>): unknown[] {
  return Array.from(values);
}

Deno.test("arrow ipc: what it writes, apache-arrow reads value for value", () => {
  const table = arrow.tableFromIPC(tableToIPC(columns));
  assert.equal(table.numRows, n);
  assert.deepEqual(table.schema.fields.map((f) => [f.name, String(f.type)]), [
    ["t", "Timestamp<MILLISECOND, UTC>"],
    ["v", "Float64"],
    ["i", "Int32"],
    ["site", "Utf8"],
    ["note", "Utf8"],
    ["ok", "Bool"],
    ["raw", "Binary"],
    ["big", "Int64"],
    ["f", "Float32"],
    ["u", "Uint16"],
    ["day", "Date32<DAY>"],
  ]);
  for (const column of columns) {
    const got = Array.from(table.getChild(column.name)!, (v) => v);
    const want = plain(column.values);
    if (column.name === "t") {
      assert.deepEqual(got, want.map((v) => Number(v)), column.name);
    } else if (column.name === "day") {
      assert.deepEqual(got, want.map((v) => v === null ? null : Number(v) * 86_400_000), "day");
    } else {
      assert.deepEqual(got, want, column.name);
    }
  }
});

Deno.test("arrow ipc: what apache-arrow writes, it reads, every batch joined; numbers are views, not copies", () => {
  const source = new arrow.Table({
    v: arrow.vectorFromArray(Float64Array.from({ length: n }, (_, i) => i * 1.5)),
    i: arrow.vectorFromArray(Int32Array.from({ length: n }, (_, i) => -i)),
    s: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => `row ${i}${i % 2 ? " é" : ""}`),
      new arrow.Utf8(),
    ),
  });
  const days = new arrow.Table({
    d: arrow.vectorFromArray([new Date(3 * 86_400_000), null], new arrow.DateDay()),
  });
  assert.deepEqual(tableFromIPC(arrow.tableToIPC(days, "stream")), [
    { name: "d", type: "date32", values: [3, null] },
  ]);
  const one = arrow.tableToIPC(source, "stream");
  const [v, i, s] = tableFromIPC(one);
  assert.deepEqual([v.name, v.type, i.type, s.type], ["v", "float64", "int32", "utf8"]);
  assert.ok(v.values instanceof Float64Array && i.values instanceof Int32Array);
  assert.equal((v.values as Float64Array).buffer, one.buffer, "a view over the stream's bytes");
  assert.deepEqual(plain(s.values), source.getChild("s")!.toArray());
  const two = tableFromIPC(
    arrow.tableToIPC(
      new arrow.Table([...source.batches, ...source.slice(0, 10).batches]),
      "stream",
    ),
  );
  assert.equal(two[0].values.length, n + 10);
  assert.ok(two[1].values instanceof Int32Array);
  assert.deepEqual(plain(two[2].values).slice(n - 1), [
    `row ${n - 1} é`,
    ...Array.from({ length: 10 }, (_, k) => `row ${k}${k % 2 ? " é" : ""}`),
  ]);
});

Deno.test("arrow ipc: a round trip keeps every type, and nulls", () => {
  const back = tableFromIPC(tableToIPC(columns));
  assert.deepEqual(
    back.map((c) => [c.name, c.type]),
    columns.map((c) => [c.name, c.type ?? back.find((b) => b.name === c.name)!.type]),
  );
  assert.deepEqual(back.map((c) => c.type).slice(1, 8), [
    "float64",
    "int32",
    "utf8",
    "utf8",
    "bool",
    "binary",
    "int64",
  ]);
  for (const [k, column] of columns.entries()) {
    assert.deepEqual(plain(back[k].values), plain(column.values), column.name);
  }
  const dates = tableFromIPC(tableToIPC([{ name: "d", values: [new Date(5), null] }]));
  assert.deepEqual(dates, [{ name: "d", type: "timestamp[ms]", values: [5n, null] }]);
});

Deno.test("arrow ipc: values that do not fit, and streams it does not read, are ArrowIpcErrors saying why", () => {
  const refused = (thunk: () => unknown, pattern: RegExp) =>
    assert.throws(thunk, (e) => e instanceof ArrowIpcError && pattern.test(e.message));
  refused(() => tableToIPC([]), /a table is a list of columns/);
  refused(
    () => tableToIPC([{ name: "a", values: [1, "x"] }]),
    /column a \(float64\) has string x at row 1/,
  );
  refused(
    () => tableToIPC([{ name: "a", type: "int8", values: [300] }]),
    /use integers that fit int8/,
  );
  refused(() => tableToIPC([{ name: "a", values: [null] }]), /cannot tell its type/);
  refused(() => tableToIPC([{ name: "a", type: "date" as "utf8", values: [] }]), /has type "date"/);
  refused(
    () => tableToIPC([{ name: "a", values: [1] }, { name: "b", values: [1, 2] }]),
    /column b has 2 values, but a has 1/,
  );
  const dictionary = arrow.tableToIPC(arrow.tableFromArrays({ s: ["a", "b", "a"] }), "stream");
  refused(() => tableFromIPC(dictionary), /column s is dictionary-encoded/);
  const nested = arrow.tableToIPC(
    new arrow.Table({ l: arrow.vectorFromArray([[1], [2]]) }),
    "stream",
  );
  refused(() => tableFromIPC(nested), /column l has Arrow type List/);
  const millisecondDates = arrow.tableToIPC(
    new arrow.Table({ d: arrow.vectorFromArray([new Date(0)], new arrow.DateMillisecond()) }),
    "stream",
  );
  refused(() => tableFromIPC(millisecondDates), /column d has Arrow type Date, .* date32/);
  refused(() => tableFromIPC(new TextEncoder().encode("not arrow at all")), /./);
  refused(() => tableFromIPC(new Uint8Array(0)), /the stream has no schema/);
  const good = tableToIPC(columns);
  for (let cut = 1; cut < good.length; cut += 997) {
    refused(() => tableFromIPC(good.subarray(0, good.length - cut)), /./);
  }
  for (let at = 0; at < 400; at += 3) {
    const bad = good.slice();
    bad[at] ^= 0xff;
    try {
      tableFromIPC(bad);
    } catch (e) {
      assert.ok(e instanceof ArrowIpcError, `byte ${at}: ${e}`);
    }
  }
});
