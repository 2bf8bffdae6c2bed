/** Tests for the built-in plugins (visit, reverse, derived), run in real sandboxes over an in-memory pond. */

import assert from "node:assert/strict";
import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { builtinPlugins, loadPlugin, PluginFile } from "../../src/plugin_host/mod.ts";
import { BUILTIN_SOURCES } from "../../src/plugin_host/builtin.ts";
import { builtinCatalog, CATALOG_URL } from "../../src/plugin_host/builtin_catalog.ts";
import { pondWith, rejectsWithPlugin, text, withHost } from "./helpers.ts";

const { visit, reverse, derived } = await builtinPlugins();
const samples = new URL("../../samples/", import.meta.url);
const north = await Deno.readFile(new URL("lake_north.csv", samples));
const south = await Deno.readFile(new URL("lake_south.csv", samples));

Deno.test("builtin: the built-in plugins load from their embedded sources", () => {
  assert.deepEqual([visit, reverse, derived].map((p) => [p.manifest.name, p.manifest.provides]), [
    ["visit", ["directory"]],
    ["reverse", ["directory"]],
    ["derived", ["directory", "file"]],
  ]);
  for (const p of [visit, reverse, derived]) assert.deepEqual(p.permissions, { net: [] });
});

Deno.test("builtin: the manifest catalog is what loading each source reads, so nothing is parsed at start", async () => {
  const kept = JSON.parse(await Deno.readTextFile(CATALOG_URL));
  assert.deepEqual(
    kept,
    JSON.parse(await builtinCatalog()),
    `${CATALOG_URL.pathname} is stale; regenerate it: node_modules/.bin/deno run --no-prompt ` +
      "--allow-write=src/plugin_host src/plugin_host/builtin_catalog.ts",
  );
  const loaded = await Promise.all(
    Object.entries(BUILTIN_SOURCES).map(([file, source]) =>
      loadPlugin(new TextEncoder().encode(source), { label: file })
    ),
  );
  assert.deepEqual(
    await builtinPlugins(),
    Object.fromEntries(loaded.map((p) => [p.manifest.name, p])),
  );
});

Deno.test("builtin visit: glob matches named by their captures, read as they are", async () => {
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, {
      "/in/a/1.txt": "Content A",
      "/in/a/b/1.txt": "Content A-B",
      "/in/a/c/1.txt": "Content A-C",
      "/in/b/a/1.txt": "Content B-A",
    }, [["/away/visit-test", visit, { patterns: ["/in/**/1.txt"] }]]);
    const root = await fs.root();
    const listing = await root.list("/away/visit-test");
    assert.deepEqual(
      await Promise.all(listing.map(async (e) => [e.name, text(await e.read())])),
      [["a", "Content A"], ["a_b", "Content A-B"], ["a_c", "Content A-C"], ["b_a", "Content B-A"]],
    );
    assert.equal(text(await root.read("/away/visit-test/a_b")), "Content A-B");
    const meta = await root.metadata("/away/visit-test/a_c");
    assert.deepEqual([meta.kind, meta.entryType, meta.computed, meta.size], [
      "file",
      "file:data",
      true,
      11,
    ]);
  });
});

Deno.test("builtin visit: several globs, a name template, and matched directories shown whole", async () => {
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, {
      "/sondes/north/2024.csv": "n24",
      "/sondes/south/2025.csv": "s25",
      "/extra/x.csv": "x",
      "/extra/more/y.csv": "y",
      "/src/d/inner.txt": "I",
      "/src/top.txt": "T",
    }, [
      ["/all", visit, { patterns: ["/sondes/*/*.csv", "/extra/*/*.csv"], name: "$0_$1.csv" }],
      ["/dirs", visit, { patterns: ["/src/d"] }],
      ["/bad", visit, { patterns: ["/extra/*.csv"], name: "$0_$1.csv" }],
    ]);
    const root = await fs.root();
    assert.deepEqual((await root.list("/all")).map((e) => e.name), [
      "more_y.csv",
      "north_2024.csv",
      "south_2025.csv",
    ]);
    assert.equal(text(await root.read("/all/more_y.csv")), "y");
    await rejectsWithPlugin(
      root.list("/bad"),
      "PluginFailed",
      "visit",
      /uses \$1, but the match has 1 capture/,
    );
    assert.deepEqual((await root.list("/dirs")).map((e) => [e.name, e.kind]), [["d", "directory"]]);
    assert.equal(text(await root.read("/dirs/d/inner.txt")), "I");
  });
});

Deno.test("builtin visit: registered at a pattern, relative globs read each served directory's siblings", async () => {
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, {
      "/sites/a/t.csv": "A",
      "/sites/b/t.csv": "B",
      "/sites/b/u.csv": "U",
    }, [
      ["/unused", visit, { patterns: ["/nothing"] }],
    ]);
    await fs.transact(
      { command: ["register"] },
      (root) =>
        root.registerDynamic("/sites/*/csv", "visit", JSON.stringify({ patterns: ["*.csv"] })),
    );
    const root = await fs.root();
    assert.deepEqual((await root.list("/sites/a/csv")).map((e) => e.name), ["t"]);
    assert.deepEqual((await root.list("/sites/b/csv")).map((e) => e.name), ["t", "u"]);
    assert.equal(text(await root.read("/sites/b/csv/u")), "U");
  });
});

Deno.test("builtin reverse: another directory's entries under reversed names, directories in turn", async () => {
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, {
      "/1/hello.txt": "Hello World",
      "/1/test.bin": "Binary Data",
      "/1/sub/inner": "I",
      "/1/we*rd/x": "W",
    }, [["/2", reverse, { source: "/1/*" }]]);
    const root = await fs.root();
    assert.deepEqual((await root.list("/2")).map((e) => [e.name, e.kind]), [
      ["bus", "directory"],
      ["dr*ew", "directory"],
      ["nib.tset", "file"],
      ["txt.olleh", "file"],
    ]);
    assert.equal(text(await root.read("/2/txt.olleh")), "Hello World");
    assert.equal(text(await root.read("/2/bus/renni")), "I");
    assert.equal(text(await root.read("/2/dr*ew/x")), "W");
    const chunks = await Array.fromAsync(await root.stream("/2/nib.tset"));
    assert.equal(text(chunks[0]), "Binary Data");
  });
});

Deno.test("builtin derived: concat-csv joins every input's rows under one header", async () => {
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, {
      "/sondes/lake_north.csv": north,
      "/sondes/lake_south.csv": south,
      "/odd/q.csv": 'a,b\n"x, ""quoted""",2\r\n"multi\nline",3',
      "/odd/r.csv": "a,b\n4,5\n",
      "/mixed/s.csv": "a,c\n1,2\n",
    }, [
      ["/tables", derived, { inputs: ["/sondes/*.csv"], transform: "concat-csv" }],
      ["/odd-all", derived, { inputs: ["/odd/*.csv"], transform: "concat-csv", name: "both.csv" }],
      ["/clash", derived, { inputs: ["/odd/r.csv", "/mixed/*.csv"], transform: "concat-csv" }],
    ]);
    const root = await fs.root();
    const all = text(await root.read("/tables/all.csv"));
    const lines = all.trimEnd().split("\n");
    const [northLines, southLines] = [north, south].map((b) => text(b).trimEnd().split("\n"));
    assert.equal(lines.length, northLines.length + southLines.length - 1);
    assert.deepEqual(lines, [...northLines, ...southLines.slice(1)]);
    assert.equal(
      text(await root.read("/odd-all/both.csv")),
      'a,b\n"x, ""quoted""",2\n"multi\nline",3\n4,5\n',
    );
    await rejectsWithPlugin(
      root.read("/clash/all.csv"),
      "PluginFailed",
      "derived",
      /failed in read\(\) of \/clash\/all\.csv: Error: \/mixed\/s\.csv has columns a,c, but \/odd\/r\.csv has a,b.*\(at derived\.ts:\d+:\d+\)/,
    );
  });
});

Deno.test("builtin derived: csv-to-parquet makes one Parquet table per input, encoded by the host", async () => {
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, {
      "/sondes/lake_north.csv": north,
      "/sondes/lake_south.csv": south,
      "/sondes/notes.csv": "site,note\nnorth,\nsouth,clean\n",
    }, [["/parquet", derived, { inputs: ["/sondes/*.csv"], transform: "csv-to-parquet" }]]);
    const root = await fs.root();
    const listing = await root.list("/parquet");
    assert.deepEqual(listing.map((e) => [e.name, e.entryType]), [
      ["lake_north.parquet", "file:table"],
      ["lake_south.parquet", "file:table"],
      ["notes.parquet", "file:table"],
    ]);
    const rows = await parquetReadObjects({
      file: (await root.read("/parquet/lake_north.parquet")).slice().buffer,
      compressors,
    });
    const [header, ...body] = text(north).trimEnd().split("\n").map((l) => l.split(","));
    assert.equal(rows.length, body.length);
    assert.deepEqual(Object.keys(rows[0]), header);
    assert.deepEqual(
      rows[5],
      Object.fromEntries(
        header.map((h, j) => [h, j === 0 ? new Date(body[5][j]) : Number(body[5][j])]),
      ),
    );
    const notes = await parquetReadObjects({
      file: (await root.read("/parquet/notes.parquet")).slice().buffer,
      compressors,
    });
    assert.deepEqual(notes, [{ site: "north", note: null }, { site: "south", note: "clean" }]);
  });
});

Deno.test("builtin derived: as a dynamic file, it computes one table from every match", async () => {
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, {
      "/in/a.csv": "t,v\n1,2\n",
      "/in/b.csv": "t,v\n3,4\n",
      "/in/d/c.csv": "t,v\n5,6\n",
    }, []);
    const files = host.fileFactory(derived);
    const concat = await files.open(
      new TextEncoder().encode("inputs: [/in/*.csv, /in/*]\ntransform: concat-csv\n"),
    );
    assert.ok(concat instanceof PluginFile);
    const root = await fs.root();
    const context = { fs: root, path: "/views/all.csv", captures: [] };
    assert.equal(text(await concat.read(context)), "t,v\n1,2\n3,4\n");
    const parquet = await files.open(
      new TextEncoder().encode('{"inputs": ["/in/*.csv"], "transform": "csv-to-parquet"}'),
    );
    await rejectsWithPlugin(
      parquet.read(context),
      "PluginFailed",
      "derived",
      /one CSV file at a time, not 2; use it as a directory/,
    );
    await assert.rejects(
      files.open(new TextEncoder().encode("inputs: [/in/*]\ntransform: sum")),
      /config for plugin derived: field "transform" must be one of concat-csv, csv-to-parquet/,
    );
    assert.throws(() => host.fileFactory(visit), /plugin visit provides directory, not a file/);
  });
});
