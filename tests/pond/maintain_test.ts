/** pond maintain: compaction changes no transaction's view, a checkpoint carries the whole state, vacuum deletes only what no version needs. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LocalStore, openTable } from "../../src/delta/mod.ts";
import { BlobStore } from "../../src/oplog/blob_store.ts";
import { checkPond } from "../../src/pond/check.ts";
import { Pond } from "../../src/pond/pond.ts";
import { pondInProcess } from "../cli/harness.ts";
import { everySeq, noise, treeOf, withTempDir } from "../reliability/fixtures.ts";
import { variedPond } from "./check_helpers.ts";

const maintain = async (path: string, ...args: string[]) => {
  const r = await pondInProcess(["maintain", "--pond", path, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r;
};
const liveFiles = async (path: string) =>
  (await (await openTable(`${path}/oplog`)).snapshot()).files().length;
const exists = (file: string) => Deno.stat(file).then(() => true, () => false);

async function ageEverything(dir: string, when: Date): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) await ageEverything(path, when);
    await Deno.utime(path, when, when);
  }
}

Deno.test("compaction is one transaction of its own: every transaction reads the same before and after", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await variedPond(path);
    const before = await everySeq(path);
    const filesBefore = await liveFiles(path);
    const { stdout } = await maintain(path, "--compact", "--json");
    const { compact } = JSON.parse(stdout);
    assert.equal(compact.seq, before.length);
    assert.ok(compact.filesRemoved > compact.filesAdded, JSON.stringify(compact));
    assert.equal(await liveFiles(path), filesBefore - compact.filesRemoved + compact.filesAdded);
    const after = await everySeq(path);
    assert.deepEqual(after.slice(0, before.length), before);
    assert.deepEqual(
      after.at(-1),
      before.at(-1),
      "the compaction's own transaction changes nothing",
    );
    assert.deepEqual((await checkPond(path)).findings, []);
    const pond = await Pond.open(path);
    const { seq } = await pond.transact(["after"], (root) => root.write("/after.txt", "later"));
    assert.equal(seq, before.length + 1);
    assert.equal(new TextDecoder().decode(await (await pond.root()).read("/after.txt")), "later");
    assert.deepEqual((await pond.history()).map((t) => t.seq), [...after.keys(), seq]);
    const again = await maintain(path, "--compact");
    assert.equal(again.stdout, "compact: merged 2 data files into 1 in transaction 17\n");
    assert.equal(
      (await maintain(path, "--compact")).stdout,
      "compact: nothing to merge (no partition has two small data files)\n",
    );
  });
});

Deno.test("a checkpoint holds the whole state: the pond reads the same with the commits before it gone", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await variedPond(path);
    const before = await treeOf(path);
    const { stdout } = await maintain(path, "--checkpoint", "--json");
    const { checkpoint } = JSON.parse(stdout);
    assert.equal(checkpoint.seq, 14);
    const hint = JSON.parse(await Deno.readTextFile(`${path}/oplog/_delta_log/_last_checkpoint`));
    assert.equal(hint.version, 14);
    assert.deepEqual((await checkPond(path)).findings, []);
    for (let v = 0; v < 14; v++) {
      await Deno.remove(`${path}/oplog/_delta_log/${String(v).padStart(20, "0")}.json`);
    }
    assert.deepEqual(await treeOf(path), before);
    const report = await checkPond(path);
    assert.deepEqual(report.findings.map((f) => `${f.severity} ${f.code}`), [
      "warning HistoryGone",
    ]);
  });
});

Deno.test("vacuum lists by default, deletes with --apply only what no version needs and is older than the retention", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await variedPond(path);
    await maintain(path, "--compact");
    const orphan = await new BlobStore(new LocalStore(`${path}/blobs`)).put(noise(80_000, 5));
    const orphanBlob = `blobs/${orphan.hash.slice(0, 2)}/${orphan.hash}`;
    await Deno.writeTextFile(`${path}/blobs/.tmp-killed`, "half a body");
    const live = (await (await openTable(`${path}/oplog`)).snapshot()).files()[0].path;
    const partition = live.slice(0, live.indexOf("/"));
    const strayData = `oplog/${partition}/part-00000-never-committed.snappy.parquet`;
    await Deno.copyFile(`${path}/oplog/${decodeURIComponent(live)}`, `${path}/${strayData}`);
    await Deno.writeTextFile(`${path}/oplog/${partition}/.pond-killed.tmp`, "half a file");
    const before = await everySeq(path);

    const young = JSON.parse((await maintain(path, "--vacuum", "--json")).stdout).vacuum;
    assert.deepEqual([young.dataFiles, young.blobs, young.tempFiles], [[], [], []]);
    assert.equal(young.applied, false);

    await ageEverything(path, new Date(Date.now() - 30 * 24 * 3_600_000));
    const planned = JSON.parse((await maintain(path, "--vacuum", "--json")).stdout).vacuum;
    assert.deepEqual(planned.dataFiles, [strayData]);
    assert.deepEqual(planned.blobs, [orphanBlob]);
    assert.deepEqual(
      planned.tempFiles.sort(),
      ["blobs/.tmp-killed", `oplog/${partition}/.pond-killed.tmp`],
    );
    assert.ok(await exists(`${path}/${orphanBlob}`), "a dry run deletes nothing");
    const human = await maintain(path, "--vacuum");
    assert.match(human.stdout, /would delete 1 data file, 1 blob and 2 temporary files .*--apply/);

    await maintain(path, "--vacuum", "--apply");
    for (const f of [strayData, orphanBlob, "blobs/.tmp-killed"]) {
      assert.equal(await exists(`${path}/${f}`), false, f);
    }
    assert.deepEqual(await everySeq(path), before);

    const removedByCompaction = JSON.parse(
      (await maintain(path, "--vacuum", "--retain", "0", "--apply", "--json")).stdout,
    ).vacuum;
    assert.ok(removedByCompaction.dataFiles.length > 0, "the files compaction replaced go too");
    assert.deepEqual(removedByCompaction.blobs, [], "the blob a row needs stays");
    assert.deepEqual(await everySeq(path), before);
    assert.deepEqual((await checkPond(path)).findings, []);
    const store = new LocalStore(`${path}/oplog`);
    const onDisk = (await store.list("", { recursive: true })).filter((o) =>
      !o.path.startsWith("_delta_log/")
    );
    assert.equal(onDisk.length, await liveFiles(path), "only live files are left");
  });
});

Deno.test("pond maintain: help with examples, and usage errors", async () => {
  const help = await pondInProcess(["maintain", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:\n {2}pond maintain/);
  for (
    const args of [
      [],
      ["--apply"],
      ["--compact", "--retain", "3"],
      ["--vacuum", "--retain", "a week"],
      ["--vacuum", "extra"],
    ]
  ) {
    const r = await pondInProcess(["maintain", "--pond", "/nonexistent", ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^pond maintain/);
  }
});
