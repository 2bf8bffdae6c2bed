/** temporal-reduce over a real pond, version by version: the incremental result equals a full recomputation and DuckDB's time_bucket over the inputs, and a new version costs only its own rows. */
import assert from "node:assert/strict";
import { PluginHost, type SqlPort } from "../../src/plugin_host/mod.ts";
import { dropPondCache, Pond, pondCache } from "../../src/pond/mod.ts";
import { queryGroups } from "../../src/sql/mod.ts";
import { CHAINS as ALL_CHAINS } from "../plugin_host/reduce_chains.ts";
import { seededRandom } from "../seeded_random.ts";
import { append, noting, type Query, type Rows, withPondAndDuckDb } from "./reduce_fixtures.ts";

/** The first three chains: the fourth's 24h buckets add nothing the version-by-version checks need. */
const CHAINS = ALL_CHAINS.slice(0, 3);

const AGGREGATES = ["avg", "min", "max", "sum", "count", "first", "last"];

/** Seeds run: a few by default, many under POND_LONG_TESTS=1. */
const SEEDS = Deno.env.get("POND_LONG_TESTS") === "1" ? 200 : 3;

/** A plugin host as the CLI wires it: DuckDB for host.sql and the pond's cache (or none). */
function hostFor(
  dir: string,
  cached: boolean,
  output: string[] = [],
  sql: SqlPort = queryGroups,
): PluginHost {
  return new PluginHost({
    sql,
    ...(cached ? { cache: pondCache(dir) } : {}),
    onOutput: (_plugin, text) => output.push(...text.trim().split("\n")),
    deadlineMs: 20_000,
  });
}

/**
 * The versions of one random series, as DuckDB tables v0…vN: `t` (TIMESTAMPTZ), `a` (DOUBLE in
 * quarters, so sums are exact), `b` (BIGINT), `s` (VARCHAR), and from some version on `c`:
 * random gaps and nulls, timestamps repeated within and across versions, rows out of order,
 * later versions reaching back into the buckets of earlier ones (late data).
 */
async function randomVersions(query: Query, seed: number) {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  const maybe = (p: number, value: () => string) => next() < p ? "NULL" : value();
  const base = 1_700_000_000 + int(86400);
  const span = 86400 * (1 + int(5));
  const versions = 2 + int(4);
  const withC = 1 + int(versions);
  const times: number[] = [];
  for (let v = 0; v < versions; v++) {
    const start = base + int(span);
    const width = 1 + int(span / 2);
    const rows: string[] = [];
    for (let n = 1 + int(80); n > 0; n--) {
      const t = times.length > 0 && next() < 0.25 ? times[int(times.length)] : start + int(width);
      times.push(t);
      const values = [
        `make_timestamptz(${t}000000::BIGINT)`,
        maybe(0.2, () => `${(int(801) - 400) / 4}::DOUBLE`),
        maybe(0.2, () => `${int(2001) - 1000}::BIGINT`),
        maybe(0.2, () => `'${String.fromCharCode(97 + int(6))}'`),
      ];
      if (v >= withC) values.push(maybe(0.3, () => `${int(41) / 4}::DOUBLE`));
      rows.push(`(${values.join(", ")})`);
    }
    const c = v >= withC;
    await query(
      `CREATE TABLE v${v} (t TIMESTAMPTZ, a DOUBLE, b BIGINT, s VARCHAR${c ? ", c DOUBLE" : ""})`,
    );
    await query(`INSERT INTO v${v} VALUES ${rows.join(", ")}`);
  }
  return { versions, chain: CHAINS[int(CHAINS.length)] };
}

/** DuckDB's own aggregation of `source` at `interval`, named and typed as the reduction's. */
async function direct(query: Query, source: string, interval: string): Promise<Rows> {
  const columns = (await query(`DESCRIBE SELECT * FROM ${source}`))
    .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
    .filter((c) => c.name !== "t");
  const outputs = columns.flatMap(({ name, type }) => {
    const numeric = type !== "VARCHAR";
    return [
      ...(numeric ? [`avg(${name}) AS "${name}.avg"`] : []),
      `min(${name}) AS "${name}.min"`,
      `max(${name}) AS "${name}.max"`,
      ...(numeric ? [`sum(${name})::${type} AS "${name}.sum"`] : []),
      `count(${name}) AS "${name}.count"`,
      `first(${name} ORDER BY t, ${name}) FILTER (WHERE ${name} IS NOT NULL) AS "${name}.first"`,
      `last(${name} ORDER BY t, ${name}) FILTER (WHERE ${name} IS NOT NULL) AS "${name}.last"`,
    ];
  });
  return await query(
    `SELECT epoch_us(time_bucket(INTERVAL '${interval}', make_timestamp(epoch_us(t)), ` +
      `TIMESTAMP '1970-01-01')) AS t, ${outputs.join(", ")} FROM ${source} ` +
      `GROUP BY 1 ORDER BY 1`,
  );
}

/** The rows of a Parquet body, its time column as µs since the epoch. */
async function parquetRows(query: Query, scratch: string, bytes: Uint8Array): Promise<Rows> {
  const file = `${scratch}/out-${crypto.randomUUID()}.parquet`;
  await Deno.writeFile(file, bytes);
  return await query(`SELECT * REPLACE (epoch_us(t) AS t) FROM '${file}' ORDER BY t`);
}

function configOf(chain: [string, string][]): string {
  return JSON.stringify({
    in_pattern: "/s.series",
    resolutions: chain.map(([name]) => name),
    aggregations: AGGREGATES.map((type) => ({ type, columns: ["*"] })),
  });
}

Deno.test(`temporal-reduce: version by version, the incremental result equals a full recomputation and DuckDB's time_bucket over the inputs, for every aggregate and resolution (${SEEDS} random series)`, async () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    await withPondAndDuckDb(async (dir, query, scratch) => {
      const { versions, chain } = await randomVersions(query, seed);
      await using incremental = hostFor(dir, true);
      await using full = hostFor(dir, false);
      const pond = await Pond.open(dir, { plugins: incremental });
      try {
        await append(pond, query, scratch, "v0", "/s.series");
        await pond.transact(
          ["mknod"],
          (root) => root.createDynamicDirectory("/r", "temporal-reduce", configOf(chain)),
        );
        for (let v = 0; v < versions; v++) {
          if (v > 0) await append(pond, query, scratch, `v${v}`, "/s.series");
          const all = `(${
            Array.from({ length: v + 1 }, (_, i) => `SELECT * FROM v${i}`).join(
              " UNION ALL BY NAME ",
            )
          })`;
          const recomputed = await Pond.open(dir, { plugins: full });
          try {
            for (const [name, interval] of chain) {
              const at = `seed ${seed}, ${v + 1} of ${versions} versions, res=${name}`;
              const path = `/r/res=${name}.series`;
              const expected = await direct(query, all, interval);
              const got = await parquetRows(query, scratch, await (await pond.root()).read(path));
              assert.deepEqual(got, expected, `${at}: incremental`);
              const again = await (await recomputed.root()).read(path);
              assert.deepEqual(await parquetRows(query, scratch, again), expected, `${at}: full`);
            }
          } finally {
            await recomputed.close();
          }
        }
      } finally {
        await pond.close();
      }
    });
  }
});

Deno.test("temporal-reduce: appending one day to a year of readings reads that day's rows and touches that day's buckets at every resolution", async () => {
  await withPondAndDuckDb(async (dir, query, scratch) => {
    const year = 365 * 144;
    await query(
      `CREATE TABLE year AS SELECT TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_minutes(i * 10) AS t, ` +
        `((i * 37) % 101)::DOUBLE / 4 AS v FROM range(${year}) r(i)`,
    );
    await query(
      `CREATE TABLE day AS SELECT TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_minutes(i * 10) AS t, ` +
        `i::DOUBLE AS v FROM range(144) r(i)`,
    );
    await query(
      `CREATE TABLE late AS SELECT TIMESTAMPTZ '2025-03-10 12:00:00+00' + to_minutes(i * 10) AS t, ` +
        `i::DOUBLE AS v FROM range(12) r(i)`,
    );
    const output: string[] = [];
    await using host = hostFor(dir, true, output);
    const pond = await Pond.open(dir, { plugins: host });
    const readAll = async () => {
      for (const r of ["1h", "1d", "7d"]) await (await pond.root()).read(`/r/res=${r}.series`);
    };
    try {
      await append(pond, query, scratch, "year", "/s.series");
      await pond.transact(["mknod"], (root) =>
        root.createDynamicDirectory(
          "/r",
          "temporal-reduce",
          JSON.stringify({
            in_pattern: "/s.series",
            resolutions: ["1h", "1d", "7d"],
            aggregations: [{ type: "avg", columns: ["*"] }, { type: "max", columns: ["*"] }],
          }),
        ));
      await readAll();
      assert.deepEqual(output, [
        "/s.series: read 52560 rows of 1 of 1 versions; buckets touched: 1h 8760, 1d 365, 7d 53",
      ]);
      output.length = 0;
      await readAll();
      assert.deepEqual(output, [], "an unchanged reduction reads nothing");
      await append(pond, query, scratch, "day", "/s.series");
      await readAll();
      assert.deepEqual(output, [
        "/s.series: read 144 rows of 1 of 2 versions; buckets touched: 1h 24, 1d 1, 7d 1",
      ]);
      output.length = 0;
      await append(pond, query, scratch, "late", "/s.series");
      await readAll();
      assert.deepEqual(output, [
        "/s.series: read 12 rows of 1 of 3 versions; buckets touched: 1h 2, 1d 1, 7d 1",
      ], "late data recomputes exactly its old buckets");
      const daily = await parquetRows(
        query,
        scratch,
        await (await pond.root()).read("/r/res=1d.series"),
      );
      const expected = await query(
        `SELECT epoch_us(time_bucket(INTERVAL '1 day', make_timestamp(epoch_us(t)))) AS t, ` +
          `avg(v) AS "v.avg", max(v) AS "v.max" FROM (SELECT * FROM year UNION ALL ` +
          `SELECT * FROM day UNION ALL SELECT * FROM late) GROUP BY 1 ORDER BY 1`,
      );
      assert.deepEqual(daily, expected);
    } finally {
      await pond.close();
    }
  });
});

Deno.test("temporal-reduce: a series appended to many times reads only the new version's rows each time, and one kept state of the others, and stays exact", async () => {
  await withPondAndDuckDb(async (dir, query, scratch) => {
    const output: string[] = [];
    /** How many kept bodies each engine read as the partials table. */
    const held: number[] = [];
    const counted = noting((_, tables) =>
      held.push(...tables.filter((t) => t.fresh).map((t) => t.parquet?.length ?? 0))
    );
    await using host = hostFor(dir, true, output, counted);
    const pond = await Pond.open(dir, { plugins: host });
    try {
      const versions = 19;
      for (let v = 0; v < versions; v++) {
        await query(
          `CREATE TABLE d${v} AS SELECT TIMESTAMPTZ '2025-01-01 00:00:00+00' + ` +
            `to_minutes(${v * 90} + i * 7) AS t, ((i * 13 + ${v}) % 17)::DOUBLE AS v ` +
            `FROM range(${v === 0 ? 400 : 20}) r(i)`,
        );
        await append(pond, query, scratch, `d${v}`, "/s.series");
        if (v === 0) {
          await pond.transact(["mknod"], (root) =>
            root.createDynamicDirectory(
              "/r",
              "temporal-reduce",
              JSON.stringify({
                in_pattern: "/s.series",
                resolutions: ["1h", "1d"],
                aggregations: [{ type: "sum", columns: ["*"] }, { type: "last", columns: ["*"] }],
              }),
            ));
        }
        output.length = 0;
        held.length = 0;
        const got = await parquetRows(
          query,
          scratch,
          await (await pond.root()).read("/r/res=1h.series"),
        );
        const all = Array.from({ length: v + 1 }, (_, i) => `SELECT * FROM d${i}`).join(
          " UNION ALL ",
        );
        assert.deepEqual(
          got,
          await query(
            `SELECT epoch_us(time_bucket(INTERVAL '1 hour', make_timestamp(epoch_us(t)))) AS t, ` +
              `sum(v) AS "v.sum", last(v ORDER BY t, v) AS "v.last" FROM (${all}) ` +
              `GROUP BY 1 ORDER BY 1`,
          ),
          `after ${v + 1} versions`,
        );
        const read = /of (\d+) of (\d+) versions/.exec(output.join("\n"));
        assert.equal(read?.[1], "1", `after ${v + 1} versions: ${output}`);
        assert.deepEqual(held, [v === 0 ? 0 : 1], `after ${v + 1} versions: one kept state`);
      }
    } finally {
      await pond.close();
    }
  });
});

Deno.test("temporal-reduce: a change starts one engine for every resolution, whichever is read first; the others are then read without one, and equal a recomputation", async () => {
  await withPondAndDuckDb(async (dir, query, scratch) => {
    const engines: number[] = [];
    const counted = noting((queries) => engines.push(queries.length));
    await using host = hostFor(dir, true, [], counted);
    await using full = hostFor(dir, false);
    const pond = await Pond.open(dir, { plugins: host });
    const chain = ["1h", "6h", "1d"];
    const readAll = async (order: string[]) => {
      const got = new Map<string, Rows>();
      for (const r of order) {
        got.set(
          r,
          await parquetRows(query, scratch, await (await pond.root()).read(`/r/res=${r}.series`)),
        );
      }
      return got;
    };
    const check = async (got: Map<string, Rows>, at: string) => {
      const recomputed = await Pond.open(dir, { plugins: full });
      try {
        for (const r of chain) {
          const again = await (await recomputed.root()).read(`/r/res=${r}.series`);
          assert.deepEqual(got.get(r), await parquetRows(query, scratch, again), `${at}: res=${r}`);
        }
      } finally {
        await recomputed.close();
      }
    };
    try {
      await query(
        `CREATE TABLE a AS SELECT TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_minutes(i * 7) AS t, ` +
          `((i * 13) % 17)::DOUBLE AS v FROM range(2000) r(i)`,
      );
      await query(
        `CREATE TABLE b AS SELECT TIMESTAMPTZ '2025-01-03 05:00:00+00' + to_minutes(i * 3) AS t, ` +
          `(i % 5)::DOUBLE AS v FROM range(100) r(i)`,
      );
      await append(pond, query, scratch, "a", "/s.series");
      await pond.transact(["mknod"], (root) =>
        root.createDynamicDirectory(
          "/r",
          "temporal-reduce",
          JSON.stringify({
            in_pattern: "/s.series",
            resolutions: chain,
            aggregations: [{ type: "avg", columns: ["*"] }, { type: "first", columns: ["*"] }],
          }),
        ));
      await check(await readAll(chain), "one version");
      // The columns (entries), the kept partials of the version, then one engine for all three.
      assert.deepEqual(engines, [1, 3]);
      engines.length = 0;
      await append(pond, query, scratch, "b", "/s.series");
      await check(await readAll(["1d", "1h", "6h"]), "two versions, coarsest read first");
      assert.deepEqual(
        engines,
        [1, 4],
        "the columns, then one engine: the new partials, every resolution and the next state",
      );
      engines.length = 0;
      await readAll(chain);
      assert.deepEqual(engines, [], "an unchanged reduction starts no engine");
    } finally {
      await pond.close();
    }
  });
});

Deno.test("temporal-reduce: --at reads the reduction as it was; a dropped cache is rebuilt from the rows, its kept state then serving the newer transactions; all exact", async () => {
  await withPondAndDuckDb(async (dir, query, scratch) => {
    const chain: [string, string][] = [["1h", "1 hour"], ["1d", "1 day"]];
    const output: string[] = [];
    await using host = hostFor(dir, true, output);
    const pond = await Pond.open(dir, { plugins: host });
    const tables = ["a", "b", "c"];
    await query(
      `CREATE TABLE a AS SELECT TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_minutes(i * 7) AS t, ` +
        `((i * 13) % 17)::DOUBLE AS a FROM range(900) r(i)`,
    );
    // Late: into a's second day; then later days. (A new column would change the plan, and with
    // it the kept query: the state is kept per plan.)
    await query(
      `CREATE TABLE b AS SELECT TIMESTAMPTZ '2025-01-02 03:00:00+00' + to_minutes(i) AS t, ` +
        `(i % 5)::DOUBLE AS a FROM range(50) r(i)`,
    );
    await query(
      `CREATE TABLE c AS SELECT TIMESTAMPTZ '2025-01-04 00:00:00+00' + to_minutes(i * 11) AS t, ` +
        `(i % 3)::DOUBLE AS a FROM range(200) r(i)`,
    );
    const read = async (path: string, seq?: number) =>
      await parquetRows(
        query,
        scratch,
        await (await pond.root(seq === undefined ? undefined : { seq })).read(path),
      );
    const expectAt = async (seq: number | undefined, versions: number) => {
      const all = tables.slice(0, versions).map((t) => `SELECT * FROM ${t}`).join(
        " UNION ALL BY NAME ",
      );
      for (const [name, interval] of chain) {
        assert.deepEqual(
          await read(`/r/res=${name}.series`, seq),
          await direct(query, `(${all})`, interval),
          `${versions} versions, res=${name}`,
        );
      }
    };
    try {
      const seqs: number[] = [];
      for (const [i, table] of tables.entries()) {
        await append(pond, query, scratch, table, "/s.series");
        if (i === 0) {
          await pond.transact(
            ["mknod"],
            (root) => root.createDynamicDirectory("/r", "temporal-reduce", configOf(chain)),
          );
        }
        seqs.push(await pond.seqOf());
        await expectAt(undefined, i + 1);
      }
      output.length = 0;
      await expectAt(seqs[0], 1);
      assert.deepEqual(output, [], "the older transaction's files were kept when it was read");
      const dropped = await dropPondCache(dir);
      assert.ok(dropped.entries > 0);
      await expectAt(seqs[0], 1);
      assert.deepEqual(output, [
        "/s.series: read 900 rows of 1 of 1 versions; buckets touched: 1h 105, 1d 5",
      ], "rebuilt from the rows of the versions it names");
      output.length = 0;
      await expectAt(undefined, 3);
      assert.deepEqual(output, [
        "/s.series: read 250 rows of 2 of 3 versions; buckets touched: 1h 38, 1d 3",
      ], "the newest state from the older one and the rows of the versions after it");
    } finally {
      await pond.close();
    }
  });
});

Deno.test("temporal-reduce: a directory per series describes them all in one engine, and appending to every series brings them all up to date in one more, their reads then starting none", async () => {
  await withPondAndDuckDb(async (dir, query, scratch) => {
    const engines: string[] = [];
    const output: string[] = [];
    const counted = noting((_, tables) => engines.push(tables.map((t) => t.name).join(",")));
    await using host = hostFor(dir, true, output, counted);
    const pond = await Pond.open(dir, { plugins: host });
    const sensors = ["n", "s", "w"];
    const readAll = async () => {
      for (const s of sensors) {
        for (const r of ["1h", "1d"]) await (await pond.root()).read(`/r/${s}/res=${r}.series`);
      }
    };
    try {
      for (const [day, s] of sensors.entries()) {
        await query(
          `CREATE TABLE ${s}0 AS SELECT TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_minutes(i * 5) ` +
            `AS t, ((i * 7 + ${day}) % 11)::DOUBLE AS v FROM range(600) r(i)`,
        );
        await query(
          `CREATE TABLE ${s}1 AS SELECT TIMESTAMPTZ '2025-01-04 00:00:00+00' + to_minutes(i * 5) ` +
            `AS t, (i % 3)::DOUBLE AS v FROM range(100) r(i)`,
        );
        await append(pond, query, scratch, `${s}0`, `/s/${s}.series`);
      }
      await pond.transact(["mknod"], (root) =>
        root.createDynamicDirectory(
          "/r",
          "temporal-reduce",
          JSON.stringify({
            in_pattern: "/s/*.series",
            out_pattern: "$0",
            resolutions: ["1h", "1d"],
            aggregations: [{ type: "avg", columns: ["*"] }],
          }),
        ));
      await readAll();
      assert.deepEqual(engines, ["r0,r1,r2", "p,r", "p,r", "p,r"], "the columns, then each series");
      for (const s of sensors) await append(pond, query, scratch, `${s}1`, `/s/${s}.series`);
      engines.length = 0;
      output.length = 0;
      await readAll();
      assert.deepEqual(
        engines,
        ["r0,r1,r2", "p,r,p,r,p,r"],
        "after an append: the columns, then every series' new partials, resolutions and state",
      );
      assert.deepEqual(
        output,
        sensors.map((s) =>
          `/s/${s}.series: read 100 rows of 1 of 2 versions; buckets touched: 1h 9, 1d 1`
        ),
        "each series read its new version's rows only",
      );
      engines.length = 0;
      await readAll();
      assert.deepEqual(engines, [], "unchanged: no engine");
      for (const s of sensors) {
        assert.deepEqual(
          await parquetRows(
            query,
            scratch,
            await (await pond.root()).read(`/r/${s}/res=1d.series`),
          ),
          await query(
            `SELECT epoch_us(time_bucket(INTERVAL '1 day', make_timestamp(epoch_us(t)))) AS t, ` +
              `avg(v) AS "v.avg" FROM (SELECT * FROM ${s}0 UNION ALL SELECT * FROM ${s}1) ` +
              `GROUP BY 1 ORDER BY 1`,
          ),
          s,
        );
      }
    } finally {
      await pond.close();
    }
  });
});

Deno.test("temporal-reduce: input_columns that are not the series' fail the read naming the field, and nothing is kept of them", async () => {
  await withPondAndDuckDb(async (dir, query, scratch) => {
    await using host = hostFor(dir, true);
    const pond = await Pond.open(dir, { plugins: host });
    try {
      await query(
        `CREATE TABLE a AS SELECT TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_minutes(i) AS t, ` +
          `i::DOUBLE AS v FROM range(100) r(i)`,
      );
      await append(pond, query, scratch, "a", "/s.series");
      const config = (v: string) =>
        JSON.stringify({
          in_pattern: "/s.series",
          resolutions: ["1h"],
          aggregations: [{ type: "max", columns: ["*"] }],
          input_columns: [{ name: "t", type: "TIMESTAMP WITH TIME ZONE" }, { name: "v", type: v }],
        });
      await pond.transact(
        ["mknod"],
        (root) => root.createDynamicDirectory("/wrong", "temporal-reduce", config("BIGINT")),
      );
      await assert.rejects(
        (await pond.root()).read("/wrong/res=1h.series"),
        /config field input_columns \(t TIMESTAMP WITH TIME ZONE, v BIGINT\) are not the columns of \/s\.series/,
      );
      await assert.rejects((await pond.root()).read("/wrong/res=1h.series"), /input_columns/);
      await pond.transact(
        ["mknod"],
        (root) => root.createDynamicDirectory("/right", "temporal-reduce", config("DOUBLE")),
      );
      assert.deepEqual(
        await parquetRows(query, scratch, await (await pond.root()).read("/right/res=1h.series")),
        await query(
          `SELECT epoch_us(time_bucket(INTERVAL '1 hour', make_timestamp(epoch_us(t)))) AS t, ` +
            `max(v) AS "v.max" FROM a GROUP BY 1 ORDER BY 1`,
        ),
      );
    } finally {
      await pond.close();
    }
  });
});
