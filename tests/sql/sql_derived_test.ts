/** The built-in sql-derived plugin across real processes: a dynamic table a query computes over globs, read like any table, as of any transaction. */
import assert from "node:assert/strict";
import { Pond } from "../../src/pond/pond.ts";
import { csvRows, fingerprint, ok, readings, type SqlPond, START, withSqlPond } from "./helpers.ts";

/** The per-site aggregate the tests make. */
const PER_SITE =
  "SELECT capture0 AS site, count(*) AS n, max(value) AS top FROM r GROUP BY ALL ORDER BY site";

/** Makes `path` (and its parents) a sql-derived table of `config` (YAML text); returns the run. */
async function mknod(p: SqlPond, path: string, config: string) {
  const file = `${p.host}/derived.yaml`;
  await Deno.writeTextFile(file, config);
  return await p.spawn(["mknod", "sql-derived", path, "--file", "-p", "--config", file]);
}

/** Config text of `query` over `glob` as the table r. */
function over(glob: string, query = PER_SITE): string {
  return `inputs: { r: "${glob}" }\nquery: "${query}"\n`;
}

Deno.test("sql-derived is a table: listed, cat --rows, cat --sql, query -t and describe read it", async () => {
  await withSqlPond(async (p) => {
    ok(await mknod(p, "/daily.parquet", over("/sites/*/readings.series")));
    assert.match(ok(await p.spawn(["list", "-l", "/"])), /\/daily\.parquet \[sql-derived\]\n/);
    assert.equal(
      ok(await p.spawn(["cat", "/daily.parquet", "--rows"])),
      "site,n,top\nnorth,10,9\nsouth,20,19\n",
    );
    assert.deepEqual(
      csvRows(
        ok(await p.spawn(["cat", "/daily.parquet", "--sql", "SELECT sum(n) AS n FROM source"])),
      ),
      [["n"], ["30"]],
    );
    assert.deepEqual(
      csvRows(
        ok(
          await p.spawn([
            "query",
            "-t",
            "d=/daily.parquet",
            "-t",
            "t=/tables/t.parquet",
            "SELECT d.site, d.n, (SELECT count(*) FROM t) AS t FROM d ORDER BY d.site",
          ]),
        ),
      ),
      [["site", "n", "t"], ["north", "10", "5"], ["south", "20", "5"]],
    );
    const described = ok(await p.spawn(["describe", "/daily.parquet"]));
    assert.match(described, /^ {2}plugin +sql-derived$/m);
    assert.match(described, /^ {2}rows +2 in 1 row group$/m);
    assert.match(described, /^ {4}site +STRING$/m);
    assert.match(described, /^ {4}n +INT64$/m);
  });
});

Deno.test("sql-derived over a series reads all its versions, and --at gives the answer of the time", async () => {
  await withSqlPond(async (p) => {
    const query = "SELECT count(*) AS n, count(salinity) AS salted FROM r";
    ok(await mknod(p, "/count.parquet", over("/sensors/north.series", query)));
    const made = (await (await Pond.open(p.dir)).head()).toString();
    assert.equal(ok(await p.spawn(["cat", "/count.parquet", "--rows"])), "n,salted\n10150,50\n");
    const pond = await Pond.open(p.dir);
    await pond.transact(["append"], (root) =>
      root.write(
        "/sensors/north.series",
        new Blob([readings(START + 40 * 86_400_000, 7, { salinity: true })]).stream(),
        { entryType: "file:series" },
      ));
    assert.equal(ok(await p.spawn(["cat", "/count.parquet", "--rows"])), "n,salted\n10157,57\n");
    assert.equal(
      ok(await p.spawn(["cat", "/count.parquet", "--rows", "--at", made])),
      "n,salted\n10150,50\n",
      "--at computes from the series as it was",
    );
  });
});

Deno.test("sql-derived configs are checked at mknod, naming the field; nothing is made", async () => {
  await withSqlPond(async (p) => {
    const before = await fingerprint(p.dir);
    for (
      const [config, message] of [
        [
          'inputs: "/sites/*/readings.series"\nquery: SELECT 1\n',
          'field "inputs" must be a mapping of table names to globs',
        ],
        [
          'inputs: { r: "/sites/[/readings.series" }\nquery: SELECT 1\n',
          'field "inputs" table r holds a bad glob pattern',
        ],
        ['inputs: { "my table": "/a" }\nquery: SELECT 1\n', 'field "inputs" names a table'],
        ['inputs: { r: "/a" }\n', 'field "query" is required'],
      ]
    ) {
      const r = await mknod(p, "/bad.parquet", config);
      assert.equal(r.code, 1, config);
      assert.equal(r.stderr.split("\n").length, 2, `one line: ${r.stderr}`);
      assert.ok(
        r.stderr.startsWith(`pond: config for plugin sql-derived: ${message}`),
        r.stderr,
      );
    }
    assert.deepEqual(await fingerprint(p.dir), before);
  });
});

Deno.test("sql-derived errors at read time are one line naming the plugin, exit 1", async () => {
  await withSqlPond(async (p) => {
    ok(await mknod(p, "/bad.parquet", over("/sites/*/readings.series", "SELECT nope FROM r")));
    const bad = await p.spawn(["cat", "/bad.parquet", "--rows"]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /^pond: plugin sql-derived failed in read\(\) of \/bad\.parquet: Error: Binder Error: Referenced column "nope" not found[^\n]*\n$/,
    );
    ok(await mknod(p, "/none.parquet", over("/nowhere/*.series")));
    const none = await p.spawn(["query", "-t", "n=/none.parquet", "SELECT * FROM n"]);
    assert.equal(none.code, 1);
    assert.match(
      none.stderr,
      /^pond: plugin sql-derived failed in read\(\) of \/none\.parquet: Error: table r: \/nowhere\/\*\.series matched nothing; check it with pond list '\/nowhere\/\*\.series'[^\n]*\n$/,
    );
  });
});

Deno.test("sql-derived over another sql-derived table computes both in one sandbox; one reading itself is a loop", async () => {
  await withSqlPond(async (p) => {
    ok(await mknod(p, "/daily.parquet", over("/sites/*/readings.series")));
    ok(await mknod(p, "/total.parquet", over("/daily.parquet", "SELECT sum(n) AS n FROM r")));
    assert.equal(ok(await p.spawn(["cat", "/total.parquet", "--rows"])), "n\n30\n");
    ok(await mknod(p, "/loops/self.parquet", over("/loops/*.parquet", "SELECT 1 AS one FROM r")));
    const loop = await p.spawn(["cat", "/loops/self.parquet", "--rows"]);
    assert.equal(loop.code, 1);
    assert.match(
      loop.stderr,
      /^pond: plugin sql-derived failed in read\(\) of \/loops\/self\.parquet: Error: dynamic file \/loops\/self\.parquet reaches itself while it is computed[^\n]*\n$/,
    );
  });
});

Deno.test("sql-derived as a directory: one table per match of the per table, each queried alone", async () => {
  await withSqlPond(async (p) => {
    const file = `${p.host}/per.yaml`;
    await Deno.writeTextFile(
      file,
      'inputs: { r: "/sites/*/readings.series", t: "/tables/t.parquet" }\nper: r\nname: $0_count.parquet\n' +
        'query: "SELECT capture0 AS site, count(*) AS n, (SELECT count(*) FROM t) AS t FROM r GROUP BY ALL"\n',
    );
    ok(await p.spawn(["mknod", "sql-derived", "/counts", "--directory", "--config", file]));
    assert.equal(
      ok(await p.spawn(["list", "/counts/*"])),
      "/counts/north_count.parquet\n/counts/south_count.parquet\n",
    );
    assert.equal(
      ok(await p.spawn(["cat", "/counts/south_count.parquet", "--rows"])),
      "site,n,t\nsouth,20,5\n",
    );
    assert.deepEqual(
      csvRows(ok(await p.spawn(["query", "-t", "c=/counts/*", "SELECT sum(n) AS n FROM c"]))),
      [["n"], ["30"]],
    );
    await Deno.writeTextFile(
      file,
      'inputs: { r: "/sites/*/readings.series", t: "/x" }\nquery: SELECT 1\n',
    );
    ok(await p.spawn(["mknod", "sql-derived", "/unsplit", "--directory", "--config", file]));
    const unsplit = await p.spawn(["list", "/unsplit/*"]);
    assert.equal(unsplit.code, 1);
    assert.match(unsplit.stderr, /per must name the table to split by, one of r, t/);
  });
});
