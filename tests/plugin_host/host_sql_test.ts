/** A sandboxed plugin's `host.sql` across real processes: its inputs as tables (series versions merged, globs combined), nothing else readable, refusals it can catch. */
import assert from "node:assert/strict";
import { tableFromIPC } from "../../src/table/mod.ts";
import { runCapability } from "../../src/plugin_host/capabilities.ts";
import type { CapabilityContext } from "../../src/plugin_host/capability_context.ts";
import type { InputNode, Inputs } from "../../src/plugin_host/inputs.ts";
import { tableLimits } from "../../src/plugin_host/limits.ts";
import type { SqlPort, SqlTable } from "../../src/plugin_host/mod.ts";
import { tableToParquet } from "../../src/table/mod.ts";
import { REPO_ROOT } from "../cli/harness.ts";
import { fingerprint, ok, type SqlPond, V1_ROWS, withSqlPond } from "../sql/helpers.ts";

/**
 * A plugin computing one file: `query` over what its table `r` matched — passed as the matches
 * it was handed, their paths, or with a path it was not handed (`pass`). With `caught`, an error
 * from host.sql becomes the file's text instead of failing the read.
 */
const PROBE = `
export const manifest = {
  name: "probe",
  version: "1.0.0",
  provides: ["file"],
  config: {
    inputs: { type: "tables", required: true },
    query: { type: "string", required: true },
    pass: { type: "string", choices: ["matches", "paths", "outside"], default: "matches" },
    caught: { type: "boolean", default: false },
  },
};

export async function read(request: any, host: any) {
  const { query, pass, caught } = request.config;
  const matches = request.matches.inputs.r;
  const r = pass === "paths"
    ? matches.map((input: any) => input.path)
    : pass === "outside"
    ? [matches[0], "/tables/t.parquet"]
    : matches;
  try {
    return await host.sql(query, { r });
  } catch (e) {
    if (caught) return "caught: " + (e as Error).message + "\\n";
    throw e;
  }
}
`;

/** Adds the probe plugin (once per pond) and makes `path` computed by it from `config` (JSON). */
async function probe(p: SqlPond, path: string, config: Record<string, unknown>): Promise<string> {
  const file = `${p.host}/probe.ts`;
  if (!(await Deno.stat(file).catch(() => undefined))) {
    await Deno.writeTextFile(file, PROBE);
    ok(await p.spawn(["plugin", "add", file, "--yes"]));
  }
  await Deno.writeTextFile(`${p.host}/probe.yaml`, JSON.stringify(config));
  ok(await p.spawn(["mknod", "probe", path, "--file", "--config", `${p.host}/probe.yaml`]));
  return path;
}

Deno.test("host.sql reads a series' versions as one table, schemas merged by name, and combines a glob's matches with their captures", async () => {
  await withSqlPond(async (p) => {
    const q1 = await probe(p, "/q1.parquet", {
      inputs: { r: "/sensors/north.series" },
      query: "SELECT count(*) AS n, count(salinity) AS salted, max(value) AS top FROM r",
    });
    assert.equal(
      ok(await p.spawn(["cat", q1, "--rows"])),
      `n,salted,top\n${V1_ROWS + 150},50,${V1_ROWS - 1}\n`,
      "all three versions, the column v3 added null before it",
    );
    const q2 = await probe(p, "/q2.parquet", {
      inputs: { r: "/sites/*/readings.series" },
      pass: "paths",
      query: "SELECT capture0 AS site, count(*) AS n FROM r GROUP BY ALL ORDER BY site",
    });
    assert.equal(
      ok(await p.spawn(["cat", q2, "--rows"])),
      "site,n\nnorth,10\nsouth,20\n",
    );
  });
});

Deno.test("host.sql refuses a path not among the call's inputs, naming it, and the plugin may catch it", async () => {
  await withSqlPond(async (p) => {
    const q3 = await probe(p, "/q3.parquet", {
      inputs: { r: "/sensors/north.series" },
      pass: "outside",
      caught: true,
      query: "SELECT count(*) FROM r",
    });
    assert.equal(
      ok(await p.spawn(["cat", q3])),
      'caught: host.sql: "/tables/t.parquet" is not one of this call\'s inputs; ' +
        "a query reads only the files the plugin was handed\n",
    );
  });
});

Deno.test("host.sql runs under pond query's restrictions: each refused in one line the plugin may catch, the pond unchanged", async () => {
  await withSqlPond(async (p) => {
    const refused: [string, RegExp][] = [
      ["SELECT * FROM read_csv('/etc/passwd')", /Permission Error|disabled/],
      [`COPY (SELECT 1) TO '${p.host}/out.csv'`, /Permission Error|only a query/],
      [`ATTACH '${p.host}/x.db' AS x`, /only a query \(SELECT …\) runs here/],
      ["SELECT * FROM glob('/*')", /Permission Error|disabled/],
      ["SELECT * FROM read_parquet('s3://bucket/x.parquet')", /Permission Error|disabled/],
    ];
    for (const [i, [query, why]] of refused.entries()) {
      const path = await probe(p, `/refused${i}.parquet`, {
        inputs: { r: "/sensors/north.series" },
        caught: true,
        query,
      });
      const before = await fingerprint(p.dir);
      const text = ok(await p.spawn(["cat", path]));
      assert.match(text, /^caught: [^\n]+\n$/, `${query}: one line`);
      assert.match(text, why, query);
      assert.deepEqual(await fingerprint(p.dir), before, `${query}: the pond unchanged`);
    }
    await assert.rejects(Deno.stat(`${p.host}/out.csv`), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(`${p.host}/x.db`), Deno.errors.NotFound);
  });
});

Deno.test("a SQL error the plugin does not catch fails the read in one line naming the plugin, exit 1", async () => {
  await withSqlPond(async (p) => {
    const q5 = await probe(p, "/q5.parquet", {
      inputs: { r: "/sensors/north.series" },
      query: "SELEC count(*) FROM r",
    });
    const r = await p.spawn(["cat", q5, "--rows"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /^pond: plugin probe failed in read\(\) of \/q5\.parquet: Error: Parser Error: syntax error at or near "SELEC" \(at line 1, column 1\)[^\n]*\n$/,
    );
    const q6 = await probe(p, "/q6.parquet", {
      inputs: { r: "/sensors/north.series" },
      query: "SELECT * FROM nowhere",
    });
    assert.match(
      (await p.spawn(["cat", q6, "--rows"])).stderr,
      /^pond: plugin probe failed in read\(\) of \/q6\.parquet: Error: the query reads a table 'nowhere' that is not there; the tables are: r[^\n]*\n$/,
    );
  });
});

Deno.test("host.sql is held to the call's deadline: a query that would run for hours is stopped, exit 1", async () => {
  await withSqlPond(async (p) => {
    const q = await probe(p, "/slow.parquet", {
      inputs: { r: "/sites/*/readings.series" },
      query: "SELECT count(*) AS n FROM range(1000000000000000) t(x), r",
    });
    const r = await pondWithEnv(p, ["cat", q, "--rows"], { POND_PLUGIN_DEADLINE_MS: "1500" });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^pond: plugin probe did not answer read\(\) within 1500 ms/);
  });
});

Deno.test("DuckDB is loaded only by a query: with native code denied, pond list works and only the read that queries fails", async () => {
  await withSqlPond(async (p) => {
    const q = await probe(p, "/one.parquet", {
      inputs: { r: "/sites/*/readings.series" },
      query: "SELECT count(*) AS n FROM r",
    });
    const noFfi = (args: string[]) => pondWithEnv(p, args, {}, ["--deny-ffi"]);
    assert.equal((await noFfi(["list", "/"])).code, 0, "pond list loads no DuckDB");
    const read = await noFfi(["cat", q, "--rows"]);
    assert.equal(read.code, 1);
    assert.match(read.stderr, /DuckDB \(@duckdb\/node-api\) cannot be loaded where pond runs/);
  });
});

/** `pond ARGS` on `p`'s pond as a process with `env`, every permission but those `deny` flags. */
async function pondWithEnv(
  p: SqlPond,
  args: string[],
  env: Record<string, string>,
  deny: string[] = [],
): Promise<{ code: number; stderr: string }> {
  const allow = deny.length
    ? ["--allow-read", "--allow-write", "--allow-env", "--allow-run", "--allow-sys", ...deny]
    : ["-A"];
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...allow, `${REPO_ROOT}main.ts`, ...args],
    cwd: REPO_ROOT,
    env: { POND: p.dir, NO_COLOR: "1", ...env },
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

Deno.test("host.sql checks its arguments before the engine runs: names, inputs, limits, a host without SQL", async () => {
  const input = (path: string, kind: "file" | "directory"): InputNode => ({
    node: { path } as InputNode["node"],
    match: { path, name: path.slice(1), captures: ["c"], kind, entryType: "file:table" },
    contents: false,
  });
  const inputs: Inputs = {
    matches: {},
    nodes: new Map([["/a.parquet", input("/a.parquet", "file")], ["/d", input("/d", "directory")]]),
  };
  const asked: SqlTable[][] = [];
  const sql: SqlPort = async ([{ tables }]) => {
    asked.push([...tables]);
    return [[await tableToParquet([{ name: "n", type: "int32", values: new Int32Array([1]) }])]];
  };
  const context = { plugin: "x", table: tableLimits(64), check: () => {}, inputs, sql };
  const run = (args: unknown, c: CapabilityContext = context) => runCapability("sql", args, c);
  assert.deepEqual(
    tableFromIPC(await run({ query: "SELECT 1", tables: { r: ["/a.parquet"] } }) as Uint8Array)
      .map((c) => [c.name, Array.from(c.values)]),
    [["n", [1]]],
  );
  assert.deepEqual(asked[0].map((t) => [t.name, t.matches.map((m) => m.captures)]), [
    ["r", [["c"]]],
  ]);
  for (
    const [args, message] of [
      [
        { query: "SELECT 1", tables: { r: ["/b.parquet"] } },
        /"\/b\.parquet" is not one of this call's inputs/,
      ],
      [{ query: "SELECT 1", tables: { r: ["/d"] } }, /"\/d" is not a file/],
      [
        { query: "SELECT 1", tables: { "1r": ["/a.parquet"] } },
        /the table name "1r" is not letters/,
      ],
      [{ query: "SELECT 1", tables: {} }, /name 1 to 1000 tables, not 0/],
      [{ query: "SELECT 1", tables: { r: [] } }, /table r must name 1 to 100000 inputs/],
      [
        {
          query: "SELECT 1",
          tables: { r: Array(60_000).fill("/a.parquet"), s: Array(60_000).fill("/a.parquet") },
        },
        /more than 100000 inputs in all/,
      ],
      [{ query: 7, tables: {} }, /takes the SQL text and a mapping/],
      [
        { query: "SELECT 1", tables: { r: ["/a.parquet"] }, also: "SELECT 2" },
        /also is a list of at most 1000 queries/,
      ],
      [
        { query: "SELECT 1", tables: { r: ["/a.parquet"] }, also: ["x".repeat(70_000)] },
        /the query is 70000 characters long/,
      ],
      [
        { query: "SELECT 1", tables: { p: { kept: "SELECT 1", of: "/a.parquet", columns: "n" } } },
        /columns is a list of column names/,
      ],
    ] as const
  ) {
    await assert.rejects(run(args), message);
  }
  assert.equal(asked.length, 1, "nothing refused reached the engine");
  await assert.rejects(
    run({ query: "SELECT 1", tables: { r: ["/a.parquet"] } }, { ...context, sql: undefined }),
    /host\.sql is not offered here/,
  );
});
