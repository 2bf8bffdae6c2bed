/** What a user sees when a remote cannot be used (wrong key, no bucket, no server, a damaged object): one line, exit 1, the local pond as it was; and the pushed objects read by s3cmd. */
import assert from "node:assert/strict";
import { pondProcess } from "../cli/harness.ts";
import { makePond, pondFiles, pondOk } from "./pond_fixture.ts";
import { noise, withTempDir } from "../reliability/fixtures.ts";
import { s3cmd } from "./s3cmd.ts";
import { freePort, moduleS3rver, s3cmdMissing, startS3rver } from "./s3_server.ts";

const { server, missing } = await moduleS3rver();
const s3 = (
  name: string,
  f: (env: Record<string, string>, endpoint: string) => Promise<void>,
  also?: string,
) => {
  const why = missing ?? also;
  Deno.test({
    name: why ? `${name} (ignored: ${why})` : name,
    ignore: !!why,
    fn: () => f(server!.env, server!.endpoint),
  });
};

/** Asserts a failed command printed one line starting `pond:` matching `pattern`, and exited 1. */
function oneLine(r: { code: number; stderr: string }, pattern: RegExp) {
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^pond: /);
  assert.match(lines[0], pattern);
}

s3(
  "wrong credentials, a missing bucket, no server: one line each, exit 1, the pond untouched",
  async (env, endpoint) => {
    await withTempDir(async (dir) => {
      const pond = await makePond(dir);
      const url = `s3://${server!.bucket}/f-${crypto.randomUUID()}`;
      await pondOk(["--pond", pond, "remote", "add", "ok", url, "--endpoint", endpoint]);
      await pondOk([
        "--pond",
        pond,
        "remote",
        "add",
        "nobucket",
        "s3://no-such-bucket/x",
        "--endpoint",
        endpoint,
      ]);
      await pondOk([
        "--pond",
        pond,
        "remote",
        "add",
        "gone",
        url,
        "--endpoint",
        `http://127.0.0.1:${freePort()}`,
      ]);
      const files = await pondFiles(pond);
      const run = (args: string[], extra: Record<string, string> = {}) =>
        pondProcess(["--pond", pond, ...args], { ...env, ...extra });
      oneLine(
        await run(["push", "ok"], { AWS_ACCESS_KEY_ID: "wrong" }),
        /refused the credentials .*InvalidAccessKeyId/,
      );
      oneLine(await run(["push", "nobucket"]), /bucket 'no-such-bucket' does not exist/);
      oneLine(
        await run(["push", "gone"]),
        /cannot reach the S3 server at http:\/\/127\.0\.0\.1:\d+/,
      );
      oneLine(await run(["pull", "gone"]), /cannot reach the S3 server/);
      oneLine(
        await run(["push", "ok"], { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" }),
        /no S3 credentials/,
      );
      oneLine(await run(["remote", "verify", "nobucket"]), /does not exist/);
      assert.deepEqual(await pondFiles(pond), files);
      const none = await pondProcess(["restore", url, `${dir}/r`, "--endpoint", endpoint], env);
      oneLine(none, /there is no pond in s3:\/\//);
      await assert.rejects(Deno.stat(`${dir}/r`), Deno.errors.NotFound);
    });
  },
);

s3("a server that goes away mid-push: one line, exit 1, the pond untouched", async (env) => {
  await withTempDir(async (dir) => {
    const pond = await makePond(dir, 8, 3 << 20);
    const own = await startS3rver("mid");
    try {
      await pondOk([
        "--pond",
        pond,
        "remote",
        "add",
        "m",
        "s3://mid/p",
        "--endpoint",
        own.endpoint,
      ]);
      const files = await pondFiles(pond);
      const push = pondProcess(["--pond", pond, "push"], env);
      // stop the server once its first object is being written
      for (let found = false; !found;) {
        await new Promise((r) => setTimeout(r, 5));
        found = await Array.fromAsync(Deno.readDir(`${own.dir}/mid`)).then(
          (e) => e.length > 0,
          () => false,
        );
      }
      await own.stop();
      const r = await push;
      oneLine(r, /cannot reach the S3 server|failed: HTTP/);
      assert.deepEqual(await pondFiles(pond), files);
    } finally {
      await own.stop();
    }
  });
});

s3(
  "a remote blob damaged by hand is found by verify --read-data and refused by restore",
  async (env, endpoint) => {
    await withTempDir(async (dir) => {
      const pond = await makePond(dir, 2);
      const prefix = `c-${crypto.randomUUID()}`;
      const url = `s3://${server!.bucket}/${prefix}`;
      await pondOk(["--pond", pond, "remote", "add", "b", url, "--endpoint", endpoint]);
      await pondOk(["--pond", pond, "push"], env);
      const sound = await pondProcess(
        ["--pond", pond, "remote", "verify", "b", "--read-data"],
        env,
      );
      assert.equal(sound.code, 0, sound.stdout + sound.stderr);
      const blob = [...(await pondFiles(pond)).keys()].find((p) => p.startsWith("blobs/"))!;
      // s3rver keeps each object's bytes in a file: flip one byte there, as a failing disk would
      const file = `${server!.dir}/${server!.bucket}/${prefix}/${blob}._S3rver_object`;
      const bytes = await Deno.readFile(file);
      bytes[1000] ^= 0xff;
      await Deno.writeFile(file, bytes);
      const plain = await pondProcess(["--pond", pond, "remote", "verify", "b"], env);
      assert.equal(plain.code, 0, "the listing alone cannot see a flipped byte");
      const found = await pondProcess([
        "--pond",
        pond,
        "remote",
        "verify",
        "b",
        "--read-data",
        "--json",
      ], env);
      assert.equal(found.code, 1);
      const report = JSON.parse(found.stdout);
      assert.deepEqual(report.findings.map((f: { path: string }) => f.path), [blob]);
      const halves = await Promise.all(["1/2", "2/2"].map((s) =>
        pondProcess([
          "--pond",
          pond,
          "remote",
          "verify",
          "b",
          "--read-data",
          "--subset",
          s,
          "--json",
        ], env)
      ));
      assert.deepEqual(
        halves.map((h) => h.code).sort(),
        [0, 1],
        "one half holds the damaged blob",
      );
      const restore = await pondProcess(["restore", url, `${dir}/r`, "--endpoint", endpoint], env);
      oneLine(
        restore,
        new RegExp(`${blob.replace(/\//g, "\\/")} in s3:.* is damaged: its SHA-256 is`),
      );
      await assert.rejects(Deno.stat(`${dir}/r`), Deno.errors.NotFound);
    });
  },
);

s3(
  "the pushed objects are ordinary S3 objects: s3cmd lists and downloads the pond byte for byte",
  async (env, endpoint) => {
    await withTempDir(async (dir) => {
      const pond = await makePond(dir, 1, 9 << 20);
      await Deno.writeFile(`${dir}/src/extra.bin`, noise(100_000, 7));
      const prefix = `s3cmd-${crypto.randomUUID()}`;
      await pondOk([
        "--pond",
        pond,
        "remote",
        "add",
        "b",
        `s3://${server!.bucket}/${prefix}`,
        "--endpoint",
        endpoint,
      ]);
      await pondOk(["--pond", pond, "push"], env);
      const files = await pondFiles(pond);
      const listing = await s3cmd(server!.port, dir, [
        "ls",
        "-r",
        `s3://${server!.bucket}/${prefix}/`,
      ]);
      const listed = listing.trim().split("\n").map((l) =>
        l.slice(l.indexOf(`s3://`)).slice(`s3://${server!.bucket}/${prefix}/`.length)
      );
      assert.deepEqual(listed.sort(), [...files.keys()].sort());
      await Deno.mkdir(`${dir}/dl`);
      await s3cmd(server!.port, dir, [
        "get",
        "-r",
        `s3://${server!.bucket}/${prefix}/`,
        `${dir}/dl/`,
      ]);
      assert.deepEqual(await pondFiles(`${dir}/dl`), files);
    });
  },
  s3cmdMissing(),
);
