/** pond export: rows of tables and series written out as Hive-partitioned Parquet that DuckDB reads back as they were. */
import assert from "node:assert/strict";
import { csvRows, fingerprint, ok, readBack, V1_ROWS, withSqlPond } from "./helpers.ts";

Deno.test("a series exports partitioned by year and month from its time column, every version's rows", async () => {
  await withSqlPond(async (p) => {
    const dir = `${p.host}/export`;
    ok(
      await p.spawn([
        "export",
        "/sensors/north.series",
        `host:${dir}`,
        "--partition-by",
        "year,month",
      ]),
    );
    assert.deepEqual([...Deno.readDirSync(`${dir}/year=2026`)].map((e) => e.name), ["month=6"]);
    const rows = await readBack(
      `SELECT count(*), count(salinity), min(year), min(month) FROM read_parquet('${dir}/**/*.parquet', hive_partitioning = true)`,
    );
    assert.deepEqual(rows, [[String(V1_ROWS + 150), "50", "2026", "6"]]);
    const same = await readBack(
      `SELECT sum(value) FROM read_parquet('${dir}/**/*.parquet', hive_partitioning = true)`,
    );
    const query = csvRows(
      ok(await p.run(["query", "-t", "s=/sensors/north.series", "SELECT sum(value) AS v FROM s"])),
    );
    assert.equal(Number(same[0][0]), Number(query[1][0]));
  });
});

Deno.test("a glob exports partitioned by a capture; unpartitioned it is one file", async () => {
  await withSqlPond(async (p) => {
    const dir = `${p.host}/sites`;
    ok(
      await p.run([
        "export",
        "/sites/*/readings.series",
        `host:${dir}`,
        "--partition-by",
        "capture0",
      ]),
    );
    const rows = await readBack(
      `SELECT capture0, count(*) FROM read_parquet('${dir}/*/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY 1`,
    );
    assert.deepEqual(rows, [["north", "10"], ["south", "20"]]);
    const one = `${p.host}/one`;
    ok(await p.run(["export", "/tables/t.parquet", `host:${one}`]));
    assert.deepEqual(await readBack(`SELECT count(*) FROM '${one}/data.parquet'`), [["5"]]);
  });
});

Deno.test("export refuses a non-empty directory and an unknown column, changing nothing", async () => {
  await withSqlPond(async (p) => {
    const before = await fingerprint(p.dir);
    const full = `${p.host}/full`;
    await Deno.mkdir(full);
    await Deno.writeTextFile(`${full}/keep.txt`, "mine\n");
    const cases: [string[], number, RegExp][] = [
      [
        ["export", "/sensors/north.series", `host:${full}`],
        2,
        /is not empty; export into a new or empty directory/,
      ],
      [
        ["export", "/sensors/north.series", `host:${p.host}/x`, "--partition-by", "site"],
        2,
        /the rows have no column site; they have timestamp, value, salinity/,
      ],
      [["export", "/nowhere/*", `host:${p.host}/y`], 1, /matched nothing/],
      [
        ["export", "/sensors/north.series", `host:${p.host}/z`, "--format", "orc"],
        2,
        /--format takes parquet or delta, not 'orc'/,
      ],
      [["export", "/sensors/north.series", `${p.host}/z`], 2, /host:DIR/],
    ];
    for (const [args, code, message] of cases) {
      const r = await p.run(args);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
    assert.deepEqual([...Deno.readDirSync(full)].map((e) => e.name), ["keep.txt"]);
    assert.deepEqual([...Deno.readDirSync(p.host)].map((e) => e.name).sort(), ["full", "pond"]);
    assert.deepEqual(await fingerprint(p.dir), before);
  });
});
