import assert from "node:assert/strict";
import { parquetMetadataAsync } from "hyparquet";
import { asyncBufferFrom, LocalStore } from "../../src/delta/storage.ts";
import { goldenTable } from "./golden.ts";
import { command } from "../subprocess.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("asyncBufferFrom reads a Parquet footer by range", async () => {
  const store = new LocalStore(goldenTable("simple_table"));
  const [file] = (await store.list("")).filter((o) => o.path.endsWith(".parquet"));
  let wholeReads = 0;
  class CountingStore extends LocalStore {
    override read(path: string) {
      wholeReads++;
      return super.read(path);
    }
  }
  const buffer = await asyncBufferFrom(new CountingStore(store.root), file.path);
  assert.equal(buffer.byteLength, file.size);
  const meta = await parquetMetadataAsync(buffer);
  assert.ok(Number(meta.num_rows) >= 0);
  assert.ok(meta.schema.some((s) => s.name === "id"));
  assert.equal(wholeReads, 0);
  const tail = new Uint8Array(await buffer.slice(file.size - 4));
  assert.equal(text(tail), "PAR1");
});

/** Whether `strace` can trace a process here (it needs ptrace). */
const STRACE = await command("strace", { args: ["-o", "/dev/null", "true"] }).output()
  .then((r) => r.success, () => false);

Deno.test({
  name:
    "a new partition directory is fsynced in its parent, up to the first that existed (seen by strace)",
  ignore: !STRACE,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const script = `${dir}/put.ts`;
      const storage = new URL("../../src/delta/storage.ts", import.meta.url).href;
      await Deno.writeTextFile(
        script,
        `import { LocalStore } from "${storage}";\n` +
          `await new LocalStore(Deno.args[0]).putIfAbsent("a=1/b=2/x.parquet", new Uint8Array([1]));\n`,
      );
      const trace = `${dir}/trace`;
      const root = `${dir}/table`;
      const run = await command("strace", {
        args: [
          "-f",
          "-y",
          "-e",
          "trace=fsync",
          "-o",
          trace,
          Deno.execPath(),
          "run",
          "-A",
          script,
          root,
        ],
      }).output();
      assert.ok(run.success, new TextDecoder().decode(run.stderr));
      const synced = [...(await Deno.readTextFile(trace)).matchAll(/fsync\(\d+<([^>]*)>\)/g)]
        .map((m) => m[1]);
      for (const d of [dir, root, `${root}/a=1`, `${root}/a=1/b=2`]) {
        assert.ok(synced.includes(d), `${d} was fsynced: ${synced.join(", ")}`);
      }
      assert.ok((await Deno.stat(`${root}/a=1/b=2/x.parquet`)).isFile);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
