/** pond check: a healthy pond passes; real damage to files, blobs, rows, listings and the log is named; --repair fixes only what is safe. */
import assert from "node:assert/strict";
import { LocalStore } from "../../src/delta/mod.ts";
import { BlobStore } from "../../src/oplog/blob_store.ts";
import { checkPond, type CheckReport } from "../../src/pond/check.ts";
import { pondInProcess } from "../cli/harness.ts";
import { noise, treeOf, withTempDir } from "../reliability/fixtures.ts";
import {
  allRows,
  commitDanglingEntry,
  flipAfter,
  INLINE_MARKER,
  variedPond,
} from "./check_helpers.ts";

const codes = (r: CheckReport) => r.findings.map((f) => `${f.severity} ${f.code}`).sort();
const check = (path: string, ...args: string[]) =>
  pondInProcess(["check", "--pond", path, ...args]);
const HOUR_AGO = () => new Date(Date.now() - 3_600_000);

Deno.test("a varied pond, with skip-delta listings, blobs and symlinks, is consistent", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await variedPond(path);
    const rows = await allRows(path);
    assert.ok(rows.some(({ row }) => row.dir_base !== null), "some listings are deltas");
    assert.ok(rows.some(({ row }) => row.blob_chunks !== null), "some body is a blob");
    const report = await checkPond(path);
    assert.deepEqual(report.findings, []);
    assert.equal(report.counts.rows, rows.length);
    assert.equal(report.counts.blobs, 1);
    const cli = await check(path, "--json");
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout), []);
    const human = await check(path);
    assert.match(human.stdout, /^the pond at transaction 14 is consistent: 0 errors, 0 warnings/);
  });
});

Deno.test("a damaged blob chunk is an error naming the blob and the file that needs it; --repair moves it aside, and a missing blob says to copy the original again", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await variedPond(path);
    const { row } = (await allRows(path)).find(({ row }) => row.blob_chunks !== null)!;
    const blob = new BlobStore(new LocalStore(`${path}/blobs`)).pathOf(row.hash!);
    const file = await Deno.open(blob, { read: true, write: true });
    await file.seek(1024 * 1024 + 5, Deno.SeekMode.Start);
    await file.write(new Uint8Array([0xff ^ noise(1024 * 1024 + 6, 2)[1024 * 1024 + 5]]));
    file.close();
    const damaged = await check(path);
    assert.equal(damaged.code, 1);
    const line = damaged.stdout.split("\n").find((l) => l.startsWith("error"))!;
    assert.match(line, new RegExp(`blobs/${row.hash!.slice(0, 2)}/${row.hash}: .*chunk 1`));
    assert.match(line, /\/data\/big\.bin/);
    const repaired = await check(path, "--repair");
    assert.equal(repaired.code, 1, "the body is missing until the original is copied again");
    assert.match(
      repaired.stdout,
      new RegExp(
        `^repaired .*: moved aside as blobs/${row.hash!.slice(0, 2)}/${row.hash}\\.damaged-\\d+`,
        "m",
      ),
    );
    const aside = [...Deno.readDirSync(blob.slice(0, blob.lastIndexOf("/")))].map((e) => e.name);
    assert.deepEqual(aside.map((n) => n.replace(/\d+$/, "")), [`${row.hash}.damaged-`]);
    await Deno.remove(`${blob.slice(0, blob.lastIndexOf("/"))}/${aside[0]}`);
    const json = JSON.parse((await check(path, "--json")).stdout);
    assert.deepEqual(json.map((f: { code: string }) => f.code), ["MissingBlob"]);
    assert.match(
      json[0].message,
      /is missing; it holds version 1 of \/data\/big\.bin.*copy the original/,
    );
  });
});

Deno.test("a flipped bit in an inline body is a hash mismatch naming the file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await variedPond(path);
    const { file } = (await allRows(path)).find(({ row }) =>
      new TextDecoder().decode(row.content?.subarray(0, INLINE_MARKER.length)) === INLINE_MARKER
    )!;
    await flipAfter(`${path}/oplog/${file}`, INLINE_MARKER);
    const report = await checkPond(path);
    assert.deepEqual(codes(report), ["error HashMismatch"]);
    assert.match(report.findings[0].subject, /^\/data\/inline\.bin \(node [0-9a-f]{32}\)$/);
    assert.match(report.findings[0].message, new RegExp(`version 1 .*${file}`));
  });
});

Deno.test("a missing and a truncated data file are errors naming them", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await variedPond(path);
    const files = [...new Set((await allRows(path)).map((r) => r.file))];
    await Deno.remove(`${path}/oplog/${files[0]}`);
    const second = `${path}/oplog/${files[1]}`;
    await Deno.truncate(second, (await Deno.stat(second)).size - 10);
    const report = await checkPond(path);
    assert.deepEqual(codes(report), ["error CorruptDataFile", "error MissingDataFile"]);
    const subjects = report.findings.map((f) => f.subject).sort();
    assert.deepEqual(subjects, [`oplog/${files[0]}`, `oplog/${files[1]}`].sort());
    assert.equal((await check(path)).code, 1);
  });
});

Deno.test("a directory entry naming a node that was never stored is a dangling entry", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await variedPond(path);
    await commitDanglingEntry(path, "ghost");
    const report = await checkPond(path);
    assert.deepEqual(codes(report), ["error DanglingEntry"]);
    assert.match(report.findings[0].subject, /^\/ \(node 0{32}\)$/);
    assert.match(report.findings[0].message, /names "ghost" → node 0123456789abcdef/);
  });
});

Deno.test("a missing commit file is a version gap", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await variedPond(path);
    await Deno.remove(`${path}/oplog/_delta_log/${"5".padStart(20, "0")}.json`);
    const report = await checkPond(path);
    assert.ok(codes(report).includes("error VersionGap"), codes(report).join());
    assert.match(
      report.findings.find((f) => f.code === "VersionGap")!.message,
      /version 5 is missing/,
    );
  });
});

Deno.test("--repair rewrites a damaged checkpoint from the commits and a stale hint; the pond reads again", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await variedPond(path);
    const before = await treeOf(path);
    assert.equal((await pondInProcess(["maintain", "--checkpoint", "--pond", path])).code, 0);
    const checkpoint = `${path}/oplog/_delta_log/${"14".padStart(20, "0")}.checkpoint.parquet`;
    await Deno.writeFile(checkpoint, new TextEncoder().encode("PAR1 not really PAR1"));
    await Deno.remove(`${path}/oplog/_delta_log/_last_checkpoint`);
    const damaged = await checkPond(path);
    assert.ok(codes(damaged).includes("error CorruptCheckpoint"), codes(damaged).join());
    assert.ok(codes(damaged).includes("warning StaleCheckpointHint"), codes(damaged).join());
    const repaired = await check(path, "--repair");
    assert.equal(repaired.code, 0, repaired.stdout);
    assert.match(
      repaired.stdout,
      /repaired\s+oplog\/_delta_log\/0+14\.checkpoint\.parquet: rewrote/,
    );
    assert.match(repaired.stdout, /repaired\s+oplog\/_delta_log\/_last_checkpoint: pointed/);
    assert.deepEqual((await checkPond(path)).findings, []);
    assert.deepEqual(await treeOf(path), before);
  });
});

Deno.test("leftover temp files are warnings; --repair removes the old ones and leaves young ones", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await variedPond(path);
    const old = [`${path}/blobs/.tmp-1`, `${path}/oplog/_delta_log/.pond-2.tmp`];
    const young = `${path}/oplog/.pond-3.tmp`;
    for (const f of [...old, young]) await Deno.writeTextFile(f, "partial");
    for (const f of old) await Deno.utime(f, HOUR_AGO(), HOUR_AGO());
    const found = await check(path);
    assert.equal(found.code, 0, "leftovers are not damage");
    assert.equal(found.stdout.split("\n").filter((l) => l.startsWith("warning")).length, 3);
    const repaired = await check(path, "--repair", "--json");
    assert.equal(repaired.code, 0);
    const listed = JSON.parse(repaired.stdout) as { status: string; subject: string }[];
    assert.deepEqual(
      listed.map((e) => `${e.status} ${e.subject}`).sort(),
      ["open oplog/.pond-3.tmp", "repaired blobs/.tmp-1", "repaired oplog/_delta_log/.pond-2.tmp"],
    );
    for (const f of old) await assert.rejects(Deno.stat(f), Deno.errors.NotFound);
    await Deno.stat(young);
  });
});

Deno.test("an old unreferenced blob is a warning, not damage; one written during the check is not reported", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await variedPond(path);
    const blobs = new BlobStore(new LocalStore(`${path}/blobs`));
    const ref = await blobs.put(noise(100_000, 9));
    const leftover = await blobs.put(noise(90_000, 10));
    await Deno.utime(blobs.pathOf(ref.hash), HOUR_AGO(), HOUR_AGO());
    const fresh = new Date(Date.now() + 60_000);
    await Deno.utime(blobs.pathOf(leftover.hash), fresh, fresh);
    const report = await checkPond(path);
    assert.deepEqual(codes(report), ["warning UnreferencedBlob"]);
    assert.equal(report.findings[0].subject, `blobs/${ref.hash.slice(0, 2)}/${ref.hash}`);
    assert.equal((await check(path)).code, 0);
  });
});

Deno.test("a lost pond.json is an error; a directory that is no pond is refused", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await variedPond(path);
    await Deno.remove(`${path}/pond.json`);
    const report = await checkPond(path);
    assert.deepEqual(codes(report), ["error NotAPond"]);
    assert.equal(report.findings[0].subject, "pond.json");
    const notAPond = await check(dir);
    assert.equal(notAPond.code, 1);
    assert.match(notAPond.stderr, /is not a pond/);
  });
});

Deno.test("pond check: help with examples, the fsck alias, and usage errors", async () => {
  const help = await pondInProcess(["check", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:\n {2}pond check/);
  assert.match(help.stdout, /--repair/);
  assert.equal((await pondInProcess(["fsck", "--help"])).code, 0);
  assert.equal((await pondInProcess(["check", "extra", "--pond", "/tmp"])).code, 2);
  assert.equal((await pondInProcess(["check"], {})).code, 2);
});
