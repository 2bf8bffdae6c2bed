/**
 * Tests for tables a plugin makes the host decode: Parquet claims and Arrow IPC streams are
 * bounded before decoding, and the host's work counts against the call's deadline.
 */

import assert from "node:assert/strict";
import { parquetWriteBuffer } from "hyparquet-writer";
import { ArrowIpcError, tableFromIPC, tableToIPC } from "../../src/table/mod.ts";
import { tableLimits } from "../../src/plugin_host/limits.ts";
import { parquetToTable } from "../../src/plugin_host/table_parquet.ts";
import { FS, MemoryPersistence } from "../../src/tinyfs/mod.ts";
import { plugin, rejectsWithPlugin, withHost } from "./helpers.ts";
import { craftParquet } from "./parquet_craft.ts";
import { duckdb } from "../delta/fixtures_write/helpers.ts";

const LIMITS = tableLimits(256);

Deno.test("parquet claims: rows × columns at the cell limit decode, one cell more is refused unread", async () => {
  const file = craftParquet({ columns: 2, rows: 1000 });
  const table = await parquetToTable(file, { cells: 2000, bytes: 1 << 20 });
  assert.deepEqual(table.map((c) => [c.name, c.values.length]), [["b0", 1000], ["b1", 1000]]);
  assert.ok(Array.from(table[1].values).every((v) => v === true));
  await assert.rejects(
    parquetToTable(file, { cells: 1999, bytes: 1 << 20 }),
    /holds 1000 rows × 2 columns, over the limit of 1999 cells/,
  );
  await assert.rejects(
    parquetToTable(file, { cells: 2000, bytes: 1 }),
    /its pages decode to more than the limit of 1 bytes/,
  );
});

Deno.test("parquet claims: 584 bytes claiming 8 × 120 million booleans are refused at once", async () => {
  const bomb = craftParquet({ columns: 8, rows: 120_000_000 });
  assert.equal(bomb.length, 584);
  const started = performance.now();
  await assert.rejects(
    parquetToTable(bomb, LIMITS),
    /holds 120000000 rows × 8 columns, over the limit of 16777216 cells/,
  );
  assert.ok(performance.now() - started < 1000);
  await assert.rejects(
    parquetToTable(craftParquet({ columns: 1, rows: 10, pageValues: 120_000_000 }), LIMITS),
    /a page claims 120000000 values in a row group of 10 rows/,
  );
  const fits = craftParquet({ columns: 1, rows: 10, pageValues: 10 });
  assert.equal((await parquetToTable(fits, LIMITS))[0].values.length, 10);
});

/** A pond holding `/in/t` (`bytes`, as `entryType`) and `/p`, a plugin's dynamic file computed by `read`. */
async function computing(
  read: string,
  bytes: Uint8Array,
  entryType: "file:data" | "file:table",
  options: { deadlineMs?: number } = {},
) {
  const p = await plugin(`
    export const manifest = {
      name: "tables", version: "1.0.0", provides: ["file"],
      config: { src: { type: "glob", required: false, default: "/in/*" } },
    };
    // deno-lint-ignore no-explicit-any
    export async function read({ inputs }: { inputs: any[] }, host: any) { ${read} }`);
  return await withHost(options, async (host) => {
    const fs = await FS.init(new MemoryPersistence(), {
      fileFactories: { tables: host.fileFactory(p) },
    });
    await fs.transact({ command: ["t"] }, async (root) => {
      await root.createFile("/in/t", bytes, { parents: true, entryType });
      await root.createDynamicFile("/p", "tables", "{}");
    });
    const started = performance.now();
    const result = await (await fs.root()).read("/p").then(
      (bytes) => ({ bytes, error: undefined }),
      (error: Error) => ({ bytes: undefined, error }),
    );
    return { ...result, ms: performance.now() - started };
  });
}

Deno.test("parquet claims: host.decodeParquet of the 584-byte bomb fails the plugin's read in one line", async () => {
  const bomb = craftParquet({ columns: 8, rows: 120_000_000 });
  const { error } = await computing(
    "return await host.decodeParquet(inputs[0].bytes);",
    bomb,
    "file:data",
  );
  await rejectsWithPlugin(
    Promise.reject(error),
    "PluginFailed",
    "tables",
    /decodeParquet cannot decode it: it holds 120000000 rows × 8 columns, over the limit of 16777216 cells/,
  );
});

Deno.test("parquet claims: a table input over the limits is InvalidInput, before the plugin runs", async () => {
  const bomb = craftParquet({ columns: 8, rows: 120_000_000 });
  const { error } = await computing("return inputs[0].table;", bomb, "file:table");
  await rejectsWithPlugin(
    Promise.reject(error),
    "InvalidInput",
    "tables",
    /cannot be handed \/in\/t as a table: it holds 120000000 rows × 8 columns, over the limit/,
  );
});

/**
 * A one-column Parquet file of `rows` doubles, none null, whose definition levels are one RLE
 * run (hyparquet-writer's v2 page) — with that run's length rewritten to `runLength`.
 */
function withDefinitionRun(rows: number, runLength: number): Uint8Array {
  const data = Array.from({ length: rows }, (_, i) => i / 2);
  const bytes = new Uint8Array(parquetWriteBuffer({
    columnData: [{ name: "v", type: "DOUBLE", data, nullable: true }],
  }));
  const varint = (n: number) => n < 128 ? [n] : [(n & 0x7f) | 0x80, n >> 7];
  const run = [...varint(rows << 1), 1];
  const at = bytes.findIndex((_, i) => run.every((b, k) => bytes[i + k] === b));
  assert.ok(at > 0, "the definition levels' run is where hyparquet-writer puts it");
  const patched = varint(runLength << 1);
  assert.equal(patched.length, run.length - 1, "the new length takes as many bytes");
  bytes.set(patched, at);
  return bytes;
}

Deno.test("parquet runs: a definition-level run longer than its page is refused before hyparquet repeats it", async () => {
  assert.equal((await parquetToTable(withDefinitionRun(100, 100), LIMITS))[0].values.length, 100);
  await assert.rejects(
    parquetToTable(withDefinitionRun(100, 8000), LIMITS),
    /a page's definition levels hold a run of 8000 values where 100 are left/,
  );
});

Deno.test("parquet runs: DuckDB's dictionary pages, whose bit-packed runs are padded past their values, decode", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/dictionary.parquet`;
    await duckdb(
      `COPY (SELECT i, ['a', 'b', 'c'][i % 3 + 1] AS s, (i % 5)::DOUBLE AS v FROM range(80) t(i)) ` +
        `TO '${file}' (FORMAT parquet)`,
    );
    const [i, s, v] = await parquetToTable(await Deno.readFile(file), LIMITS);
    assert.equal(i.values.length, 80);
    assert.deepEqual(Array.from(s.values).slice(0, 4), ["a", "b", "c", "a"]);
    assert.deepEqual(Array.from(v.values).slice(0, 6), [0, 1, 2, 3, 4, 0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("host work: converting a table input counts against the call's deadline", async () => {
  const rows = 400_000;
  const big = new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: "v", type: "DOUBLE", data: Float64Array.from({ length: rows }, (_, i) => i) },
      { name: "s", type: "STRING", data: Array.from({ length: rows }, (_, i) => `s${i}`) },
    ],
  }));
  const { error, ms } = await computing("return inputs[0].table;", big, "file:table", {
    deadlineMs: 50,
  });
  await rejectsWithPlugin(
    Promise.reject(error),
    "Deadline",
    "tables",
    /^plugin tables did not answer read\(\) within 50 ms and was stopped/,
  );
  assert.ok(ms < 3000, `stopped after ${ms} ms`);
});

/** An IPC stream of two int32 columns whose second data buffer is moved onto the first. */
function aliasedIpc(rows: number): Uint8Array {
  const column = (name: string) => ({ name, type: "int32" as const, values: new Int32Array(rows) });
  const bytes = tableToIPC([column("a"), column("b")]);
  // The second column's buffers, as the batch describes them: validity (offset, 0), data (offset, size).
  const offset = BigInt(Math.ceil((rows * 4) / 8) * 8);
  const described = new Uint8Array(32);
  const view = new DataView(described.buffer);
  [offset, 0n, offset, BigInt(rows * 4)].forEach((v, i) => view.setBigInt64(8 * i, v, true));
  const at = bytes.findIndex((_, i) => described.every((b, k) => bytes[i + k] === b));
  assert.ok(at > 0, "the second column's buffers are described in the batch");
  new DataView(bytes.buffer).setBigInt64(at + 16, 0n, true);
  return bytes;
}

Deno.test("arrow ipc: buffers that alias one another are refused; cells are bounded before decoding", () => {
  assert.throws(
    () => tableFromIPC(aliasedIpc(1000)),
    (e) => e instanceof ArrowIpcError && /a buffer overlaps the one before it/.test(e.message),
  );
  const bytes = tableToIPC([
    { name: "a", values: new Float64Array(1000) },
    { name: "b", values: new Float64Array(1000) },
  ]);
  assert.equal(tableFromIPC(bytes, 2000)[1].values.length, 1000);
  assert.throws(
    () => tableFromIPC(bytes, 1999),
    (e) => e instanceof ArrowIpcError && /more than 1999 cells/.test(e.message),
  );
});
