/** The built-in timeseries-join plugin across real processes: series side by side by time, and the pivot of one parameter. */
import assert from "node:assert/strict";
import { csvRows, ok, type SqlPond, withSqlPond } from "./helpers.ts";

/** Makes `path` a timeseries-join table of `config` (YAML text). */
async function mknod(p: SqlPond, path: string, config: string) {
  const file = `${p.host}/join.yaml`;
  await Deno.writeTextFile(file, config);
  return await p.spawn(["mknod", "timeseries-join", path, "--config", file]);
}

Deno.test("timeseries-join: every time either series has is a row, each series' columns prefixed by its capture", async () => {
  await withSqlPond(async (p) => {
    ok(await mknod(p, "/joined.parquet", 'inputs: "/sites/*/readings.series"\n'));
    const rows = csvRows(ok(await p.spawn(["cat", "--rows", "/joined.parquet"])));
    assert.deepEqual(rows[0], ["timestamp", "north.value", "south.value"]);
    assert.equal(rows.length, 21, "south's 20 times; north has the first 10");
    assert.deepEqual(rows[1], ["2026-06-01T00:00:00.000Z", "0", "0"]);
    assert.deepEqual(rows[16], ["2026-06-01T00:15:00.000Z", "", "15"]);
    const described = ok(await p.spawn(["describe", "/joined.parquet"]));
    assert.match(described, /^ {2}plugin +timeseries-join$/m);
  });
});

Deno.test("timeseries-join with column: one column per series, named by its capture (the pivot)", async () => {
  await withSqlPond(async (p) => {
    ok(await mknod(p, "/value.parquet", 'inputs: "/sites/*/readings.series"\ncolumn: value\n'));
    const summed = ok(
      await p.spawn([
        "cat",
        "/value.parquet",
        "--sql",
        "SELECT count(*) AS n, count(north) AS north, sum(south) AS south FROM source",
      ]),
    );
    assert.deepEqual(csvRows(summed), [["n", "north", "south"], ["20", "10", "190"]]);
    const missing = await mknod(
      p,
      "/bad.parquet",
      'inputs: "/sites/*/readings.series"\ncolumn: nope\n',
    );
    assert.equal(missing.code, 0, "the config is fine until the series are read");
    const read = await p.spawn(["cat", "--rows", "/bad.parquet"]);
    assert.equal(read.code, 1);
    assert.match(
      read.stderr,
      /config field column: \/sites\/north\/readings\.series has no column nope/,
    );
  });
});

Deno.test("timeseries-pivot: one column per series of the chosen parameter, the same table as timeseries-join's pivot; the parameter is required", async () => {
  await withSqlPond(async (p) => {
    const config = 'inputs: "/sites/*/readings.series"\ncolumn: value\n';
    await Deno.writeTextFile(`${p.host}/pivot.yaml`, config);
    ok(
      await p.spawn([
        "mknod",
        "timeseries-pivot",
        "/pivot.parquet",
        "--config",
        `${p.host}/pivot.yaml`,
      ]),
    );
    ok(await mknod(p, "/joined.parquet", config));
    const pivot = ok(await p.spawn(["cat", "--rows", "/pivot.parquet"]));
    assert.deepEqual(csvRows(pivot)[0], ["timestamp", "north", "south"]);
    assert.equal(pivot, ok(await p.spawn(["cat", "--rows", "/joined.parquet"])));
    await Deno.writeTextFile(`${p.host}/bare.yaml`, 'inputs: "/sites/*/readings.series"\n');
    const bare = await p.spawn([
      "mknod",
      "timeseries-pivot",
      "/bare.parquet",
      "--config",
      `${p.host}/bare.yaml`,
    ]);
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /column/);
  });
});
