/** A pond with every kind of SQL source — a series of several versions with a column added, a table, CSV and JSON data, a glob of sites — for the SQL tests. */
import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { parquetWriteBuffer } from "hyparquet-writer";
import { Pond } from "../../src/pond/pond.ts";
import type { FileEntryType } from "../../src/tinyfs/mod.ts";
import { type CliResult, pondInProcess, pondProcess } from "../cli/harness.ts";

export const MINUTE = 60_000;
/** The first reading of the series: 2026-06-01T00:00Z. */
export const START = Date.UTC(2026, 5, 1);
/** Rows of version 1 (every minute from START): big enough for the blob store. */
export const V1_ROWS = 10_000;
/** Version 2 starts here (2026-06-10), 100 rows: small, inline in its oplog row. */
export const V2_START = Date.UTC(2026, 5, 10);
/** Version 3 starts here (2026-06-20), 50 rows, with the column `salinity` added. */
export const V3_START = Date.UTC(2026, 5, 20);

/**
 * A Parquet body of one reading a minute from `start`: `timestamp` (µs, UTC) and `value`
 * (the row number), plus `salinity` when asked.
 *
 * @example
 * ```ts
 * const bytes = readings(START, 60, { salinity: true });
 * ```
 */
export function readings(
  start: number,
  rows: number,
  { salinity = false }: { salinity?: boolean } = {},
): Uint8Array<ArrayBuffer> {
  const times = Array.from({ length: rows }, (_, i) => new Date(start + i * MINUTE));
  return new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: "timestamp", data: times, type: "TIMESTAMP" },
      { name: "value", data: times.map((_, i) => i), type: "DOUBLE" },
      ...(salinity
        ? [{ name: "salinity", data: times.map(() => 0.5), type: "DOUBLE" as const }]
        : []),
    ],
  }));
}

/** A pond made for a test, and how to run the CLI on it. */
export interface SqlPond {
  readonly dir: string;
  /** A scratch directory on the host. */
  readonly host: string;
  /** `pond ARGS` in this process. */
  run(args: string[]): Promise<CliResult>;
  /** `pond ARGS` as a real process. */
  spawn(args: string[]): Promise<CliResult>;
}

/**
 * Runs `fn` with a pond holding `/sensors/north.series` (versions 1–3 written by transactions
 * 1–3), `/tables/t.parquet` (2 versions), `/data/a.csv`, `/data/b.jsonl`, `/data/c.json`, and
 * `/sites/{north,south}/readings.series`; removed afterwards.
 *
 * @example
 * ```ts
 * await withSqlPond(async (p) => { await p.run(["query", "SELECT 1"]); });
 * ```
 */
export async function withSqlPond(fn: (p: SqlPond) => Promise<void>): Promise<void> {
  const host = await Deno.makeTempDir();
  const dir = `${host}/pond`;
  try {
    const pond = await Pond.init(dir);
    const put = (path: string, bytes: Uint8Array, entryType: FileEntryType) =>
      pond.transact(
        [`put ${path}`],
        (root) =>
          root.write(path, new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(), {
            entryType,
            parents: true,
          }),
      );
    await put("/sensors/north.series", readings(START, V1_ROWS), "file:series");
    await put("/sensors/north.series", readings(V2_START, 100), "file:series");
    await put("/sensors/north.series", readings(V3_START, 50, { salinity: true }), "file:series");
    await put("/tables/t.parquet", readings(START, 3), "file:table");
    await put("/tables/t.parquet", readings(START, 5), "file:table");
    const text = (s: string) => new TextEncoder().encode(s);
    await put("/data/a.csv", text("site,depth\nnorth,3\nsouth,5\n"), "file:data");
    await put(
      "/data/b.jsonl",
      text('{"site":"north","n":1}\n{"site":"south","n":2}\n'),
      "file:data",
    );
    await put("/data/c.json", text('[{"k":"x","v":1.5},{"k":"y","v":2.5}]'), "file:data");
    await put("/data/notes.txt", text("hello\n"), "file:data");
    await put("/sites/north/readings.series", readings(START, 10), "file:series");
    await put("/sites/south/readings.series", readings(START, 20), "file:series");
    await fn({
      dir,
      host,
      run: (args) => pondInProcess(args, { POND: dir }),
      spawn: (args) => pondProcess(args, { POND: dir }),
    });
  } finally {
    await Deno.remove(host, { recursive: true });
  }
}

/**
 * Every file under the pond `dir` with its size and modification time, its `cache/` aside
 * (reads fill it): equal before and after a command when it changed nothing.
 *
 * @example
 * ```ts
 * const before = await fingerprint(p.dir);
 * ```
 */
export async function fingerprint(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const path = `${d}/${e.name}`;
      if (e.isDirectory) {
        if (path !== `${dir}/cache`) await walk(path);
      } else {
        const s = await Deno.stat(path);
        out.push(`${path} ${s.size} ${s.mtime?.getTime()}`);
      }
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * Parses CSV output without quoted fields into rows of cells.
 *
 * @example
 * ```ts
 * csvRows("a,b\n1,2\n"); // [["a", "b"], ["1", "2"]]
 * ```
 */
export function csvRows(text: string): string[][] {
  return text.trimEnd().split("\n").map((line) => line.split(","));
}

/**
 * Asserts a run succeeded and returns its stdout.
 *
 * @example
 * ```ts
 * const out = ok(await p.run(["query", "SELECT 1"]));
 * ```
 */
export function ok(r: CliResult): string {
  assert.equal(r.code, 0, `exit code; stderr: ${r.stderr}`);
  return r.stdout;
}

/**
 * Rows DuckDB (unrestricted, as another engine) reads back, e.g. from an export directory.
 *
 * @example
 * ```ts
 * const rows = await readBack("SELECT count(*) FROM read_parquet('/tmp/export/*.parquet')");
 * ```
 */
export async function readBack(sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    return (await (await connection.run(sql)).getRowsJson()) as unknown[][];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
