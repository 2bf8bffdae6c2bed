/** The Delta layer's own checks: a log's problems and its data files' as structured values, and a torn newest commit set aside through the Store. */
import assert from "node:assert/strict";
import {
  checkDataFiles,
  checkLog,
  commitPath,
  createTable,
  type DataFileProblem,
  type LogProblem,
  openTable,
  setAsideCommits,
} from "../../src/delta/mod.ts";
import { schemaOf, withTempTable } from "./fixtures_write/helpers.ts";

const schema = schemaOf(["id", "long"]);

Deno.test("a torn newest commit is a CorruptCommit the check offers to set aside; once aside, the log is whole at the version before", async () => {
  await withTempTable(async (store) => {
    const writer = await createTable(store, { schema });
    for (let i = 1; i <= 3; i++) await writer.append({ id: [i] });
    const newest = commitPath(3);
    const text = new TextDecoder().decode(await store.read(newest));
    await store.put(newest, new TextEncoder().encode(text.slice(0, text.length - 10)));

    const problems: LogProblem[] = [];
    const report = await checkLog(store, { problem: (p) => problems.push(p) });
    assert.equal(report.snapshot?.version, 2);
    assert.equal(report.damagedAt, 3);
    assert.equal(problems.length, 1);
    const [torn] = problems;
    assert.ok(torn.code === "CorruptCommit" && torn.setAside !== undefined);
    assert.equal(torn.version, 3);
    assert.equal(torn.path, newest);

    const moved = await torn.setAside();
    assert.match(moved, /^_delta_log\/0{19}3\.json\.torn-\d+$/);
    assert.deepEqual(await setAsideCommits(store), [{ path: moved, version: 3 }]);
    assert.equal(
      new TextDecoder().decode(await store.read(moved)),
      text.slice(0, text.length - 10),
    );
    const after: LogProblem[] = [];
    assert.equal((await checkLog(store, { problem: (p) => after.push(p) })).snapshot?.version, 2);
    assert.deepEqual(after, []);
  });
});

Deno.test("a missing commit no checkpoint covers is a VersionGap; the commits that parse reach the caller in order", async () => {
  await withTempTable(async (store) => {
    const writer = await createTable(store, { schema });
    for (let i = 1; i <= 3; i++) await writer.append({ id: [i] });
    await store.delete(commitPath(1));
    const problems: LogProblem[] = [];
    const seen: number[] = [];
    await checkLog(store, {
      quick: true,
      problem: (p) => problems.push(p),
      commit: (version) => seen.push(version),
    });
    assert.deepEqual(problems.filter((p) => p.code === "VersionGap"), [
      { code: "VersionGap", path: "_delta_log/", from: 1, to: 1 },
    ]);
    assert.deepEqual(seen, [3]); // quick: the newest commit only
  });
});

Deno.test("a live data file that is gone or cut short is a structured problem, and only the intact files are returned", async () => {
  await withTempTable(async (store) => {
    const writer = await createTable(store, { schema });
    await writer.append({ id: [1, 2] });
    await writer.append({ id: [3] });
    const [gone, cut] = [...writer.state.files.values()].map((f) => decodeURIComponent(f.path));
    await store.delete(gone);
    const bytes = await store.read(cut);
    await store.put(cut, bytes.subarray(0, bytes.length - 1));
    const problems: DataFileProblem[] = [];
    const snapshot = await (await openTable(store)).snapshot();
    const readable = await checkDataFiles(store, snapshot, (p) => problems.push(p));
    assert.deepEqual(readable, []);
    assert.deepEqual(problems, [
      { code: "MissingDataFile", path: gone, version: 2, rows: 2 },
      {
        code: "CorruptDataFile",
        path: cut,
        damage: { kind: "size", size: bytes.length - 1, expected: bytes.length },
      },
    ]);
  });
});
