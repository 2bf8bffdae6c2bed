/** pond apply through real processes: a setup file applied in one commit, again with none, dry runs, consent, stdin, and each kind of error leaving the pond as it was. */
import assert from "node:assert/strict";
import { oplogListing, pondProcess } from "../cli/harness.ts";
import { commits, hostFile, pond } from "../cli/plugin_helpers.ts";
import { assertOk, type TestPond, withPond } from "../pond/fixture.ts";

/** A plugin showing each file it is given under its name in capitals, its text in capitals. */
const SHOUT = `export const manifest = { name: "shout", version: "1.0.0", provides: ["directory"],
  config: { files: { type: "glob", required: true } } };
export function entries({ inputs }: { inputs: { files: { path: string; name: string }[] } }) {
  return inputs.files.map((f) => ({ name: f.name.toUpperCase(), compute: { inputs: [f.path] } }));
}
export function read({ inputs }: { inputs: { bytes: Uint8Array }[] }) {
  return new TextDecoder().decode(inputs[0].bytes).toUpperCase();
}
`;

/** The same plugin, named net, asking for network access to 127.0.0.1:9. */
const NET_PLUGIN = SHOUT.replace('"shout"', '"net"').replace(
  'provides: ["directory"],',
  'provides: ["directory"], permissions: { net: ["127.0.0.1:9"] },',
);

/** A setup using every kind of document, the plugin added and used in the same file. */
const SETUP = `# the sites and their readings
kind: mkdir
path: /sites/north
parents: true
---
kind: copy
from: host:north.csv
path: /sites/north/readings.csv
---
kind: plugin
from: host:plugins/shout.ts
---
kind: mknod
plugin: shout
path: /loud
config_file: host:shout.yaml
---
kind: mknod
plugin: visit
path: /views/csv
parents: true
config:
  patterns: [/sites/*/*.csv]
---
kind: mknod
plugin: derived
path: /sites/*/tables
config: {inputs: ["*.csv"], transform: csv-to-parquet}
`;

const CSV = "timestamp,temp\n2026-06-01T00:00:00Z,11.5\n";

/** Writes the setup's host files into `p`'s scratch directory; returns the setup's path. */
async function setUp(p: TestPond, setup = SETUP): Promise<string> {
  await Deno.mkdir(`${p.host}/plugins`, { recursive: true });
  await hostFile(p, "plugins/shout.ts", SHOUT);
  await hostFile(p, "shout.yaml", "files: /sites/*/*.csv\n");
  await hostFile(p, "north.csv", CSV);
  return await hostFile(p, "setup.yaml", setup);
}

type Applied = { index: number; kind: string; path: string; action: string };

function actions(stdout: string): string[] {
  const result = JSON.parse(stdout) as { documents: Applied[] };
  return result.documents.map((d) => `${d.index} ${d.action} ${d.kind} ${d.path}`);
}

Deno.test("apply makes every document in one commit, and again commits nothing", async () => {
  await withPond(async (p) => {
    const setup = await setUp(p);
    const before = await commits(p);
    const first = assertOk(await pond(p, ["apply", "-f", setup, "--yes", "--json"]));
    assert.deepEqual(actions(first.stdout), [
      "1 create mkdir /sites/north",
      "2 create copy /sites/north/readings.csv",
      "3 create plugin shout",
      "4 create mknod /loud",
      "5 create mknod /views/csv",
      "6 create mknod /sites/*/tables",
    ]);
    assert.equal(await commits(p), before + 1, "one transaction");
    assert.equal(JSON.parse(first.stdout).seq, before);
    const log = JSON.parse(assertOk(await pond(p, ["log", "--limit", "1", "--json"])).stdout);
    assert.deepEqual(log[0].command, [
      "apply",
      "-f",
      setup,
      "--yes",
      "--json",
    ]);
    assert.equal(assertOk(await pond(p, ["cat", "/loud/READINGS.CSV"])).stdout, CSV.toUpperCase());
    assert.equal(
      assertOk(await pond(p, ["list", "/views/csv", "/sites/north/tables"])).stdout,
      "/views/csv/north_readings\n/sites/north/tables/readings.parquet\n",
    );

    const listing = await oplogListing(p.dir, "");
    const again = assertOk(await pond(p, ["apply", "-f", setup]));
    assert.equal(
      again.stdout,
      [
        "1  unchanged  mkdir   /sites/north",
        "2  unchanged  copy    /sites/north/readings.csv",
        "3  unchanged  plugin  shout",
        "4  unchanged  mknod   /loud",
        "5  unchanged  mknod   /views/csv",
        "6  unchanged  mknod   /sites/*/tables",
        "",
      ].join("\n"),
      "no consent needed when nothing changes",
    );
    assert.equal(
      again.stderr,
      "pond apply: nothing to change: the pond is as the 6 documents say\n",
    );
    assert.deepEqual(await oplogListing(p.dir, ""), listing, "nothing written at all");
  });
});

Deno.test("apply --dry-run says what would change and writes nothing; stdin works", async () => {
  await withPond(async (p) => {
    const setup = await setUp(p);
    const listing = await oplogListing(p.dir, "");
    const dry = assertOk(await pond(p, ["apply", "-f", setup, "--dry-run"]));
    assert.match(dry.stdout, /^1 {2}would create {2}mkdir {3}\/sites\/north$/m);
    assert.match(dry.stdout, /^6 {2}would create {2}mknod {3}\/sites\/\*\/tables$/m);
    assert.match(dry.stderr, /dry run: 6 of 6 documents would change the pond; nothing committed/);
    assert.deepEqual(await oplogListing(p.dir, ""), listing, "a dry run writes nothing");

    const text = new TextEncoder().encode(await Deno.readTextFile(setup));
    // From stdin, relative host paths start in the working directory.
    const piped = await pondProcessIn(p, ["apply", "-f", "-", "--yes", "--json"], text);
    assert.equal(actions(piped.stdout).length, 6);
    const again = await pondProcessIn(p, ["apply", "-f", "host:-", "--json"], text);
    assert.deepEqual(
      actions(again.stdout).map((a) => a.split(" ")[1]),
      ["unchanged", "unchanged", "unchanged", "unchanged", "unchanged", "unchanged"],
    );
  });
});

async function pondProcessIn(p: TestPond, args: string[], stdin: Uint8Array) {
  return assertOk(await pondProcess(args, { POND: p.dir }, undefined, { stdin, cwd: p.host }));
}

Deno.test("apply asks consent for plugins and replacements; a changed file updates only what differs", async () => {
  await withPond(async (p) => {
    const setup = await setUp(p);
    const listing = await oplogListing(p.dir, "");
    const refused = await pond(p, ["apply", "-f", setup]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(
      refused.stderr,
      "  add plugin shout 1.0.0\n" +
        "pond apply: cannot ask whether to add plugin shout 1.0.0: stdin is not a terminal; " +
        "pass --yes to go ahead\n",
    );
    assert.deepEqual(await oplogListing(p.dir, ""), listing, "nothing applied without consent");
    assertOk(await pond(p, ["apply", "-f", setup, "--yes"]));

    await hostFile(p, "north.csv", CSV + "2026-06-01T01:00:00Z,12.0\n");
    await hostFile(
      p,
      "setup.yaml",
      SETUP.replace("patterns: [/sites/*/*.csv]", "patterns: [/x/*]"),
    );
    const head = await commits(p);
    const needs = await pond(p, ["apply", "-f", setup]);
    assert.equal(needs.code, 2);
    assert.match(
      needs.stderr,
      /^ {2}replace a dynamic directory of plugin visit at \/views\/csv with a dynamic directory of plugin visit \(its config differs\)$/m,
    );
    const changed = assertOk(await pond(p, ["apply", "-f", setup, "--yes", "--json"]));
    assert.deepEqual(actions(changed.stdout), [
      "1 unchanged mkdir /sites/north",
      "2 update copy /sites/north/readings.csv",
      "3 unchanged plugin shout",
      "4 unchanged mknod /loud",
      "5 replace mknod /views/csv",
      "6 unchanged mknod /sites/*/tables",
    ]);
    assert.equal(await commits(p), head + 1);
    const [described] = JSON.parse(
      assertOk(await pond(p, ["describe", "/sites/north/readings.csv", "--json"])).stdout,
    );
    assert.deepEqual(described.versions.map((v: { version: number }) => v.version), [1, 2]);
    assert.equal(
      assertOk(await pond(p, ["cat", "/sites/north/readings.csv"])).stdout,
      CSV + "2026-06-01T01:00:00Z,12.0\n",
    );
    assert.deepEqual(
      assertOk(await pond(p, ["list", "/views/csv"])).stdout,
      "",
      "the visit directory has the new config (no /x)",
    );
  });
});

/** Each broken document, the message naming it, and the pond left byte for byte as it was. */
const BROKEN: [string, string, string][] = [
  [
    "bad kind",
    "kind: mkdri\npath: /a\n",
    'document 1 (line 1): kind: "mkdri" is not a kind; kinds are mkdir, copy, mknod, plugin',
  ],
  [
    "unknown field",
    "kind: mkdir\npath: /a\n---\nkind: mknod\nplugin: visit\npath: /v\nconfg: {}\n",
    "document 2 (line 4, mknod /v): confg: unknown field; a mknod document has kind, plugin, " +
    "path, config, config_file, file, parents",
  ],
  [
    "missing host file",
    "kind: mkdir\npath: /a\n---\nkind: copy\nfrom: host:nope.csv\npath: /a/nope.csv\n",
    "document 2 (line 4, copy /a/nope.csv): from: cannot read host:HOST/nope.csv: no such file or directory",
  ],
  [
    "bad plugin config",
    "kind: mkdir\npath: /a\n---\nkind: mknod\nplugin: visit\npath: /a/v\nconfig: {patterns: 3}\n",
    'document 2 (line 4, mknod /a/v): config: config for plugin visit: field "patterns" must be ' +
    "a non-empty list of glob patterns, not number 3",
  ],
  [
    "path conflict",
    "kind: mkdir\npath: /a\n---\nkind: copy\nfrom: host:north.csv\npath: /a/f\n---\n" +
    "kind: mkdir\npath: /a/f\n",
    "document 3 (line 8, mkdir /a/f): path: /a/f already exists",
  ],
  [
    "plugin grants",
    "kind: plugin\nfrom: host:net.ts\ngrants: {net: [other.example]}\n",
    "document 1 (line 1, plugin host:HOST/net.ts): grants.net: plugin net needs network access " +
    "to 127.0.0.1:9, which was not granted",
  ],
  [
    "unknown plugin",
    "kind: mkdir\npath: /a\n---\nkind: mknod\nplugin: nope\npath: /a/n\nconfig: {}\n",
    "document 2 (line 4, mknod /a/n): plugin: there is no plugin named nope",
  ],
  [
    "YAML",
    "kind: mkdir\npath: /a\n---\nkind: mkdir\n path: [\n",
    "document 2 (line 4): not valid YAML",
  ],
  [
    "a large copy before it",
    "kind: copy\nfrom: host:big.bin\npath: /big.bin\n---\nkind: mkdir\npath: /q/r\n",
    "document 2 (line 5, mkdir /q/r): path: /q does not exist; add parents: true to make it too",
  ],
  [
    "host path unmarked",
    "kind: copy\nfrom: north.csv\npath: /x.csv\n",
    "document 1 (line 1, copy /x.csv): from: is a file on this computer: write host:north.csv",
  ],
];

Deno.test("a broken document is named with its field, exit 1, and nothing is applied", async () => {
  await withPond(async (p) => {
    await setUp(p);
    await hostFile(p, "net.ts", NET_PLUGIN);
    await Deno.writeFile(`${p.host}/big.bin`, new Uint8Array(200_000).fill(7)); // a blob, if stored
    const listing = await oplogListing(p.dir, "");
    for (const [what, text, message] of BROKEN) {
      const file = await hostFile(p, "broken.yaml", text);
      const r = await pond(p, ["apply", "-f", file, "--yes"]);
      assert.equal(r.code, 1, `${what}: ${r.stderr}`);
      const line = r.stderr.replaceAll(p.host, "HOST");
      assert.ok(
        line.startsWith(`pond: ${file.replaceAll(p.host, "HOST")} ${message}`),
        `${what}:\n${line}`,
      );
      assert.match(line, /; nothing was applied\n$/, what);
      assert.equal(line.split("\n").length, 2, `${what}: one line`);
      assert.deepEqual(await oplogListing(p.dir, ""), listing, `${what}: the pond as it was`);
    }
  });
});

Deno.test("a plugin document grants the network access its plugin asks for, shown before consent", async () => {
  await withPond(async (p) => {
    await hostFile(p, "net.ts", NET_PLUGIN);
    const file = await hostFile(
      p,
      "net.yaml",
      "kind: plugin\nfrom: host:net.ts\ngrants: {net: [127.0.0.1:9]}\n",
    );
    const refused = await pond(p, ["apply", "-f", file]);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /^ {2}add plugin net 1\.0\.0 with network access to 127\.0\.0\.1:9$/m,
    );
    const done = JSON.parse(
      assertOk(await pond(p, ["apply", "-f", file, "--yes", "--json"])).stdout,
    );
    assert.equal(
      done.documents[0].detail,
      "add plugin net 1.0.0 with network access to 127.0.0.1:9",
    );
    const info = JSON.parse(assertOk(await pond(p, ["plugin", "info", "net", "--json"])).stdout);
    assert.deepEqual(info.permissions, { net: ["127.0.0.1:9"] });
  });
});
