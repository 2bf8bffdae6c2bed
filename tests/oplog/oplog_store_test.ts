/** The oplog store: a tinyfs tree on a real Delta table, surviving reopen, readable by other engines. */
import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { LocalStore, openTable } from "../../src/delta/mod.ts";
import { BlobStore } from "../../src/oplog/blob_store.ts";
import { OplogStore } from "../../src/oplog/oplog_store.ts";
import { FS, isTinyFsError } from "../../src/tinyfs/mod.ts";

async function withPond(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const tableOf = (dir: string) => new LocalStore(`${dir}/oplog`);
const blobsOf = (dir: string) => new BlobStore(new LocalStore(`${dir}/blobs`));
const openFs = async (dir: string) =>
  await FS.open(await OplogStore.open(tableOf(dir), blobsOf(dir)));
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function big(size: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => (i * 7 + (i >> 11)) & 255);
}

Deno.test("a tree written through the oplog reads back the same after reopening", async () => {
  await withPond(async (dir) => {
    const fs = await FS.init(OplogStore.empty(tableOf(dir), blobsOf(dir)));
    const large = big(300_000);
    await fs.transact({ command: ["setup"] }, async (root) => {
      await root.createDirectory("/data/raw", { parents: true });
      await root.write("/data/raw/a.csv", "t,v\n1,2\n");
      await root.write("/data/big.bin", large);
      await root.createSymlink("/latest", "data/raw/a.csv");
    });
    await fs.transact({ command: ["edit"] }, (root) => root.write("/data/raw/a.csv", "t,v\n1,3\n"));

    const again = await (await openFs(dir)).root();
    assert.deepEqual((await again.list("/data")).map((n) => n.name), ["big.bin", "raw"]);
    assert.equal(text(await again.read("/latest")), "t,v\n1,3\n");
    assert.equal(text(await again.read("/data/raw/a.csv", { version: 1 })), "t,v\n1,2\n");
    assert.deepEqual(await again.read("/data/big.bin"), large);
    assert.equal((await again.metadata("/data/raw/a.csv")).version, 2);
    const before = await (await openFs(dir)).root({ asOf: 1 });
    assert.equal(text(await before.read("/data/raw/a.csv")), "t,v\n1,2\n");
  });
});

Deno.test("pond seq is the Delta version, and commitInfo records the command", async () => {
  await withPond(async (dir) => {
    const fs = await FS.init(OplogStore.empty(tableOf(dir), blobsOf(dir)), {
      meta: { command: ["init"] },
    });
    await fs.transact({ command: ["mkdir", "/a"] }, (root) => root.createDirectory("/a"));
    const table = await openTable(`${dir}/oplog`);
    const history = await table.history();
    assert.deepEqual(history.map((h) => h.version), [0, 1]);
    assert.deepEqual(
      history.map((h) => (h.commitInfo as { pond: { command: string[] } }).pond.command),
      [["init"], ["mkdir", "/a"]],
    );
  });
});

Deno.test("a directory grown one entry per transaction reads right at every version", async () => {
  await withPond(async (dir) => {
    const fs = await FS.init(OplogStore.empty(tableOf(dir), blobsOf(dir)));
    await fs.transact({ command: ["mkdir"] }, (root) => root.createDirectory("/d"));
    const names: string[] = [];
    for (let i = 0; i < 80; i++) {
      const name = `f${String(i).padStart(3, "0")}`;
      names.push(name);
      await fs.transact({ command: ["add", name] }, async (root) => {
        await root.write(`/d/${name}`, name);
        if (i % 10 === 9) await root.remove(`/d/${names[i - 5]}`);
      });
    }
    const reopened = await openFs(dir);
    const expected = new Set<string>();
    for (let i = 0; i < 80; i++) {
      expected.add(names[i]);
      if (i % 10 === 9) expected.delete(names[i - 5]);
      const at = await reopened.root({ asOf: i + 2 });
      assert.deepEqual(
        (await at.list("/d")).map((n) => n.name),
        [...expected].sort(),
        `seq ${i + 2}`,
      );
    }
    const rows = await Array.fromAsync(
      (await (await openTable(`${dir}/oplog`)).snapshot()).scan({
        columns: ["entry_type", "dir_base"],
      })
        .rows(),
    );
    const deltas = rows.filter((r) => r.entry_type === "directory" && r.dir_base !== null);
    assert.ok(deltas.length > 40, `most versions of /d are stored as deltas (${deltas.length})`);
  });
});

Deno.test("a transaction that lost the race is a Conflict; after refresh it can retry", async () => {
  await withPond(async (dir) => {
    await FS.init(OplogStore.empty(tableOf(dir), blobsOf(dir)));
    const storeA = await OplogStore.open(tableOf(dir), blobsOf(dir));
    const storeB = await OplogStore.open(tableOf(dir), blobsOf(dir));
    const [a, b] = [await FS.open(storeA), await FS.open(storeB)];
    await a.transact({ command: ["a"] }, (root) => root.write("/a", "A"));
    await assert.rejects(
      () => b.transact({ command: ["b"] }, (root) => root.write("/b", "B")),
      (e) => isTinyFsError(e, "Conflict"),
    );
    await storeB.refresh();
    await b.transact({ command: ["b"] }, (root) => root.write("/b", "B"));
    const names = (await (await (await openFs(dir)).root()).list("/")).map((n) => n.name);
    assert.deepEqual(names, ["a", "b"]);
  });
});

Deno.test("DuckDB reads the oplog's data files and log", async () => {
  await withPond(async (dir) => {
    const fs = await FS.init(OplogStore.empty(tableOf(dir), blobsOf(dir)));
    await fs.transact({ command: ["w"] }, async (root) => {
      await root.createDirectory("/x");
      await root.write("/x/y.txt", "hello");
    });
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    const rows = (await c.runAndReadAll(
      `select node_id, version, seq, entry_type, size, part_id from read_parquet('${dir}/oplog/**/*.parquet', hive_partitioning = true) order by seq, entry_type`,
    )).getRowObjects();
    assert.deepEqual(rows.map((r) => [r.entry_type, Number(r.seq), Number(r.size)]), [
      ["directory", 0, 0],
      ["directory", 1, 1],
      ["directory", 1, 1],
      ["file:data", 1, 5],
    ]);
    const log = (await c.runAndReadAll(
      `select count(*) as n from read_ndjson('${dir}/oplog/_delta_log/*.json', ignore_errors = true) where commitInfo is not null`,
    )).getRowObjects();
    assert.equal(Number(log[0].n), 2);
    c.closeSync();
    db.closeSync();
  });
});

Deno.test("streamed bodies are staged: small ones go inline, large ones stream into blobs", async () => {
  await withPond(async (dir) => {
    const fs = await FS.init(OplogStore.empty(tableOf(dir), blobsOf(dir)));
    const large = big(3 * 1024 * 1024 + 17);
    const stream = (bytes: Uint8Array) => new Blob([bytes.slice()]).stream();
    await fs.transact({ command: ["w"] }, async (root) => {
      await root.write("/small", stream(new TextEncoder().encode("tiny body")));
      await root.write("/large", stream(large));
      assert.deepEqual(
        await root.read("/large"),
        large,
        "a staged body reads back in its transaction",
      );
    });
    const again = await (await openFs(dir)).root();
    assert.equal(text(await again.read("/small")), "tiny body");
    assert.deepEqual(await again.read("/large"), large);
    const rows = await Array.fromAsync(
      (await (await openTable(`${dir}/oplog`)).snapshot()).scan({
        columns: ["size", "content", "blob_chunks"],
      }).rows(),
    );
    const small = rows.find((r) => r.size === 9n)!;
    const blob = rows.find((r) => r.size === BigInt(large.length))!;
    assert.ok(small.content !== null && small.blob_chunks === null, "small body inline");
    assert.ok(blob.content === null && (blob.blob_chunks as Uint8Array).length === 4 * 32);
  });
});
