/** Scans: projection, exact row filtering, file skipping on partitions and stats, column mapping by id. */

import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { type AddFile, serializeCommit } from "../../src/delta/actions.ts";
import { fileMayMatch } from "../../src/delta/data_skipping.ts";
import { isDeltaError } from "../../src/delta/errors.ts";
import {
  and,
  bindPredicate,
  eq,
  evaluate,
  ge,
  gt,
  isNotNull,
  isNull,
  le,
  lt,
  ne,
  not,
  or,
  type Predicate,
} from "../../src/delta/predicate.ts";
import { parseSchema } from "../../src/delta/schema.ts";
import { openTable } from "../../src/delta/table.ts";
import { goldenTable } from "./golden.ts";

async function snapshotOf(name: string) {
  return await (await openTable(goldenTable(name))).snapshot();
}

Deno.test("a stats predicate reads only the files that can match, and filters rows exactly", async () => {
  const snapshot = await snapshotOf("basic-with-inserts-deletes-checkpoint");
  const scan = snapshot.scan({ predicate: eq("id", 50) });
  assert.equal(scan.files().length, 1);
  assert.ok(snapshot.files().length > 1);
  assert.deepEqual(await Array.fromAsync(scan.rows()), [{ id: 50n }]);

  const all = await Array.fromAsync(snapshot.scan().rows());
  const predicate = and(ge("id", 20n), or(lt("id", 23), gt("id", 60)));
  const bound = bindPredicate(predicate, snapshot.schema);
  const ranged = snapshot.scan({ predicate });
  assert.ok(ranged.files().length < snapshot.files().length);
  assert.deepEqual(
    (await Array.fromAsync(ranged.rows())).map((r) => r.id).sort(),
    all.filter((r) => evaluate(bound, r) === true).map((r) => r.id).sort(),
  );
});

Deno.test("a partition predicate skips partitions without reading them", async () => {
  const snapshot = await snapshotOf("http_requests");
  const scan = snapshot.scan({
    predicate: eq("date", "2023-04-14"),
    columns: ["date", "EdgeResponseStatus"],
  });
  assert.deepEqual(scan.files().map((f) => f.partitionValues.date), ["2023-04-14"]);
  const rows = await Array.fromAsync(scan.rows());
  assert.equal(rows.length, 1437);
  assert.deepEqual(Object.keys(rows[0]), ["date", "EdgeResponseStatus"]);
  assert.ok(rows.every((r) => r.date === "2023-04-14"));
});

Deno.test("null partitions: IS NULL, the literal string 'null', and NOT keeping nulls out", async () => {
  const snapshot = await snapshotOf("data-reader-partition-values");
  const values = async (p: Predicate) =>
    (await Array.fromAsync(snapshot.scan({ predicate: p, columns: ["value"] }).rows())).map((r) =>
      r.value
    ).sort();
  assert.equal(snapshot.scan({ predicate: isNull("as_int") }).files().length, 1);
  assert.deepEqual(await values(isNull("as_int")), ["2"]);
  assert.deepEqual(await values(isNotNull("as_timestamp")), ["0", "1"]);
  assert.deepEqual(await values(eq("as_string_lit_null", "null")), ["0", "1"]);
  assert.deepEqual(await values(not(eq("as_int", 0))), ["1"]);
  assert.deepEqual(await values(eq("as_date", "2021-09-08")), ["0", "1"]);
  assert.deepEqual(await values(eq("as_timestamp", new Date("2021-09-08T11:11:11Z"))), ["0", "1"]);
  assert.deepEqual(await values(le("as_big_decimal", "0.5")), ["0"]);
  assert.deepEqual(await values(eq("as_boolean", false)), ["1"]);
  assert.deepEqual(await values(ne("as_float", 0)), ["1"]);
});

Deno.test("rows are typed by the Delta schema", async () => {
  const [row] = await Array.fromAsync(
    (await snapshotOf("data-reader-partition-values")).scan({ predicate: eq("as_int", 1) }).rows(),
  );
  assert.equal(row.as_long, 1n);
  assert.equal(row.as_int, 1);
  assert.equal(row.as_date, 18878);
  assert.equal(row.as_timestamp, 1631099471000000n);
  assert.equal(row.as_big_decimal, "1");
  assert.equal(row.as_boolean, false);
  assert.deepEqual(row.as_nested_struct, { aa: "1", ab: "1", ac: { aca: 1, acb: 1n } });
  assert.deepEqual(row.as_list_of_records, [{ val: 1 }, { val: 1 }, { val: 1 }]);
});

Deno.test("deletion vectors are applied before the predicate", async () => {
  const snapshot = await snapshotOf("table-with-dv-small");
  const values =
    (await Array.fromAsync(snapshot.scan({ predicate: or(lt("value", 2), gt("value", 7)) }).rows()))
      .map((r) => r.value);
  assert.deepEqual(values.sort(), [1, 8]);
});

Deno.test("scan options are checked: unknown columns and mistyped literals", async () => {
  const snapshot = await snapshotOf("simple_table");
  assert.throws(
    () => snapshot.scan({ columns: ["nope"] }),
    (e) => isDeltaError(e, "InvalidArgument") && /nope/.test(e.message),
  );
  assert.throws(
    () => snapshot.scan({ predicate: eq("nope", 1) }),
    (e) => isDeltaError(e, "InvalidArgument"),
  );
  assert.throws(
    () => snapshot.scan({ predicate: eq("id", "five") }),
    (e) => isDeltaError(e, "InvalidArgument"),
  );
});

/** An add with the given stats for a table with columns s (string), ts (timestamp), id (long). */
function withStats(stats: unknown): AddFile {
  return {
    path: "f.parquet",
    partitionValues: {},
    size: 1,
    modificationTime: 0,
    dataChange: true,
    stats: JSON.stringify(stats).replace('"BIG"', "9007199254740993"),
  };
}

const schema = parseSchema(JSON.stringify({
  type: "struct",
  fields: [
    { name: "s", type: "string", nullable: true, metadata: {} },
    { name: "ts", type: "timestamp", nullable: true, metadata: {} },
    { name: "id", type: "long", nullable: true, metadata: {} },
  ],
}));
const file = withStats({
  numRecords: 3,
  minValues: { s: "abc", ts: "2024-01-01T00:00:00.000Z", id: 1 },
  maxValues: { s: "abd", ts: "2024-01-01T00:00:00.000Z", id: "BIG" },
  nullCount: { s: 0, ts: 3, id: 1 },
});
const may = (p: Predicate, f: AddFile = file) =>
  fileMayMatch(f, bindPredicate(p, schema), "none", new Set());

Deno.test("string maxima may be cut prefixes: values extending them are not skipped", () => {
  assert.equal(may(eq("s", "abdzzz")), true);
  assert.equal(may(gt("s", "abd")), true);
  assert.equal(may(eq("s", "abe")), false);
  assert.equal(may(lt("s", "abc")), false);
  assert.equal(may(le("s", "abc")), true);
  assert.equal(may(ge("s", "b")), false);
});

Deno.test("long bounds keep every digit; timestamps bounds allow the truncated milliseconds", () => {
  assert.equal(may(gt("id", 9007199254740992n)), true);
  assert.equal(may(gt("id", 9007199254740993n)), false);
  const tsFile = withStats({
    numRecords: 1,
    minValues: { ts: "2024-01-01T00:00:00.000Z" },
    maxValues: { ts: "2024-01-01T00:00:00.000Z" },
    nullCount: { ts: 0 },
  });
  assert.equal(may(eq("ts", "2024-01-01T00:00:00.000500Z"), tsFile), true);
  assert.equal(may(eq("ts", "2024-01-01T00:00:00.001Z"), tsFile), false);
  assert.equal(may(lt("ts", "2024-01-01T00:00:00Z"), tsFile), false);
});

Deno.test("null counts decide IS NULL / IS NOT NULL, and all-null columns match no comparison", () => {
  assert.equal(may(isNull("s")), false);
  assert.equal(may(isNotNull("s")), true);
  assert.equal(may(isNotNull("ts")), false);
  assert.equal(may(isNull("ts")), true);
  assert.equal(may(eq("ts", "2024-01-01T00:00:00Z")), false);
  assert.equal(may(not(isNotNull("s"))), false);
  assert.equal(may(eq("id", null)), false);
});

Deno.test("files without stats are always read", () => {
  const bare: AddFile = {
    path: "f",
    partitionValues: {},
    size: 1,
    modificationTime: 0,
    dataChange: true,
  };
  assert.equal(may(eq("s", "x"), bare), true);
  assert.equal(may(isNull("s"), bare), true);
});

Deno.test("three-valued logic: comparisons with null are unknown, NOT unknown stays unknown", () => {
  const bound = (p: Predicate) => bindPredicate(p, schema);
  assert.equal(evaluate(bound(eq("s", "a")), { s: null }), null);
  assert.equal(evaluate(bound(not(eq("s", "a"))), { s: null }), null);
  assert.equal(evaluate(bound(or(eq("s", "a"), isNull("s"))), { s: null }), true);
  assert.equal(evaluate(bound(and(eq("s", "a"), isNotNull("s"))), { s: null }), false);
  assert.equal(evaluate(bound(and()), {}), true);
  assert.equal(evaluate(bound(or()), {}), false);
});

/** Copies the column-mapping golden table, then rewrites its first commit with `edit`. */
async function withMappedCopy(
  edit: (text: string) => string,
  check: (dir: string) => Promise<void>,
) {
  const dir = await Deno.makeTempDir();
  try {
    cpSync(goldenTable("table-with-columnmapping-mode-name"), dir, { recursive: true });
    const path = `${dir}/_delta_log/00000000000000000000.json`;
    await Deno.writeTextFile(path, edit(await Deno.readTextFile(path)));
    await check(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const rowsOf = async (dir: string) =>
  await Array.fromAsync((await (await openTable(dir)).snapshot()).scan().rows());

Deno.test("column mapping mode id resolves Parquet columns by field id, not by name", async () => {
  const original = await rowsOf(goldenTable("table-with-columnmapping-mode-name"));
  await withMappedCopy(
    (t) =>
      t.replace('"delta.columnMapping.mode":"name"', '"delta.columnMapping.mode":"id"').replaceAll(
        "col-",
        "renamed-",
      ),
    async (dir) => assert.deepEqual(await rowsOf(dir), original),
  );
});

Deno.test("column mapping mode name: renamed columns keep their data, unknown physical names read null", async () => {
  const original = await rowsOf(goldenTable("table-with-columnmapping-mode-name"));
  await withMappedCopy(
    (t) => t.replace('\\"name\\":\\"ByteType\\"', '\\"name\\":\\"Bytes\\"'),
    async (dir) => {
      const rows = await rowsOf(dir);
      assert.deepEqual(rows.map((r) => r.Bytes), original.map((r) => r.ByteType));
    },
  );
  await withMappedCopy(
    (t) => t.replaceAll("col-", "renamed-"),
    async (dir) => {
      const rows = await rowsOf(dir);
      assert.equal(rows.length, original.length);
      assert.ok(rows.every((r) => Object.values(r).every((v) => v === null)));
    },
  );
});

Deno.test("absolute file: paths inside the table are read; outside it they are refused by name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const name = "part-00001-c506e79a-0bf8-4e2b-a42b-9731b2e490ae-c000.snappy.parquet";
    await Deno.mkdir(`${dir}/_delta_log`);
    await Deno.mkdir(`${dir}/sub dir`);
    await Deno.copyFile(`${goldenTable("simple_table")}/${name}`, `${dir}/sub dir/${name}`);
    const size = (await Deno.stat(`${dir}/sub dir/${name}`)).size;
    const log = (path: string) =>
      serializeCommit([
        { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
        {
          metaData: {
            id: "t",
            format: { provider: "parquet", options: {} },
            schemaString:
              '{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]}',
            partitionColumns: [],
            configuration: {},
          },
        },
        { add: { path, partitionValues: {}, size, modificationTime: 0, dataChange: true } },
      ]);
    const read = async (path: string) => {
      await Deno.writeTextFile(`${dir}/_delta_log/00000000000000000000.json`, log(path));
      return await Array.fromAsync((await (await openTable(dir)).snapshot()).scan().rows());
    };
    const relative = await read(`sub%20dir/${name}`);
    assert.ok(relative.length > 0);
    assert.deepEqual(await read(`file://${dir}/sub%20dir/${name}`), relative);
    assert.deepEqual(await read(`file:${dir}/sub%20dir/${name}`), relative);
    await Deno.writeTextFile(
      `${dir}/_delta_log/00000000000000000000.json`,
      log(`file:///elsewhere/${name}`),
    );
    await assert.rejects(
      async () => await Array.fromAsync((await (await openTable(dir)).snapshot()).scan().rows()),
      (e) => isDeltaError(e, "UnsupportedFeature") && /file:\/\/\/elsewhere/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
