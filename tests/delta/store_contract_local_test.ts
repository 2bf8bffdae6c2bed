import assert from "node:assert/strict";
import { isTempFile, LocalStore } from "../../src/delta/storage.ts";
import { storeContract } from "./store_contract.ts";
import { command } from "../subprocess.ts";

storeContract("LocalStore", async () => {
  const root = await Deno.makeTempDir();
  return { store: new LocalStore(root), dispose: () => Deno.remove(root, { recursive: true }) };
});

const HOUR = 3_600_000;

Deno.test("LocalStore: touch moves an old file's modification time to now", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new LocalStore(root);
    await store.put("old", new Uint8Array([1]));
    const then = new Date(Date.now() - HOUR);
    await Deno.utime(store.locate("old"), then, then);
    assert.equal(await store.touch("old"), true);
    assert.ok((await store.head("old")).mtime > Date.now() - HOUR / 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("LocalStore: sweep removes the temp file of an upload whose process is gone", async () => {
  const root = await Deno.makeTempDir();
  try {
    const storage = new URL("../../src/delta/storage.ts", import.meta.url).href;
    const script = `import { LocalStore } from "${storage}";\n` +
      `const upload = await new LocalStore(Deno.args[0]).upload("b");\n` +
      `await upload.write(new Uint8Array(100));\nDeno.kill(Deno.pid, "SIGKILL");\n`; // killed outright
    const run = await command(Deno.execPath(), {
      args: ["eval", "--no-prompt", script, root],
    }).output();
    assert.equal(run.signal, "SIGKILL", new TextDecoder().decode(run.stderr));
    const store = new LocalStore(root);
    const [left] = (await store.list("b")).map((o) => o.path);
    assert.ok(isTempFile(left), `left ${left}`);
    await store.sweep("");
    assert.deepEqual((await store.list("b")).map((o) => o.path), [left]);
    await store.sweep("b");
    assert.deepEqual(await store.list("b"), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
