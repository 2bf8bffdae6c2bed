/** Tests for checkSource: every way plugin source could reach the module loader is refused before it runs. */

import assert from "node:assert/strict";
import { checkSource } from "../../src/plugin_host/source_check.ts";
import { isPluginError } from "../../src/plugin_host/mod.ts";

const check = (source: string) => checkSource(new TextEncoder().encode(source), "probe.ts");

async function refused(source: string, what: RegExp) {
  await assert.rejects(() => check(source), (e) => {
    assert.ok(isPluginError(e, "RefusedSyntax"), `${e}`);
    assert.equal(e.plugin, "probe.ts");
    assert.match(e.message, /plugin probe\.ts uses/);
    assert.match(e.message, what);
    return true;
  }, `should refuse: ${source}`);
}

Deno.test("source check: import declarations of every kind are refused", async () => {
  await refused(
    'import secret from "file:///etc/passwd" with { type: "text" };',
    /import declaration \(line 1\)/,
  );
  await refused('import "node:fs";', /import declaration/);
  await refused('import * as fs from "node:fs";', /import declaration/);
  await refused('import type { T } from "./types.ts";', /import declaration/);
  await refused('import { type T } from "./types.ts";', /import declaration/);
  await refused('const x = 1;\n\nimport fs from "node:fs";', /line 3/);
});

Deno.test("source check: import(), import.meta, re-exports and require are refused", async () => {
  await refused(
    'export async function f() { return await import("file:///etc/passwd"); }',
    /import\(\) expression/,
  );
  await refused(
    'const m = import("node:fs", { with: { type: "text" } });',
    /import\(\) expression/,
  );
  await refused("const here = import.meta.url;", /import\.meta/);
  await refused("const r = import.meta.resolve('x');", /import\.meta/);
  await refused('export * from "node:fs";', /export \* from/);
  await refused('export * as fs from "node:fs";', /export … from/);
  await refused('export { readFile } from "node:fs";', /export … from/);
  await refused('const fs = require("node:fs");', /require\(\) call/);
  await refused('import fs = require("node:fs");', /import … = require/);
  await refused('type T = import("node:fs").Stats;', /`import\(…\)` type/);
  await refused('let x: typeof import("./a.ts");', /`import\(…\)` type/);
});

Deno.test("source check: loader pragmas in comments are refused", async () => {
  await refused('/// <reference path="/etc/passwd" />\nexport const x = 1;', /pragma/);
  await refused('/// <reference types="npm:@types/node" />', /pragma/);
  await refused("/** @jsxImportSource file:///etc */\nexport const x = 1;", /pragma/);
  await refused('// @ts-types="file:///etc/passwd"\nexport const x = 1;', /pragma/);
  await refused('// @deno-types="./x.d.ts"\nexport const x = 1;', /pragma/);
  await refused('/* @ts-self-types="./x.d.ts" */', /pragma/);
  await refused("export const x = 1;\n//# sourceMappingURL=file:///etc/app/config.json", /pragma/);
  await refused("export const x = 1;\n//@ sourceURL=file:///x.ts", /pragma/);
});

Deno.test("source check: ordinary code that merely mentions imports is accepted", async () => {
  const { text, ast } = await check(`
    // This plugin imports nothing; it only talks about "import" and require.
    export const manifest = { name: "words", version: "1.0.0", provides: ["directory"] };
    const important = { import: 1, require: 2, meta: "import.meta" };
    export function entries(request: { requireAll?: boolean }) {
      const note = "import('file:///etc/passwd')";
      return [{ name: note.length + important.import + important.require, input: request.requireAll }];
    }
  `);
  assert.match(text, /important/);
  assert.equal(ast.program.sourceType, "module");
});

Deno.test("source check: unparsable or non-UTF-8 source is InvalidSource", async () => {
  await assert.rejects(() => check("export const = ;"), (e) => {
    assert.ok(isPluginError(e, "InvalidSource"));
    assert.match(e.message, /plugin probe\.ts does not parse as a TypeScript module/);
    return true;
  });
  await assert.rejects(() => checkSource(new Uint8Array([0x65, 0xff, 0xfe]), "bin.ts"), (e) => {
    assert.ok(isPluginError(e, "InvalidSource"));
    assert.match(e.message, /plugin bin\.ts is not UTF-8/);
    return true;
  });
  await assert.rejects(
    () => check("const x = <T>(y: T) => <div>{y}</div>;"),
    (e) => isPluginError(e, "InvalidSource"),
  );
});
