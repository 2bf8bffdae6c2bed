/** Shared helpers of the writer's tests: temporary tables, reading back through the reader, DuckDB queries. */

import { DuckDBInstance } from "@duckdb/node-api";
import { openTable } from "../../../src/delta/table.ts";
import { parseSchema, type StructType } from "../../../src/delta/schema.ts";
import { LocalStore, type Store } from "../../../src/delta/storage.ts";

/** A Delta schema from `[name, type, nullable?]` triples. */
export function schemaOf(...fields: [string, unknown, boolean?][]): StructType {
  return parseSchema(JSON.stringify({
    type: "struct",
    fields: fields.map(([name, type, nullable = true]) => ({ name, type, nullable, metadata: {} })),
  }));
}

/** Runs `body` with a fresh temporary directory (and a store on it), removed afterwards. */
export async function withTempTable(
  body: (store: LocalStore, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pond-write-" });
  try {
    await body(new LocalStore(dir), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every row of the latest (or given) version, read through the reader's API, sorted by their JSON text. */
export async function readRows(
  location: LocalStore | string,
  version?: number,
): Promise<Record<string, unknown>[]> {
  const table = await openTable(location);
  const snapshot = await table.snapshot(version === undefined ? undefined : { version });
  const rows = await Array.fromAsync(snapshot.scan().rows());
  const text = (r: unknown) =>
    JSON.stringify(
      r,
      (_, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Map ? Object.fromEntries(v) : v),
    );
  return rows.sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0)) as Record<
    string,
    unknown
  >[];
}

/** Runs one SQL query in a fresh in-memory DuckDB (UTC) and returns its rows as JSON objects. */
export async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Copies a directory tree (e.g. a golden table, so a test can write to its copy). */
export async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

/**
 * `store` with `before(path)` run ahead of every `putIfAbsent`, e.g. to let another writer
 * commit first and so make the caller lose a race on purpose.
 *
 * @example
 * ```ts
 * const racing = beforePutIfAbsent(store, () => other.append({ id: [0] }));
 * ```
 */
export function beforePutIfAbsent(
  store: Store,
  before: (path: string) => Promise<unknown>,
): Store {
  return {
    locate: (path) => store.locate(path),
    read: (path) => store.read(path),
    readRange: (path, start, end, into) => store.readRange(path, start, end, into),
    head: (path) => store.head(path),
    list: (dir, options) => store.list(dir, options),
    put: (path, data) => store.put(path, data),
    delete: (path) => store.delete(path),
    upload: (dir) => store.upload(dir),
    touch: (path) => store.touch(path),
    sweep: (dir) => store.sweep(dir),
    putIfAbsent: async (path, data) => {
      await before(path);
      return await store.putIfAbsent(path, data);
    },
  };
}
