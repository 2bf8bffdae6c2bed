/** Tests for tables crossing the sandbox as Arrow IPC: table inputs, table replies, and the host's codec. */

import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { FS, MemoryPersistence } from "../../src/tinyfs/mod.ts";
import { manifest, plugin, rejectsWithPlugin, withHost } from "./helpers.ts";

const TABLE = new Uint8Array(parquetWriteBuffer({
  columnData: [
    { name: "time", type: "TIMESTAMP", data: [new Date(1000), new Date(2000), new Date(3000)] },
    { name: "value", type: "DOUBLE", data: [1.5, null, 3.5] },
    { name: "count", type: "INT32", data: [1, 2, 3] },
    { name: "site", type: "STRING", data: ["north", "south", null] },
  ],
}));

/** A plugin with one file:table entry computed by `read` from the input `/in/t`. */
function tablePlugin(name: string, read: string) {
  return plugin(
    manifest(name, { src: { type: "glob", required: false, default: "/in/*" } }) + `
    export function entries({ inputs }: { inputs: { src: { path: string }[] } }) {
      return [{ name: "out", entryType: "file:table", compute: { inputs: inputs.src.map((m) => m.path) } }];
    }
    // deno-lint-ignore no-explicit-any
    export async function read({ inputs }: { inputs: any[] }, host: any) {\n${read}\n}`,
  );
}

/** A pond holding `/in/t` as written by `versions` (each a Parquet file), and `/p` served by `p`. */
async function pondWithTable(
  host: Parameters<Parameters<typeof withHost>[1]>[0],
  p: Awaited<ReturnType<typeof tablePlugin>>,
  entryType: "file:table" | "file:series",
  versions: Uint8Array[],
) {
  const fs = await FS.init(new MemoryPersistence(), {
    factories: { [p.manifest.name]: host.directoryFactory(p) },
  });
  for (const bytes of versions) {
    await fs.transact(
      { command: ["write"] },
      (root) => root.write("/in/t", bytes, { parents: true, entryType }),
    );
  }
  await fs.transact(
    { command: ["mknod"] },
    (root) => root.createDynamicDirectory("/p", p.manifest.name, "{}"),
  );
  return await fs.root();
}

async function rows(bytes: Uint8Array) {
  return await parquetReadObjects({ file: bytes.slice().buffer });
}

Deno.test("tables: a table input arrives as typed columns, and a table returned is stored as Parquet", async () => {
  const echo = await tablePlugin(
    "echo",
    `const [time, value, count, site] = inputs[0].table;
    if (!(count.values instanceof Int32Array)) throw new Error("count is not an Int32Array");
    if (!(inputs[0].bytes instanceof Uint8Array)) throw new Error("the bytes are missing");
    return [
      { ...time, values: time.values },
      value,
      { name: "count", values: Array.from(count.values, (c: number) => c * 10), type: "int32" },
      site,
      { name: "types", values: inputs[0].table.slice(0, 3).map((c: { type: string }) => c.type) },
    ];`,
  );
  await withHost({}, async (host) => {
    const root = await pondWithTable(host, echo, "file:table", [TABLE]);
    assert.deepEqual(await rows(await root.read("/p/out")), [
      { time: new Date(1000), value: 1.5, count: 10, site: "north", types: "timestamp[us, UTC]" },
      { time: new Date(2000), value: null, count: 20, site: "south", types: "float64" },
      { time: new Date(3000), value: 3.5, count: 30, site: null, types: "int32" },
    ]);
  });
});

Deno.test("tables: a series input is every version, oldest first; versions of other columns are refused", async () => {
  const count = await tablePlugin(
    "count",
    "return [{ name: 'n', values: [inputs[0].table[2].values.length], type: 'int64' }];",
  );
  const other = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: "x", data: [1] }] }));
  await withHost({}, async (host) => {
    const root = await pondWithTable(host, count, "file:series", [TABLE, TABLE]);
    assert.deepEqual(await rows(await root.read("/p/out")), [{ n: 6n }]);
    const odd = await pondWithTable(host, count, "file:series", [TABLE, other]);
    await rejectsWithPlugin(
      odd.read("/p/out"),
      "InvalidInput",
      "count",
      /cannot be handed \/in\/t as a table: its versions have different columns/,
    );
    const notParquet = await pondWithTable(host, count, "file:table", [new Uint8Array([1, 2])]);
    await rejectsWithPlugin(notParquet.read("/p/out"), "InvalidInput", "count");
  });
});

Deno.test("tables: decodeParquet and encodeParquet cross as Arrow IPC; the codec is the plugin's own too", async () => {
  const both = await tablePlugin(
    "both",
    `const decoded = await host.decodeParquet(inputs[0].bytes);
    const ipc = host.tableToIPC([{ name: "s", values: ["a", "é", null] }]);
    const again = host.tableFromIPC(ipc);
    const parquet = await host.encodeParquet([
      decoded[1],
      { name: "legacy", type: "STRING", values: again[0].values },
      { name: "json", type: "JSON", values: [{ a: 1 }, null, [2]] },
    ]);
    return parquet;`,
  );
  await withHost({}, async (host) => {
    const root = await pondWithTable(host, both, "file:table", [TABLE]);
    assert.deepEqual(await rows(await root.read("/p/out")), [
      { value: 1.5, legacy: "a", json: '{"a":1}' },
      { value: null, legacy: "é", json: null },
      { value: 3.5, legacy: null, json: "[2]" },
    ]);
  });
  const raw = await tablePlugin(
    "raw",
    "return host.tableToIPC([{ name: 'v', values: new Float64Array([1, 2]) }]);",
  );
  await withHost({}, async (host) => {
    const root = await pondWithTable(host, raw, "file:table", [TABLE]);
    const table = arrow.tableFromIPC(await root.read("/p/out"));
    assert.deepEqual(table.getChild("v")!.toArray(), new Float64Array([1, 2]));
  });
});

Deno.test("tables: a table that cannot be written fails in the plugin; one the host cannot read is InvalidReply", async () => {
  const mixed = await tablePlugin("mixed", "return [{ name: 'a', values: [1, 'x'] }];");
  const corrupting = await tablePlugin(
    "corrupting",
    "DataView.prototype.setInt32 = () => {};\nreturn [{ name: 'a', values: [1, 2] }];",
  );
  await withHost({}, async (host) => {
    await rejectsWithPlugin(
      (await pondWithTable(host, mixed, "file:table", [TABLE])).read("/p/out"),
      "PluginFailed",
      "mixed",
      /failed in read\(\) of \/p\/out: ArrowIpcError: column a \(float64\) has string x at row 1/,
    );
    await rejectsWithPlugin(
      (await pondWithTable(host, corrupting, "file:table", [TABLE])).read("/p/out"),
      "InvalidReply",
      "corrupting",
      /read\(\) returned a table the host cannot read: the stream has no schema/,
    );
  });
});
