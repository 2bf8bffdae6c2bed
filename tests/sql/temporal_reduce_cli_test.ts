/** The built-in temporal-reduce plugin across real processes: its resolutions equal DuckDB's own time_bucket over the series, as of any transaction. */
import assert from "node:assert/strict";
import { parquetWriteBuffer } from "hyparquet-writer";
import { MINUTE, ok, type SqlPond, withSqlPond } from "./helpers.ts";

/** Makes `/reduce` a temporal-reduce directory of `/sensors/north.series`. */
async function reduce(p: SqlPond): Promise<void> {
  const file = `${p.host}/reduce.yaml`;
  await Deno.writeTextFile(
    file,
    `in_pattern: /sensors/north.series
resolutions: [1h, 1d]
aggregations:
  - { type: avg, columns: ["*"] }
  - { type: count, columns: [value] }
  - { type: first, columns: [value] }
`,
  );
  ok(await p.spawn(["mknod", "temporal-reduce", "/reduce", "--config", file]));
}

/** DuckDB's aggregation of the series itself, as `pond query` runs it, in the reduction's columns. */
function direct(width: string, extra: string[]): string {
  return `SELECT time_bucket(INTERVAL '${width}', timestamp) AS timestamp, avg(value) AS "value.avg", ` +
    `count(value) AS "value.count", arg_min(value, timestamp) AS "value.first"` +
    extra.map((c) => `, avg(${c}) AS "${c}.avg"`).join("") + " FROM s GROUP BY 1 ORDER BY 1";
}

Deno.test("temporal-reduce: each resolution equals DuckDB's time_bucket over every version of the series", async () => {
  await withSqlPond(async (p) => {
    await reduce(p);
    assert.equal(
      ok(await p.spawn(["list", "/reduce"])),
      "/reduce/res=1d.series\n/reduce/res=1h.series\n",
    );
    for (const width of ["1 hour", "1 day"]) {
      const name = width === "1 hour" ? "res=1h.series" : "res=1d.series";
      const reduced = ok(
        await p.spawn(["cat", `/reduce/${name}`, "--sql", "SELECT * FROM source ORDER BY 1"]),
      );
      const expected = ok(
        await p.spawn(["query", "-t", "s=/sensors/north.series", direct(width, ["salinity"])]),
      );
      assert.equal(reduced, expected, name);
    }
    const described = ok(await p.spawn(["describe", "/reduce/res=1d.series"]));
    assert.match(described, /^ {4}salinity\.avg +DOUBLE$/m);
  });
});

Deno.test("temporal-reduce: a new version is in the reduction at once; --at reads it as it was", async () => {
  await withSqlPond(async (p) => {
    await reduce(p);
    const before = JSON.parse(ok(await p.spawn(["status", "--json"]))).transaction.seq as number;
    const july = Date.UTC(2026, 6, 1);
    const times = Array.from({ length: 120 }, (_, i) => new Date(july + i * MINUTE));
    await Deno.writeFile(
      `${p.host}/july.parquet`,
      new Uint8Array(parquetWriteBuffer({
        columnData: [
          { name: "timestamp", data: times, type: "TIMESTAMP" },
          { name: "value", data: times.map((_, i) => i * 2), type: "DOUBLE" },
          { name: "turbidity", data: times.map(() => 1.5), type: "DOUBLE" },
        ],
      })),
    );
    ok(
      await p.spawn([
        "copy",
        "--type",
        "series",
        `host:${p.host}/july.parquet`,
        "/sensors/north.series",
      ]),
    );
    const read = (at: string[]) =>
      p.spawn(["cat", "/reduce/res=1d.series", ...at, "--sql", "SELECT * FROM source ORDER BY 1"]);
    const expect = (at: string[], extra: string[]) =>
      p.spawn(["query", ...at, "-t", "s=/sensors/north.series", direct("1 day", extra)]);
    const now = ok(await read([]));
    assert.equal(now, ok(await expect([], ["salinity", "turbidity"])));
    assert.match(now, /^2026-07-01T00:00:00\.000Z,/m);
    const then = ok(await read(["--at", String(before)]));
    assert.equal(then, ok(await expect(["--at", String(before)], ["salinity"])));
    assert.doesNotMatch(then, /turbidity|2026-07-01/);
  });
});

Deno.test("temporal-reduce: a config it cannot compute over the series there is refused at mknod, naming the field, and nothing is made", async () => {
  await withSqlPond(async (p) => {
    const file = `${p.host}/bad.yaml`;
    await Deno.writeTextFile(
      file,
      "in_pattern: /sensors/north.series\nresolutions: [1h, 90m]\naggregations: [{ type: median, columns: ['*'] }]\n",
    );
    const refused = await p.spawn(["mknod", "temporal-reduce", "/bad", "--config", file]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /field "aggregations" item 0: field "type" must be one of/);
    await Deno.writeTextFile(
      file,
      "in_pattern: /sensors/north.series\nresolutions: [1h, 90m]\naggregations: [{ type: avg, columns: ['*'] }]\n",
    );
    const nested = await p.spawn(["mknod", "temporal-reduce", "/bad", "--config", file]);
    assert.equal(nested.code, 1, "refused at mknod: its entries were computed once");
    assert.match(
      nested.stderr,
      /resolutions\[1\] "90m" is not a multiple of resolutions\[0\] "1h"/,
    );
    for (
      const [config, field] of [
        ["time_column: value\nresolutions: [1h]", /time_column "value" is DOUBLE, not a timestamp/],
        [
          "resolutions: [1h]\naggregations: [{ type: avg, columns: ['humid*'] }]",
          /aggregations\[0\]\.columns\[0\] "humid\*" matches no/,
        ],
      ] as const
    ) {
      const aggregations = config.includes("aggregations")
        ? ""
        : "\naggregations: [{ type: avg, columns: ['*'] }]";
      await Deno.writeTextFile(
        file,
        `in_pattern: /sensors/north.series\n${config}${aggregations}\n`,
      );
      const refused = await p.spawn(["mknod", "temporal-reduce", "/bad", "--config", file]);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, field);
      assert.doesNotMatch(refused.stderr, /\n./, "one line");
    }
    await Deno.writeTextFile(
      file,
      "in_pattern: /sensors/*.series\nout_pattern: $0\ntime_column: value\nresolutions: [1h]\naggregations: [{ type: avg, columns: ['*'] }]\n",
    );
    const below = await p.spawn(["mknod", "temporal-reduce", "/bad", "--config", file]);
    assert.equal(below.code, 1, "a subdirectory's error is refused too");
    assert.match(below.stderr, /time_column "value" is DOUBLE, not a timestamp/);
    assert.equal((await p.spawn(["list", "/bad"])).code, 1, "nothing was made");
  });
});

Deno.test("temporal-reduce as a pattern: every site gets its own reduction, of its own series", async () => {
  await withSqlPond(async (p) => {
    const file = `${p.host}/per-site.yaml`;
    await Deno.writeTextFile(
      file,
      "in_pattern: readings.series\nresolutions: [1h]\naggregations: [{ type: sum, columns: [value] }]\n",
    );
    ok(await p.spawn(["mknod", "temporal-reduce", "/sites/*/reduced", "--config", file]));
    assert.equal(
      ok(await p.spawn(["list", "/sites/*/reduced/*"])),
      "/sites/north/reduced/res=1h.series\n/sites/south/reduced/res=1h.series\n",
    );
    for (const [site, sum] of [["north", "45"], ["south", "190"]]) {
      const rows = ok(await p.spawn(["cat", `/sites/${site}/reduced/res=1h.series`, "--rows"]));
      assert.equal(rows, `timestamp,value.sum\n2026-06-01T00:00:00.000Z,${sum}\n`, site);
    }
  });
});

Deno.test("temporal-reduce as a pattern: a config it cannot compute over a site's series there now is refused at mknod, naming the field, and nothing is registered", async () => {
  await withSqlPond(async (p) => {
    const file = `${p.host}/per-site.yaml`;
    for (
      const [config, field] of [
        ["time_column: value\nresolutions: [1h]", /time_column "value" is DOUBLE, not a timestamp/],
        [
          "resolutions: [1h]\naggregations: [{ type: max, columns: ['humid*'] }]",
          /aggregations\[0\]\.columns\[0\] "humid\*" matches no/,
        ],
        [
          "resolutions: [1h, 90m]",
          /resolutions\[1\] "90m" is not a multiple of resolutions\[0\] "1h"/,
        ],
        [
          "resolutions: [1h]\naggregations: [{ type: median, columns: ['*'] }]",
          /field "type" must be one of/,
        ],
      ] as const
    ) {
      const aggregations = config.includes("aggregations")
        ? ""
        : "\naggregations: [{ type: avg, columns: ['*'] }]";
      await Deno.writeTextFile(file, `in_pattern: readings.series\n${config}${aggregations}\n`);
      const refused = await p.spawn([
        "mknod",
        "temporal-reduce",
        "/sites/*/reduced",
        "--config",
        file,
      ]);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, field);
      assert.doesNotMatch(refused.stderr, /\n./, "one line");
    }
    assert.equal(
      (await p.spawn(["list", "/sites/north/reduced"])).code,
      1,
      "nothing was registered",
    );
  });
});
