/** Tests for loadPlugin's manifest reading: a plain literal, checked, read without running the plugin. */

import assert from "node:assert/strict";
import { inspectPlugin, isPluginError, type PluginErrorCode } from "../../src/plugin_host/mod.ts";
import { plugin } from "./helpers.ts";

const entries = "export function entries() { return []; }\n";

async function fails(source: string, code: PluginErrorCode, pluginName: string, pattern: RegExp) {
  await assert.rejects(plugin(source), (e) => {
    assert.ok(isPluginError(e), `${e}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.plugin, pluginName);
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("manifest: a literal manifest is read and checked, with defaults filled in", async () => {
  const source = `export const manifest = {
    name: "sample-1",
    version: "1.2.3",
    description: \`A sample\`,
    provides: ["directory", "file"],
    config: {
      patterns: { type: "glob[]", required: true, description: "inputs" },
      name: { type: "string", default: "$0" },
      mode: { type: "string", choices: ["a", "b"], default: "a" },
      limit: { type: "integer", default: -1 },
    },
    permissions: { net: ["api.example.com", "127.0.0.1:8080"] },
  } as const satisfies Record<string, unknown>;
  ${entries}
  export const read = () => "";`;
  const loaded = await plugin(source, { net: ["api.example.com", "127.0.0.1"] });
  assert.deepEqual(loaded.manifest, {
    name: "sample-1",
    version: "1.2.3",
    description: "A sample",
    provides: ["directory", "file"],
    config: {
      patterns: { type: "glob[]", required: true, description: "inputs" },
      name: { type: "string", required: false, default: "$0" },
      mode: { type: "string", required: false, choices: ["a", "b"], default: "a" },
      limit: { type: "integer", required: false, default: -1 },
    },
    permissions: { net: ["api.example.com", "127.0.0.1:8080"] },
  });
  assert.deepEqual(loaded.permissions, { net: ["api.example.com", "127.0.0.1:8080"] });
  assert.equal(loaded.source, source);
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(source)),
  );
  assert.equal(loaded.hash, Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""));
});

Deno.test("manifest: reading it runs nothing, even code that would run at load", async () => {
  const loaded = await plugin(`
    export const manifest = { name: "lazy", version: "0.1.0", provides: ["directory"] };
    while (true) {}
    ${entries}`);
  assert.equal(loaded.manifest.name, "lazy");
  assert.deepEqual(loaded.manifest.config, {});
  assert.deepEqual(loaded.permissions, { net: [] });
});

Deno.test("manifest: a missing or computed manifest is InvalidManifest", async () => {
  await fails(entries, "InvalidManifest", "test.ts", /plugin test\.ts has no manifest/);
  await fails(
    `const manifest = { name: "x" };\n${entries}`,
    "InvalidManifest",
    "test.ts",
    /has no manifest/,
  );
  await fails(
    `export const manifest = makeManifest();\n${entries}`,
    "InvalidManifest",
    "test.ts",
    /plain literal.*CallExpression/,
  );
  await fails(
    `const base = {};\nexport const manifest = { ...base };`,
    "InvalidManifest",
    "test.ts",
    /spread/,
  );
  await fails(
    `export const manifest = { name: "x", [key]: 1 };`,
    "InvalidManifest",
    "test.ts",
    /computed key/,
  );
  await fails(
    "export const manifest = { name: `x${1}` };",
    "InvalidManifest",
    "test.ts",
    /TemplateLiteral/,
  );
  await fails(
    'export const manifest = { name: "x", name: "y" };',
    "InvalidManifest",
    "test.ts",
    /repeated key "name"/,
  );
  await fails(
    'export const manifest = { get name() { return "x"; } };',
    "InvalidManifest",
    "test.ts",
    /method/,
  );
});

Deno.test("manifest: bad names, versions, provisions and keys name the fault", async () => {
  const m = (body: string) =>
    `export const manifest = { ${body} };\n${entries}export function read() {}`;
  await fails(
    m('name: "Bad Name", version: "1.0.0", provides: ["directory"]'),
    "InvalidManifest",
    "test.ts",
    /name "Bad Name" must be lower-case/,
  );
  await fails(
    m('name: "ok", version: "1.0", provides: ["directory"]'),
    "InvalidManifest",
    "ok",
    /plugin ok's manifest: version "1\.0" must look like 1\.0\.0/,
  );
  await fails(
    m('name: "ok", version: "1.0.0", provides: []'),
    "InvalidManifest",
    "ok",
    /provides must list/,
  );
  await fails(
    m('name: "ok", version: "1.0.0", provides: ["table"]'),
    "InvalidManifest",
    "ok",
    /provides must list/,
  );
  await fails(
    m('name: "ok", version: "1.0.0", provides: ["file", "file"]'),
    "InvalidManifest",
    "ok",
    /provides must list/,
  );
  await fails(
    m('name: "ok", version: "1.0.0", provides: ["file"], author: "me"'),
    "InvalidManifest",
    "ok",
    /unknown key "author"/,
  );
  await fails(
    m('name: "ok", version: "1.0.0", provides: ["file"], description: 3'),
    "InvalidManifest",
    "ok",
    /description must be a string/,
  );
});

Deno.test("manifest: a provision without its function is InvalidManifest", async () => {
  const head =
    'export const manifest = { name: "half", version: "1.0.0", provides: ["directory", "file"] };\n';
  await fails(
    head + entries,
    "InvalidManifest",
    "half",
    /provides a file but does not export a function named read/,
  );
  await fails(
    head + "export function read() {}",
    "InvalidManifest",
    "half",
    /provides a directory but does not export a function named entries/,
  );
  const renamed = await plugin(
    head + "function e() { return []; }\nconst r = () => '';\nexport { e as entries, r as read };",
  );
  assert.deepEqual(renamed.manifest.provides, ["directory", "file"]);
});

Deno.test("manifest: config schemas are checked field by field", async () => {
  const m = (config: string) =>
    `export const manifest = { name: "cfg", version: "1.0.0", provides: ["directory"], config: ${config} };\n${entries}`;
  await fails(m("[]"), "InvalidManifest", "cfg", /config must be an object of fields/);
  await fails(
    m('{ "bad-name": { type: "string" } }'),
    "InvalidManifest",
    "cfg",
    /field name "bad-name" must be letters, digits and _, starting with a letter/,
  );
  await fails(
    m('{ "__proto__": { type: "string" } }'),
    "InvalidManifest",
    "cfg",
    /field name "__proto__" must be letters/,
  );
  await fails(m('{ a: "string" }'), "InvalidManifest", "cfg", /field "a" must be an object/);
  await fails(
    m('{ a: { type: "date" } }'),
    "InvalidManifest",
    "cfg",
    /field "a" has type "date"; use one of string, number/,
  );
  await fails(
    m('{ a: { type: "string", optional: true } }'),
    "InvalidManifest",
    "cfg",
    /field "a" has unknown key "optional"/,
  );
  await fails(
    m('{ a: { type: "string", required: "yes" } }'),
    "InvalidManifest",
    "cfg",
    /required must be true or false/,
  );
  await fails(
    m('{ a: { type: "string", required: true, default: "x" } }'),
    "InvalidManifest",
    "cfg",
    /is required, so it cannot have a default/,
  );
  await fails(
    m('{ a: { type: "integer", default: 1.5 } }'),
    "InvalidManifest",
    "cfg",
    /field "a": its default must be an integer/,
  );
  await fails(
    m('{ a: { type: "glob", default: "/a/[" } }'),
    "InvalidManifest",
    "cfg",
    /its default holds a bad glob pattern/,
  );
  await fails(
    m('{ a: { type: "number", choices: ["1"] } }'),
    "InvalidManifest",
    "cfg",
    /choices must be a non-empty list of strings, on a string field/,
  );
  await fails(
    m('{ a: { type: "string", choices: ["x"], default: "y" } }'),
    "InvalidManifest",
    "cfg",
    /must be one of x, not "y"/,
  );
  await fails(
    m('{ a: { type: "mapping[]" } }'),
    "InvalidManifest",
    "cfg",
    /field "a": a mapping\[\] field, and only one, has fields/,
  );
  await fails(
    m('{ a: { type: "string", fields: {} } }'),
    "InvalidManifest",
    "cfg",
    /field "a": a mapping\[\] field, and only one, has fields/,
  );
  await fails(
    m('{ a: { type: "mapping[]", fields: { g: { type: "glob" } } } }'),
    "InvalidManifest",
    "cfg",
    /field "a.g" has type glob; the fields of a mapping\[\] are one of string, number/,
  );
  await fails(
    m('{ a: { type: "mapping[]", fields: {}, default: [{}] } }'),
    "InvalidManifest",
    "cfg",
    /field "a" is a mapping\[\], so it cannot have a default/,
  );
  await fails(
    m('{ a: { type: "string", description: 1 } }'),
    "InvalidManifest",
    "cfg",
    /description must be a string/,
  );
});

Deno.test("manifest: permissions are checked, and must all be granted", async () => {
  const m = (permissions: string) =>
    `export const manifest = { name: "net", version: "1.0.0", provides: ["directory"], permissions: ${permissions} };\n${entries}`;
  await fails(
    m('{ read: ["/etc"] }'),
    "InvalidManifest",
    "net",
    /unknown permission "read"; plugins may only ask for net/,
  );
  await fails(
    m('{ net: "example.com" }'),
    "InvalidManifest",
    "net",
    /permissions\.net must be a list of hosts/,
  );
  await fails(
    m('{ net: ["example.com,evil.com"] }'),
    "InvalidManifest",
    "net",
    /has "example\.com,evil\.com"/,
  );
  await fails(m('{ net: ["Example.com"] }'), "InvalidManifest", "net", /lower-case host/);
  await fails(
    m('{ net: ["example.com:99999"] }'),
    "InvalidManifest",
    "net",
    /has "example\.com:99999"/,
  );
  await fails(m('{ net: ["--allow-all"] }'), "InvalidManifest", "net", /has "--allow-all"/);
  await fails(
    m('{ net: ["example.com"] }'),
    "PermissionNotGranted",
    "net",
    /needs network access to example\.com, which was not granted; grant it \(--allow-net=example\.com\)/,
  );
  const wants = m('{ net: ["example.com:443", "[::1]:8080"] }');
  await assert.rejects(
    plugin(wants, { net: ["example.com:80", "[::1]"] }),
    /needs network access to example\.com:443/,
  );
  assert.deepEqual((await plugin(wants, { net: ["example.com", "[::1]"] })).permissions, {
    net: ["example.com:443", "[::1]:8080"],
  });
  assert.deepEqual(
    (await plugin(wants, { net: ["example.com:443", "[::1]:8080", "other.org"] })).permissions.net,
    ["example.com:443", "[::1]:8080"],
  );
  await assert.rejects(
    plugin(wants, { net: ["example.com:443", "[::1]:8080", "bad host"] }),
    (e) => isPluginError(e, "PermissionNotGranted") && /bad host/.test(e.message),
  );
});

Deno.test("manifest: inspectPlugin shows what a plugin asks for before anything is granted", async () => {
  const source = new TextEncoder().encode(
    'export const manifest = { name: "probe", version: "1.0.0", provides: ["directory"], ' +
      'permissions: { net: ["api.example.com"] } };\n' + entries,
  );
  const manifest = await inspectPlugin(source, "probe.ts");
  assert.deepEqual([manifest.name, manifest.permissions], ["probe", { net: ["api.example.com"] }]);
  await assert.rejects(
    () => inspectPlugin(new TextEncoder().encode('import "node:fs";'), "bad.ts"),
    (e) => isPluginError(e, "RefusedSyntax") && e.plugin === "bad.ts",
  );
});
