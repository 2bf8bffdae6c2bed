/** A command that computed a dynamic directory stops its plugin sandboxes before it returns. */
import assert from "node:assert/strict";
import { pondInProcess, REPO_ROOT } from "./harness.ts";
import { command } from "../subprocess.ts";

Deno.test({
  name: "no plugin sandbox outlives the command that started it",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const env = { POND: `${dir}/pond` };
      await Deno.writeTextFile(`${dir}/visit.yaml`, "patterns: [/data/*.txt]\n");
      await Deno.writeTextFile(`${dir}/a.txt`, "A");
      assert.equal((await pondInProcess(["init"], env)).code, 0);
      assert.equal((await pondInProcess(["mkdir", "/data"], env)).code, 0);
      assert.equal((await pondInProcess(["copy", `host:${dir}/a.txt`, "/data/"], env)).code, 0);
      const made = await pondInProcess(
        ["mknod", "visit", "/all", "--config", `${dir}/visit.yaml`],
        env,
      );
      assert.equal(made.code, 0, made.stderr);
      // The command runs inside a process of its own, which then counts its live children.
      const run = await command(Deno.execPath(), {
        args: [
          "run",
          "--no-prompt",
          "-A",
          `${REPO_ROOT}tests/cli/fixtures/children_after.ts`,
          "cat",
          "/all/a",
        ],
        env,
      }).output();
      const out = new TextDecoder();
      assert.equal(out.decode(run.stdout), "A");
      const report = JSON.parse(out.decode(run.stderr).trim().split("\n").at(-1)!);
      assert.deepEqual(report, { code: 0, children: 0 }, "a sandbox process is still running");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
