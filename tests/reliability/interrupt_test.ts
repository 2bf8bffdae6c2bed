/** Ctrl-C (SIGINT) and SIGTERM of real processes: a copy stopped mid-write leaves no temporary file behind and the pond as it was; the process ends with the shell's status. */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../cli/harness.ts";
import { noise, pondOk, treeOf, withTempDir } from "./fixtures.ts";

/** The temporary files of writers under `dir` (`.pond-<pid>-<uuid>.tmp`), as paths. */
async function tempFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) found.push(...await tempFiles(path));
    else if (/^\.pond-\d+-.*\.tmp$/.test(e.name)) found.push(path);
  }
  return found;
}

async function waitFor(what: string, done: () => Promise<boolean>): Promise<void> {
  for (const started = Date.now(); !(await done());) {
    if (Date.now() - started > 30_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const [signal, status] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`${signal} during a copy into the pond removes its temporary blob at once; the pond is as it was`, async () => {
    await withTempDir(async (dir) => {
      const path = `${dir}/pond`;
      await pondOk(path, ["init", path]);
      const before = await treeOf(path);
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-prompt", "-A", `${REPO_ROOT}main.ts`, "copy", "host:-", "/big.bin"],
        env: { POND: path, NO_COLOR: "1" },
        stdin: "piped",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(noise(2_000_000, 5)); // past the inline limit: it goes to a blob
      await waitFor(
        "the blob's temporary file",
        async () => (await tempFiles(`${path}/blobs`).catch(() => [])).length > 0,
      );
      const [temp] = await tempFiles(`${path}/blobs`);
      child.kill(signal);
      const { code, stderr } = await child.output();
      await writer.close().catch(() => {}); // the reader is gone
      assert.equal(code, status, new TextDecoder().decode(stderr));
      await assert.rejects(Deno.lstat(temp), Deno.errors.NotFound, "the temp file went with it");
      assert.deepEqual(await tempFiles(path), []);
      assert.deepEqual(await treeOf(path), before, "nothing was committed");
    });
  });
}
