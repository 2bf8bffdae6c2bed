/** Tests for the temporal-reduce plugin: its partial→fold SQL equals DuckDB's direct time_bucket aggregation, and its config checks. */

import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { isPluginError, loadPlugin, validateConfig } from "../../src/plugin_host/mod.ts";
import { seededRandom } from "../seeded_random.ts";
import { pondWith, withHost } from "./helpers.ts";
import { CHAINS } from "./reduce_chains.ts";
import {
  checkResolutions,
  entries,
  foldedReductionSql,
  foldSql,
  partialsSql,
  planReduction,
  read,
  type ReduceConfig,
  reductionSql,
  type SourceColumn,
} from "../../plugins/temporal_reduce.ts";

type Rows = Record<string, unknown>[];

/** Runs `body` with a query function over a fresh in-memory DuckDB, closed afterwards. */
async function withDuckDb(body: (query: (sql: string) => Promise<Rows>) => Promise<void>) {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run("SET threads = 1");
    await body(async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Rows);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const EVERY_AGGREGATE: ReduceConfig["aggregations"] = [
  { type: "avg", columns: ["*"] },
  { type: "min", columns: ["*"] },
  { type: "max", columns: ["*"] },
  { type: "sum", columns: ["*"] },
  { type: "count", columns: ["*"] },
  { type: "first", columns: ["*"] },
  { type: "last", columns: ["*"] },
];

/**
 * Creates tables v0…vN, the versions of one random series in `t` (TIMESTAMP), `a` (DOUBLE, in
 * quarters, so sums are exact), `b` (BIGINT), `s` (VARCHAR) and, from some version on, `c`
 * (DOUBLE): random gaps and nulls, times repeated within and across versions, rows out of order,
 * later versions reaching back before earlier ones; some series straddle the epoch.
 */
async function randomSeries(query: (sql: string) => Promise<Rows>, seed: number) {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  const maybe = (p: number, value: () => string) => next() < p ? "NULL" : value();
  const base = next() < 0.2 ? -86400 : 1_700_000_000 + int(86400);
  const span = 86400 * (1 + int(9));
  const versions = 1 + int(4);
  const withC = int(versions + 1);
  const times: number[] = [];
  for (let v = 0; v < versions; v++) {
    const start = base + int(span);
    const width = 1 + int(span / 2);
    const rows: string[] = [];
    for (let n = int(80); n > 0; n--) {
      const t = times.length > 0 && next() < 0.25 ? times[int(times.length)] : start + int(width);
      times.push(t);
      const values = [
        maybe(0.05, () => `make_timestamp(${t}000000::BIGINT)`),
        maybe(0.2, () => `${(int(801) - 400) / 4}::DOUBLE`),
        maybe(0.2, () => `${int(2001) - 1000}::BIGINT`),
        maybe(0.2, () => `'${String.fromCharCode(97 + int(6))}'`),
      ];
      if (v >= withC) values.push(maybe(0.3, () => `${int(41) / 4}::DOUBLE`));
      rows.push(`(${values.join(", ")})`);
    }
    const columns = v >= withC ? "t, a, b, s, c" : "t, a, b, s";
    const types = v >= withC
      ? "t TIMESTAMP, a DOUBLE, b BIGINT, s VARCHAR, c DOUBLE"
      : "t TIMESTAMP, a DOUBLE, b BIGINT, s VARCHAR";
    await query(`CREATE TABLE v${v} (${types})`);
    if (rows.length > 0) await query(`INSERT INTO v${v} (${columns}) VALUES ${rows.join(", ")}`);
  }
  const names = Array.from({ length: versions }, (_, v) => `v${v}`);
  const all = `(${names.map((v) => `SELECT * FROM ${v}`).join(" UNION ALL BY NAME ")})`;
  return { names, all, chain: CHAINS[int(CHAINS.length)] };
}

async function describe(query: (sql: string) => Promise<Rows>, source: string) {
  const rows = await query(`DESCRIBE SELECT * FROM ${source}`);
  return rows.map((r): SourceColumn => ({
    name: String(r.column_name),
    type: String(r.column_type),
  }));
}

/** DuckDB's own aggregation of the rows of `source` at `interval`, as the reduction names it. */
function directSql(source: string, interval: string, columns: readonly SourceColumn[]): string {
  const outputs = columns.filter((c) => c.name !== "t").flatMap(({ name, type }) => {
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
  return `SELECT time_bucket(INTERVAL '${interval}', t, TIMESTAMP '1970-01-01') AS t, ` +
    `${outputs.join(", ")} FROM ${source} WHERE t IS NOT NULL GROUP BY 1 ORDER BY 1`;
}

Deno.test("temporal-reduce: partials folded resolution by resolution, and partials at each resolution in one pass, equal DuckDB's time_bucket over the raw rows, for 40 random series", async () => {
  for (let seed = 1; seed <= 40; seed++) {
    await withDuckDb(async (query) => {
      const { all, chain } = await randomSeries(query, seed);
      const columns = await describe(query, all);
      const config: ReduceConfig = {
        in_pattern: "/s.series",
        resolutions: chain.map(([name]) => name),
        aggregations: EVERY_AGGREGATE,
      };
      const plan = planReduction(config, columns);
      for (let i = 0; i < chain.length; i++) {
        const expected = await query(directSql(all, chain[i][1], columns));
        const at = `seed ${seed} at ${chain[i][0]}`;
        assert.deepEqual(await query(foldedReductionSql(all, plan, i)), expected, at);
        assert.deepEqual(await query(reductionSql(all, plan, i)), expected, `${at}, one pass`);
        if (i === chain.length - 1) {
          // The same instants typed otherwise (a Parquet series' UTC times read as TIMESTAMPTZ).
          const type = seed % 2 === 0 ? "TIMESTAMPTZ" : "TIMESTAMP_NS";
          const other = `(SELECT * REPLACE (t::${type} AS t) FROM ${all})`;
          const otherPlan = planReduction(config, await describe(query, other));
          assert.deepEqual(
            await query(foldedReductionSql(other, otherPlan, i)),
            expected,
            `${at}, ${type}`,
          );
        }
      }
    });
  }
});

Deno.test("temporal-reduce: partials of each version, each over its own columns, combine into exactly the partials of all rows", async () => {
  for (let seed = 1001; seed <= 1040; seed++) {
    await withDuckDb(async (query) => {
      const { names, all, chain } = await randomSeries(query, seed);
      const config: ReduceConfig = {
        in_pattern: "/s.series",
        resolutions: chain.map(([name]) => name),
        aggregations: EVERY_AGGREGATE,
      };
      const plan = planReduction(config, await describe(query, all));
      const perVersion: string[] = [];
      for (const version of names) {
        const own = planReduction(config, await describe(query, version));
        perVersion.push(`(${partialsSql(version, own)})`);
      }
      const union = `(${perVersion.join(" UNION ALL BY NAME ")})`;
      const combined = foldSql(union, plan, plan.resolutions[0]);
      const sorted = (sql: string) => `SELECT * FROM (${sql}) ORDER BY "__bucket"`;
      assert.deepEqual(
        await query(sorted(combined)),
        await query(sorted(partialsSql(all, plan))),
        `seed ${seed}`,
      );
    });
  }
});

Deno.test("temporal-reduce: resolutions that are not durations, or do not nest, are refused naming the item", () => {
  assert.deepEqual(
    checkResolutions(["30s", "15m", "1h", "1d", "1w"]).map((r) => r.micros),
    [30e6, 900e6, 3600e6, 86400e6, 604800e6],
  );
  const refused = (resolutions: string[], pattern: RegExp) =>
    assert.throws(() => checkResolutions(resolutions), pattern);
  refused([], /^ConfigError: config field resolutions is empty; give at least one/);
  refused(
    ["1h", "1mo"],
    /resolutions\[1\] "1mo" is not a duration; write a whole number and a unit/,
  );
  refused(["1.5h"], /resolutions\[0\] "1\.5h" is not a duration/);
  refused(["0s"], /resolutions\[0\] "0s" is not a duration/);
  refused(["1h", "90m"], /resolutions\[1\] "90m" is not a multiple of resolutions\[0\] "1h"/);
  refused(["1h", "60m"], /resolutions\[1\] "60m" is not a multiple of resolutions\[0\] "1h"/);
  refused(["1d", "1h"], /resolutions\[1\] "1h" is not a multiple of resolutions\[0\] "1d"/);
});

Deno.test("temporal-reduce: a time column missing or not a timestamp, or a column glob matching nothing, is refused naming the field", () => {
  const columns: SourceColumn[] = [
    { name: "timestamp", type: "TIMESTAMP WITH TIME ZONE" },
    { name: "temperature_c", type: "DOUBLE" },
    { name: "site", type: "VARCHAR" },
    { name: "n", type: "INTEGER" },
  ];
  const config = (given: Partial<ReduceConfig>): ReduceConfig => ({
    in_pattern: "/sites/*/readings.series",
    resolutions: ["1h"],
    aggregations: [{ type: "avg", columns: ["*"] }],
    ...given,
  });
  const plan = planReduction(
    config({
      aggregations: [{ type: "avg", columns: ["*"] }, { type: "max", columns: ["temp*", "site"] }],
    }),
    columns,
  );
  assert.equal(plan.time, "timestamp");
  assert.deepEqual(plan.outputs, [
    { column: "temperature_c", type: "avg" },
    { column: "temperature_c", type: "max" },
    { column: "site", type: "max" },
    { column: "n", type: "avg" },
  ]);
  const refused = (given: Partial<ReduceConfig>, pattern: RegExp, of = columns) =>
    assert.throws(() => planReduction(config(given), of), pattern);
  refused(
    { time_column: "ts" },
    /time_column "ts" is not a column of the input \(its columns are timestamp, temperature_c, site, n\)/,
  );
  refused({ time_column: "site" }, /time_column "site" is VARCHAR, not a timestamp/);
  refused({}, /time_column: the input has no timestamp column/, columns.slice(1));
  refused(
    { aggregations: [{ type: "min", columns: ["*"] }, { type: "max", columns: ["humid*"] }] },
    /aggregations\[1\]\.columns\[0\] "humid\*" matches no column of the input besides its time column/,
  );
  refused(
    { aggregations: [{ type: "sum", columns: ["site"] }] },
    /aggregations\[0\]\.columns\[0\] "site" matches no numeric column/,
  );
  refused({ resolutions: ["1h", "2d", "3d"] }, /resolutions\[2\] "3d" is not a multiple/);
});

Deno.test("temporal-reduce: the manifest's schema takes the issue's config, and refuses an unknown aggregate naming the item", async () => {
  const source = await Deno.readFile(new URL("../../plugins/temporal_reduce.ts", import.meta.url));
  const { manifest } = await loadPlugin(source, { label: "temporal_reduce.ts" });
  const config = {
    in_pattern: "/sites/*/readings.series",
    out_pattern: "$0",
    time_column: "timestamp",
    resolutions: ["1h", "6h", "1d", "7d"],
    aggregations: [
      { type: "avg", columns: ["*"] },
      { type: "max", columns: ["temperature*"] },
    ],
  };
  assert.deepEqual(validateConfig(manifest.config, config, manifest.name), config);
  assert.throws(
    () =>
      validateConfig(
        manifest.config,
        { ...config, aggregations: [{ type: "median", columns: ["*"] }] },
        manifest.name,
      ),
    (e) =>
      isPluginError(e, "InvalidConfig") &&
      /field "aggregations" item 0: field "type" must be one of avg, min, max, sum, count, first, last, not "median"/
        .test(e.message),
  );
});

Deno.test("temporal-reduce: entries() shows a directory per match holding res=<r>.series per resolution; read() reduces through host.sql", async () => {
  await withDuckDb(async (query) => {
    await query(
      "CREATE TABLE lake AS SELECT make_timestamp(i * 600000000) AS timestamp, " +
        "i::DOUBLE AS temperature_c, 'x' AS site FROM range(1000) t(i)",
    );
    const tables: Record<string, string> = {
      "/sites/lake/readings.series": "lake",
      "/sites/a*b/readings.series": "lake",
    };
    const match = (path: string) => ({
      path,
      name: "readings.series",
      captures: [path.split("/")[2]],
      kind: "file" as const,
      entryType: "file:series",
    });
    // host.sql as the brief describes it: DuckDB over the handed series, with its captures as
    // columns, as relation r, or a kept query over it as relation p (here computed over all its
    // rows at once).
    type Match = { path: string; captures: string[] };
    type Given = Match | Match[] | { kept: string; of: Match };
    const withCaptures = ({ path, captures }: Match) =>
      `SELECT *${captures.map((c, i) => `, '${c}' AS capture${i}`).join("")} FROM ${tables[path]}`;
    type Columns = { name: string; values: unknown[] }[];
    const replies: Columns[] = [];
    const host = {
      expand: (template: string, captures: string[]) =>
        template.replace(/\$(\d)/g, (_, i) => captures[Number(i)]),
      // It keeps no state, so a refresh has nothing to bring up to date.
      refresh: (requests: unknown[]) => Promise.resolve(requests.map(() => null)),
      sql: async (sql: string, given: Record<string, Given>, options?: { reply: true }) => {
        for (const [name, table] of Object.entries(given)) {
          if ("kept" in table) {
            await query(`CREATE OR REPLACE VIEW rows AS ${withCaptures(table.of)}`);
            await query(`CREATE OR REPLACE VIEW ${name} AS ${table.kept}`);
          } else {
            const [series] = [table].flat();
            await query(`CREATE OR REPLACE VIEW ${name} AS ${withCaptures(series)}`);
          }
        }
        const rows = await query(sql);
        const columns: Columns = Object.keys(rows[0] ?? {}).map((name) => ({
          name,
          values: rows.map((row) => row[name]),
        }));
        if (!options?.reply) return columns;
        return { hostResult: replies.push(columns) - 1 };
      },
    };
    const config: ReduceConfig = {
      in_pattern: "/sites/*/readings.series",
      out_pattern: "$0",
      resolutions: ["1h", "1d"],
      aggregations: [{ type: "avg", columns: ["temp*"] }, { type: "last", columns: ["*"] }],
    };
    const source = await Deno.readFile(
      new URL("../../plugins/temporal_reduce.ts", import.meta.url),
    );
    const { manifest } = await loadPlugin(source, { label: "temporal_reduce.ts" });
    const paths = Object.keys(tables);
    const top = await entries({ config, inputs: { in_pattern: paths.map(match) } }, host);
    assert.deepEqual(top.map((e) => [e.name, "directory" in e && e.directory.in_pattern]), [
      ["lake", "/sites/lake/readings.series"],
      ["a*b", "/sites/a\\*b/readings.series"],
    ]);
    const inner = "directory" in top[0] ? top[0].directory : config;
    assert.equal("out_pattern" in inner, false);
    validateConfig(manifest.config, inner, manifest.name);
    const files = await entries({ config: inner, inputs: { in_pattern: [match(paths[0])] } }, host);
    const columns = [
      { name: "timestamp", type: "TIMESTAMP" },
      { name: "temperature_c", type: "DOUBLE" },
      { name: "site", type: "VARCHAR" },
    ];
    assert.deepEqual(files, [
      {
        name: "res=1h.series",
        compute: { inputs: [paths[0]], args: { resolution: "1h", columns } },
        entryType: "file:series",
      },
      {
        name: "res=1d.series",
        compute: { inputs: [paths[0]], args: { resolution: "1d", columns } },
        entryType: "file:series",
      },
    ]);
    const handle = await read(
      { config: inner, args: { resolution: "1d" }, inputs: [match(paths[0])] },
      host,
    );
    assert.ok("hostResult" in handle, "the rows stay on the host");
    const table = replies[handle.hostResult];
    assert.deepEqual(table.map((c) => c.name), [
      "timestamp",
      "temperature_c.avg",
      "temperature_c.last",
      "site.last",
    ]);
    assert.deepEqual(table[0].values, [
      "1970-01-01 00:00:00+00",
      "1970-01-02 00:00:00+00",
      "1970-01-03 00:00:00+00",
      "1970-01-04 00:00:00+00",
      "1970-01-05 00:00:00+00",
      "1970-01-06 00:00:00+00",
      "1970-01-07 00:00:00+00",
    ]);
    assert.deepEqual(Array.from(table[1].values).slice(0, 2), [71.5, 215.5]);
    assert.deepEqual(Array.from(table[2].values).at(-1), 999);
    await assert.rejects(
      entries({
        config: { ...config, out_pattern: undefined },
        inputs: { in_pattern: paths.map(match) },
      }, host),
      /in_pattern "\/sites\/\*\/readings\.series" matches 2 series, and out_pattern is unset/,
    );
    await assert.rejects(
      entries({
        config: { ...inner, aggregations: [{ type: "max", columns: ["humid*"] }] },
        inputs: { in_pattern: [match(paths[0])] },
      }, host),
      /aggregations\[0\]\.columns\[0\] "humid\*" matches no column/,
    );
  });
});

Deno.test("temporal-reduce: in a sandbox, mknod refuses an unknown aggregate naming the item, and the directory shows one subdirectory per match", async () => {
  const source = await Deno.readFile(new URL("../../plugins/temporal_reduce.ts", import.meta.url));
  const reduce = await loadPlugin(source, { label: "temporal_reduce.ts" });
  const config = {
    in_pattern: "/sites/*/readings.series",
    out_pattern: "$0",
    resolutions: ["1h", "1d"],
    aggregations: [{ type: "avg", columns: ["*"] }],
  };
  await withHost({}, async (host) => {
    const files = { "/sites/lake/readings.series": "1", "/sites/a*{b}/readings.series": "2" };
    await assert.rejects(
      pondWith(host, files, [["/bad", reduce, {
        ...config,
        aggregations: [{ type: "mean", columns: ["*"] }],
      }]]),
      (e) =>
        isPluginError(e, "InvalidConfig") &&
        /field "aggregations" item 0: field "type" must be one of avg, .*, not "mean"/.test(
          e.message,
        ),
    );
    const { fs } = await pondWith(host, files, [["/reduce", reduce, config]]);
    const listed = await (await fs.root()).list("/reduce");
    assert.deepEqual(listed.map((e) => [e.name, e.kind]), [
      ["a*{b}", "directory"],
      ["lake", "directory"],
    ]);
  });
});
