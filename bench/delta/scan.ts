/** Benchmark: scanning a few-million-row table through the reader vs DuckDB read_parquet over the same files. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/delta/scan.ts [rows=3000000]
// Writes the table with the real writer (30 appends of rows/30 rows: id long, at timestamp,
// value double, site string), then, in the same run, times:
// - the reader's scan().rows() visiting every row and aggregating all four columns in JS;
// - the reader's scan().arrow() batches (Arrow tables), summing one column per batch;
// - DuckDB computing the same aggregates with read_parquet over the table's live files.

import { DuckDBInstance } from "@duckdb/node-api";
import { createTable } from "../../src/delta/create.ts";
import { parseSchema } from "../../src/delta/schema.ts";
import { LocalStore } from "../../src/delta/storage.ts";
import { openTable } from "../../src/delta/table.ts";

const ROWS = Number(Deno.args[0] ?? 3_000_000);
const FILES = 30;
const schema = parseSchema(JSON.stringify({
  type: "struct",
  fields: [
    { name: "id", type: "long", nullable: false, metadata: {} },
    { name: "at", type: "timestamp", nullable: true, metadata: {} },
    { name: "value", type: "double", nullable: true, metadata: {} },
    { name: "site", type: "string", nullable: true, metadata: {} },
  ],
}));

const dir = await Deno.makeTempDir({ prefix: "pond-bench-scan-" });
try {
  const writer = await createTable(new LocalStore(dir), { schema });
  const perFile = Math.ceil(ROWS / FILES);
  const base = BigInt(Date.UTC(2024, 0, 1)) * 1000n;
  let t = performance.now();
  for (let f = 0; f < FILES; f++) {
    const n = Math.min(perFile, ROWS - f * perFile);
    const id = new Array<bigint>(n),
      at = new Array<bigint>(n),
      value = new Array<number>(n),
      site = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const k = f * perFile + i;
      id[i] = BigInt(k);
      at[i] = base + BigInt(k) * 1_000_000n;
      value[i] = (k % 1000) / 10;
      site[i] = `site-${k % 17}`;
    }
    await writer.append({ id, at, value, site });
  }
  const writeMs = performance.now() - t;
  const snapshot = await (await openTable(dir)).snapshot();
  const files = snapshot.files().map((f) => `${dir}/${decodeURIComponent(f.path)}`);
  const bytes = snapshot.files().reduce((s, f) => s + f.size, 0);
  console.log(
    `wrote ${ROWS} rows in ${FILES} files (${(bytes / 1e6).toFixed(1)} MB) in ${
      (writeMs / 1000).toFixed(1)
    } s: ${(ROWS / writeMs * 1000 / 1e6).toFixed(2)} M rows/s`,
  );

  t = performance.now();
  let count = 0, sumId = 0n, maxAt = 0n, sumValue = 0, maxSite = "";
  for await (const row of snapshot.scan().rows()) {
    count++;
    sumId += row.id as bigint;
    if ((row.at as bigint) > maxAt) maxAt = row.at as bigint;
    sumValue += row.value as number;
    if ((row.site as string) > maxSite) maxSite = row.site as string;
  }
  const rowsMs = performance.now() - t;

  t = performance.now();
  let arrowRows = 0, arrowSum = 0;
  for await (const table of snapshot.scan().arrow()) {
    arrowRows += table.numRows;
    for (const v of table.getChild("value")!) arrowSum += v as number;
  }
  const arrowMs = performance.now() - t;

  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  const list = files.map((f) => `'${f}'`).join(", ");
  const sql =
    `SELECT count(*) AS n, sum(id)::VARCHAR AS s, max("at")::VARCHAR AS a, sum(value) AS v, max(site) AS m FROM read_parquet([${list}])`;
  await conn.runAndReadAll(sql); // warm-up: file metadata cached by the OS for both sides
  const duckTimes: number[] = [];
  let duck: Record<string, unknown> = {};
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    duck = (await conn.runAndReadAll(sql)).getRowObjectsJson()[0];
    duckTimes.push(performance.now() - t);
  }
  conn.closeSync();
  instance.closeSync();
  const duckMs = duckTimes.sort((a, b) => a - b)[1];

  if (
    Number(duck.n) !== count || BigInt(duck.s as string) !== sumId || count !== ROWS ||
    arrowRows !== ROWS
  ) {
    throw new Error(
      `results differ: reader ${count}/${sumId}, arrow ${arrowRows}, duckdb ${
        JSON.stringify(duck)
      }`,
    );
  }
  const rate = (ms: number) => `${(ROWS / ms * 1000 / 1e6).toFixed(2)} M rows/s`;
  console.log(
    `reader scan().rows():  ${(rowsMs / 1000).toFixed(2)} s, ${rate(rowsMs)} (sum(value) ${
      sumValue.toFixed(1)
    }, max(site) ${maxSite})`,
  );
  console.log(
    `reader scan().arrow(): ${(arrowMs / 1000).toFixed(2)} s, ${rate(arrowMs)} (sum(value) ${
      arrowSum.toFixed(1)
    })`,
  );
  console.log(
    `duckdb read_parquet:   ${(duckMs / 1000).toFixed(3)} s, ${
      rate(duckMs)
    } (median of 3, after one warm-up)`,
  );
  console.log(
    `ratio duckdb/reader rows(): ${(rowsMs / duckMs).toFixed(1)}x faster; duckdb/reader arrow(): ${
      (arrowMs / duckMs).toFixed(1)
    }x faster`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
