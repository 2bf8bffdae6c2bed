/** Tests for lost commit races in one process: retries when the winners do not conflict, a typed Conflict when they do. */

import assert from "node:assert/strict";
import { TableWriter } from "../../src/delta/commit.ts";
import { createTable } from "../../src/delta/create.ts";
import { DeltaError, isDeltaError } from "../../src/delta/errors.ts";
import { commitPath } from "../../src/delta/log_segment.ts";
import { openTable } from "../../src/delta/table.ts";
import { writeDataFiles } from "../../src/delta/write_files.ts";
import { beforePutIfAbsent, readRows, schemaOf, withTempTable } from "./fixtures_write/helpers.ts";

const schema = schemaOf(["id", "long"], ["tag", "string"]);

async function twoWriters(store: Parameters<typeof createTable>[0]) {
  const first = await createTable(store, { schema });
  await first.append({ id: [1, 2], tag: ["a", "b"] });
  return [first, await TableWriter.open(store)] as const;
}

function conflict(version: number, pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(isDeltaError(e, "Conflict"), String(e));
    assert.equal((e as DeltaError).version, version);
    assert.match((e as DeltaError).message, pattern);
    return true;
  };
}

Deno.test("an append that loses the race to another append retries at the next version", async () => {
  await withTempTable(async (store, dir) => {
    const [a, b] = await twoWriters(store);
    assert.equal((await a.append({ id: [3], tag: ["a"] })).version, 2);
    const result = await b.append({ id: [4], tag: ["b"] });
    assert.deepEqual([result.version, result.attempts], [3, 2]);
    assert.deepEqual((await readRows(dir)).map((r) => r.id), [1n, 2n, 3n, 4n]);
    // The loser's commitInfo still says which version it read.
    const info = (await (await openTable(dir)).history())[3].commitInfo!;
    assert.equal(info.readVersion, 1);
    assert.equal(b.version, 3);
    assert.equal(b.state.files.size, 3);
  });
});

Deno.test("removing a file another commit already removed is a Conflict naming the winning version", async () => {
  await withTempTable(async (store, dir) => {
    const [a, b] = await twoWriters(store);
    const [path] = [...a.state.files.values()].map((f) => decodeURIComponent(f.path));
    await a.removeFiles([path]);
    await assert.rejects(b.removeFiles([path]), conflict(2, /also removed/));
    // Nothing was written for the loser; the writer now knows version 2.
    await assert.rejects(Deno.stat(`${dir}/${commitPath(3)}`), Deno.errors.NotFound);
    assert.equal(b.version, 2);
    assert.equal(b.state.files.size, 0);
  });
});

Deno.test("a commit that read a file another commit removed conflicts; one that did not, retries", async () => {
  await withTempTable(async (store) => {
    const [a, b] = await twoWriters(store);
    const [path] = [...a.state.files.values()].map((f) => decodeURIComponent(f.path));
    await a.overwrite({ id: [10], tag: ["new"] });
    await assert.rejects(
      b.append({ id: [5], tag: ["x"] }, { readFiles: [path] }),
      conflict(2, /which this transaction read/),
    );
    // An overwrite that loses to a blind append keeps the appended rows (write-serializable).
    const c = await TableWriter.open(store);
    await a.append({ id: [11], tag: ["late"] });
    const result = await c.overwrite({ id: [20], tag: ["over"] });
    assert.equal(result.attempts, 2);
    assert.deepEqual((await readRows(store)).map((r) => r.id), [11n, 20n]);
  });
});

Deno.test("an overwrite that loses to a commit adding data without being a blind append conflicts (write-serializable)", async () => {
  await withTempTable(async (store) => {
    const [a, b] = await twoWriters(store);
    const { adds } = await writeDataFiles(store, a.state.metadata, {
      id: [7],
      tag: ["read-write"],
    });
    await a.commit(adds.map((add) => ({ add })), { isBlindAppend: false });
    await assert.rejects(
      b.overwrite({ id: [20], tag: ["over"] }),
      conflict(2, /added .* without being a blind append.*read the whole table/),
    );
    assert.deepEqual((await readRows(store)).map((r) => r.id).sort(), [1n, 2n, 7n]);
    // A commit that did not read the whole table does not conflict with it: it retries.
    const c = await TableWriter.open(store);
    const { adds: more } = await writeDataFiles(store, a.state.metadata, { id: [8], tag: ["x"] });
    await a.commit(more.map((add) => ({ add })), { isBlindAppend: false });
    assert.equal((await c.append({ id: [9], tag: ["y"] })).attempts, 2);
  });
});

Deno.test("the same application transaction committed concurrently is a Conflict", async () => {
  await withTempTable(async (store) => {
    const [a, b] = await twoWriters(store);
    await a.append({ id: [3], tag: ["a"] }, { txn: { appId: "ingest", version: 7 } });
    await assert.rejects(
      b.append({ id: [3], tag: ["a"] }, { txn: { appId: "ingest", version: 7 } }),
      conflict(2, /ingest/),
    );
    // A different application id is no conflict, and the snapshot keeps both.
    await b.append({ id: [4], tag: ["b"] }, { txn: { appId: "other", version: 1 } });
    const txns = (await (await openTable(store)).snapshot()).transactions();
    assert.deepEqual([...txns.keys()].sort(), ["ingest", "other"]);
    assert.equal(txns.get("ingest")!.version, 7);
  });
});

Deno.test("a concurrent metadata change conflicts with any commit", async () => {
  await withTempTable(async (store) => {
    const [a, b] = await twoWriters(store);
    const metaData = { ...a.state.metadata, configuration: { "delta.checkpointInterval": "5" } };
    await a.commit([{ metaData }], { operation: "SET TBLPROPERTIES" });
    await assert.rejects(b.append({ id: [9], tag: ["z"] }), conflict(2, /metadata/));
    // After the conflict the writer knows the new metadata and can commit.
    assert.equal((await b.append({ id: [9], tag: ["z"] })).version, 3);
    assert.equal(b.state.metadata.configuration["delta.checkpointInterval"], "5");
  });
});

Deno.test("a commit that loses more races than maxRetries gives up with a Conflict", async () => {
  await withTempTable(async (store) => {
    const [a, b] = await twoWriters(store);
    // Winners keep landing: a store whose putIfAbsent always loses to a fresh append.
    const racing = beforePutIfAbsent(store, () => a.append({ id: [0], tag: ["winner"] }));
    const loser = TableWriter.fromState(racing, b.state);
    await assert.rejects(
      loser.append({ id: [1], tag: ["loser"] }, { maxRetries: 3 }),
      conflict(5, /lost 4 races/),
    );
    assert.equal((await readRows(store)).filter((r) => r.tag === "loser").length, 0);
  });
});

Deno.test("two commits of the same metadata domain conflict; the snapshot keeps the winner's", async () => {
  await withTempTable(async (store) => {
    const a = await createTable(store, { schema, features: ["domainMetadata"] });
    const b = await TableWriter.open(store);
    const domain = (configuration: string) => ({
      domainMetadata: { domain: "pond.meta", configuration, removed: false },
    });
    assert.equal((await a.commit([domain('{"by":"a"}')])).version, 1);
    await assert.rejects(b.commit([domain('{"by":"b"}')]), conflict(1, /pond\.meta/));
    const [live] = (await (await openTable(store)).snapshot()).domainMetadata();
    assert.equal(live.configuration, '{"by":"a"}');
  });
});
