/** Checkpoints with statistics as a struct (`add.stats_parsed`) instead of JSON text. */

import assert from "node:assert/strict";
import { type Action, serializeCommit } from "../../src/delta/actions.ts";
import { encodeParquet, normalizeColumns } from "../../src/delta/parquet_write.ts";
import { eq, gt } from "../../src/delta/predicate.ts";
import { parseSchema } from "../../src/delta/schema.ts";
import { openTable } from "../../src/delta/table.ts";
import { goldenTable } from "./golden.ts";

const DATA = "part-00001-c506e79a-0bf8-4e2b-a42b-9731b2e490ae-c000.snappy.parquet";
const TABLE_SCHEMA =
  '{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]}';

const f = (name: string, type: unknown) => ({ name, type, nullable: true, metadata: {} });
const struct = (...fields: unknown[]) => ({ type: "struct", fields });
const stringMap = { type: "map", keyType: "string", valueType: "string", valueContainsNull: true };
const bounds = struct(f("id", "long"), f("x", "double"));

/** A checkpoint schema whose `add` has `stats_parsed` and no `stats`. */
const CHECKPOINT = parseSchema(JSON.stringify(struct(
  f("protocol", struct(f("minReaderVersion", "integer"), f("minWriterVersion", "integer"))),
  f(
    "metaData",
    struct(
      f("id", "string"),
      f("format", struct(f("provider", "string"), f("options", stringMap))),
      f("schemaString", "string"),
      f("partitionColumns", { type: "array", elementType: "string", containsNull: true }),
      f("configuration", stringMap),
    ),
  ),
  f(
    "add",
    struct(
      f("path", "string"),
      f("partitionValues", stringMap),
      f("size", "long"),
      f("modificationTime", "long"),
      f("dataChange", "boolean"),
      f(
        "stats_parsed",
        struct(
          f("numRecords", "long"),
          f("minValues", bounds),
          f("maxValues", bounds),
          f("nullCount", struct(f("id", "long"), f("x", "long"))),
        ),
      ),
    ),
  ),
)));

Deno.test("stats_parsed in a checkpoint feeds numRecords and data skipping, keeping only exact bounds", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/_delta_log`);
    await Deno.copyFile(`${goldenTable("simple_table")}/${DATA}`, `${dir}/${DATA}`);
    const size = (await Deno.stat(`${dir}/${DATA}`)).size;
    const protocol = { minReaderVersion: 1, minWriterVersion: 2 };
    const metaData = {
      id: "t",
      format: { provider: "parquet", options: {} },
      schemaString: TABLE_SCHEMA,
      partitionColumns: [],
      configuration: {},
    };
    const add = { path: DATA, partitionValues: {}, size, modificationTime: 0, dataChange: true };
    const commit: Action[] = [{ protocol }, { metaData }, { add }];
    await Deno.writeTextFile(
      `${dir}/_delta_log/00000000000000000000.json`,
      serializeCommit(commit),
    );
    const ids = (await Array.fromAsync((await (await openTable(dir)).snapshot()).scan().rows()))
      .map((r) => r.id as bigint);
    assert.ok(ids.length > 0);
    const min = ids.reduce((a, b) => (a < b ? a : b)), max = ids.reduce((a, b) => (a > b ? a : b));

    const stats_parsed = {
      numRecords: BigInt(ids.length),
      minValues: { id: min, x: 0.1 },
      maxValues: { id: max, x: 0.3 },
      nullCount: { id: 0n, x: 0n },
    };
    const bytes = await encodeParquet(
      CHECKPOINT,
      normalizeColumns(CHECKPOINT, {
        protocol: [protocol, null, null],
        metaData: [null, metaData, null],
        add: [null, null, { ...add, stats_parsed }],
      }),
    );
    await Deno.writeFile(`${dir}/_delta_log/00000000000000000000.checkpoint.parquet`, bytes);

    const snapshot = await (await openTable(dir)).snapshot();
    const stats = JSON.parse(snapshot.files()[0].stats!);
    assert.equal(stats.numRecords, ids.length);
    assert.deepEqual(stats.minValues, { id: Number(min) });
    assert.deepEqual(stats.maxValues, { id: Number(max) });
    assert.equal(snapshot.scan({ predicate: gt("id", max) }).files().length, 0);
    assert.deepEqual(await Array.fromAsync(snapshot.scan({ predicate: eq("id", min) }).rows()), [{
      id: min,
    }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
