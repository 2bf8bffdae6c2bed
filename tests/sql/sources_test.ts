/** SQL sources: a series' versions as one table (columns merged, versions skipped by time), a table's version, data files, globs with captures. */
import assert from "node:assert/strict";
import { Pond } from "../../src/pond/pond.ts";
import { pondProcess } from "../cli/harness.ts";
import { parquetMetadata } from "hyparquet";
import {
  csvRows,
  ok,
  readings,
  START,
  V1_ROWS,
  V2_START,
  V3_START,
  withSqlPond,
} from "./helpers.ts";

Deno.test("a series is every version as one table, columns merged by name", async () => {
  await withSqlPond(async (p) => {
    const out = ok(
      await p.spawn([
        "cat",
        "/sensors/north.series",
        "--sql",
        "SELECT count(*) AS n, count(salinity) AS salty, min(timestamp) AS first FROM source",
      ]),
    );
    assert.deepEqual(csvRows(out), [
      ["n", "salty", "first"],
      [String(V1_ROWS + 150), "50", "2026-06-01T00:00:00.000Z"],
    ]);
  });
});

Deno.test("--from/--to and WHERE bounds on the time column skip versions without opening them", async () => {
  await withSqlPond(async (p) => {
    const late = "SELECT count(*) AS n FROM source WHERE timestamp >= '2026-06-20'";
    const first = await p.run(["cat", "/sensors/north.series", "--sql", late, "-v"]);
    assert.deepEqual(csvRows(ok(first)), [["n"], ["50"]]);
    assert.match(first.stderr, /source: 2 of 3 versions skipped by their event times/);

    const groups = await p.run([
      "cat",
      "--rows",
      "/sensors/north.series",
      "--from",
      "2026-06-07T00:00:00Z",
      "-v",
    ]);
    assert.equal(csvRows(ok(groups)).length, 1 + (V1_ROWS - 6 * 1440) + 150);
    assert.match(
      groups.stderr,
      /source: 0 of 3 versions skipped by their event times; in those read, 1 of 4 row groups by their statistics/,
    );

    const subquery = "SELECT count(*) AS n FROM source WHERE timestamp >= '2026-06-20' " +
      "AND value <= (SELECT max(value) FROM source)";
    const whole = await p.run(["cat", "/sensors/north.series", "--sql", subquery, "-v"]);
    assert.deepEqual(csvRows(ok(whole)), [["n"], ["50"]]);
    assert.match(
      whole.stderr,
      /source: 0 of 3 versions skipped/,
      "a second read of source sees all",
    );

    const pond = await Pond.open(p.dir);
    const blob = await (await (await pond.root()).open("/sensors/north.series"))
      .fileOnDisk({ version: 1 });
    assert.ok(blob?.startsWith(`${p.dir}/blobs/`), "version 1 is read in place, from its blob");
    await Deno.remove(blob!);

    assert.deepEqual(csvRows(ok(await p.spawn(["cat", "/sensors/north.series", "--sql", late]))), [
      ["n"],
      ["50"],
    ]);
    const rows = ok(
      await p.spawn([
        "cat",
        "--rows",
        "/sensors/north.series",
        "--from",
        "2026-06-10T00:00:00Z",
        "--to",
        "2026-06-10T00:01:00Z",
      ]),
    );
    assert.deepEqual(csvRows(rows), [
      ["timestamp", "value"],
      ["2026-06-10T00:00:00.000Z", "0"],
      ["2026-06-10T00:01:00.000Z", "1"],
    ]);
    const all = await p.spawn([
      "cat",
      "/sensors/north.series",
      "--sql",
      "SELECT count(*) FROM source",
    ]);
    assert.equal(all.code, 1, "the deleted version is needed without bounds");
    assert.equal(all.stderr.trim().split("\n").length, 1, all.stderr);
  });
});

Deno.test("a table is its newest version, or the one --version or --at names", async () => {
  await withSqlPond(async (p) => {
    const count = ["--sql", "SELECT count(*) AS n FROM source"];
    assert.deepEqual(csvRows(ok(await p.run(["cat", "/tables/t.parquet", ...count]))), [["n"], [
      "5",
    ]]);
    assert.deepEqual(
      csvRows(ok(await p.run(["cat", "/tables/t.parquet", "--version", "1", ...count]))),
      [["n"], ["3"]],
    );
    assert.deepEqual(
      csvRows(ok(await p.run(["cat", "/tables/t.parquet", "--at", "4", ...count]))),
      [["n"], ["3"]],
    );
    const rows = ok(
      await p.run(["cat", "--rows", "--json", "/tables/t.parquet", "--version", "1"]),
    );
    assert.deepEqual(rows.trimEnd().split("\n").map((l) => JSON.parse(l).value), [0, 1, 2]);
  });
});

Deno.test("CSV, JSON lines and JSON data files are read by their extension or --input-format", async () => {
  await withSqlPond(async (p) => {
    const sql = (q: string) => ["--sql", q, "--format", "jsonl"];
    const lines = (out: string) => out.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(
      lines(ok(await p.run(["cat", "/data/a.csv", ...sql("SELECT * FROM source")]))),
      [
        { site: "north", depth: 3 },
        { site: "south", depth: 5 },
      ],
    );
    assert.deepEqual(
      lines(ok(await p.run(["cat", "/data/b.jsonl", ...sql("SELECT sum(n) AS n FROM source")]))),
      [{ n: 3 }],
    );
    assert.deepEqual(
      lines(ok(await p.run(["cat", "/data/c.json", ...sql("SELECT k, v FROM source ORDER BY k")]))),
      [{ k: "x", v: 1.5 }, { k: "y", v: 2.5 }],
    );
    const text = await p.run(["cat", "/data/notes.txt", "--sql", "SELECT * FROM source"]);
    assert.equal(text.code, 1);
    assert.equal(
      text.stderr,
      "pond: /data/notes.txt is file:data of no format pond can query; name one with --input-format csv|json|jsonl|parquet\n",
    );
    const forced = ok(
      await p.run([
        "cat",
        "/data/notes.txt",
        "--input-format",
        "csv",
        ...sql("SELECT * FROM source"),
      ]),
    );
    assert.equal(forced, "", "one line of text is a CSV header without rows");
    const bad = await p.run(["cat", "/data/a.csv", "--input-format", "xml", "--sql", "SELECT 1"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--input-format takes csv, json, jsonl, parquet, not 'xml'/);
  });
});

Deno.test("a glob is one table of all its matches, with the captures as columns", async () => {
  await withSqlPond(async (p) => {
    const out = ok(
      await p.spawn([
        "cat",
        "/sites/*/readings.series",
        "--sql",
        "SELECT capture0 AS site, count(*) AS n FROM source GROUP BY site ORDER BY site",
      ]),
    );
    assert.deepEqual(csvRows(out), [["site", "n"], ["north", "10"], ["south", "20"]]);
    const none = await p.run(["cat", "/nowhere/*.series", "--sql", "SELECT 1 FROM source"]);
    assert.equal(none.code, 1);
    assert.equal(
      none.stderr,
      "pond: /nowhere/*.series matched nothing; check it with: pond list '/nowhere/*.series'\n",
    );
  });
});

Deno.test("small bodies go to a private directory that is gone when the query ends", async () => {
  await withSqlPond(async (p) => {
    const tmp = `${p.host}/tmp`;
    await Deno.mkdir(tmp);
    const r = await pondProcess(
      ["query", "-t", "a=/data/a.csv", "-t", "t=/tables/t.parquet", "SELECT count(*) FROM a, t"],
      { POND: p.dir, TMPDIR: tmp },
    );
    assert.deepEqual(csvRows(ok(r)), [["count_star()"], ["10"]]);
    assert.deepEqual([...Deno.readDirSync(tmp)], []);
  });
});

Deno.test("describe merges a series' versions' schemas from their footers and counts every row", async () => {
  await withSqlPond(async (p) => {
    const [d] = JSON.parse(ok(await p.run(["describe", "/sensors/north.series", "--json"])));
    assert.deepEqual(d.schema.columns.map((c: { name: string }) => c.name), [
      "timestamp",
      "value",
      "salinity",
    ]);
    assert.equal(d.schema.columns[2].nullable, true, "missing from versions 1 and 2");
    assert.equal(d.schema.rows, V1_ROWS + 150);
    const groups = [readings(START, V1_ROWS), readings(V2_START, 100), readings(V3_START, 50)]
      .reduce((n, bytes) => n + parquetMetadata(bytes.buffer).row_groups.length, 0);
    assert.equal(d.schema.rowGroups, groups);
    const [t] = JSON.parse(ok(await p.run(["describe", "/tables/t.parquet", "--json"])));
    assert.equal(t.schema.rows, 5, "a table: its newest version");
  });
});

Deno.test("a dynamic directory's computed tables are queried like any table", async () => {
  await withSqlPond(async (p) => {
    const config = `${p.host}/tables.yaml`;
    await Deno.writeTextFile(config, '{inputs: ["/data/*.csv"], transform: csv-to-parquet}\n');
    ok(await p.run(["mknod", "derived", "/computed", "--directory", "--config", config]));
    const out = ok(
      await p.run([
        "query",
        "-t",
        "c=/computed/*",
        "SELECT capture0 AS name, sum(depth) AS d FROM c GROUP BY ALL",
      ]),
    );
    assert.deepEqual(csvRows(out), [["name", "d"], ["a.parquet", "8"]]);
  });
});
