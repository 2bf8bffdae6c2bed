/** scripts/compile.ts: the one-file bundle always runs; the binary where `deno compile` can work. */
import assert from "node:assert/strict";
import { pondProcess, REPO_ROOT } from "./harness.ts";
import { command } from "../subprocess.ts";
import { runtimeUnreachable } from "../../scripts/compile.ts";

const TABLE = `${REPO_ROOT}../shared/delta-golden/tables/simple_table`;

async function build(args: string[]) {
  const out = await Deno.makeTempDir();
  const res = await command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", `${REPO_ROOT}scripts/compile.ts`, ...args, "--out", out],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { out, ok: res.success, stderr: new TextDecoder().decode(res.stderr) };
}

Deno.test("the bundle runs --help and real commands (YAML config, a plugin), with the plugins beside it", async () => {
  const { out, ok, stderr } = await build(["--bundle"]);
  try {
    assert.ok(ok, stderr);
    assert.ok((await Deno.stat(`${out}/plugins`)).isDirectory);
    const help = await pondProcess(["--help"], {}, `${out}/pond.js`);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: pond COMMAND/m);
    const info = await pondProcess(["delta", "info", "--json", TABLE], {}, `${out}/pond.js`);
    assert.equal(info.code, 0, info.stderr);
    assert.equal(JSON.parse(info.stdout).version, 4);
    const pond = `${out}/lake`;
    const run = (args: string[]) => pondProcess(args, { POND: pond }, `${out}/pond.js`);
    assert.equal((await run(["init"])).code, 0);
    await Deno.writeTextFile(`${out}/a.csv`, "t,v\n1,2\n");
    assert.equal((await run(["mkdir", "/data"])).code, 0);
    assert.equal((await run(["copy", `host:${out}/a.csv`, "/data/a.csv"])).code, 0);
    await Deno.writeTextFile(`${out}/all.yaml`, "inputs: [/data/*.csv]\ntransform: concat-csv\n");
    const mknod = await run([
      "mknod",
      "derived",
      "/all.csv",
      "--file",
      "--config",
      `${out}/all.yaml`,
    ]);
    assert.equal(mknod.code, 0, mknod.stderr);
    const cat = await run(["cat", "/all.csv"]);
    assert.equal(cat.stdout, "t,v\n1,2\n", `YAML and a plugin: ${cat.stderr}`);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

const unreachable = (await runtimeUnreachable()) ?? null;

Deno.test({
  name: `the compiled binary runs${unreachable ? ` (skipped: ${unreachable})` : ""}`,
  ignore: unreachable !== null,
  async fn() {
    const { out, ok, stderr } = await build([]);
    try {
      assert.ok(ok, stderr);
      const run = await command(`${out}/pond`, {
        args: ["delta", "info", "--json", TABLE],
      }).output();
      assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
      assert.equal(JSON.parse(new TextDecoder().decode(run.stdout)).version, 4);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test("without the runtime, compile.ts says so in one line and still builds the bundle", {
  ignore: unreachable === null,
}, async () => {
  const { out, ok, stderr } = await build([]);
  try {
    assert.ok(ok, stderr);
    assert.match(stderr, /^compile: did not build .*\/pond: .*unreachable.*DENORT_BIN/m);
    assert.ok((await Deno.stat(`${out}/pond.js`)).isFile);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
