/** The contract every `Store` keeps (put-if-absent, ranges, listing, deletion, typed errors), as Deno tests any implementation can run. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { isTempFile, type Store } from "../../src/delta/storage.ts";
import { type DeltaErrorCode, isDeltaError } from "../../src/delta/errors.ts";

/** A fresh, empty store for one test, and how to remove it afterwards. */
export interface StoreFixture {
  store: Store;
  dispose(): Promise<void>;
}

/** What a store can promise beyond the common contract; the suite tests each as declared. */
export interface StoreCapabilities {
  /**
   * Of concurrent `putIfAbsent` calls (and uploads' `putIfAbsent`) on one path, exactly one
   * resolves `true` and readers see only its body (default). A store whose server neither
   * honours conditional writes nor keeps racing writes to one key apart (s3rver ignores
   * `If-None-Match: *` and writes each object in place) sets false: sequential calls are
   * still refused, but of racing ones one or more resolve `true` and the body left is
   * unspecified; the suite then checks only that, and that a later call is refused.
   */
  exclusiveCreate?: boolean;
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const paths = async (store: Store, dir: string, options?: Parameters<Store["list"]>[1]) =>
  (await store.list(dir, options)).map((o) => o.path);
const fails = (code: DeltaErrorCode) => (e: unknown) => isDeltaError(e, code);

/** Bytes that differ at every offset modulo 251, so a misplaced range cannot compare equal. */
function pattern(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = i % 251;
  return out;
}

/**
 * Registers the Store contract as Deno tests named `<name>: …`, each on a fresh store from
 * `fresh`.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../../src/delta/storage.ts";
 * storeContract("LocalStore", async () => {
 *   const root = await Deno.makeTempDir();
 *   return { store: new LocalStore(root), dispose: () => Deno.remove(root, { recursive: true }) };
 * });
 * ```
 */
export function storeContract(
  name: string,
  fresh: () => Promise<StoreFixture>,
  capabilities: StoreCapabilities = {},
): void {
  const exclusive = capabilities.exclusiveCreate ?? true;
  /** Checks the winners of a race: exactly one if the store is exclusive, else at least one. */
  const winners = (results: boolean[]) => {
    const n = results.filter((r) => r).length;
    if (exclusive) assert.equal(n, 1, `results ${results}`);
    else assert.ok(n >= 1, `results ${results}`);
  };
  const test = (what: string, fn: (store: Store) => Promise<void>) =>
    Deno.test(`${name}: ${what}`, async () => {
      const fixture = await fresh();
      try {
        await fn(fixture.store);
      } finally {
        await fixture.dispose();
      }
    });

  test("putIfAbsent creates once; a second put of the path resolves false and never overwrites", async (store) => {
    assert.equal(await store.putIfAbsent("_delta_log/0.json", bytes("first")), true);
    assert.equal(await store.putIfAbsent("_delta_log/0.json", bytes("second")), false);
    assert.equal(await store.putIfAbsent("_delta_log/0.json", new Uint8Array()), false);
    assert.equal(text(await store.read("_delta_log/0.json")), "first");
    assert.equal((await store.head("_delta_log/0.json")).size, 5);
  });

  test(`of many concurrent putIfAbsent calls ${exclusive ? "exactly one wins, and readers see it whole" : "one or more win (not exclusive), and later ones are refused"}`, async (store) => {
    const bodies = Array.from({ length: 12 }, (_, i) => bytes(`writer ${i} `.repeat(4096 + i)));
    const seen: string[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing) {
        for (const path of await paths(store, "race")) {
          assert.ok(path === "race/v.json" || isTempFile(path), `listed ${path}`);
          if (path === "race/v.json") seen.push(sha256(await store.read(path)));
        }
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    })();
    const results = await Promise.all(bodies.map((b) => store.putIfAbsent("race/v.json", b)));
    writing = false;
    await reader;
    winners(results);
    if (exclusive) {
      const winner = sha256(bodies[results.indexOf(true)]);
      assert.equal(sha256(await store.read("race/v.json")), winner);
      assert.ok(seen.every((s) => s === winner), "a reader saw a body other than the winner's");
    }
    assert.equal(await store.putIfAbsent("race/v.json", bytes("late")), false);
    assert.deepEqual(await paths(store, "race"), ["race/v.json"]);
  });

  test("put replaces an object whole, and keeps no reference to the caller's bytes", async (store) => {
    const data = bytes("one");
    await store.put("a/x", data);
    data[0] = 0;
    assert.equal(text(await store.read("a/x")), "one");
    await store.put("a/x", bytes("a longer second body"));
    assert.equal(text(await store.read("a/x")), "a longer second body");
    await store.put("a/x", bytes("2"));
    assert.equal(text(await store.read("a/x")), "2");
    const read = await store.read("a/x");
    read[0] = 0;
    assert.equal(text(await store.read("a/x")), "2");
  });

  test("an empty object is stored, listed and read as empty", async (store) => {
    assert.equal(await store.putIfAbsent("empty", new Uint8Array()), true);
    assert.deepEqual(await store.read("empty"), new Uint8Array());
    assert.deepEqual(await store.readRange("empty", 0, 0), new Uint8Array());
    assert.deepEqual(await store.list(""), [
      { path: "empty", size: 0, mtime: (await store.head("empty")).mtime },
    ]);
  });

  test("readRange reads [start, end): empty at 0 and at the end, whole, and any inner slice", async (store) => {
    const data = pattern(1000);
    await store.put("f", data);
    assert.deepEqual(await store.readRange("f", 0, 0), new Uint8Array());
    assert.deepEqual(await store.readRange("f", 0, 1000), data);
    assert.deepEqual(await store.readRange("f", 1000, 1000), new Uint8Array());
    assert.deepEqual(await store.readRange("f", 999, 1000), data.subarray(999));
    assert.deepEqual(await store.readRange("f", 0, 1), data.subarray(0, 1));
    assert.deepEqual(await store.readRange("f", 251, 777), data.subarray(251, 777));
  });

  test("readRange past the end is CorruptData, even when empty; a bad range is InvalidArgument", async (store) => {
    await store.put("f", bytes("abc"));
    await assert.rejects(store.readRange("f", 1, 4), fails("CorruptData"));
    await assert.rejects(store.readRange("f", 3, 4), fails("CorruptData"));
    await assert.rejects(store.readRange("f", 4, 4), fails("CorruptData"));
    await assert.rejects(store.readRange("f", 10, 20), fails("CorruptData"));
    await assert.rejects(store.readRange("f", -1, 2), fails("InvalidArgument"));
    await assert.rejects(store.readRange("f", 2, 1), fails("InvalidArgument"));
  });

  test("a missing object is MissingFile for read, readRange and head; delete of one is no error", async (store) => {
    await store.put("dir/present", bytes("x"));
    for (const path of ["absent", "dir/absent", "nodir/absent", "dir"]) {
      await assert.rejects(store.read(path), fails("MissingFile"), `read ${path}`);
      await assert.rejects(store.readRange(path, 0, 0), fails("MissingFile"), `range ${path}`);
      await assert.rejects(store.head(path), fails("MissingFile"), `head ${path}`);
    }
    await store.delete("absent");
    await store.delete("nodir/absent");
    assert.equal(text(await store.read("dir/present")), "x");
  });

  test("delete removes an object: it reads as missing, is not listed, and can be created again", async (store) => {
    await store.put("d/a", bytes("a"));
    await store.put("d/b", bytes("b"));
    await store.delete("d/a");
    await assert.rejects(store.read("d/a"), fails("MissingFile"));
    assert.deepEqual(await paths(store, "d"), ["d/b"]);
    assert.equal(await store.putIfAbsent("d/a", bytes("again")), true);
    assert.equal(text(await store.read("d/a")), "again");
  });

  test("head gives the normalized path, the size and a recent modification time", async (store) => {
    await store.put("p/q/r.bin", pattern(4097));
    const info = await store.head("p/q/r.bin");
    assert.equal(info.path, "p/q/r.bin");
    assert.equal(info.size, 4097);
    assert.ok(Math.abs(info.mtime - Date.now()) < 10 * 60_000, `mtime ${info.mtime}`);
    assert.deepEqual(await store.head("./p//q/r.bin"), info);
  });

  test("list is sorted by path, one directory deep unless recursive, directories never listed", async (store) => {
    for (const p of ["d/b", "d/a", "d/sub/z", "d/sub/deeper/y", "d/B", "top", "d/a-1"]) {
      await store.put(p, bytes(p));
    }
    assert.deepEqual(await paths(store, "d"), ["d/B", "d/a", "d/a-1", "d/b"]);
    const underD = ["d/B", "d/a", "d/a-1", "d/b", "d/sub/deeper/y", "d/sub/z"];
    assert.deepEqual(await paths(store, "d", { recursive: true }), underD);
    assert.deepEqual(await paths(store, "d/sub"), ["d/sub/z"]);
    assert.deepEqual(await paths(store, ""), ["top"]);
    assert.deepEqual(await paths(store, "", { recursive: true }), [...underD, "top"]);
    const listed = await store.list("d/sub", { recursive: true });
    assert.deepEqual(listed.map((o) => o.size), [14, 7]);
  });

  test("list takes a directory, not a string prefix; a missing directory or an object lists empty", async (store) => {
    for (const p of ["d/x", "dd/x", "d.txt", "d-e/x"]) await store.put(p, bytes(p));
    assert.deepEqual(await paths(store, "d"), ["d/x"]);
    assert.deepEqual(await paths(store, "d/", { recursive: true }), ["d/x"]);
    assert.deepEqual(await paths(store, "missing"), []);
    assert.deepEqual(await paths(store, "d/x/none", { recursive: true }), []);
    assert.deepEqual(await paths(store, "d.txt"), []);
  });

  test("list from a path gives only the objects sorting at or after it", async (store) => {
    for (const v of [0, 1, 2, 10, 11]) {
      await store.put(`_delta_log/${String(v).padStart(20, "0")}.json`, bytes(`${v}`));
    }
    await store.put("_delta_log/_last_checkpoint", bytes("{}"));
    const from = `_delta_log/${String(2).padStart(20, "0")}.json`;
    assert.deepEqual(await paths(store, "_delta_log", { from }), [
      from,
      `_delta_log/${String(10).padStart(20, "0")}.json`,
      `_delta_log/${String(11).padStart(20, "0")}.json`,
      "_delta_log/_last_checkpoint",
    ]);
    assert.deepEqual(await paths(store, "_delta_log", { from: "_delta_log/zz" }), []);
    assert.deepEqual(await paths(store, "", { recursive: true, from: "_delta_log/_" }), [
      "_delta_log/_last_checkpoint",
    ]);
  });

  test("finished writes leave no temporary object listed", async (store) => {
    await store.put("t/a", bytes("a"));
    await store.put("t/a", bytes("b"));
    await store.putIfAbsent("t/b", bytes("b"));
    await store.putIfAbsent("t/b", bytes("c"));
    await Promise.all([1, 2, 3].map((i) => store.put(`t/n/${i}`, bytes(`${i}`))));
    assert.deepEqual(await paths(store, "", { recursive: true }), [
      "t/a",
      "t/b",
      "t/n/1",
      "t/n/2",
      "t/n/3",
    ]);
  });

  test("paths escaping the root are InvalidArgument, and nothing is written", async (store) => {
    for (const path of ["../x", "/etc/passwd", "a/../../x"]) {
      await assert.rejects(store.read(path), fails("InvalidArgument"), path);
      await assert.rejects(store.put(path, bytes("x")), fails("InvalidArgument"), path);
      await assert.rejects(store.putIfAbsent(path, bytes("x")), fails("InvalidArgument"), path);
    }
    await assert.rejects(store.put("", bytes("x")), fails("InvalidArgument"));
    assert.deepEqual(await paths(store, "", { recursive: true }), []);
  });

  test("a large object is stored whole and read back by 1 MiB ranges and whole", async (store) => {
    const size = 9 * (1 << 20) + 7;
    const data = pattern(size);
    assert.equal(await store.putIfAbsent("big/blob", data), true);
    assert.equal((await store.head("big/blob")).size, size);
    const hash = createHash("sha256");
    for (let at = 0; at < size; at += 1 << 20) {
      hash.update(await store.readRange("big/blob", at, Math.min(size, at + (1 << 20))));
    }
    assert.equal(hash.digest("hex"), sha256(data));
    assert.equal(sha256(await store.read("big/blob")), sha256(data));
  });

  test("readRange into a buffer fills it and returns the view of the range", async (store) => {
    const data = pattern(5000);
    await store.put("f", data);
    const buffer = new Uint8Array(4096);
    const view = await store.readRange("f", 1000, 3000, buffer);
    assert.equal(view.buffer, buffer.buffer);
    assert.deepEqual(view, data.subarray(1000, 3000));
    await assert.rejects(store.readRange("f", 0, 5000, buffer), fails("InvalidArgument"));
  });

  test("an upload streams pieces into one object, invisible at its path until published", async (store) => {
    const upload = await store.upload("up");
    try {
      for (const piece of ["he", "", "llo ", "world"]) await upload.write(bytes(piece));
      await assert.rejects(store.read("up/ab/x"), fails("MissingFile"));
      assert.ok((await paths(store, "", { recursive: true })).every(isTempFile));
      assert.equal(await upload.putIfAbsent("up/ab/x"), true);
    } finally {
      await upload.abort();
    }
    assert.equal(text(await store.read("up/ab/x")), "hello world");
    assert.deepEqual(await paths(store, "", { recursive: true }), ["up/ab/x"]);
  });

  test("an upload's putIfAbsent over an object resolves false, and put then replaces it", async (store) => {
    await store.put("x", bytes("damaged"));
    const upload = await store.upload("");
    try {
      await upload.write(bytes("original"));
      assert.equal(await upload.putIfAbsent("x"), false);
      assert.equal(text(await store.read("x")), "damaged");
      await upload.put("x");
      await assert.rejects(upload.write(bytes("more")), fails("InvalidArgument"));
    } finally {
      await upload.abort();
    }
    assert.equal(text(await store.read("x")), "original");
    assert.deepEqual(await paths(store, "", { recursive: true }), ["x"]);
  });

  test(`an aborted upload leaves nothing; of racing uploads to one path ${exclusive ? "exactly one wins" : "one or more win"}`, async (store) => {
    const dropped = await store.upload("r");
    await dropped.write(bytes("never published"));
    await dropped.abort();
    assert.deepEqual(await paths(store, "", { recursive: true }), []);
    const results = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const upload = await store.upload("r");
      try {
        await upload.write(bytes(`uploader ${i}`));
        return await upload.putIfAbsent("r/v");
      } finally {
        await upload.abort();
      }
    }));
    winners(results);
    if (exclusive) assert.equal(text(await store.read("r/v")), `uploader ${results.indexOf(true)}`);
    assert.equal(await store.putIfAbsent("r/v", bytes("late")), false);
    assert.deepEqual(await paths(store, "", { recursive: true }), ["r/v"]);
  });

  test("a large upload in small pieces reads back whole", async (store) => {
    const data = pattern(9 * (1 << 20) + 7);
    const upload = await store.upload("");
    try {
      for (let at = 0; at < data.length; at += 65536) {
        await upload.write(data.subarray(at, at + 65536));
      }
      assert.equal(await upload.putIfAbsent("big"), true);
    } finally {
      await upload.abort();
    }
    assert.equal(sha256(await store.read("big")), sha256(data));
  });

  test("an upload told its path streams there, invisible until published there", async (store) => {
    const data = pattern(11 * (1 << 20) + 3);
    const first = await store.upload("k", "k/v");
    try {
      for (let at = 0; at < data.length; at += 1 << 20) {
        await first.write(data.subarray(at, at + (1 << 20)));
      }
      await assert.rejects(store.read("k/v"), fails("MissingFile"));
      assert.equal(await first.putIfAbsent("k/v"), true);
    } finally {
      await first.abort();
    }
    assert.equal(sha256(await store.read("k/v")), sha256(data));
    const second = await store.upload("k", "k/v");
    try {
      await second.write(data.subarray(0, 6 << 20));
      await second.write(bytes("tail"));
      assert.equal(await second.putIfAbsent("k/v"), false);
      assert.equal(sha256(await store.read("k/v")), sha256(data));
      await second.put("k/v");
    } finally {
      await second.abort();
    }
    const replaced = await store.read("k/v");
    assert.equal(replaced.length, (6 << 20) + 4);
    assert.deepEqual(await paths(store, "", { recursive: true }), ["k/v"]);
  });

  test("touch keeps an object's bytes and resolves false for a missing one", async (store) => {
    await store.put("t", bytes("kept"));
    const before = await store.head("t");
    assert.equal(await store.touch("t"), true);
    assert.ok((await store.head("t")).mtime >= before.mtime);
    assert.equal(text(await store.read("t")), "kept");
    assert.equal(await store.touch("missing"), false);
    await assert.rejects(store.head("missing"), fails("MissingFile"));
  });

  test("sweep leaves the temporary objects of live uploads, and every object", async (store) => {
    await store.put("s/kept", bytes("k"));
    const upload = await store.upload("s");
    try {
      await upload.write(bytes("in flight"));
      await store.sweep("s");
      await store.sweep("");
      await store.sweep("nowhere");
      assert.equal(await upload.putIfAbsent("s/new"), true);
    } finally {
      await upload.abort();
    }
    assert.deepEqual(await paths(store, "s"), ["s/kept", "s/new"]);
  });
}
