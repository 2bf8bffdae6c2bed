/** Damaged bodies and plugins, and what interrupted writers leave: re-copying heals a blob, tables must be Parquet, check reads every stored hash, a dead writer's temp file goes at once. */
import assert from "node:assert/strict";
import { isTempFile, LocalStore } from "../../src/delta/storage.ts";
import { BlobStore } from "../../src/oplog/blob_store.ts";
import { REPO_ROOT } from "../cli/harness.ts";
import { noise, pond, pondOk, withTempDir } from "../reliability/fixtures.ts";
import { allRows, commitRow } from "./check_helpers.ts";
import { command } from "../subprocess.ts";

/** The one blob file of the pond at `path`. */
async function onlyBlob(path: string): Promise<string> {
  for await (const dir of Deno.readDir(`${path}/blobs`)) {
    if (!dir.isDirectory) continue;
    for await (const f of Deno.readDir(`${path}/blobs/${dir.name}`)) {
      return `${path}/blobs/${dir.name}/${f.name}`;
    }
  }
  throw new Error("no blob");
}

/** Flips one byte of `file` at `at`. */
async function flip(file: string, at: number): Promise<void> {
  const bytes = await Deno.readFile(file);
  bytes[at] ^= 0xff;
  await Deno.writeFile(file, bytes);
}

Deno.test("copying the original again heals a truncated blob, and a flipped one once check --repair moved it aside; check counts every blob it read", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    const original = `${dir}/big.bin`;
    await Deno.writeFile(original, noise(2_500_000, 9));
    await pondOk(path, ["init", path]);
    await pondOk(path, ["copy", `host:${original}`, "/big.bin"]);
    await pondOk(path, ["copy", "host:README.md", "/readme.md"]);
    const blob = await onlyBlob(path);
    const damages = [
      { damage: () => flip(blob, 1_500_000), sameSize: true },
      { damage: () => Deno.truncate(blob, 1000), sameSize: false },
    ];
    for (const { damage, sameSize } of damages) {
      await damage();
      const checked = await pond(path, ["check"]);
      assert.equal(checked.code, 1);
      assert.match(checked.stdout, /^error +blobs\/.*\/big\.bin/m);
      assert.match(checked.stdout, /is damaged: 1 error, 0 warnings \(\d+ rows, 1 blob checked\)/);
      const cat = await pond(path, ["cat", "/big.bin"]);
      assert.equal(cat.code, 1);
      assert.equal(
        (await pondOk(path, ["cat", "/readme.md"])).stdout,
        await Deno.readTextFile(`${REPO_ROOT}README.md`),
        "what is intact still reads",
      );
      if (sameSize) {
        const kept = await Deno.readFile(blob);
        await pondOk(path, ["copy", `host:${original}`, "/unread.bin"]);
        assert.deepEqual(await Deno.readFile(blob), kept, "a put checks sizes, never reads");
        const repaired = await pond(path, ["check", "--repair"]);
        assert.match(
          repaired.stdout,
          /^repaired +blobs\/.*: moved aside as blobs\/[0-9a-f]{2}\/[0-9a-f]{64}\.damaged-\d+/m,
        );
        const aside = [...Deno.readDirSync(blob.slice(0, blob.lastIndexOf("/")))].find((e) =>
          e.name.includes(".damaged-")
        )!;
        assert.deepEqual(
          await Deno.readFile(`${blob.slice(0, blob.lastIndexOf("/"))}/${aside.name}`),
          kept,
          "the damaged blob is kept aside, not deleted",
        );
        await Deno.remove(`${blob.slice(0, blob.lastIndexOf("/"))}/${aside.name}`);
      }
      await pondOk(path, ["copy", `host:${original}`, "/again.bin"]);
      assert.deepEqual(
        await Deno.readFile(blob),
        await Deno.readFile(original),
        "the blob was replaced",
      );
      const healed = await pondOk(path, ["check"]);
      assert.match(
        healed.stdout,
        /is consistent: 0 errors, 0 warnings \(\d+ rows, 1 blob checked\)/,
      );
      const out = `${dir}/out.bin`;
      await pondOk(path, ["copy", "/big.bin", `host:${out}`]);
      assert.deepEqual(await Deno.readFile(out), await Deno.readFile(original));
    }
  });
});

Deno.test("a put of a body whose blob is intact leaves it as it is", async () => {
  await withTempDir(async (dir) => {
    const blobs = new BlobStore(new LocalStore(`${dir}/blobs`));
    const data = noise(300_000, 4);
    const ref = await blobs.put(data);
    const inode = (await Deno.stat(blobs.pathOf(ref.hash))).ino;
    await blobs.put(data);
    assert.equal((await Deno.stat(blobs.pathOf(ref.hash))).ino, inode);
  });
});

Deno.test("copy --type table of a non-Parquet file is refused; a sniffed fake is data; check names a table that does not parse", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await pondOk(path, ["init", path]);
    await Deno.writeTextFile(`${dir}/notes.txt`, "not parquet\n");
    const refused = await pond(path, ["copy", "--type", "table", `host:${dir}/notes.txt`, "/t"]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trimEnd().split("\n").length, 1);
    assert.match(
      refused.stderr,
      /host:.*notes\.txt is not a Parquet file, so it cannot be a table; copy it with --type data/,
    );
    assert.equal((await pondOk(path, ["list", "/"])).stdout, "", "nothing was written");
    await Deno.writeTextFile(`${dir}/fake.parquet`, "PAR1 but nothing else PAR1");
    await pondOk(path, ["copy", `host:${dir}/fake.parquet`, "/fake.parquet"]);
    assert.match((await pondOk(path, ["describe", "/fake.parquet"])).stdout, /file:data/);
    await pondOk(path, ["copy", `host:${REPO_ROOT}samples/river_inlet.parquet`, "/r.parquet"]);
    assert.match((await pondOk(path, ["check"])).stdout, /is consistent/);
    const { row } = (await allRows(path)).find(({ row }) => row.entry_type === "file:data")!;
    await commitRow(
      path,
      (seq) => ({ ...row, version: row.version + 1, seq, entry_type: "file:table" }),
    );
    const checked = await pond(path, ["check"]);
    assert.equal(checked.code, 1);
    assert.match(
      checked.stdout,
      /^error +\/fake\.parquet \(node [0-9a-f]{32}\): version 2 .* is a file:table whose body is not Parquet/m,
    );
    assert.equal(
      (await pondOk(path, ["cat", "--rows", "/r.parquet"])).code,
      0,
      "the intact table reads",
    );
  });
});

Deno.test("check verifies installed plugin code against its recorded hash, and counts the plugins", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await pondOk(path, ["init", path]);
    const source = (await Deno.readTextFile(`${REPO_ROOT}plugins/reverse.ts`))
      .replace('name: "reverse"', 'name: "backwards"');
    await Deno.writeTextFile(`${dir}/backwards.ts`, source);
    await pondOk(path, ["plugin", "add", `host:${dir}/backwards.ts`, "--yes"]);
    assert.match((await pondOk(path, ["check"])).stdout, /is consistent: .*1 plugin checked/);
    const altered = `${dir}/altered.ts`;
    await Deno.writeTextFile(altered, source + "\n// altered\n");
    await pondOk(path, ["copy", `host:${altered}`, "/.pond/plugins/backwards.ts"]);
    const checked = await pond(path, ["check"]);
    assert.equal(checked.code, 1, checked.stdout);
    assert.match(
      checked.stdout,
      /^error +\/\.pond\/plugins\/backwards\.ts: installed plugin backwards is not the source that was added/m,
    );
    assert.match(checked.stdout, /is damaged: 1 error.*1 plugin checked/);
    const record = await pondOk(path, ["cat", "/.pond/plugins/backwards.json"]);
    assert.match(record.stdout, /"hash"/, "what is intact still reads");
  });
});

/** A process that starts storing a large body and never finishes: killed, it leaves a temp file. */
const STALLED_WRITER = `
import { LocalStore } from "${REPO_ROOT}src/delta/storage.ts";
import { BlobStore } from "${REPO_ROOT}src/oplog/blob_store.ts";
setInterval(() => {}, 1000);
await new BlobStore(new LocalStore(Deno.args[0])).put(new ReadableStream({
  start(c) { c.enqueue(new Uint8Array(100_000)); },
}));
`;

Deno.test("the temp file of a killed writer is removed at once: by check --repair, and by the next write", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await pondOk(path, ["init", path]);
    await Deno.writeTextFile(`${dir}/stalled.ts`, STALLED_WRITER);
    await Deno.mkdir(`${path}/blobs`, { recursive: true });
    const temps = async () =>
      (await Array.fromAsync(Deno.readDir(`${path}/blobs`))).filter((e) => isTempFile(e.name));
    const killWriter = async () => {
      const child = command(Deno.execPath(), {
        args: [
          "run",
          "--no-prompt",
          "-A",
          "--config",
          `${REPO_ROOT}deno.json`,
          `${dir}/stalled.ts`,
          `${path}/blobs`,
        ],
        stdout: "null",
        stderr: "null",
      }).spawn();
      let exited = false;
      child.status.then(() => exited = true);
      while ((await temps()).length === 0) {
        assert.ok(!exited, "the stalled writer ended before it began storing");
        await new Promise((r) => setTimeout(r, 10));
      }
      const running = await pond(path, ["check"]);
      assert.match(running.stdout, /^warning +blobs\/\.pond-\d+-.*a running command/m);
      child.kill("SIGKILL");
      await child.status;
    };
    await killWriter();
    const checked = await pondOk(path, ["check"]);
    assert.match(checked.stdout, /^warning +blobs\/\.pond-.*the process that wrote it is gone/m);
    const repaired = await pondOk(path, ["check", "--repair"]);
    assert.match(repaired.stdout, /^repaired +blobs\/\.pond-/m);
    assert.deepEqual(await temps(), []);
    await killWriter();
    await Deno.writeFile(`${dir}/big.bin`, noise(200_000, 5));
    await pondOk(path, ["copy", `host:${dir}/big.bin`, "/big.bin"]);
    assert.deepEqual(await temps(), [], "the next copy's first write removed it");
  });
});

Deno.test("the marker's temp file of an init killed while writing it is found by check and removed by check --repair", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await pondOk(path, ["init", path]);
    const gone = command("true", { stdout: "null" }).spawn();
    await gone.status;
    const temp = `.pond-${gone.pid}-${crypto.randomUUID()}.tmp`;
    await Deno.writeTextFile(`${path}/${temp}`, '{"format":');
    const checked = await pondOk(path, ["check"]);
    assert.match(
      checked.stdout,
      new RegExp(`^warning +${temp.replaceAll(".", "\\.")}: .*the process that wrote it is gone`, "m"),
    );
    const repaired = await pondOk(path, ["check", "--repair"]);
    assert.match(repaired.stdout, new RegExp(`^repaired +${temp.replaceAll(".", "\\.")}`, "m"));
    await assert.rejects(Deno.stat(`${path}/${temp}`), Deno.errors.NotFound);
    assert.match((await pondOk(path, ["check"])).stdout, /consistent/);
  });
});
