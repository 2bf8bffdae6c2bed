import assert from "node:assert/strict";
import { parquetMetadataAsync } from "hyparquet";
import { asyncBufferFrom, LocalStore } from "../../src/delta/storage.ts";
import { isDeltaError } from "../../src/delta/errors.ts";
import { goldenTable } from "./golden.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("LocalStore put, read, readRange, head, delete", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new LocalStore(root);
    await store.put("a/b/c.txt", bytes("hello world"));
    assert.equal(text(await store.read("a/b/c.txt")), "hello world");
    assert.equal(text(await store.readRange("a/b/c.txt", 6, 11)), "world");
    const info = await store.head("a/b/c.txt");
    assert.equal(info.size, 11);
    assert.equal(info.path, "a/b/c.txt");
    assert.ok(info.mtime > 0);
    await store.put("a/b/c.txt", bytes("replaced"));
    assert.equal(text(await store.read("a/b/c.txt")), "replaced");
    await store.delete("a/b/c.txt");
    await store.delete("a/b/c.txt");
    await assert.rejects(store.read("a/b/c.txt"), (e) => isDeltaError(e, "MissingFile"));
    await assert.rejects(store.head("nope"), (e) => isDeltaError(e, "MissingFile"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("LocalStore readRange past the end is CorruptData", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new LocalStore(root);
    await store.put("f", bytes("abc"));
    await assert.rejects(store.readRange("f", 1, 10), (e) => isDeltaError(e, "CorruptData"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("LocalStore putIfAbsent creates once and leaves no temp files", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new LocalStore(root);
    assert.equal(await store.putIfAbsent("_delta_log/x.json", bytes("first")), true);
    assert.equal(await store.putIfAbsent("_delta_log/x.json", bytes("second")), false);
    assert.equal(text(await store.read("_delta_log/x.json")), "first");
    const names = (await store.list("_delta_log")).map((o) => o.path);
    assert.deepEqual(names, ["_delta_log/x.json"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("LocalStore putIfAbsent lets exactly one of many racers win", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new LocalStore(root);
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => store.putIfAbsent("v.json", bytes(`writer ${i}`))),
    );
    assert.equal(results.filter((r) => r).length, 1);
    const winner = results.indexOf(true);
    assert.equal(text(await store.read("v.json")), `writer ${winner}`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("LocalStore list is sorted, non-recursive by default, empty for a missing dir", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new LocalStore(root);
    for (const p of ["d/b", "d/a", "d/sub/z", "d/sub/deeper/y", "top"]) {
      await store.put(p, bytes(p));
    }
    assert.deepEqual((await store.list("d")).map((o) => o.path), ["d/a", "d/b"]);
    assert.deepEqual((await store.list("d", { recursive: true })).map((o) => o.path), [
      "d/a",
      "d/b",
      "d/sub/deeper/y",
      "d/sub/z",
    ]);
    assert.deepEqual((await store.list("")).map((o) => o.path), ["top"]);
    assert.deepEqual(await store.list("missing"), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("LocalStore refuses paths escaping the root", async () => {
  const store = new LocalStore("/tmp");
  await assert.rejects(store.read("../etc/passwd"), (e) => isDeltaError(e, "InvalidArgument"));
  await assert.rejects(store.read("/etc/passwd"), (e) => isDeltaError(e, "InvalidArgument"));
});

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
const STRACE = await new Deno.Command("strace", { args: ["-o", "/dev/null", "true"] }).output()
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
      const run = await new Deno.Command("strace", {
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
