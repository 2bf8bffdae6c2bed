/** Tests for checkpoints: when they are written, what they hold, and that Spark's schema, the reader and DuckDB agree. */

import assert from "node:assert/strict";
import { parquetMetadata } from "hyparquet";
import { writeCheckpoint } from "../../src/delta/checkpoint_write.ts";
import { TableWriter } from "../../src/delta/commit.ts";
import { createTable } from "../../src/delta/create.ts";
import { isDeltaError } from "../../src/delta/errors.ts";
import {
  buildLogSegment,
  classicCheckpointPath,
  commitPath,
  LAST_CHECKPOINT_PATH,
} from "../../src/delta/log_segment.ts";
import { LocalStore } from "../../src/delta/storage.ts";
import { openTable } from "../../src/delta/table.ts";
import { goldenTable } from "./golden.ts";
import { duckdb, readRows, schemaOf, withTempTable } from "./fixtures_write/helpers.ts";

const schema = schemaOf(["part", "string"], ["id", "long"], ["at", "timestamp"]);

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("a checkpoint is written every delta.checkpointInterval commits and the reader starts from it", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, {
      schema,
      partitionColumns: ["part"],
      configuration: { "delta.checkpointInterval": "3" },
    });
    const results = [];
    for (let i = 1; i <= 7; i++) {
      results.push(await writer.append({ part: [`p${i % 2}`], id: [i], at: [null] }));
    }
    await writer.removeFiles([decodeURIComponent([...writer.state.files.values()][0].path)]); // version 8
    assert.deepEqual(results.map((r) => r.checkpoint?.version), [
      undefined,
      undefined,
      3,
      undefined,
      undefined,
      6,
      undefined,
    ]);
    assert.ok(await exists(`${dir}/${classicCheckpointPath(3)}`));
    assert.ok(await exists(`${dir}/${classicCheckpointPath(6)}`));
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/${LAST_CHECKPOINT_PATH}`)).version, 6);
    const segment = await buildLogSegment(store);
    assert.equal(segment.checkpoint?.version, 6);
    assert.deepEqual(segment.commits.map((c) => c.version), [7, 8]);
    const ids = async () =>
      (await readRows(dir)).map((r) => r.id as bigint).sort((a, b) => Number(a - b));
    const expected = await ids();
    assert.deepEqual(expected, [2n, 3n, 4n, 5n, 6n, 7n]);

    // The checkpoint alone (without the commits it covers) reconstructs the same table.
    for (let v = 0; v <= 6; v++) await Deno.remove(`${dir}/${commitPath(v)}`);
    await Deno.remove(`${dir}/${classicCheckpointPath(3)}`);
    assert.deepEqual(await ids(), expected);
    const snapshot = await (await openTable(dir)).snapshot();
    assert.equal(snapshot.protocol.minWriterVersion, 2);
    assert.equal(snapshot.metadata.configuration["delta.checkpointInterval"], "3");
    assert.equal(snapshot.tombstones().length, 1);
    // A writer opened on it continues from there.
    assert.equal(
      (await (await TableWriter.open(store)).append({ part: ["p9"], id: [9], at: [null] })).version,
      9,
    );
  });
});

Deno.test("checkpoints on demand, only for versions whose commit exists; expired tombstones are dropped", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, {
      schema,
      configuration: { "delta.deletedFileRetentionDuration": "interval 1 hour" },
    });
    await writer.append({ part: ["a"], id: [1], at: ["2024-01-01T00:00:00Z"] }, {
      txn: { appId: "job", version: 3 },
    });
    await writer.append({ part: ["b"], id: [2], at: [null] });
    const [old] = [...writer.state.files.values()];
    await writer.removeFiles([decodeURIComponent(old.path)]);
    const now = Date.now();
    const kept = await writeCheckpoint(store, writer.state, { now });
    assert.deepEqual([kept.version, kept.numOfAddFiles, kept.size], [3, 1, 5]); // protocol, metaData, txn, add, remove
    const later = await writeCheckpoint(store, writer.state, { now: now + 2 * 3_600_000 });
    assert.equal(later.size, 4); // the tombstone expired
    const state = await (await openTable(dir)).snapshot();
    assert.equal(state.tombstones().length, 0);
    assert.equal(state.transactions().get("job")?.version, 3);
    assert.equal(
      JSON.parse(await Deno.readTextFile(`${dir}/${LAST_CHECKPOINT_PATH}`)).numOfAddFiles,
      1,
    );

    const ahead = { ...writer.state, version: 4 };
    await assert.rejects(writeCheckpoint(store, ahead), (e) => isDeltaError(e, "VersionNotFound"));
    assert.equal(await exists(`${dir}/${classicCheckpointPath(4)}`), false);
  });
});

Deno.test("tombstones sit in row groups of their own, which a writer that skips them never reads", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, { schema });
    for (let i = 0; i < 6; i++) await writer.append({ part: ["a"], id: [i], at: [null] });
    const files = [...writer.state.files.values()].map((f) => decodeURIComponent(f.path));
    await writer.removeFiles(files.slice(0, 4));
    const written = await writeCheckpoint(store, writer.state);
    const meta = parquetMetadata((await Deno.readFile(`${dir}/${written.path}`)).buffer);
    assert.deepEqual(meta.row_groups.map((g) => Number(g.num_rows)), [4, 4]); // protocol, metaData, 2 adds | 4 removes
    const full = await TableWriter.open(store);
    assert.equal(full.state.tombstones.size, 4);
    const reads: [number, number][] = [];
    const watched = new (class extends LocalStore {
      override readRange(path: string, start: number, end: number) {
        if (path === written.path) reads.push([start, end]);
        return super.readRange(path, start, end);
      }
    })(dir);
    const lazy = await TableWriter.open(watched, { tombstones: false });
    assert.equal(lazy.state.tombstones.size, 0);
    const removes = meta.row_groups[1].columns.map((c) => {
      const start = Number(c.meta_data!.dictionary_page_offset ?? c.meta_data!.data_page_offset);
      return [start, start + Number(c.meta_data!.total_compressed_size)];
    });
    const [from, to] = [
      Math.min(...removes.map((r) => r[0])),
      Math.max(...removes.map((r) => r[1])),
    ];
    assert.ok(reads.length > 0);
    // (The footer is fetched with a suffix read that may start before the groups; a read of a
    // column chunk starts inside its group.)
    assert.ok(reads.every(([a]) => a < from || a >= to), "the tombstones' row group was read");
    assert.deepEqual([...lazy.state.files.keys()].sort(), [...full.state.files.keys()].sort());
    await lazy.loadTombstones();
    assert.equal(lazy.state.tombstones.size, 4);
  });
});

/** The schema of a Parquet file as comparable rows (without the root's name). */
async function parquetLayout(path: string) {
  const bytes = await Deno.readFile(path);
  return parquetMetadata(bytes.buffer).schema.slice(1).map((e) =>
    [e.name, e.type ?? "group", e.repetition_type, e.converted_type ?? "", e.num_children ?? 0]
      .join(" ")
  );
}

Deno.test("the checkpoint's Parquet schema matches Spark's column for column", async () => {
  const spark = await parquetLayout(
    `${goldenTable("basic-with-inserts-deletes-checkpoint")}/${classicCheckpointPath(10)}`,
  );
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, { schema });
    await writer.append({ part: ["a"], id: [1], at: [null] });
    await writeCheckpoint(store, writer.state);
    assert.deepEqual(await parquetLayout(`${dir}/${classicCheckpointPath(1)}`), spark);
  });
});

Deno.test("DuckDB reads the checkpoint: one action per row, stats as a JSON string, partition values as a map", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, { schema, partitionColumns: ["part"] });
    await writer.append({
      part: ["x", null],
      id: [1, 2],
      at: ["2024-05-06T07:08:09.123456Z", null],
    });
    await writeCheckpoint(store, writer.state);
    const rows = await duckdb(
      `SELECT add.path AS path, map_extract(add.partitionValues, 'part')[1] AS part, add.size AS size,
              add.dataChange AS dc, json_extract(add.stats, '$.maxValues.at')::VARCHAR AS at,
              protocol.minWriterVersion AS w, metaData.partitionColumns AS pc
       FROM read_parquet('${dir}/${classicCheckpointPath(1)}') ORDER BY path NULLS FIRST`,
    );
    assert.equal(rows.length, 4);
    const adds = rows.filter((r) => r.path !== null);
    assert.deepEqual(adds.map((r) => [r.part, r.dc]).sort(), [[null, false], ["x", false]]);
    assert.deepEqual(adds.map((r) => r.at).sort(), ['"2024-05-06T07:08:09.123Z"', null]);
    assert.deepEqual(rows.filter((r) => r.w !== null).map((r) => r.w), [2]);
    assert.deepEqual(rows.filter((r) => r.pc !== null).map((r) => r.pc), [["part"]]);
    for (const add of writer.state.files.values()) {
      assert.ok(adds.some((r) => r.path === add.path && Number(r.size) === add.size));
    }
  });
});
