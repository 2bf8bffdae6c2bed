/** One pond, one Parquet dialect: a table a plugin writes stores timestamps as the Delta writer does, INT64 micros in UTC. */

import assert from "node:assert/strict";
import { parquetMetadata, parquetSchema, type SchemaElement } from "hyparquet";
import { createTable, LocalStore, parseSchema } from "../../src/delta/mod.ts";
import { REPO_ROOT } from "../cli/harness.ts";
import { hostFile, pond } from "../cli/plugin_helpers.ts";
import { duckdb } from "../delta/fixtures_write/helpers.ts";
import { assertOk, type TestPond, withPond } from "../pond/fixture.ts";

const CSV = await Deno.readTextFile(`${REPO_ROOT}samples/lake_north.csv`);
const [HEADER, ...ROWS] = CSV.trimEnd().split("\n").map((line) => line.split(","));

/**
 * The README's example: the site's CSV in the pond, `derived` (csv-to-parquet) mounted as a
 * `tables` directory in every site, and the Parquet table it computes copied out to the host;
 * its path there.
 */
async function pluginTable(p: TestPond): Promise<string> {
  await p.change((root) => root.write("/sites/north/lake_north.csv", CSV, { parents: true }));
  const config = await hostFile(
    p,
    "tables.yaml",
    '{inputs: ["*.csv"], transform: csv-to-parquet}\n',
  );
  assertOk(await pond(p, ["mknod", "derived", "/sites/*/tables", "--config", config]));
  assert.equal(
    assertOk(await pond(p, ["list", "/sites/*/tables/*"])).stdout,
    "/sites/north/tables/lake_north.parquet\n",
  );
  const file = `${p.host}/lake_north.parquet`;
  assertOk(await pond(p, ["copy", "/sites/north/tables/lake_north.parquet", `host:${file}`]));
  return file;
}

/** The top-level schema elements of a Parquet file, less what says nothing of the type. */
async function schemaOf(file: string): Promise<Partial<SchemaElement>[]> {
  const metadata = parquetMetadata((await Deno.readFile(file)).buffer);
  return parquetSchema(metadata).children.map(({ element }) => ({
    name: element.name,
    type: element.type,
    repetition_type: element.repetition_type,
    converted_type: element.converted_type,
    logical_type: element.logical_type,
  }));
}

Deno.test("table: a plugin's encodeParquet stores timestamps as INT64 TIMESTAMP(MICROS, UTC), the instants DuckDB reads", async () => {
  await withPond(async (p) => {
    const file = await pluginTable(p);
    const [time] = await schemaOf(file);
    assert.deepEqual(time, {
      name: "timestamp",
      type: "INT64",
      repetition_type: "OPTIONAL",
      converted_type: "TIMESTAMP_MICROS",
      logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
    });
    const [described] = await duckdb(`DESCRIBE SELECT "timestamp" FROM '${file}'`);
    assert.equal(described.column_type, "TIMESTAMP WITH TIME ZONE");
    const instants = await duckdb(`SELECT epoch_ms("timestamp") AS ms FROM '${file}'`);
    assert.deepEqual(
      instants.map((r) => Number(r.ms)),
      ROWS.map((row) => Date.parse(row[0])),
    );
  });
});

Deno.test("table: a Delta-written and a plugin-written table of the same rows have the same Parquet schema", async () => {
  await withPond(async (p) => {
    const file = await pluginTable(p);
    const dir = `${p.host}/delta`;
    const fields = HEADER.map((name, j) => ({
      name,
      type: j === 0 ? "timestamp" : "double",
      nullable: true,
      metadata: {},
    }));
    await createTable(new LocalStore(dir), {
      schema: parseSchema(JSON.stringify({ type: "struct", fields })),
      data: Object.fromEntries(
        HEADER.map((name, j) => [name, ROWS.map((row) => j === 0 ? row[j] : Number(row[j]))]),
      ),
    });
    const [data] = (await Array.fromAsync(Deno.readDir(dir)))
      .filter((e) => e.name.endsWith(".parquet"));
    const deltaFile = `${dir}/${data.name}`;
    assert.deepEqual(await schemaOf(deltaFile), await schemaOf(file));
    const differ = await duckdb(
      `SELECT count(*) AS n FROM (SELECT * FROM '${deltaFile}' EXCEPT SELECT * FROM '${file}')`,
    );
    assert.deepEqual(differ, [{ n: "0" }]);
  });
});
