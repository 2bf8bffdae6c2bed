/** `pond cat` of a large file as a real process: exact bytes into a pipe, nothing past a damaged chunk, quiet when the reader goes away. */
import assert from "node:assert/strict";
import { BLOB_CHUNK } from "../../src/oplog/blob_store.ts";
import { command } from "../subprocess.ts";
import { pondProcess, REPO_ROOT } from "./harness.ts";

/** A pond holding `/big.bin`, three chunks and a bit of varied bytes; gives its dir, the bytes and the blob's file. */
async function withBigFile(
  fn: (pond: string, data: Uint8Array, blob: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pond-cat-stream-" });
  try {
    const data = new Uint8Array(3 * BLOB_CHUNK + 4321);
    for (let at = 0; at < data.length; at += 65536) {
      crypto.getRandomValues(data.subarray(at, Math.min(data.length, at + 65536)));
    }
    await Deno.writeFile(`${dir}/big.bin`, data);
    const pond = `${dir}/pond`;
    for (const args of [["init", pond], ["copy", `host:${dir}/big.bin`, "/big.bin"]]) {
      const r = await pondProcess(args, { POND: pond });
      assert.equal(r.code, 0, r.stderr);
    }
    const [shard] = [...Deno.readDirSync(`${pond}/blobs`)].filter((e) => e.isDirectory);
    const [file] = [...Deno.readDirSync(`${pond}/blobs/${shard.name}`)];
    await fn(pond, data, `${pond}/blobs/${shard.name}/${file.name}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `pond cat PATH` with stdout a pipe read to the end: its exit code, bytes and stderr. */
async function catToPipe(pond: string, path: string) {
  const out = await command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", `${REPO_ROOT}main.ts`, "cat", path],
    env: { POND: pond, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: out.stdout, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("pond cat streams a large file into a pipe byte for byte", async () => {
  await withBigFile(async (pond, data) => {
    const r = await catToPipe(pond, "/big.bin");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.length, data.length);
    assert.deepEqual(r.stdout, data);
  });
});

Deno.test("pond cat of a damaged large file writes the intact chunks before it, then fails naming the chunk", async () => {
  await withBigFile(async (pond, data, blob) => {
    const f = await Deno.open(blob, { write: true });
    await f.seek(2 * BLOB_CHUNK + 99, Deno.SeekMode.Start);
    await f.write(new Uint8Array([data[2 * BLOB_CHUNK + 99] ^ 0x40]));
    f.close();
    const r = await catToPipe(pond, "/big.bin");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /damaged chunk 2/);
    assert.deepEqual(r.stdout, data.subarray(0, 2 * BLOB_CHUNK), "the two intact chunks, no more");
  });
});

Deno.test("pond cat of a damaged file in a pond written before chunk CRC-32s writes the intact chunks, then fails naming the chunk", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pond-cat-stream-" });
  try {
    const pond = `${dir}/pond`;
    const fixture = new URL("../pond/fixtures/pond_before_crcs", import.meta.url).pathname;
    const cp = await command("cp", { args: ["-r", fixture, pond] }).output();
    assert.equal(cp.code, 0);
    const hash = "585fe20182aaf34d3bd0f19c2ce7f4f9546e328d2a662a1e0cb495a8956bc784";
    const intact = await catToPipe(pond, "/big.txt");
    assert.equal(intact.code, 0, intact.stderr);
    assert.equal(intact.stdout.length, 2 * BLOB_CHUNK + 1000);
    const blob = `${pond}/blobs/${hash.slice(0, 2)}/${hash}`;
    const data = await Deno.readFile(blob);
    data[BLOB_CHUNK + 500] ^= 0x01;
    await Deno.writeFile(blob, data);
    const r = await catToPipe(pond, "/big.txt");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /damaged chunk 1/);
    assert.deepEqual(r.stdout, intact.stdout.subarray(0, BLOB_CHUNK), "the intact chunk, no more");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pond cat of a large file exits 0 quietly when its reader goes away", async () => {
  await withBigFile(async (pond) => {
    const child = command(Deno.execPath(), {
      args: ["run", "--no-prompt", "-A", `${REPO_ROOT}main.ts`, "cat", "/big.bin"],
      env: { POND: pond, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.getReader();
    const first = await reader.read();
    assert.ok(!first.done && first.value.length > 0);
    await reader.cancel();
    const [status, stderr] = await Promise.all([
      child.status,
      new Response(child.stderr).text(),
    ]);
    assert.equal(status.code, 0, stderr);
    assert.equal(stderr, "");
  });
});
