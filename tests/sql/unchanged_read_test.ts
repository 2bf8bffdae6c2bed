/** An unchanged reduction read again: one cache lookup, no sandbox and no engine; a change is computed. */
import assert from "node:assert/strict";
import { type ComputedCache, PluginHost } from "../../src/plugin_host/mod.ts";
import { Pond, pondCache } from "../../src/pond/mod.ts";
import type { WD } from "../../src/tinyfs/mod.ts";
import { append, noting, withPondAndDuckDb } from "./reduce_fixtures.ts";

const DAILY = "/reduce/s/res=1d.series";

/** The pond's cache, counting what is asked of it. */
function countedCache(dir: string) {
  const inner = pondCache(dir);
  const counts = { gets: 0, puts: 0 };
  const cache: ComputedCache = {
    get: (key) => (counts.gets++, inner.get(key)),
    put: (key, bytes) => (counts.puts++, inner.put(key, bytes)),
  };
  return { cache, counts };
}

/** /reduce: the daily and hourly averages of every series in /sensors. */
function mknodReduce(pond: Pond) {
  return pond.transact(["mknod"], (root) =>
    root.createDynamicDirectory(
      "/reduce",
      "temporal-reduce",
      JSON.stringify({
        in_pattern: "/sensors/*.series",
        out_pattern: "$0",
        resolutions: ["1h", "1d"],
        aggregations: [{ type: "avg", columns: ["v"] }],
      }),
    ));
}

Deno.test("unchanged read: one cache lookup, no engine, no sandbox; an appended version is computed", async () => {
  await withPondAndDuckDb(async (dir, query, scratch) => {
    let engines = 0;
    const sql = noting(() => engines++);
    const version = async (pond: Pond, from: number) => {
      await query(
        `CREATE OR REPLACE TABLE v AS SELECT TIMESTAMPTZ '2026-01-01 00:00:00+00' + ` +
          `to_minutes(i) AS timestamp, i::DOUBLE AS v FROM range(${from}, ${from + 2880}) t(i)`,
      );
      await append(pond, query, scratch, "v", "/sensors/s.series");
    };
    const { cache, counts } = countedCache(dir);
    const host = new PluginHost({ sql, cache, deadlineMs: 60_000 });
    const pond = await Pond.open(dir, { plugins: host });
    await version(pond, 0);
    await mknodReduce(pond);
    const first = await (await pond.root()).read(DAILY);
    const [gets, puts, started] = [counts.gets, counts.puts, engines];
    const again = await (await pond.root()).read(DAILY);
    assert.deepEqual(again, first);
    assert.deepEqual(
      [counts.gets - gets, counts.puts - puts, engines - started],
      [1, 0, 0],
      "the file's entry is the one lookup: the directories' entries are known in memory",
    );

    // Another host (as another process): everything from the cache store, and no sandbox can
    // answer within a 1 ms deadline, so none was asked.
    const fresh = countedCache(dir);
    const coldHost = new PluginHost({ sql, cache: fresh.cache, deadlineMs: 1 });
    const cold = await Pond.open(dir, { plugins: coldHost });
    assert.deepEqual(await (await cold.root()).read(DAILY), first);
    assert.deepEqual([fresh.counts.gets, fresh.counts.puts], [3, 0], "two directories, one file");
    await cold.close();
    await coldHost.close();

    await version(pond, 2880);
    const before = engines;
    const changed = await (await pond.root()).read(DAILY);
    assert.ok(engines > before, "a new version is computed, not read from memory");
    assert.notDeepEqual(changed, first);
    const unchanged = async () => {
      const uncachedHost = new PluginHost({ sql, deadlineMs: 60_000 });
      const uncached = await Pond.open(dir, { plugins: uncachedHost });
      try {
        return await (await uncached.root()).read(DAILY);
      } finally {
        await uncached.close();
        await uncachedHost.close();
      }
    };
    assert.deepEqual(changed, await unchanged(), "what computing it without a cache gives");
    await pond.close();
    await host.close();
  });
});

Deno.test("unchanged read: inside a transaction, a read after a write sees it; after, the committed state", async () => {
  await withPondAndDuckDb(async (dir, query, scratch) => {
    const rows = async (from: number) => {
      await query(
        `COPY (SELECT TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_minutes(i) AS timestamp, ` +
          `i::DOUBLE AS v FROM range(${from}, ${from + 2880}) t(i)) ` +
          `TO '${scratch}/v${from}.parquet' (FORMAT parquet)`,
      );
      return await Deno.readFile(`${scratch}/v${from}.parquet`);
    };
    const write = (root: WD, bytes: Uint8Array) =>
      root.write("/sensors/s.series", new Blob([bytes.slice()]).stream(), {
        entryType: "file:series",
        parents: true,
      });
    const host = new PluginHost({
      sql: noting(() => {}),
      cache: pondCache(dir),
      deadlineMs: 60_000,
    });
    const pond = await Pond.open(dir, { plugins: host });
    const [first, second] = [await rows(0), await rows(2880)];
    await pond.transact(["put"], (root) => write(root, first));
    await mknodReduce(pond);
    const committed = await (await pond.root()).read(DAILY);
    assert.deepEqual(await (await pond.root()).read(DAILY), committed);
    const abandoned = new Error("abandoned");
    let pending: Uint8Array | undefined;
    await assert.rejects(
      pond.transact(["append"], async (root) => {
        assert.deepEqual(await root.read(DAILY), committed, "nothing written yet");
        await write(root, second);
        pending = await root.read(DAILY);
        throw abandoned;
      }),
      (e) => e === abandoned,
    );
    assert.notDeepEqual(pending, committed, "the pending version is read, not the state before");
    assert.deepEqual(await (await pond.root()).read(DAILY), committed, "abandoned: as committed");
    await pond.transact(["append"], (root) => write(root, second));
    assert.deepEqual(
      await (await pond.root()).read(DAILY),
      pending,
      "committed: as it was pending",
    );
    await pond.close();
    await host.close();
  });
});
