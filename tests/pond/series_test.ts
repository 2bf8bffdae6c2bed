/** Series: versions appended over time are read together, pruned by their event-time ranges. */
import assert from "node:assert/strict";
import { parquetWriteBuffer } from "hyparquet-writer";
import { openTable } from "../../src/delta/mod.ts";
import { isPondError } from "../../src/errors.ts";
import { Pond } from "../../src/pond/pond.ts";
import { tableRows } from "../../src/pond/table_rows.ts";
import { pondInProcess } from "../cli/harness.ts";

const HOUR = 3_600_000;
const DAY1 = Date.UTC(2026, 5, 1);
const DAY2 = Date.UTC(2026, 5, 2);

/** A Parquet body of `hours` hourly readings from `start`, big enough to live in the blob store. */
function readings(start: number, hours: number): Uint8Array<ArrayBuffer> {
  const times = Array.from({ length: hours }, (_, i) => new Date(start + i * HOUR));
  return new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: "time", data: times, type: "TIMESTAMP" },
      { name: "value", data: times.map((_, i) => i + Math.random()), type: "DOUBLE" },
    ],
  }));
}

async function withSeries(fn: (pond: Pond, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    const pond = await Pond.init(`${dir}/p`);
    await pond.transact(
      ["day 1"],
      (root) =>
        root.write("/s.series", new Blob([readings(DAY1, 24 * 400)]).stream(), {
          entryType: "file:series",
        }),
    );
    await pond.transact(
      ["day 2"],
      (root) =>
        root.write("/s.series", new Blob([readings(DAY2 + 400 * 24 * HOUR, 24)]).stream(), {
          entryType: "file:series",
        }),
    );
    await fn(await Pond.open(`${dir}/p`), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a series' versions are read together, oldest first, and each knows its time range", async () => {
  await withSeries(async (pond) => {
    const root = await pond.root();
    const batches = await Array.fromAsync(tableRows(root, "/s.series"));
    assert.deepEqual(batches.map((b) => [b.version, b.rows.length]), [[1, 9600], [2, 24]]);
    assert.deepEqual(batches[0].columns, ["time", "value"]);
    const versions = await root.versions("/s.series");
    assert.deepEqual(versions[0].eventTimes, { min: DAY1, max: DAY1 + (9600 - 1) * HOUR });
    assert.equal(versions[1].eventTimes!.min, DAY2 + 400 * 24 * HOUR);
  });
});

Deno.test("a time range skips versions outside it without reading them", async () => {
  await withSeries(async (pond, dir) => {
    const root = await pond.root();
    const from = DAY2 + 400 * 24 * HOUR + 5 * HOUR;
    const late = await Array.fromAsync(tableRows(root, "/s.series", { from }));
    assert.deepEqual(late.map((b) => [b.version, b.rows.length]), [[2, 19]]);
    // Remove version 1's body: a range that excludes it still reads; one that includes it fails.
    const hashes = (await Array.fromAsync(
      (await (await openTable(`${dir}/p/oplog`)).snapshot()).scan({
        columns: ["entry_type", "version", "hash"],
      })
        .rows(),
    )).filter((r) => r.entry_type === "file:series" && r.version === 1n).map((r) =>
      r.hash as string
    );
    await Deno.remove(`${dir}/p/blobs/${hashes[0].slice(0, 2)}/${hashes[0]}`);
    assert.equal((await Array.fromAsync(tableRows(root, "/s.series", { from }))).length, 1);
    await assert.rejects(
      () => Array.fromAsync(tableRows(root, "/s.series", { to: DAY1 + HOUR })),
      (e) => isPondError(e, "MissingBlob"),
    );
  });
});

Deno.test("pond cat --rows prints a series as CSV or JSON lines, cut by --from/--to", async () => {
  await withSeries(async (pond) => {
    const env = { POND: pond.location };
    const csv = await pondInProcess([
      "cat",
      "--rows",
      "/s.series",
      "--to",
      new Date(DAY1 + HOUR).toISOString(),
    ], env);
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.trimEnd().split("\n");
    assert.equal(lines[0], "time,value");
    assert.deepEqual(lines.slice(1).map((l) => l.split(",")[0]), [
      "2026-06-01T00:00:00.000Z",
      "2026-06-01T01:00:00.000Z",
    ]);
    const json = await pondInProcess([
      "cat",
      "--rows",
      "--json",
      "--from",
      "2028-01-01",
      "/s.series",
    ], env);
    assert.equal(json.stdout, "");
    const bad = await pondInProcess(["cat", "--from", "2026-01-01", "/s.series"], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--from, --to and --json go with --rows/);
  });
});

Deno.test("only Parquet with a timestamp column can be a series; data files have no rows", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pond = `${dir}/p`;
    await pondInProcess(["init", pond]);
    await Deno.writeTextFile(`${dir}/a.csv`, "t,v\n1,2\n");
    const noTime = new Uint8Array(
      parquetWriteBuffer({ columnData: [{ name: "v", data: [1, 2], type: "DOUBLE" }] }),
    );
    await Deno.writeFile(`${dir}/v.parquet`, noTime);
    const env = { POND: pond };
    const csv = await pondInProcess(["copy", "--type", "series", `host:${dir}/a.csv`, "/a"], env);
    assert.equal(csv.code, 1);
    assert.equal(
      csv.stderr,
      `pond: host:${dir}/a.csv is not a Parquet file, so it cannot be a series; copy it with --type data\n`,
    );
    const table = await pondInProcess(
      ["copy", "--type", "series", `host:${dir}/v.parquet`, "/v"],
      env,
    );
    assert.equal(
      table.stderr,
      `pond: host:${dir}/v.parquet has no timestamp column, so it cannot be a series; copy it with --type table\n`,
    );
    await pondInProcess(["copy", `host:${dir}/a.csv`, "/a.csv"], env);
    const rows = await pondInProcess(["cat", "--rows", "/a.csv"], env);
    assert.equal(rows.code, 1);
    assert.match(rows.stderr, /is file:data, not a table or series; read its bytes with pond cat/);
    assert.equal((await pondInProcess(["list", "/"], env)).stdout, "/a.csv\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
