/** A pond over stores that are no directory: init, commit, read, reopen, a lost marker repaired and racing inits, every byte through the stores. */
import assert from "node:assert/strict";
import { isPondError } from "../../src/errors.ts";
import {
  checkPond,
  makeCollector,
  Pond,
  POND_MARKER,
  type PondStores,
  runCollectorAt,
} from "../../src/pond/mod.ts";
import { createMarker } from "../../src/pond/layout.ts";
import { MemoryStore } from "../delta/memory_store.ts";
import { command } from "../subprocess.ts";

/** A pond's stores, each in memory: no file on this computer holds any of its bytes. */
function memoryPond(): PondStores & Record<"root" | "oplog" | "blobs" | "cache", MemoryStore> {
  return {
    location: "memory:lake",
    root: new MemoryStore("lake"),
    oplog: new MemoryStore("lake/oplog"),
    blobs: new MemoryStore("lake/blobs"),
    cache: new MemoryStore("lake/cache"),
  };
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);
/** A body above the inline limit, so it is stored as a blob. */
const big = new Uint8Array(200_000).map((_, i) => (i * 7) % 251);
const paths = async (store: MemoryStore) =>
  (await store.list("", { recursive: true })).map((o) => o.path);

Deno.test("a pond in memory stores: init, a commit of a small and a large file, a read, and a reopen read the stores alone", async () => {
  const stores = memoryPond();
  const made = await Pond.init(stores, { command: ["init"] });
  assert.equal(made.location, "memory:lake");
  const { seq } = await made.transact(["copy"], async (root) => {
    await root.createDirectory("/data");
    await root.write("/data/note.txt", "hello");
    await root.write("/data/big.bin", big);
  });
  assert.equal(seq, 1);
  await using pond = await Pond.open(stores);
  const root = await pond.root();
  assert.equal(text(await root.read("/data/note.txt")), "hello");
  assert.deepEqual(await root.read("/data/big.bin"), big);
  assert.deepEqual((await pond.history()).map((t) => t.command), [["init"], ["copy"]]);
  assert.deepEqual(await paths(stores.root), [POND_MARKER]);
  assert.equal(JSON.parse(text(await stores.root.read(POND_MARKER))).format, 1);
  const log = (await paths(stores.oplog)).filter((p) => p.startsWith("_delta_log/"));
  assert.deepEqual(log, [0, 1].map((v) => `_delta_log/${String(v).padStart(20, "0")}.json`));
  assert.equal((await paths(stores.blobs)).length, 1, "the large body is the one blob");
  assert.equal((await checkPond(stores)).findings.length, 0);
});

Deno.test("a pond over memory stores runs in a process that may read and write no file at all", async () => {
  const module = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
  const script = `
    import { Pond } from ${module("../../src/pond/mod.ts")};
    import { MemoryStore } from ${module("../delta/memory_store.ts")};
    const granted = await Promise.all(["read", "write"].map(async (name) =>
      (await Deno.permissions.query({ name })).state === "granted"));
    const stores = Object.fromEntries(
      ["root", "oplog", "blobs", "cache"].map((n) => [n, new MemoryStore(n)]),
    );
    const made = await Pond.init({ location: "memory:", ...stores });
    await made.transact(["copy"], (root) => root.write("/big.bin", new Uint8Array(300_000).fill(7)));
    await using pond = await Pond.open({ location: "memory:", ...stores });
    const body = await (await pond.root()).read("/big.bin");
    const blobs = await stores.blobs.list("", { recursive: true });
    console.log(granted.join(" "), body.length, body.every((b) => b === 7), blobs.length);
  `;
  const dir = await Deno.makeTempDir({ prefix: "pond-stores-" });
  try {
    await Deno.writeTextFile(`${dir}/script.ts`, script);
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const run = await command(Deno.execPath(), { // no --allow-read or --allow-write: both denied
      args: [
        "run",
        "--no-prompt",
        "--config",
        config,
        "--allow-env",
        "--allow-sys",
        `${dir}/script.ts`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(run.code, 0, text(run.stderr));
    assert.equal(text(run.stdout), "false false 300000 true 1\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stores holding no pond are NotAPond; a lost marker is named, and check --repair writes it through the store", async () => {
  const stores = memoryPond();
  await assert.rejects(Pond.open(stores), (e) => {
    assert.ok(isPondError(e, "NotAPond"));
    assert.equal(
      e.message,
      "memory:lake is not a pond (it has no pond.json); create one with 'pond init memory:lake'",
    );
    return true;
  });
  const made = await Pond.init(stores);
  await made.transact(["mkdir"], (root) => root.createDirectory("/kept"));
  await stores.root.delete(POND_MARKER);
  await assert.rejects(
    Pond.open(stores),
    /memory:lake holds a pond's log \(oplog\/\) but no pond\.json/,
  );
  await assert.rejects(Pond.init(stores), (e) => isPondError(e, "PondExists"));
  const report = await checkPond(stores, { repair: true });
  assert.deepEqual(report.findings, []);
  assert.match(report.repairs[0].note, /^wrote pond\.json again \(format 1, created /);
  const [created] = await made.history();
  assert.deepEqual(JSON.parse(text(await stores.root.read(POND_MARKER))), {
    format: 1,
    created: new Date(created.timestamp).toISOString(),
  }, "the marker written again records when the log's first commit was made");
  assert.ok(await (await (await Pond.open(stores)).root()).exists("/kept"));
});

Deno.test("of inits racing on the same stores exactly one makes the pond; the others are PondExists", async () => {
  const stores = memoryPond();
  const results = await Promise.allSettled(
    Array.from({ length: 4 }, (_, i) => Pond.init(stores, { command: ["init", `${i}`] })),
  );
  const winners = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
  assert.equal(winners.length, 1, `winners ${winners}`);
  for (const r of results) {
    if (r.status === "rejected") assert.ok(isPondError(r.reason, "PondExists"), `${r.reason}`);
  }
  const history = await (await Pond.open(stores)).history();
  assert.deepEqual(history.map((t) => t.command), [["init", `${winners[0]}`]]);
  await assert.rejects(Pond.init(stores), /^PondError: memory:lake is already a pond; use it/);
});

Deno.test("a pond with no host directory runs no collector: its run lock is an OS lock on a file", async () => {
  const stores = memoryPond();
  await Pond.init(stores);
  await using pond = await Pond.open(stores);
  const config = "api_url: http://127.0.0.1:9/\nclient_id: c\nclient_secret: s\n" +
    "hydrovu_path: /hydrovu\ndevices:\n  - { name: a, id: 1 }\n";
  await makeCollector(pond, "hydrovu", "/etc/hydrovu", config, {
    net: ["127.0.0.1:9"],
    parents: true,
    command: ["mknod"],
  });
  const head = await pond.head();
  await assert.rejects(
    runCollectorAt(pond, "/etc/hydrovu", {
      env: () => "s",
      limits: { deadlineMs: 10_000, memoryLimitMb: 128 },
      command: ["run"],
    }),
    (e) => isPondError(e, "NotLocal") && /is not in a directory on this computer/.test(e.message),
  );
  assert.equal(await pond.head(), head, "nothing was committed");
});

Deno.test("the marker is created only if absent: a second create changes nothing and says so", async () => {
  const stores = memoryPond();
  assert.equal(await createMarker(stores, new Date("2026-01-01T00:00:00Z")), true);
  assert.equal(await createMarker(stores, new Date("2026-06-01T00:00:00Z")), false);
  assert.deepEqual(JSON.parse(text(await stores.root.read(POND_MARKER))), {
    format: 1,
    created: "2026-01-01T00:00:00.000Z",
  });
});
