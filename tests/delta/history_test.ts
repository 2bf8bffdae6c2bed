/** Time travel: snapshots by version and by timestamp (latest version at or before T, to the millisecond). */

import assert from "node:assert/strict";
import { type Action, serializeCommit } from "../../src/delta/actions.ts";
import { isDeltaError } from "../../src/delta/errors.ts";
import { buildLogSegment, commitPath } from "../../src/delta/log_segment.ts";
import { openPastDamage, replaySegment } from "../../src/delta/replay.ts";
import { readableHistory } from "../../src/delta/history.ts";
import { LocalStore } from "../../src/delta/storage.ts";
import { openTable } from "../../src/delta/table.ts";
import { goldenTable } from "./golden.ts";

const A = "part-00000-a72b1fb3-f2df-41fe-a8f0-e65b746382dd-c000.snappy.parquet";
const B = "part-00001-c506e79a-0bf8-4e2b-a42b-9731b2e490ae-c000.snappy.parquet";

const add = (path: string, size: number): Action => ({
  add: { path, partitionValues: {}, size, modificationTime: 0, dataChange: true },
});
const remove = (path: string): Action => ({
  remove: { path, deletionTimestamp: 0, dataChange: true },
});

/**
 * A table whose commits have known times: v0 at 1000 ms, v1 at 2000, v2 claims 1500 (a clock
 * that went back), v3 has no commitInfo (and a file mtime of 5000 s, which must not count), v4
 * has inCommitTimestamp 6000
 * (and a later `timestamp`, which must lose).
 */
async function makeTable(dir: string): Promise<void> {
  await Deno.mkdir(`${dir}/_delta_log`);
  for (const f of [A, B]) await Deno.copyFile(`${goldenTable("simple_table")}/${f}`, `${dir}/${f}`);
  const sizeA = (await Deno.stat(`${dir}/${A}`)).size,
    sizeB = (await Deno.stat(`${dir}/${B}`)).size;
  const commits: Action[][] = [
    [
      { commitInfo: { timestamp: 1000 } },
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
      add(A, sizeA),
    ],
    [{ commitInfo: { timestamp: 2000 } }, add(B, sizeB)],
    [{ commitInfo: { timestamp: 1500 } }, remove(A)],
    [add(A, sizeA)],
    [{ commitInfo: { timestamp: 9000, inCommitTimestamp: 6000 } }, remove(B)],
  ];
  for (const [version, actions] of commits.entries()) {
    await Deno.writeTextFile(`${dir}/${commitPath(version)}`, serializeCommit(actions));
  }
  await Deno.utime(`${dir}/${commitPath(3)}`, 5000, 5000);
}

async function withTable(check: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await makeTable(dir);
    await check(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("history: inCommitTimestamp, then commitInfo.timestamp, never the file time; made strictly increasing", async () => {
  await withTable(async (dir) => {
    const history = await (await openTable(dir)).history();
    assert.deepEqual(history.map((c) => [c.version, c.timestamp]), [
      [0, 1000],
      [1, 2000],
      [2, 2001],
      [3, 2002],
      [
        4,
        6000,
      ],
    ]);
  });
});

Deno.test("snapshot at a timestamp is the latest version at or before it, to the millisecond", async () => {
  await withTable(async (dir) => {
    const table = await openTable(dir);
    const at = async (t: Date | number | string) =>
      (await table.snapshot({ timestamp: t })).version;
    assert.equal(await at(1000), 0);
    assert.equal(await at(1999), 0);
    assert.equal(await at(2000), 1);
    assert.equal(await at(2001), 2);
    assert.equal(await at(new Date(2002)), 3);
    assert.equal(await at("1970-01-01T00:00:05.999Z"), 3);
    assert.equal(await at("1970-01-01T00:00:06Z"), 4);
    assert.equal(await at(Date.now()), 4);
    await assert.rejects(
      () => at(999),
      (e) => isDeltaError(e, "VersionNotFound") && /1970-01-01T00:00:00\.999Z/.test(e.message),
    );
    await assert.rejects(() => at("not a time"), (e) => isDeltaError(e, "InvalidArgument"));
  });
});

Deno.test("an empty or torn commit is corruption naming its version; times before it still resolve", async () => {
  for (const damage of ["", '{"commitInfo":{"timestamp":5000},"add":{"pa']) {
    await withTable(async (dir) => {
      await Deno.writeTextFile(`${dir}/${commitPath(3)}`, damage);
      const table = await openTable(dir);
      const corrupt = (e: unknown) =>
        isDeltaError(e, "CorruptLog") && e.version === 3 && e.message.includes(commitPath(3));
      await assert.rejects(() => table.snapshot(), corrupt);
      await assert.rejects(() => table.snapshot({ version: 3 }), corrupt);
      await assert.rejects(() => table.history(), corrupt);
      await assert.rejects(() => table.snapshot({ timestamp: 9999 }), corrupt);
      assert.equal((await table.snapshot({ version: 2 })).version, 2);
      assert.equal((await table.snapshot({ timestamp: 2001 })).version, 2);
      assert.equal((await table.snapshot({ timestamp: 1999 })).version, 0);
      const opened = await openPastDamage((version) =>
        table.snapshot(version === undefined ? undefined : { version })
      );
      assert.equal(opened.value.version, 2);
      assert.ok(corrupt(opened.damage));
    });
  }
});

Deno.test("readableHistory reads past a damaged and a missing commit, timing the rest as history does; openPastDamage opens before a gap", async () => {
  await withTable(async (dir) => {
    await Deno.writeTextFile(`${dir}/${commitPath(1)}`, "");
    await Deno.remove(`${dir}/${commitPath(3)}`);
    const store = new LocalStore(dir);
    const { commits, damaged } = await readableHistory(store);
    assert.deepEqual(commits.map((c) => [c.version, c.timestamp]), [[0, 1000], [2, 1500], [
      4,
      6000,
    ]]);
    assert.deepEqual(damaged.map((e) => [e.code, e.version, e.path]), [
      ["CorruptLog", 1, commitPath(1)],
      ["VersionGap", 3, commitPath(3)],
    ]);
    await Deno.writeTextFile(`${dir}/${commitPath(1)}`, serializeCommit([{ commitInfo: {} }]));
    const table = await openTable(dir);
    const opened = await openPastDamage((version) =>
      table.snapshot(version === undefined ? undefined : { version })
    );
    assert.equal(opened.value.version, 2);
    assert.ok(isDeltaError(opened.damage, "VersionGap") && opened.damage.version === 3);
  });
});

Deno.test("snapshot at a version shows that version's files and rows", async () => {
  await withTable(async (dir) => {
    const table = await openTable(dir);
    const files = async (version: number) =>
      (await table.snapshot({ version })).files().map((f) => f.path).sort();
    assert.deepEqual(await files(0), [A]);
    assert.deepEqual(await files(1), [A, B]);
    assert.deepEqual(await files(2), [B]);
    assert.deepEqual(await files(3), [A, B]);
    assert.deepEqual(await files(4), [A]);
    const count = async (version: number) =>
      (await Array.fromAsync((await table.snapshot({ version })).scan().rows())).length;
    assert.equal(await count(1), (await count(0)) + (await count(2)));
    assert.deepEqual((await table.snapshot({ version: 2 })).tombstones().map((r) => r.path), [A]);
    await assert.rejects(
      () => table.snapshot({ version: 5 }),
      (e) => isDeltaError(e, "VersionNotFound") && /latest version is 4/.test(e.message),
    );
    await assert.rejects(
      () => table.snapshot({ version: -1 }),
      (e) => isDeltaError(e, "InvalidArgument"),
    );
  });
});

Deno.test("time travel uses the newest checkpoint at or below the version, never a newer one", async () => {
  const store = new LocalStore(goldenTable("basic-with-inserts-deletes-checkpoint"));
  const before = await buildLogSegment(store, 5);
  assert.equal(before.checkpoint, null);
  assert.deepEqual(before.commits.map((c) => c.version), [0, 1, 2, 3, 4, 5]);
  const after = await buildLogSegment(store, 12);
  assert.equal(after.checkpoint?.version, 10);
  assert.deepEqual(after.commits.map((c) => c.version), [11, 12]);
});

Deno.test("replaying from the checkpoint equals replaying every commit", async () => {
  const store = new LocalStore(goldenTable("basic-with-inserts-deletes-checkpoint"));
  const viaCheckpoint = await replaySegment(store, await buildLogSegment(store));
  const all = await buildLogSegment(store, 9);
  const rest = await buildLogSegment(store, 13);
  const commitsOnly = await replaySegment(store, {
    version: 13,
    checkpoint: null,
    commits: [
      ...all.commits,
      { version: 10, info: await store.head(commitPath(10)) },
      ...rest.commits,
    ],
  });
  assert.deepEqual([...viaCheckpoint.files.keys()].sort(), [...commitsOnly.files.keys()].sort());
  assert.deepEqual(
    [...viaCheckpoint.tombstones.keys()].sort(),
    [...commitsOnly.tombstones.keys()].sort(),
  );
  assert.deepEqual(viaCheckpoint.protocol, commitsOnly.protocol);
  assert.equal(viaCheckpoint.metadata.schemaString, commitsOnly.metadata.schemaString);
});
