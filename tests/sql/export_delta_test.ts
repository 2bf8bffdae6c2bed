/** pond export --format delta: a standalone Delta table that pond's Delta reader and DuckDB read back as the query does, re-exports appending only new versions in one commit. */
import assert from "node:assert/strict";
import { createTable, eq, LocalStore, openTable, parseSchema } from "../../src/delta/mod.ts";
import { Pond } from "../../src/pond/pond.ts";
import type { FileEntryType } from "../../src/tinyfs/mod.ts";
import {
  csvRows,
  fingerprint,
  ok,
  readBack,
  readings,
  type SqlPond,
  V1_ROWS,
  withSqlPond,
} from "./helpers.ts";

/** The commits in an export's log. */
function commits(dir: string): string[] {
  return [...Deno.readDirSync(`${dir}/_delta_log`)].map((e) => e.name).filter((n) =>
    n.endsWith(".json")
  ).sort();
}

/** Every row of the table in `dir`, through pond's Delta reader. */
async function deltaRows(dir: string) {
  const snapshot = await (await openTable(dir)).snapshot();
  return { snapshot, rows: await Array.fromAsync(snapshot.scan().rows()) };
}

/** `pond query`'s count, sum(value) and count(salinity) over `glob`. */
async function queried(p: SqlPond, glob: string): Promise<number[]> {
  const out = ok(
    await p.spawn([
      "query",
      "-t",
      `s=${glob}`,
      "SELECT count(*) AS n, sum(value) AS v, count(salinity) AS c FROM s",
    ]),
  );
  return csvRows(out)[1].map(Number);
}

/** Writes `bytes` as a new version of `path`, of `entryType`, in a transaction of its own. */
async function put(
  p: SqlPond,
  path: string,
  bytes: Uint8Array<ArrayBuffer>,
  entryType: FileEntryType,
): Promise<void> {
  const pond = await Pond.open(p.dir);
  await pond.transact(
    [`put ${path}`],
    (root) => root.write(path, new Blob([bytes]).stream(), { entryType, parents: true }),
  );
}

/** Appends a version of `rows` readings with salinity to the series at `path` (2026-07-01 on). */
function appendVersion(p: SqlPond, path: string, rows: number): Promise<void> {
  return put(p, path, readings(Date.UTC(2026, 6, 1), rows, { salinity: true }), "file:series");
}

Deno.test("a series of several versions exports as a Delta table (1,2) that pond's reader and DuckDB (files and log) read as the query does", async () => {
  await withSqlPond(async (p) => {
    const dir = `${p.host}/north`;
    const r = await p.spawn([
      "export",
      "/sensors/north.series",
      `host:${dir}`,
      "--format",
      "delta",
    ]);
    assert.match(ok(r), /exported 10150 rows in 1 files to .* \(Delta version 1\)/);
    const [n, sum, salinity] = await queried(p, "/sensors/north.series");
    assert.deepEqual([n, salinity], [V1_ROWS + 150, 50]);

    const { snapshot, rows } = await deltaRows(dir);
    assert.deepEqual(snapshot.protocol, { minReaderVersion: 1, minWriterVersion: 2 });
    assert.deepEqual(
      snapshot.schema.fields.map((f) => [f.name, f.type]),
      [["timestamp", "timestamp"], ["value", "double"], ["salinity", "double"]],
    );
    assert.equal(rows.length, n);
    assert.equal(rows.reduce((s, r) => s + (r.value as number), 0), sum);
    assert.equal(rows.filter((r) => r.salinity !== null).length, salinity);
    const stats = JSON.parse(snapshot.files()[0].stats!);
    assert.equal(stats.minValues.timestamp, "2026-06-01T00:00:00.000Z");
    assert.equal(stats.maxValues.value, V1_ROWS - 1);

    const files = `read_parquet('${dir}/*.parquet', union_by_name = true)`;
    assert.deepEqual(
      await readBack(`SELECT count(*), sum(value), count(salinity) FROM ${files}`),
      [[String(n), sum, String(salinity)]],
    );
    const log = `read_json_objects('${dir}/_delta_log/*.json', format = 'newline_delimited')`;
    assert.deepEqual(
      await readBack(
        `SELECT sum(CAST(json_extract(json_extract_string(json, '$.add.stats'), '$.numRecords') AS BIGINT)) FROM ${log}`,
      ),
      [[String(n)]],
    );
    const types = await readBack(
      `SELECT column_type FROM (DESCRIBE SELECT timestamp FROM ${files})`,
    );
    assert.deepEqual(types, [["TIMESTAMP WITH TIME ZONE"]]);
  });
});

Deno.test("a partitioned export has partitionValues, not columns in its files, and the reader prunes on them", async () => {
  await withSqlPond(async (p) => {
    const dir = `${p.host}/sites`;
    ok(
      await p.spawn([
        "export",
        "/sites/*/readings.series",
        `host:${dir}`,
        "--format",
        "delta",
        "--partition-by",
        "capture0,month",
      ]),
    );
    const { snapshot, rows } = await deltaRows(dir);
    assert.deepEqual(snapshot.metadata.partitionColumns, ["capture0", "month"]);
    assert.deepEqual(
      snapshot.files().map((f) => f.partitionValues).sort((a, b) =>
        a.capture0!.localeCompare(b.capture0!)
      ),
      [{ capture0: "north", month: "6" }, { capture0: "south", month: "6" }],
    );
    assert.equal(rows.length, 30);
    const north = snapshot.scan({ predicate: eq("capture0", "north") });
    assert.equal(north.files().length, 1);
    assert.equal((await Array.fromAsync(north.rows())).length, 10);
    const inFile = await readBack(
      `SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('${dir}/capture0=north/month=6/*.parquet', hive_partitioning = false))`,
    );
    assert.deepEqual(inFile, [["timestamp"], ["value"]]);
  });
});

Deno.test("a re-export commits only the new version's rows, once; an unchanged source commits nothing", async () => {
  await withSqlPond(async (p) => {
    const dir = `${p.host}/north`;
    const args = ["export", "/sensors/north.series", `host:${dir}`, "--format", "delta"];
    ok(await p.spawn(args));
    assert.deepEqual(commits(dir).length, 2);
    await appendVersion(p, "/sensors/north.series", 7);
    assert.match(ok(await p.spawn(args)), /exported 7 rows in 1 files .*\(Delta version 2\)/);
    const log = commits(dir);
    assert.equal(log.length, 3);
    const added = (await Deno.readTextFile(`${dir}/_delta_log/${log[2]}`)).trim().split("\n")
      .map((l) => JSON.parse(l)).filter((a) => a.add);
    assert.deepEqual(added.map((a) => JSON.parse(a.add.stats).numRecords), [7]);
    const [n, sum] = await queried(p, "/sensors/north.series");
    const { rows } = await deltaRows(dir);
    assert.equal(rows.length, n);
    assert.equal(rows.reduce((s, r) => s + (r.value as number), 0), sum);

    const before = await fingerprint(dir);
    assert.match(ok(await p.spawn(args)), /nothing new to export: .* holds every version/);
    assert.deepEqual(await fingerprint(dir), before);
  });
});

Deno.test("re-exports reach the writer's checkpoint at version 10, which pond's reader reads", async () => {
  await withSqlPond(async (p) => {
    const dir = `${p.host}/north`;
    const args = ["export", "/sensors/north.series", `host:${dir}`, "--format", "delta"];
    ok(await p.run(args));
    for (let i = 0; i < 9; i++) {
      await appendVersion(p, "/sensors/north.series", 1);
      ok(await p.run(args));
    }
    const names = [...Deno.readDirSync(`${dir}/_delta_log`)].map((e) => e.name);
    assert.ok(names.includes("00000000000000000010.checkpoint.parquet"), names.join(" "));
    const { snapshot, rows } = await deltaRows(dir);
    assert.equal(snapshot.version, 10);
    assert.equal(rows.length, V1_ROWS + 150 + 9);
  });
});

Deno.test("delta export refuses a directory that is not its export, with one line, changing nothing", async () => {
  await withSqlPond(async (p) => {
    const other = `${p.host}/other`;
    await Deno.mkdir(other);
    await Deno.writeTextFile(`${other}/keep.txt`, "mine\n");
    const foreign = `${p.host}/foreign`;
    await createTable(new LocalStore(foreign), {
      schema: parseSchema(
        '{"type":"struct","fields":[{"name":"n","type":"long","nullable":true,"metadata":{}}]}',
      ),
    });
    const north = `${p.host}/north`;
    ok(await p.spawn(["export", "/sensors/north.series", `host:${north}`, "--format", "delta"]));
    const before = [await fingerprint(p.dir), await fingerprint(p.host)];
    const delta = (glob: string, dir: string, ...more: string[]) => [
      "export",
      glob,
      `host:${dir}`,
      "--format",
      "delta",
      ...more,
    ];
    const cases: [string[], number, RegExp][] = [
      [delta("/sensors/north.series", other), 1, /holds files but no Delta table/],
      [delta("/sensors/north.series", foreign), 1, /is a Delta table pond did not export/],
      [
        delta("/sites/*/readings.series", north),
        1,
        /holds the export of \/sensors\/north.series, not of \/sites/,
      ],
      [
        delta("/sensors/north.series", north, "--partition-by", "year"),
        2,
        /is partitioned by nothing; re-export with that --partition-by/,
      ],
      [delta("/nowhere/*", `${p.host}/new`), 1, /matched nothing/],
    ];
    for (const [args, code, message] of cases) {
      const r = await p.spawn(args);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
    assert.deepEqual([await fingerprint(p.dir), await fingerprint(p.host)], before);
    assert.deepEqual([...Deno.readDirSync(p.host)].map((e) => e.name).sort(), [
      "foreign",
      "north",
      "other",
      "pond",
    ]);
  });
});

Deno.test("a re-export adds the column a new version brought, null in the rows exported before", async () => {
  await withSqlPond(async (p) => {
    const dir = `${p.host}/north`;
    const args = ["export", "/sites/north/readings.series", `host:${dir}`, "--format", "delta"];
    ok(await p.spawn(args));
    assert.deepEqual((await deltaRows(dir)).snapshot.schema.fields.map((f) => f.name), [
      "timestamp",
      "value",
    ]);
    await appendVersion(p, "/sites/north/readings.series", 4);
    ok(await p.spawn(args));
    const { snapshot, rows } = await deltaRows(dir);
    assert.deepEqual(snapshot.schema.fields.map((f) => f.name), ["timestamp", "value", "salinity"]);
    assert.deepEqual(
      [
        rows.length,
        rows.filter((r) => r.salinity === 0.5).length,
        rows.filter((r) => r.salinity === null).length,
      ],
      [14, 4, 10],
    );
  });
});

Deno.test("a replaced table, or a column Delta cannot hold, is refused, changing nothing", async () => {
  await withSqlPond(async (p) => {
    const dir = `${p.host}/t`;
    const args = ["export", "/tables/t.parquet", `host:${dir}`, "--format", "delta"];
    ok(await p.spawn(args));
    await put(p, "/tables/t.parquet", readings(0, 2), "file:table");
    await put(p, "/data/nested.json", new TextEncoder().encode('[{"a":{"b":1}}]'), "file:data");
    const before = [await fingerprint(p.dir), await fingerprint(p.host)];
    const replaced = await p.spawn(args);
    assert.equal(replaced.code, 1);
    assert.match(
      replaced.stderr,
      /was replaced by version 3 since .* a new version of a table is not an append/,
    );
    const nested = await p.spawn([
      "export",
      "/data/nested.json",
      `host:${p.host}/nested`,
      "--format",
      "delta",
    ]);
    assert.equal(nested.code, 1);
    assert.match(nested.stderr, /column a is STRUCT\(.*\), which a Delta table cannot hold/);
    assert.equal(nested.stderr.trim().split("\n").length, 1, nested.stderr);
    assert.deepEqual([await fingerprint(p.dir), await fingerprint(p.host)], before);
    assert.equal(await Deno.stat(`${p.host}/nested`).catch(() => null), null);
  });
});
