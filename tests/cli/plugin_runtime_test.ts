/** POND_DENO names the Deno that runs plugin sandboxes (what a compiled pond needs to run plugins). */
import assert from "node:assert/strict";
import { pondProcess } from "./harness.ts";

Deno.test("plugin sandboxes run with the Deno POND_DENO names", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pond = `${dir}/pond`;
    const marks = `${dir}/marks`;
    const runtime = `${dir}/deno-wrapper.sh`;
    await Deno.writeTextFile(
      runtime,
      `#!/bin/sh\necho sandbox >> "${marks}"\nexec "${Deno.execPath()}" "$@"\n`,
    );
    await Deno.chmod(runtime, 0o755);
    await Deno.writeTextFile(`${dir}/visit.yaml`, "patterns: [/data/*.txt]\n");
    const env = { POND: pond, POND_DENO: runtime };
    assert.equal((await pondProcess(["init"], env)).code, 0);
    assert.equal((await pondProcess(["mkdir", "/data"], env)).code, 0);
    await Deno.writeTextFile(`${dir}/a.txt`, "A");
    assert.equal((await pondProcess(["copy", `host:${dir}/a.txt`, "/data/"], env)).code, 0);
    const mknod = await pondProcess(
      ["mknod", "visit", "/all", "--config", `${dir}/visit.yaml`],
      env,
    );
    assert.equal(mknod.code, 0, mknod.stderr);
    const cat = await pondProcess(["cat", "/all/a"], env);
    assert.equal(cat.stdout, "A", cat.stderr);
    assert.match(await Deno.readTextFile(marks), /^sandbox$/m);
    await Deno.remove(`${pond}/cache`, { recursive: true }); // so the read runs the plugin again
    const missing = await pondProcess(["cat", "/all/a"], { POND: pond, POND_DENO: `${dir}/nope` });
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim().split("\n").length, 1, missing.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
