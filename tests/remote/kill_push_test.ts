/** A push killed with SIGKILL at random moments: the remote never holds a pond that restores damaged, and the next push sends only what is missing and restores whole. */
import assert from "node:assert/strict";
import { listPond, S3Store } from "../../src/remote/mod.ts";
import { REPO_ROOT } from "../cli/harness.ts";
import { command } from "../subprocess.ts";
import { checked, makePond, pondFiles, pondOk } from "./pond_fixture.ts";
import { withTempDir } from "../reliability/fixtures.ts";
import { pondInProcess, pondProcess } from "../cli/harness.ts";
import { moduleS3rver } from "./s3_server.ts";

const { server, missing } = await moduleS3rver();
const KILLS = Deno.env.get("POND_LONG_TESTS") === "1" ? 40 : 3;

/**
 * How many of the pond's objects the remote holds whole: temporary objects and uploads in
 * flight are not objects, and s3rver (which writes in place, unlike S3) can keep a killed
 * upload's first bytes under its name, which a push sends again.
 */
async function remoteObjects(prefix: string, sizes: Map<string, number>): Promise<number> {
  const store = new S3Store({
    endpoint: server!.endpoint,
    region: "us-east-1",
    bucket: server!.bucket,
    prefix,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER", source: "test" },
  });
  const o = await listPond(store);
  const all = [
    ...o.blobs,
    ...o.dataFiles,
    ...o.commits.values(),
    ...o.checkpoints.map((c) => c.info),
  ];
  if (o.lastCheckpoint) all.push(o.lastCheckpoint);
  if (o.marker) all.push(o.marker);
  return all.filter((x) => sizes.get(x.path) === x.size).length;
}

Deno.test({
  name: server
    ? `a push killed at ${KILLS} random moments, then pushed again, restores whole`
    : `a push killed at random moments (ignored: ${missing})`,
  ignore: !server,
  async fn() {
    await withTempDir(async (dir) => {
      const pond = await makePond(dir, 6, 6 << 20);
      await pondOk(["--pond", pond, "mkdir", "/more"]);
      await pondOk(["--pond", pond, "maintain", "--checkpoint"]);
      await pondOk(["--pond", pond, "mkdir", "/after"]);
      const files = await pondFiles(pond);
      const sizes = new Map<string, number>();
      for (const path of files.keys()) sizes.set(path, (await Deno.stat(`${pond}/${path}`)).size);
      const expected = await checked(pond);
      const env = server!.env;
      // how long a whole push takes here, so the kills land inside one
      await pondOk([
        "--pond",
        pond,
        "remote",
        "add",
        "whole",
        `s3://${server!.bucket}/whole-${crypto.randomUUID()}`,
        "--endpoint",
        server!.endpoint,
      ]);
      const started = performance.now();
      await pondOk(["--pond", pond, "push", "whole"], env);
      await pondProcess(["--version"]);
      const pushMs = performance.now() - started;
      let killed = 0;
      for (let i = 0; i < KILLS; i++) {
        const prefix = `kill-${i}-${crypto.randomUUID()}`;
        const url = `s3://${server!.bucket}/${prefix}`;
        const spec = ["--endpoint", server!.endpoint];
        await pondOk(["--pond", pond, "remote", "add", `k${i}`, url, ...spec]);
        const child = command(Deno.execPath(), {
          args: [
            "run",
            "--no-prompt",
            "-A",
            `${REPO_ROOT}main.ts`,
            "--pond",
            pond,
            "push",
            `k${i}`,
          ],
          env: { ...env, NO_COLOR: "1" },
          stdout: "null",
          stderr: "null",
        }).spawn();
        const delay = Math.random() * pushMs;
        const timer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* it finished first */ }
        }, delay);
        if ((await child.status).signal === "SIGKILL") killed++;
        clearTimeout(timer);
        // whatever the push left, a restore of it is a sound pond or a clean refusal
        const early = `${dir}/early${i}`;
        const r = await pondInProcess(["restore", url, early, ...spec], env);
        if (r.code === 0) {
          const report = (await checked(early)) as { severity: string }[];
          assert.ok(report.every((f) => f.severity !== "error"), JSON.stringify(report));
        } else {
          assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
          await assert.rejects(Deno.stat(early), Deno.errors.NotFound);
        }
        const there = await remoteObjects(prefix, sizes);
        const push = JSON.parse(
          (await pondOk(["--pond", pond, "push", `k${i}`, "--json"], env)).stdout,
        );
        assert.equal(push.sent.objects, files.size - there, `killed after ${delay.toFixed(0)} ms`);
        const back = `${dir}/back${i}`;
        await pondOk(["restore", url, back, ...spec], env);
        assert.deepEqual(await pondFiles(back), files);
        assert.deepEqual(await checked(back), expected);
        await Deno.remove(back, { recursive: true });
        await Deno.remove(early, { recursive: true }).catch(() => {});
      }
      assert.ok(killed > 0, "no push was killed before it finished");
    });
  },
});
