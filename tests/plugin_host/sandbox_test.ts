/** Tests for running plugins: one sandbox per plugin per host, errors and bad replies named, the pond untouched. */

import assert from "node:assert/strict";
import { isPluginError } from "../../src/plugin_host/mod.ts";
import { manifest, plugin, pondWith, rejectsWithPlugin, text, withHost } from "./helpers.ts";

/** A plugin whose entries() runs `body` with `inputs.src` (the matches of its `src` glob). */
const entriesPlugin = (name: string, body: string, extra = "") =>
  plugin(
    manifest(name, { src: { type: "glob", required: false, default: "/in/*" } }) +
      `export function entries({ inputs }: { inputs: { src: { path: string }[] } }) {\n${body}\n}\n${extra}`,
  );

Deno.test("sandbox: start-up is paid once per plugin per host, whatever the number of calls", async () => {
  const counting = await plugin(
    manifest("counting", { src: { type: "glob", required: true } }) + `
    console.log("loaded");
    let calls = 0;
    export function entries({ inputs }: { inputs: { src: { path: string; name: string }[] } }) {
      return inputs.src.map((m) => ({ name: m.name, compute: { inputs: [m.path] } }));
    }
    export function read({ inputs }: { inputs: { bytes: Uint8Array }[] }) {
      calls += 1;
      return new TextDecoder().decode(inputs[0].bytes).toUpperCase() + " #" + calls;
    }`,
  );
  const output: string[] = [];
  await withHost({ onOutput: (name, chunk) => output.push(`${name}: ${chunk}`) }, async (host) => {
    const files = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`/in/f${i}`, `file ${i}`]),
    );
    const { fs } = await pondWith(host, files, [["/a", counting, { src: "/in/*" }], [
      "/b",
      counting,
      { src: "/in/f1*" },
    ]]);
    const root = await fs.root();
    const listing = await root.list("/a");
    const contents = await Promise.all(listing.map(async (e) => text(await e.read())));
    assert.equal(contents.length, 20);
    assert.deepEqual(
      contents.map((c) => c.replace(/ #\d+$/, "")).sort(),
      Object.values(files).map((v) => v.toUpperCase()).sort(),
    );
    assert.deepEqual(
      contents.map((c) => Number(c.split("#")[1])).sort((x, y) => x - y),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.equal(text(await root.read("/b/f1")), "FILE 1 #21");
  });
  assert.deepEqual(output, ["counting: loaded\n"]);
});

Deno.test("sandbox: a plugin that throws fails the read with its error, where it threw, and its name", async () => {
  const thrower = await entriesPlugin(
    "thrower",
    `  if (inputs.src.length > 0) {\n    throw new TypeError("no inputs expected");\n  }\n  return [];`,
  );
  const stringly = await entriesPlugin("stringly", "  throw 'just a string';");
  const atLoad = await entriesPlugin(
    "at-load",
    "  return [];",
    "throw new Error('broken at load');",
  );
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, { "/in/a": "A" }, [["/t", thrower, {}], [
      "/s",
      stringly,
      {},
    ], ["/l", atLoad, {}]]);
    const root = await fs.root();
    await rejectsWithPlugin(
      root.list("/t"),
      "PluginFailed",
      "thrower",
      /^plugin thrower failed in entries\(\): TypeError: no inputs expected \(at thrower\.ts:4:11\)$/,
    );
    await rejectsWithPlugin(
      root.list("/s"),
      "PluginFailed",
      "stringly",
      /failed in entries\(\): Error: just a string$/,
    );
    await rejectsWithPlugin(
      root.list("/l"),
      "PluginFailed",
      "at-load",
      /^plugin at-load failed to load: Error: broken at load \(at at-load\.ts:5:7\)$/,
    );
    await rejectsWithPlugin(root.list("/l"), "PluginFailed", "at-load", /failed to load/);
  });
});

Deno.test("sandbox: replies that are not data, or not entries, are InvalidReply naming the plugin", async () => {
  const cases: [string, string, RegExp][] = [
    [
      "a-function",
      "  return [{ name: 'f', input: () => 1 }];",
      /returned something from entries\(\) that is not plain data \(Error: \(\)=>1 could not be cloned/,
    ],
    [
      "not-a-list",
      "  return { name: 'x' };",
      /computed \/d wrongly: entries\(\) must return a list of entries/,
    ],
    ["nameless", "  return [{ input: inputs.src[0].path }];", /entry 0 has no name/],
    [
      "slash",
      "  return [{ name: 'a/b', input: inputs.src[0].path }];",
      /entry "a\/b" has a name containing \//,
    ],
    [
      "dotdot",
      "  return [{ name: '..', input: inputs.src[0].path }];",
      /entry "\.\." has the reserved name \.\./,
    ],
    ["empty", "  return [{ name: '', input: inputs.src[0].path }];", /entry "" has an empty name/],
    [
      "twice",
      "  return [{ name: 'a', input: inputs.src[0].path }, { name: 'a', input: inputs.src[0].path }];",
      /entry "a" has a name it already produced/,
    ],
    [
      "both",
      "  return [{ name: 'a', input: inputs.src[0].path, directory: {} }];",
      /exactly one of input, compute or directory/,
    ],
    [
      "unhanded",
      "  return [{ name: 'secret', input: '/private/key' }];",
      /entry "secret"'s input "\/private\/key" is not a path it was handed/,
    ],
    [
      "compute-dir",
      "  return [{ name: 'x', compute: { inputs: ['/in'] } }];",
      /not a path it was handed/,
    ],
    [
      "bad-type",
      "  return [{ name: 'x', compute: {}, entryType: 'file:video' }];",
      /entryType "file:video" is not one of file:data, file:table, file:series/,
    ],
    [
      "bad-subconfig",
      "  return [{ name: 'x', directory: { nope: 1 } }];",
      /entry "x"'s directory has a bad config for plugin bad-subconfig: unknown field "nope"/,
    ],
    [
      "escaping-subdir",
      "  return [{ name: 'x', directory: { src: '/private/*' } }];",
      /reads "\/private\/\*", which is neither a file it was handed nor beneath a directory/,
    ],
    [
      "unhanded-file-subdir",
      "  return [{ name: 'x', directory: { src: '/private/key' } }];",
      /reads "\/private\/key", which is neither a file it was handed nor beneath a directory/,
    ],
  ];
  for (const [name, body, pattern] of cases) {
    const p = await entriesPlugin(name, body);
    await withHost({}, async (host) => {
      const { fs } = await pondWith(host, { "/in/a": "A", "/private/key": "SECRET" }, [[
        "/d",
        p,
        {},
      ]]);
      await rejectsWithPlugin(
        (async () => {
          for (const entry of await (await fs.root()).list("/d")) await entry.read();
        })(),
        "InvalidReply",
        name,
        pattern,
      );
    });
  }
});

Deno.test("sandbox: read() must return bytes or text; a subdirectory may look inside what it was handed, or name a handed file", async () => {
  const numbers = await plugin(
    manifest("numbers", { src: { type: "glob", required: true } }) + `
    export function entries({ inputs }: { inputs: { src: { path: string; name: string; kind: string }[] } }) {
      return inputs.src.flatMap((m) => m.kind === "directory"
        ? [{ name: m.name, directory: { src: m.path + "/*" } }]
        : [
          { name: m.name, compute: { inputs: [m.path], args: { scale: 2 } } },
          { name: m.name + ".only", directory: { src: m.path } },
        ]);
    }
    export function read({ inputs, args }: { inputs: { bytes: Uint8Array }[]; args: { scale: number } }) {
      const n = Number(new TextDecoder().decode(inputs[0].bytes));
      return Number.isNaN(n) ? n : new Uint8Array([n * args.scale]);
    }`,
  );
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, { "/in/a": "3", "/in/sub/b": "4", "/in/sub/c": "x" }, [[
      "/n",
      numbers,
      { src: "/in/*" },
    ]]);
    const root = await fs.root();
    assert.deepEqual([...await root.read("/n/a")], [6]);
    assert.deepEqual([...await root.read("/n/sub/b")], [8]);
    assert.deepEqual([...await root.read("/n/a.only/a")], [6]);
    await rejectsWithPlugin(
      root.read("/n/sub/c"),
      "InvalidReply",
      "numbers",
      /read\(\) returned number; return the file's content as a Uint8Array, a string, or a table/,
    );
  });
});

Deno.test("sandbox: failing plugins leave the pond as it was", async () => {
  const thrower = await entriesPlugin("thrower", "  throw new Error('no');");
  await withHost({}, async (host) => {
    const { fs, store } = await pondWith(host, { "/in/a": "A" }, [["/t", thrower, {}]]);
    const before = store.commits.length;
    await rejectsWithPlugin(
      fs.transact({ command: ["cp"] }, async (root) => {
        await root.createFile("/in/b", "B");
        for (const entry of await root.list("/t")) {
          await root.createFile(`/out/${entry.name}`, await entry.read());
        }
      }),
      "PluginFailed",
      "thrower",
    );
    assert.equal(store.commits.length, before);
    const root = await fs.root();
    assert.deepEqual((await root.list("/in")).map((e) => e.name), ["a"]);
    assert.equal(await root.exists("/out"), false);
  });
});

Deno.test("sandbox: console output goes to onOutput, never into the protocol", async () => {
  const chatty = await entriesPlugin(
    "chatty",
    `
    console.log("log", { a: 1 });
    console.info("info");
    console.table([{ x: 1 }]);
    console.error("error");
    return inputs.src.map((m) => ({ name: "copy", input: m.path }));`,
  );
  const output: string[] = [];
  await withHost({ onOutput: (_, chunk) => output.push(chunk) }, async (host) => {
    const { fs } = await pondWith(host, { "/in/a": "A" }, [["/c", chatty, {}]]);
    assert.equal(text(await (await fs.root()).read("/c/copy")), "A");
  });
  const printed = output.join("");
  for (const word of ["log", "info", "error", "x"]) assert.match(printed, new RegExp(word));
});

Deno.test("sandbox: Parquet capabilities — bad columns are the plugin's error; decoding hands back columns", async () => {
  const tables = await plugin(
    manifest("tables", { src: { type: "glob", required: true } }) + `
    interface Host { encodeParquet(c: unknown): Promise<Uint8Array>; decodeParquet(b: Uint8Array): Promise<{ name: string; values: unknown[] }[]> }
    export function entries({ inputs }: { inputs: { src: { path: string; name: string }[] } }) {
      return [{ name: "sums", compute: { inputs: inputs.src.map((m) => m.path) } }, { name: "bad", compute: { args: "bad" } }];
    }
    export async function read({ inputs, args }: { inputs: { path: string; bytes: Uint8Array }[]; args?: string }, host: Host) {
      if (args === "bad") return await host.encodeParquet([{ name: "a", values: [1] }, { name: "b", values: [] }]);
      const lines = [];
      for (const input of inputs) {
        const columns = await host.decodeParquet(input.bytes);
        lines.push(input.path + ": " + columns.map((c) => c.name + "=" + c.values.reduce((s: number, v) => s + Number(v), 0)).join(" "));
      }
      return lines.join("\\n");
    }`,
  );
  const { parquetWriteBuffer } = await import("hyparquet-writer");
  const parquet = new Uint8Array(
    parquetWriteBuffer({
      columnData: [{ name: "v", data: [1, 2, 3.5] }, { name: "n", data: [10, 20, 30] }],
    }),
  );
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, { "/t/x.parquet": parquet }, [["/s", tables, {
      src: "/t/*.parquet",
    }]]);
    const root = await fs.root();
    assert.equal(text(await root.read("/s/sums")), "/t/x.parquet: v=6.5 n=60");
    await rejectsWithPlugin(
      root.read("/s/bad"),
      "PluginFailed",
      "tables",
      /Error: column b has 0 values, but a has 1/,
    );
  });
});

Deno.test("sandbox: after close, calls fail with Closed and start nothing", async () => {
  const p = await entriesPlugin("late", "  return [];");
  const { fs, host } = await withHost(
    {},
    async (host) => ({ host, ...await pondWith(host, {}, [["/l", p, {}]]) }),
  );
  await assert.rejects(
    (await fs.root()).list("/l"),
    (e) =>
      isPluginError(e, "Closed") &&
      /plugin late was called after its host was closed/.test(e.message),
  );
  await host.close();
});
