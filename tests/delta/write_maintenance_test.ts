/** Tests for vacuum (what it deletes and what it must keep) and compaction (fewer files, same rows). */

import assert from "node:assert/strict";
import { compact } from "../../src/delta/compact.ts";
import { TableWriter } from "../../src/delta/commit.ts";
import { createTable } from "../../src/delta/create.ts";
import { isDeltaError } from "../../src/delta/errors.ts";
import { openTable } from "../../src/delta/table.ts";
import { vacuum } from "../../src/delta/vacuum.ts";
import { beforePutIfAbsent, readRows, schemaOf, withTempTable } from "./fixtures_write/helpers.ts";

const schema = schemaOf(["day", "string"], ["id", "long"], ["m", {
  type: "map",
  keyType: "string",
  valueType: "decimal(6,2)",
  valueContainsNull: true,
}]);
const HOUR = 3_600_000;

async function files(dir: string, under = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${under}`)) {
    const path = under === "" ? e.name : `${under}/${e.name}`;
    if (e.isDirectory) out.push(...await files(dir, path));
    else out.push(path);
  }
  return out.sort();
}

Deno.test("vacuum deletes only unreferenced files older than the retention, and dry runs delete nothing", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, { schema, partitionColumns: ["day"] });
    await writer.append({ day: ["a", "b"], id: [1, 2], m: [null, null] });
    const [first] = [...writer.state.files.values()].map((f) => decodeURIComponent(f.path)).sort();
    await writer.removeFiles([first]); // a tombstone, deleted "now"
    await store.put("day=a/orphan.parquet", new Uint8Array([1])); // e.g. a crashed writer's file
    await store.put("_hidden/keep.bin", new Uint8Array([1]));
    // A temp file a killed writer left behind while publishing a commit.
    const temp = "_delta_log/.pond-1b4e28ba-2fa1-11d2-883f-0016d3cca427.tmp";
    await Deno.writeFile(`${dir}/${temp}`, new Uint8Array([1]));
    const now = Date.now();

    await assert.rejects(
      vacuum(writer, { retentionMs: HOUR }),
      (e) => isDeltaError(e, "InvalidArgument") && /force/.test(e.message),
    );
    // Within the retention everything stays: the tombstone is recent and so are the files.
    assert.deepEqual((await vacuum(writer, { retentionMs: HOUR, force: true, now })).files, []);
    // Two hours later: the removed file and the orphan go; live files, the log and hidden files stay.
    const later = now + 2 * HOUR;
    const planned = await vacuum(writer, {
      retentionMs: HOUR,
      force: true,
      now: later,
      dryRun: true,
    });
    assert.deepEqual(planned.files, [first, "day=a/orphan.parquet", temp].sort());
    assert.equal(planned.dryRun, true);
    assert.ok((await files(dir)).includes(first));
    const done = await vacuum(writer, { retentionMs: HOUR, force: true, now: later });
    assert.deepEqual(done.files, planned.files);
    const left = await files(dir);
    assert.ok(!left.includes(first) && !left.includes("day=a/orphan.parquet"));
    assert.ok(left.includes("_hidden/keep.bin") && left.some((p) => p.startsWith("_delta_log/")));
    assert.deepEqual((await readRows(dir)).map((r) => r.id), [2n]);
  });
});

Deno.test("vacuum keeps files of versions within the retention and young files a writer has not committed yet", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, { schema });
    await writer.append({ day: ["a"], id: [1], m: [null] });
    const [v1File] = [...writer.state.files.values()].map((f) => decodeURIComponent(f.path));
    await writer.overwrite({ day: ["b"], id: [2], m: [null] });
    const now = Date.now();
    // The table's own retention (1 week): version 1 stays readable two hours later.
    assert.deepEqual((await vacuum(writer, { now: now + 2 * HOUR })).files, []);
    assert.deepEqual((await readRows(dir, 1)).map((r) => r.id), [1n]);
    // A data file written just now but not committed yet (a writer in flight) is young: kept.
    await store.put("part-in-flight.parquet", new Uint8Array([1, 2, 3]));
    assert.deepEqual((await vacuum(writer, { retentionMs: HOUR, force: true })).files, []);
    // Another writer commits; two hours on, only the overwritten file and the abandoned one go.
    const other = await TableWriter.open(store);
    await other.append({ day: ["c"], id: [3], m: [null] });
    const result = await vacuum(writer, { retentionMs: HOUR, force: true, now: now + 2 * HOUR });
    assert.deepEqual(result.files, [v1File, "part-in-flight.parquet"].sort());
    assert.equal(result.bytes > 3, true);
    assert.deepEqual((await readRows(dir)).map((r) => r.id), [2n, 3n]);
  });
});

Deno.test("compact rewrites small files per partition in one dataChange=false commit without changing rows", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, { schema, partitionColumns: ["day"] });
    for (let i = 0; i < 5; i++) {
      await writer.append({
        day: ["a", "b"],
        id: [i, 100 + i],
        m: [{ k: "1.50" }, new Map([["x", null]])],
      });
    }
    await writer.append({ day: [null], id: [-1], m: [null] }); // one file alone: left as is
    const before = await readRows(dir);
    const version = writer.version;
    const result = await compact(writer);
    assert.deepEqual([result.filesRemoved, result.filesAdded], [10, 2]);
    assert.equal(result.commit?.version, version + 1);
    const after = await readRows(dir);
    assert.deepEqual(after, before);
    const snapshot = await (await openTable(dir)).snapshot();
    assert.equal(snapshot.files().length, 3);
    assert.deepEqual(snapshot.commitInfo?.operation, "OPTIMIZE");
    assert.ok(snapshot.files().every((f) => JSON.parse(f.stats!).numRecords > 0));
    const log = await Deno.readTextFile(
      `${dir}/_delta_log/${String(version + 1).padStart(20, "0")}.json`,
    );
    const actions = log.trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(
      actions.filter((a) => a.add || a.remove).every((a) =>
        (a.add ?? a.remove).dataChange === false
      ),
    );
    // Nothing left to compact.
    assert.deepEqual(await compact(writer), { commit: null, filesRemoved: 0, filesAdded: 0 });
  });
});

Deno.test("compact conflicts with a removal of a file it rewrote that lands before its commit", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, { schema });
    await writer.append({ day: ["a"], id: [1], m: [null] });
    await writer.append({ day: ["a"], id: [2], m: [null] });
    const other = await TableWriter.open(store);
    // A store on which another writer removes a file just before the compaction's commit lands.
    const racing = beforePutIfAbsent(store, async () => {
      if (other.version === 2) {
        await other.removeFiles([decodeURIComponent([...other.state.files.values()][0].path)]);
      }
    });
    await assert.rejects(
      compact(TableWriter.fromState(racing, writer.state)),
      (e) => isDeltaError(e, "Conflict") && /also removed/.test(e.message),
    );
    assert.deepEqual((await readRows(dir)).map((r) => r.id).length, 1);
  });
});

Deno.test("vacuum keeps a live file the log names by an absolute file: URI inside the table", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, { schema });
    await writer.append({ day: ["a"], id: [1], m: [null] });
    const [add] = [...writer.state.files.values()];
    // Re-point the file at an absolute URI (as shallow clones and some writers do).
    await Deno.mkdir(`${dir}/abs dir`);
    await Deno.rename(`${dir}/${decodeURIComponent(add.path)}`, `${dir}/abs dir/f.parquet`);
    const absolute = { ...add, path: `file://${encodeURI(dir)}/abs%20dir/f.parquet` };
    await writer.commit([{ remove: { path: add.path, dataChange: false } }, {
      add: { ...absolute, dataChange: false },
    }]);
    const result = await vacuum(writer, { retentionMs: 0, force: true, now: Date.now() + HOUR });
    assert.deepEqual(result.files, []);
    assert.deepEqual((await readRows(dir)).map((r) => r.id), [1n]);
  });
});

Deno.test("vacuum refuses, dry runs too, while a commit is set aside beside the log, and deletes what it names once it is gone", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, { schema, partitionColumns: ["day"] });
    await writer.append({ day: ["a"], id: [1], m: [null] });
    await writer.append({ day: ["b"], id: [2], m: [null] });
    const [named] = [...writer.state.files.values()].map((f) => decodeURIComponent(f.path))
      .filter((p) => p.startsWith("day=b/"));
    const commit = `${dir}/_delta_log/${"2".padStart(20, "0")}.json`;
    await Deno.rename(commit, `${commit}.torn-1780272000000`); // as `pond check --repair` does
    const opened = await TableWriter.open(store);
    assert.equal(opened.state.version, 1);
    const later = { retentionMs: 0, force: true, now: Date.now() + HOUR };
    for (const dryRun of [true, false]) {
      await assert.rejects(
        vacuum(opened, { ...later, dryRun }),
        (e) =>
          isDeltaError(e, "VacuumRefused") &&
          e.path === `_delta_log/${"2".padStart(20, "0")}.json.torn-1780272000000` &&
          /set aside beside the log.*move it out of the table/.test(e.message),
      );
    }
    assert.ok((await files(dir)).includes(named), "the file the set-aside commit names stays");
    await Deno.remove(`${commit}.torn-1780272000000`);
    assert.deepEqual((await vacuum(opened, later)).files, [named]);
  });
});
