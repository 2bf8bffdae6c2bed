/** Writing to tables other engines wrote (copies of the golden tables): appends, removals and checkpoints the reader and DuckDB read back. */

import assert from "node:assert/strict";
import { writeCheckpoint } from "../../src/delta/checkpoint_write.ts";
import { TableWriter } from "../../src/delta/commit.ts";
import { isDeltaError } from "../../src/delta/errors.ts";
import { buildLogSegment } from "../../src/delta/log_segment.ts";
import { LocalStore } from "../../src/delta/storage.ts";
import { openTable } from "../../src/delta/table.ts";
import { goldenTable } from "./golden.ts";
import { copyTree, duckdb, readRows, withTempTable } from "./fixtures_write/helpers.ts";

async function copyOf(name: string, dir: string): Promise<TableWriter> {
  await copyTree(goldenTable(name), dir);
  return await TableWriter.open(new LocalStore(dir));
}

Deno.test("appending a row with all 12 partition types to Spark's table; reader and DuckDB read it back", async () => {
  await withTempTable(async (_, dir) => {
    const writer = await copyOf("data-reader-partition-values", dir);
    const before = await readRows(dir);
    const { version } = await writer.append({
      as_int: [7],
      as_long: [7n],
      as_byte: [-7],
      as_short: [700],
      as_boolean: [true],
      as_float: [1.5],
      as_double: [2.25],
      as_string: ["a b/c:d%e"],
      as_string_lit_null: ["null"],
      as_date: ["2024-02-29"],
      as_timestamp: ["2024-01-02T03:04:05.123456Z"],
      as_big_decimal: ["7"],
      as_list_of_records: [[{ val: 7 }, { val: 8 }]],
      as_nested_struct: [{ aa: "x", ab: "y", ac: { aca: 1, acb: 2n } }],
      value: ["new"],
    });
    assert.equal(version, 1); // the golden table is at version 0
    const after = await readRows(dir);
    assert.equal(after.length, before.length + 1);
    const row = after.find((r) => r.value === "new")!;
    assert.deepEqual(row, {
      as_int: 7,
      as_long: 7n,
      as_byte: -7,
      as_short: 700,
      as_boolean: true,
      as_float: 1.5,
      as_double: 2.25,
      as_string: "a b/c:d%e",
      as_string_lit_null: "null",
      as_date: 19782,
      as_timestamp: 1704164645123456n,
      as_big_decimal: "7",
      as_list_of_records: [{ val: 7 }, { val: 8 }],
      as_nested_struct: { aa: "x", ab: "y", ac: { aca: 1, acb: 2n } },
      value: "new",
    });
    // The new file sits in Hive directories DuckDB's hive partitioning understands.
    const add = (await (await openTable(dir)).snapshot()).files().find((f) =>
      f.partitionValues.as_int === "7"
    )!;
    const rows = await duckdb(
      `SELECT as_string, as_date::VARCHAR AS as_date, value FROM read_parquet('${dir}/${
        decodeURIComponent(add.path)
      }', hive_partitioning = true)`,
    );
    assert.deepEqual(rows, [{ as_string: "a b/c:d%e", as_date: "2024-02-29", value: "new" }]);
  });
});

Deno.test("removing the file that carries a deletion vector, and checkpointing a DV table", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await copyOf("table-with-dv-small", dir);
    await writer.append({ value: [100] });
    const checkpoint = await writeCheckpoint(store, writer.state);
    assert.equal((await buildLogSegment(store)).checkpoint?.version, checkpoint.version);
    // Read from the checkpoint: the DV still applies (8 rows of the old file + the new one).
    assert.equal((await readRows(dir)).length, 9);
    const dvFile = [...writer.state.files.values()].find((f) => f.deletionVector)!;
    await writer.removeFiles([dvFile.path]);
    assert.deepEqual(await readRows(dir), [{ value: 100 }]);
    const tombstone = (await (await openTable(dir)).snapshot()).tombstones().find((r) =>
      r.deletionVector
    );
    assert.deepEqual(tombstone?.deletionVector, dvFile.deletionVector);
  });
});

Deno.test("appending after Spark's checkpoint, then checkpointing: the reader uses the new checkpoint", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await copyOf("basic-with-inserts-deletes-checkpoint", dir);
    const before = await readRows(dir);
    await writer.append({ id: [1000, 1001] });
    await writeCheckpoint(store, writer.state);
    assert.equal((await buildLogSegment(store)).checkpoint?.version, 14);
    const after = await readRows(dir);
    assert.deepEqual(
      after.map((r) => r.id).sort(),
      [...before.map((r) => r.id), 1000n, 1001n].sort(),
    );
  });
});

Deno.test("appending to a delta-rs table (writer version 1) and to a timestamp_ntz table", async () => {
  await withTempTable(async (_, dir) => {
    const writer = await copyOf("http_requests", `${dir}/http`);
    await writer.append({
      date: ["2024-01-01"],
      ClientIP: ["10.0.0.1"],
      EdgeResponseStatus: [404],
      EdgeStartTimestamp: [new Date(0)],
    });
    const rows = await readRows(`${dir}/http`);
    assert.equal(rows.length, 1582);
    assert.deepEqual(
      rows.filter((r) => r.date === "2024-01-01").map((
        r,
      ) => [r.ClientIP, r.EdgeResponseStatus, r.EdgeStartTimestamp]),
      [["10.0.0.1", 404, 0n]],
    );
    const ntz = await copyOf("data-reader-timestamp_ntz", `${dir}/ntz`);
    await ntz.append({
      id: [99],
      tsNtz: ["2030-01-01 00:00:00.000001"],
      tsNtzPartition: ["2030-01-01 12:00:00"],
    });
    const added = (await readRows(`${dir}/ntz`)).find((r) => r.id === 99);
    assert.deepEqual(added, {
      id: 99,
      tsNtz: 1893456000000001n,
      tsNtzPartition: 1893499200000000n,
    });
  });
});

Deno.test("tables with features this writer does not enforce are refused, untouched", async () => {
  const cases: [string, string][] = [
    ["table-with-columnmapping-mode-name", "UnsupportedFeature"],
    ["v2-checkpoint-json", "UnsupportedFeature"],
    ["deltalog-invalid-protocol-version", "UnsupportedReaderVersion"],
  ];
  for (const [name, code] of cases) {
    await withTempTable(async (_, dir) => {
      await assert.rejects(copyOf(name, dir), (e) => isDeltaError(e) && e.code === code, name);
    });
  }
});
