/** bin/pond, the launcher users put on PATH: runs from any directory, with the caller's paths. */
import assert from "node:assert/strict";
import { REPO_ROOT } from "./harness.ts";
import { command } from "../subprocess.ts";

/** Runs `sh -c script` in `cwd` with `path` first on PATH; returns its exit code and output. */
async function shell(script: string, cwd: string, path: string, env: Record<string, string> = {}) {
  const out = await command("sh", {
    args: ["-c", script],
    cwd,
    env: { PATH: `${path}:${Deno.env.get("PATH")}`, NO_COLOR: "1", ...env },
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("bin/pond, linked onto PATH, runs in the caller's directory with a relative POND and host paths", async () => {
  const work = await Deno.makeTempDir({ prefix: "pond-bin-" });
  try {
    await Deno.mkdir(`${work}/bin`);
    await Deno.mkdir(`${work}/here/out`, { recursive: true });
    await Deno.symlink(`${REPO_ROOT}bin/pond`, `${work}/bin/pond`);
    await Deno.writeTextFile(`${work}/here/notes.txt`, "hello\n");
    const run = await shell(
      "pond init lake && pond copy host:notes.txt /notes.txt && pond copy /notes.txt host:out/ " +
        "&& pond cat /notes.txt",
      `${work}/here`,
      `${work}/bin`,
      { POND: "lake" },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "hello\n");
    assert.ok((await Deno.stat(`${work}/here/lake/pond.json`)).isFile, "the pond is ./lake");
    assert.equal(await Deno.readTextFile(`${work}/here/out/notes.txt`), "hello\n");
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("bin/pond in a folder without an installed Deno says to run npm install, exit 1", async () => {
  const work = await Deno.makeTempDir({ prefix: "pond-bin-" });
  try {
    await Deno.mkdir(`${work}/bin`);
    await Deno.copyFile(`${REPO_ROOT}bin/pond`, `${work}/bin/pond`);
    await Deno.chmod(`${work}/bin/pond`, 0o755);
    const run = await shell("pond --help", work, `${work}/bin`);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.equal(
      run.stderr,
      `pond: Deno is not installed in ${await Deno.realPath(
        work,
      )}; run 'npm install' there first\n`,
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
