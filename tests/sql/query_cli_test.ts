/** pond query across processes: the oplog and nodes tables, --at, every output format, --into, and every error path. */
import assert from "node:assert/strict";
import { tableFromIPC } from "apache-arrow";
import { SqlEngine } from "../../src/sql/mod.ts";
import { csvRows, fingerprint, ok, START, withSqlPond } from "./helpers.ts";
import { command } from "../subprocess.ts";

Deno.test("the oplog is a table: the seed's query, and --at reads it as of then", async () => {
  await withSqlPond(async (p) => {
    const seed = "SELECT entry_type, COUNT(*) AS n FROM oplog GROUP BY entry_type ORDER BY 1";
    const now = csvRows(ok(await p.spawn(["query", seed])));
    assert.deepEqual(now[0], ["entry_type", "n"]);
    assert.deepEqual(now.find((r) => r[0] === "file:series"), ["file:series", "5"]);
    const early = csvRows(ok(await p.spawn(["query", seed, "--at", "1"])));
    assert.deepEqual(early, [["entry_type", "n"], ["directory", "3"], ["file:series", "1"]]);
    const seqs = csvRows(
      ok(await p.run(["query", "SELECT max(seq) AS s FROM oplog", "--at", "2"])),
    );
    assert.deepEqual(seqs, [["s"], ["2"]]);
    const parts = csvRows(
      ok(
        await p.run([
          "query",
          "SELECT count(DISTINCT part_id) = count(DISTINCT node_id) FILTER (WHERE entry_type = 'directory') AS same FROM oplog",
        ]),
      ),
    );
    assert.deepEqual(parts, [["same"], ["true"]], "a directory is its own partition");
  });
});

Deno.test("nodes is the tree as of the read, with versions and event-time bounds", async () => {
  await withSqlPond(async (p) => {
    const sql = "SELECT path, entry_type, version, min_event_time FROM nodes " +
      "WHERE path LIKE '/sensors%' ORDER BY path";
    assert.deepEqual(csvRows(ok(await p.run(["query", sql]))), [
      ["path", "entry_type", "version", "min_event_time"],
      ["/sensors", "directory", "1", ""],
      ["/sensors/north.series", "file:series", "3", "2026-06-20T00:00:00.000Z"],
    ]);
    const then = csvRows(
      ok(await p.run(["query", "SELECT path, version FROM nodes ORDER BY path", "--at", "2"])),
    );
    assert.deepEqual(then, [["path", "version"], ["/", "2"], ["/sensors", "1"], [
      "/sensors/north.series",
      "2",
    ]]);
  });
});

Deno.test("results print as csv, json, jsonl, an aligned table, and Parquet to a file or a pipe", async () => {
  await withSqlPond(async (p) => {
    const sql = "SELECT capture0 AS site, count(*) AS n FROM r GROUP BY site ORDER BY site";
    const q = (...more: string[]) => ["query", "-t", "r=/sites/*/readings.series", sql, ...more];
    assert.equal(ok(await p.run(q())), "site,n\nnorth,10\nsouth,20\n", "csv into a pipe");
    assert.deepEqual(JSON.parse(ok(await p.run(q("--format", "json")))), [
      { site: "north", n: 10 },
      { site: "south", n: 20 },
    ]);
    assert.deepEqual(JSON.parse(ok(await p.run(q("--json")))).length, 2);
    assert.equal(
      ok(await p.run(q("--format", "jsonl"))),
      '{"site":"north","n":10}\n{"site":"south","n":20}\n',
    );
    assert.equal(
      ok(await p.run(q("--format", "table"))),
      "site    n\n-----  --\nnorth  10\nsouth  20\n",
    );
    const file = `${p.host}/sites.parquet`;
    assert.equal(ok(await p.spawn(q("--format", "parquet", "--output", `host:${file}`))), "");
    const piped = await command(Deno.execPath(), {
      args: ["run", "--no-prompt", "-A", "main.ts", ...q("--format", "parquet")],
      env: { POND: p.dir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(piped.code, 0, new TextDecoder().decode(piped.stderr));
    const fromPipe = `${p.host}/piped.parquet`;
    await Deno.writeFile(fromPipe, piped.stdout);
    const engine = await SqlEngine.open([file, fromPipe]);
    try {
      for (const f of [file, fromPipe]) {
        assert.deepEqual(await engine.rows(`SELECT site, n FROM read_parquet('${f}')`), [
          ["north", "10"],
          ["south", "20"],
        ]);
      }
    } finally {
      engine.close();
    }
    const arrow = `${p.host}/sites.arrow`;
    ok(await p.run(q("--format", "arrow", "--output", `host:${arrow}`)));
    const table = tableFromIPC(await Deno.readFile(arrow));
    assert.deepEqual(table.schema.fields.map((f) => `${f.name} ${f.type}`), [
      "site Utf8",
      "n Int64",
    ]);
    assert.deepEqual(table.toArray().map((r) => r.toJSON()), [
      { site: "north", n: 10n },
      { site: "south", n: 20n },
    ]);
    const times = `${p.host}/times.arrow`;
    ok(
      await p.run([
        "query",
        "-t",
        "s=/sensors/north.series",
        "SELECT timestamp, timestamp::TIMESTAMPTZ AS utc FROM s ORDER BY timestamp LIMIT 1",
        "--format",
        "arrow",
        "-o",
        `host:${times}`,
      ]),
    );
    const t = tableFromIPC(await Deno.readFile(times));
    assert.deepEqual(t.schema.fields.map((f) => String(f.type)), [
      "Timestamp<MICROSECOND>",
      "Timestamp<MICROSECOND, UTC>",
    ]);
    assert.equal(t.getChild("utc")?.data[0].values[0], BigInt(START) * 1000n, "µs since the epoch");
    const text = `${p.host}/sites.csv`;
    assert.equal(ok(await p.run(q("--output", `host:${text}`))), "");
    assert.equal(await Deno.readTextFile(text), "site,n\nnorth,10\nsouth,20\n");
  });
});

Deno.test("--into stores the result as a table, or appends it to a series, in one transaction", async () => {
  await withSqlPond(async (p) => {
    const daily = "SELECT date_trunc('day', timestamp) AS timestamp, avg(value) AS value " +
      "FROM s GROUP BY 1 ORDER BY 1";
    const into = (path: string, ...more: string[]) =>
      p.spawn(["query", "-t", "s=/sensors/north.series", daily, "--into", path, ...more]);
    ok(await into("/daily.parquet"));
    const rows = csvRows(ok(await p.run(["cat", "--rows", "/daily.parquet"])));
    assert.deepEqual(rows[0], ["timestamp", "value"]);
    assert.deepEqual(rows[1], ["2026-06-01T00:00:00.000Z", "719.5"]);
    ok(await into("/daily.series", "--series"));
    ok(await into("/daily.series", "--series"));
    const versions = csvRows(
      ok(
        await p.run([
          "query",
          "SELECT entry_type, version FROM nodes WHERE name LIKE 'daily%' ORDER BY name",
        ]),
      ),
    );
    assert.deepEqual(versions, [["entry_type", "version"], ["file:table", "1"], [
      "file:series",
      "2",
    ]]);
    const log = JSON.parse(ok(await p.run(["log", "--json", "--limit", "1"])));
    assert.match(JSON.stringify(log[0]), /--into/);
  });
});

Deno.test("a bad query is one line with exit 1, a bad command line exit 2, and the pond is unchanged", async () => {
  await withSqlPond(async (p) => {
    const before = await fingerprint(p.dir);
    const cases: [string[], number, RegExp][] = [
      [
        ["query", "SELECT * FRM oplog"],
        1,
        /^pond: Parser Error: syntax error at or near "oplog" \(at line 1, column 14\)\n$/,
      ],
      [
        ["query", "-t", "r=/sensors/north.series", "SELECT * FROM nosuch"],
        1,
        /^pond: the query reads a table 'nosuch' that is not there; the tables are: r, oplog, nodes\n$/,
      ],
      [["query", "-t", "r=/no/*.series", "SELECT 1"], 1, /^pond: \/no\/\*\.series matched nothing/],
      [["query", "SELECT 'x'::INTEGER"], 1, /^pond: Conversion Error: /],
      [
        ["query", "-t", "r=/sensors", "SELECT 1"],
        1,
        /^pond: \/sensors is a directory; name the files in it/,
      ],
      [["query", "-t", "oplog=/data/a.csv", "SELECT 1"], 1, /the table name 'oplog' is taken/],
      [["query", "-t", "1x=/data/a.csv", "SELECT 1"], 2, /-t takes NAME=GLOB/],
      [
        ["query", "SELECT 1", "--format", "xml"],
        2,
        /--format takes table, csv, json, jsonl, parquet, arrow, not 'xml'/,
      ],
      [["query", "SELECT 1", "--series"], 2, /--series goes with --into PATH/],
      [
        [
          "query",
          "-t",
          "s=/sensors/north.series",
          "SELECT 1 AS v",
          "--into",
          "/x.series",
          "--series",
        ],
        1,
        /no timestamp column/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const r = await p.run(args);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(" "));
      assert.equal(r.stdout, "", args.join(" "));
    }
    assert.deepEqual(await fingerprint(p.dir), before);
  });
});
