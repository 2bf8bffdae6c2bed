/** Push, pull and restore through a real s3rver and a directory: byte-identical ponds, incremental pushes, and refusals. */
import assert from "node:assert/strict";
import { pondInProcess } from "../cli/harness.ts";
import { checked, makePond, pondFiles, pondOk } from "./pond_fixture.ts";
import { noise, withTempDir } from "../reliability/fixtures.ts";
import { moduleS3rver } from "./s3_server.ts";

const { server, missing } = await moduleS3rver();
const s3 = (name: string, f: (env: Record<string, string>, endpoint: string) => Promise<void>) =>
  Deno.test({
    name: server ? name : `${name} (ignored: ${missing})`,
    ignore: !server,
    fn: () => f(server!.env, server!.endpoint),
  });

/** The files a push must have copied: the pond's, minus the marker's own name clash-free. */
async function assertSame(a: string, b: string) {
  assert.deepEqual(await pondFiles(b), await pondFiles(a));
  assert.deepEqual(await checked(b), await checked(a));
}

s3(
  "push to S3 then restore gives a byte-identical pond that checks the same; a big blob goes multipart",
  async (env, endpoint) => {
    await withTempDir(async (dir) => {
      const pond = await makePond(dir, 2, 9 * (1 << 20) + 5);
      const url = `s3://${server!.bucket}/round-${crypto.randomUUID()}`;
      await pondOk(["--pond", pond, "remote", "add", "b", url, "--endpoint", endpoint], env);
      const push = JSON.parse((await pondOk(["--pond", pond, "push", "--json"], env)).stdout);
      const files = await pondFiles(pond);
      assert.equal(push.sent.objects, files.size);
      assert.equal(push.tip, 2);
      const restored = `${dir}/restored`;
      await pondOk(["restore", url, restored, "--endpoint", endpoint], env);
      await assertSame(pond, restored);
      const cat = await pondOk(["--pond", restored, "cat", "/data/src/big1.bin"], env);
      assert.equal(cat.stdout.length > 0, true);
    });
  },
);

s3(
  "after one copy a push sends that transaction's files only; with nothing new it lists once per part and uploads nothing",
  async (env, endpoint) => {
    await withTempDir(async (dir) => {
      const pond = await makePond(dir);
      const url = `s3://${server!.bucket}/inc-${crypto.randomUUID()}`;
      await pondOk(["--pond", pond, "remote", "add", "b", url, "--endpoint", endpoint], env);
      await pondOk(["--pond", pond, "push"], env);
      const before = await pondFiles(pond);
      await Deno.writeFile(`${dir}/one.bin`, noise(200_000, 99));
      await pondOk(["--pond", pond, "copy", `host:${dir}/one.bin`, "/data/"]);
      const added = [...(await pondFiles(pond)).keys()].filter((p) => !before.has(p));
      assert.ok(added.some((p) => p.startsWith("blobs/")), `added ${added}`);
      const push = JSON.parse((await pondOk(["--pond", pond, "push", "--json"], env)).stdout);
      assert.equal(push.sent.objects, added.length, `added ${added}`);
      assert.equal(push.requests.put, added.length);
      assert.equal(push.skipped.objects, before.size);
      const verbose = await pondOk(["--pond", pond, "push", "--verbose"], env);
      assert.match(verbose.stderr, /^have blobs\/[0-9a-f]{2}\/[0-9a-f]{64} \(\d+ bytes\)$/m);
      assert.match(verbose.stdout, /^pushed to b: transaction 3; 0 objects \(0 B\) copied/);
      const idleRun = await pondOk(["--pond", pond, "push", "--json"], env);
      assert.equal(idleRun.stderr, "", "no progress on stderr when it is not a terminal");
      const idle = JSON.parse(idleRun.stdout);
      assert.equal(idle.sent.objects, 0);
      assert.equal(idle.requests.put, 0);
      assert.ok(idle.requests.list <= 3, `list requests ${idle.requests.list}`);
    });
  },
);

s3("pull brings a restored copy up to the pond's newest transaction", async (env, endpoint) => {
  await withTempDir(async (dir) => {
    const pond = await makePond(dir);
    const url = `s3://${server!.bucket}/pull-${crypto.randomUUID()}`;
    await pondOk(["--pond", pond, "remote", "add", "b", url, "--endpoint", endpoint], env);
    await pondOk(["--pond", pond, "push"], env);
    const copy = `${dir}/copy`;
    await pondOk(["restore", url, copy, "--endpoint", endpoint], env);
    await pondOk(["--pond", copy, "remote", "add", "b", url, "--endpoint", endpoint], env);
    await Deno.writeTextFile(`${dir}/later.csv`, "t,v\n9,9\n");
    await pondOk(["--pond", pond, "copy", `host:${dir}/later.csv`, "/data/"]);
    await pondOk(["--pond", pond, "push"], env);
    const pull = JSON.parse((await pondOk(["--pond", copy, "pull", "--json"], env)).stdout);
    assert.equal(pull.before, 2);
    assert.equal(pull.tip, 3);
    await assertSame(pond, copy);
    // the copy gets ahead of the remote: a pull is then refused, the copy untouched
    await pondOk(["--pond", copy, "mkdir", "/mine"]);
    const files = await pondFiles(copy);
    const refused = await pondInProcess(["--pond", copy, "pull"], env);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^pond: this pond has transactions up to 4, remote b .* only up to 3: push it first/,
    );
    assert.deepEqual(await pondFiles(copy), files);
  });
});

s3("a remote another pond pushed to is refused, not overwritten", async (env, endpoint) => {
  await withTempDir(async (dir) => {
    const a = await makePond(`${dir}/a`);
    const b = await makePond(`${dir}/b`);
    const url = `s3://${server!.bucket}/two-${crypto.randomUUID()}`;
    for (const p of [a, b]) {
      await pondOk(["--pond", p, "remote", "add", "r", url, "--endpoint", endpoint], env);
    }
    await pondOk(["--pond", a, "push"], env);
    await pondOk(["--pond", a, "mkdir", "/more"]);
    await pondOk(["--pond", a, "push"], env);
    const behind = await pondInProcess(["--pond", b, "push"], env);
    assert.equal(behind.code, 1);
    assert.match(
      behind.stderr,
      /has transactions up to 3, this pond only up to 2: another pond pushed there/,
    );
    await pondOk(["--pond", b, "mkdir", "/x"]);
    await pondOk(["--pond", b, "mkdir", "/y"]);
    const diverged = await pondInProcess(["--pond", b, "push"], env);
    assert.equal(diverged.code, 1);
    assert.match(diverged.stderr, /disagree about transaction/);
    const restored = `${dir}/restored`;
    await pondOk(["restore", url, restored, "--endpoint", endpoint], env);
    await assertSame(a, restored);
  });
});

s3("restore --at N gives the pond as of transaction N", async (env, endpoint) => {
  await withTempDir(async (dir) => {
    const pond = await makePond(dir);
    const url = `s3://${server!.bucket}/at-${crypto.randomUUID()}`;
    await pondOk(["--pond", pond, "remote", "add", "b", url, "--endpoint", endpoint], env);
    await pondOk(["--pond", pond, "push"], env);
    const restored = `${dir}/at1`;
    await pondOk(["restore", url, restored, "--endpoint", endpoint, "--at", "1"], env);
    const list = await pondOk(["--pond", restored, "list", "/"]);
    assert.match(list.stdout, /data/);
    const log = await pondOk(["--pond", restored, "log", "--json"]);
    assert.equal(Math.max(...JSON.parse(log.stdout).map((t: { seq: number }) => t.seq)), 1);
    assert.deepEqual(await checked(restored), [], "as of transaction 1: no blob, nothing to say");
    assert.ok(![...(await pondFiles(restored)).keys()].some((p) => p.startsWith("blobs/")));
  });
});

Deno.test("push to and restore from a file:/// directory remote", async () => {
  await withTempDir(async (dir) => {
    const pond = await makePond(dir);
    await pondOk(["--pond", pond, "remote", "add", "usb", `file://${dir}/usb`]);
    await pondOk(["--pond", pond, "push"]);
    assert.ok(!(await pondFiles(`${dir}/usb`)).has("cache"));
    await pondOk(["restore", `file://${dir}/usb`, `${dir}/back`]);
    await assertSame(pond, `${dir}/back`);
    const notEmpty = await pondInProcess(["restore", `file://${dir}/usb`, `${dir}/back`]);
    assert.equal(notEmpty.code, 1);
    assert.match(notEmpty.stderr, /is not empty/);
  });
});

Deno.test("a remote's newest commit cut short is written again; one changed by hand is refused", async () => {
  await withTempDir(async (dir) => {
    const pond = await makePond(dir);
    await pondOk(["--pond", pond, "remote", "add", "usb", `file://${dir}/usb`]);
    await pondOk(["--pond", pond, "push"]);
    const tip = `${dir}/usb/oplog/_delta_log/${"2".padStart(20, "0")}.json`;
    const whole = await Deno.readFile(tip);
    await Deno.writeFile(tip, whole.subarray(0, 40)); // as a server writing in place leaves it
    const again = JSON.parse((await pondOk(["--pond", pond, "push", "--json"])).stdout);
    assert.equal(again.sent.objects, 1);
    assert.deepEqual(await Deno.readFile(tip), whole);
    const changed = whole.slice();
    changed[20] ^= 1;
    await Deno.writeFile(tip, changed);
    const refused = await pondInProcess(["--pond", pond, "push"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /disagree about transaction 2/);
    assert.deepEqual(await Deno.readFile(tip), changed, "nothing overwritten");
  });
});
