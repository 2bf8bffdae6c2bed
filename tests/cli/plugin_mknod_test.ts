/** pond mknod across real processes: each built-in plugin, patterns, time travel, bad configs, failing plugins. */
import assert from "node:assert/strict";
import {
  assertFails,
  assertOk,
  BUILTIN_PLUGINS,
  type TestPond,
  withPond,
} from "../pond/fixture.ts";
import { commits, hostFile, pond } from "./plugin_helpers.ts";

/** Two sites' readings: /sites/north/r.csv and /sites/south/r.csv. */
function sites(p: TestPond) {
  return p.change(async (root) => {
    await root.write("/sites/north/r.csv", "t,v\n1,2\n", { parents: true });
    await root.write("/sites/south/r.csv", "t,v\n3,4\n", { parents: true });
  });
}

Deno.test("mknod visit names entries from the captures; list -l shows the plugin; rm removes the node", async () => {
  await withPond(async (p) => {
    await sites(p);
    const config = await hostFile(p, "v.yaml", 'patterns: [/sites/*/r.csv]\nname: "$0.csv"\n');
    assertOk(await pond(p, ["mknod", "visit", "/views/by-site", "--config", config, "-p"]));
    assert.equal(
      assertOk(await pond(p, ["list", "/views/by-site"])).stdout,
      "/views/by-site/north.csv\n/views/by-site/south.csv\n",
    );
    assert.equal(assertOk(await pond(p, ["cat", "/views/by-site/south.csv"])).stdout, "t,v\n3,4\n");
    assert.match(
      assertOk(await pond(p, ["list", "-l", "/views"])).stdout,
      /^directory:dynamic .* \/views\/by-site \[visit\]\n$/,
    );
    assertOk(await pond(p, ["rm", "-r", "/views/by-site"]));
    assert.equal(assertOk(await pond(p, ["list", "/views"])).stdout, "");
  });
});

Deno.test("mknod reverse, and derived: a concatenated CSV to cat, a Parquet table to describe", async () => {
  await withPond(async (p) => {
    await sites(p);
    const reverse = await hostFile(p, "r.yaml", "source: /sites/*\n");
    const concat = await hostFile(
      p,
      "c.json",
      '{"inputs": ["/sites/*/r.csv"], "transform": "concat-csv"}',
    );
    const parquet = await hostFile(
      p,
      "p.yaml",
      "inputs: [/sites/*/r.csv]\ntransform: csv-to-parquet\n",
    );
    assertOk(await pond(p, ["mknod", "reverse", "/rev", "--config", reverse]));
    assertOk(await pond(p, ["mknod", "derived", "/all", "--directory", "--config", concat]));
    assertOk(await pond(p, ["mknod", "derived", "/tables", "--directory", "--config", parquet]));
    assert.equal(
      assertOk(await pond(p, ["list", "/rev", "/rev/htron"])).stdout,
      "/rev/htron\n/rev/htuos\n/rev/htron/vsc.r\n",
    );
    assert.equal(assertOk(await pond(p, ["cat", "/all/all.csv"])).stdout, "t,v\n1,2\n3,4\n");
    const [table] = JSON.parse(
      assertOk(await pond(p, ["describe", "/tables/north.parquet", "--json"])).stdout,
    );
    assert.equal(table.entryType, "file:table");
    assert.equal(table.computed, true);
    assert.deepEqual(
      table.schema.columns.map((c: { name: string; type: string }) => [c.name, c.type]),
      [
        ["t", "DOUBLE"],
        ["v", "DOUBLE"],
      ],
    );
    assert.equal(table.schema.rows, 1);
  });
});

Deno.test("mknod of a pattern serves every matching directory, existing and new, with its captures", async () => {
  await withPond(async (p) => {
    await sites(p);
    const config = await hostFile(p, "v.yaml", 'patterns: ["/sites/*/r.csv"]\nname: "$0"\n');
    assertOk(await pond(p, ["mknod", "visit", "/sites/*/summary", "--config", config]));
    assertOk(await pond(p, ["mkdir", "/sites/east"]));
    assert.equal(
      assertOk(await pond(p, ["list", "/sites/*/summary"])).stdout,
      "/sites/east/summary\n/sites/north/summary\n/sites/south/summary\n",
    );
    assert.equal(
      assertOk(await pond(p, ["list", "/sites/east/summary"])).stdout,
      "/sites/east/summary/north\n/sites/east/summary/south\n",
    );
    assert.match(
      assertOk(await pond(p, ["list", "-l", "/sites/east"])).stdout,
      /\/sites\/east\/summary \[visit via \/sites\/\*\/summary\]\n$/,
    );
    assertFails(
      await pond(p, ["rm", "-r", "/sites/east/summary"]),
      1,
      "pond: cannot change /sites/east/summary: it is served by the registered pattern " +
        "/sites/*/summary; unregister the pattern to remove it\n",
    );
    assertOk(await pond(p, ["plugin", "unregister", "/sites/*/summary"]));
    assert.equal(assertOk(await pond(p, ["list", "/sites/east"])).stdout, "");
  });
});

Deno.test("a pattern's plugin gets the captures of the place it serves", async () => {
  await withPond(async (p) => {
    await sites(p);
    const echo = await hostFile(
      p,
      "echo.ts",
      `export const manifest = { name: "echo", version: "1.0.0", provides: ["directory"] };
export function entries({ captures }: { captures: string[] }) {
  return [{ name: "site", compute: { args: { site: captures[0] } } }];
}
export function read({ args }: { args: { site: string } }) { return args.site + "\\n"; }
`,
    );
    assertOk(await pond(p, ["plugin", "add", echo, "--yes"]));
    assertOk(
      await pond(p, ["mknod", "echo", "/sites/*/who", "--config", await hostFile(p, "e.yaml", "")]),
    );
    assert.equal(
      assertOk(await pond(p, ["cat", "/sites/north/who/site", "/sites/south/who/site"])).stdout,
      "north\nsouth\n",
    );
  });
});

Deno.test("time travel: before mknod there is no node; a replaced config is still there as it was", async () => {
  await withPond(async (p) => {
    const before = await sites(p);
    const north = await hostFile(p, "n.yaml", "patterns: [/sites/north/*.csv]\n");
    const south = await hostFile(p, "s.yaml", "patterns: [/sites/south/*.csv]\n");
    assertOk(await pond(p, ["mknod", "visit", "/v", "--config", north]));
    const first = String((await commits(p)) - 1);
    assertFails(
      await pond(p, ["mknod", "visit", "/v", "--config", south]),
      2,
      "pond mknod: cannot ask whether to replace it (/v is a dynamic directory of plugin visit): " +
        "stdin is not a terminal; pass --yes to go ahead\n",
    );
    assertOk(await pond(p, ["mknod", "visit", "/v", "--config", south, "--yes"]));
    assert.equal(assertOk(await pond(p, ["cat", "/v/r"])).stdout, "t,v\n3,4\n");
    assert.equal(assertOk(await pond(p, ["cat", "/v/r", "--at", first])).stdout, "t,v\n1,2\n");
    assertFails(
      await pond(p, ["list", "/v", "--at", String(before)]),
      1,
      "pond: /v does not exist\n",
    );
  });
});

Deno.test("a bad config is refused before anything is written, naming the field", async () => {
  await withPond(async (p) => {
    const head = await commits(p);
    const unknown = await hostFile(p, "u.yaml", "patterns: [/a/*]\ncolour: blue\n");
    const missing = await hostFile(p, "m.json", '{"name": "$0"}');
    assertFails(
      await pond(p, ["mknod", "visit", "/v", "--config", unknown]),
      1,
      'pond: config for plugin visit: unknown field "colour"; its fields are patterns, name\n',
    );
    assertFails(
      await pond(p, ["mknod", "visit", "/v", "--config", missing]),
      1,
      'pond: config for plugin visit: field "patterns" is required ' +
        "(glob[]: what to gather, e.g. [/in/*/*.csv])\n",
    );
    assertFails(
      await pond(p, ["mknod", "nope", "/v", "--config", missing]),
      1,
      `pond: there is no plugin named nope (there are ${BUILTIN_PLUGINS.join(", ")}); ` +
        "add one with 'pond plugin add FILE'\n",
    );
    assertFails(
      await pond(p, ["mknod", "visit", "/v"]),
      2,
      "pond mknod: missing --config FILE (the plugin's config, YAML or JSON)\n",
    );
    assertFails(
      await pond(p, ["mknod", "visit", "/v", "--config", `${p.host}/none.yaml`]),
      1,
      `pond: cannot read ${p.host}/none.yaml: no such file on this computer\n`,
    );
    assert.equal(await commits(p), head);
  });
});

Deno.test("a plugin that loops fails the command within the deadline, naming it; --verbose shows its output", async () => {
  await withPond(async (p) => {
    const spin = await hostFile(
      p,
      "spin.ts",
      `export const manifest = { name: "spin", version: "1.0.0", provides: ["directory"] };
export function entries() { console.log("about to spin"); for (;;) { /* forever */ } }
`,
    );
    assertOk(await pond(p, ["plugin", "add", spin, "--yes"]));
    assertOk(
      await pond(p, ["mknod", "spin", "/spin", "--config", await hostFile(p, "e.json", "{}")]),
    );
    const head = await commits(p);
    const env = { POND_PLUGIN_DEADLINE_MS: "2000" };
    assertFails(
      await pond(p, ["list", "/spin"], env),
      1,
      "pond: plugin spin did not answer entries() within 2000 ms and was stopped; " +
        "fix the plugin if it loops, or give it a longer deadline\n",
    );
    const verbose = await pond(p, ["cp", "/spin/x", "/copy", "-v"], env);
    assert.equal(verbose.code, 1);
    assert.match(verbose.stderr, /^plugin spin: about to spin$/m);
    assert.equal(await commits(p), head, "the failed copy changed nothing");
    assertFails(
      await pond(p, ["list", "/"], { POND_PLUGIN_DEADLINE_MS: "soon" }),
      2,
      "pond list: POND_PLUGIN_DEADLINE_MS is a whole number of milliseconds, like 5000, not 'soon'\n",
    );
  });
});

Deno.test("a plugin that throws or answers wrongly fails the command in one line naming it", async () => {
  await withPond(async (p) => {
    const bad = await hostFile(
      p,
      "bad.ts",
      `export const manifest = { name: "bad", version: "1.0.0", provides: ["directory"],
  config: { mode: { type: "string", required: true } } };
export function entries({ config }: { config: { mode: string } }) {
  if (config.mode === "throw") throw new Error("no sondes answered");
  return [{ name: "../escape", compute: {} }];
}
`,
    );
    assertOk(await pond(p, ["plugin", "add", bad, "--yes"]));
    const throwing = await hostFile(p, "t.yaml", "mode: throw\n");
    const wrong = await hostFile(p, "w.yaml", "mode: reply\n");
    assertOk(await pond(p, ["mknod", "bad", "/throws", "--config", throwing]));
    assertOk(await pond(p, ["mknod", "bad", "/wrong", "--config", wrong]));
    assertFails(
      await pond(p, ["list", "/throws"]),
      1,
      /^pond: plugin bad failed in entries\(\): Error: no sondes answered/,
    );
    assertFails(
      await pond(p, ["cat", "/wrong/x"]),
      1,
      'pond: plugin bad computed /wrong wrongly: entry "../escape" has a name containing /; ' +
        "names must be distinct and hold no / or ..\n",
    );
  });
});
