/**
 * Tests for what `plugin add` reads before running anything: deep sources and manifests are
 * refused cleanly, manifest text is plain, and the consent prompt shows the permissions last.
 */

import assert from "node:assert/strict";
import { isPluginError, loadPlugin } from "../../src/plugin_host/mod.ts";
import { PLUGIN_LIMITS } from "../../src/plugin_host/limits.ts";
import { checkSource } from "../../src/plugin_host/source_check.ts";
import { withPond } from "../pond/fixture.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const MANIFEST =
  'export const manifest = { name: "t", version: "1.0.0", provides: ["directory"] };\n' +
  "export function entries() { return []; }\n";

async function refusedSource(source: string, pattern: RegExp): Promise<void> {
  await assert.rejects(() => checkSource(encode(source), "deep.ts"), (e) => {
    assert.ok(isPluginError(e, "InvalidSource"), String(e));
    assert.equal(e.plugin, "deep.ts");
    assert.match(e.message, pattern);
    assert.doesNotMatch(e.message, /Maximum call stack/);
    return true;
  });
}

Deno.test("source depth: a chain just under the limit is checked, one over and 10,000 deep refused", async () => {
  const chain = (n: number) => `const a: any = {};\nexport const x = a${".b".repeat(n)};\n`;
  // The chain's deepest node sits under the program, its declaration, declarator and n members.
  await checkSource(encode(chain(PLUGIN_LIMITS.sourceDepth - 5)), "deep.ts");
  await refusedSource(
    chain(PLUGIN_LIMITS.sourceDepth),
    /^plugin deep\.ts nests syntax 100\d levels deep \(line 2\), over the limit of 1000 levels/,
  );
  await refusedSource(chain(10_000), /over the limit of 1000 levels/);
});

Deno.test("source depth: nesting too deep for the parser is a clean InvalidSource", async () => {
  await refusedSource(
    `export const x = ${"(".repeat(10_000)}1${")".repeat(10_000)};`,
    /^plugin deep\.ts nests too deeply for the host's parser to follow; keep its syntax under 1000 levels deep$/,
  );
  await refusedSource(
    `export const x = ${"[".repeat(5000)}${"]".repeat(5000)};`,
    /nests too deeply/,
  );
});

Deno.test("manifest depth: a manifest literal nested over the limit is InvalidManifest", async () => {
  const nested = (n: number) =>
    MANIFEST.replace(
      'provides: ["directory"]',
      `provides: ["directory"], description: ${"'a' + ".repeat(n)}'a'`,
    );
  await loadPlugin(encode(nested(PLUGIN_LIMITS.manifestDepth - 2)));
  await assert.rejects(loadPlugin(encode(nested(PLUGIN_LIMITS.manifestDepth + 1))), (e) => {
    assert.ok(isPluginError(e, "InvalidManifest"), String(e));
    assert.match(e.message, /a literal nested over the limit of 64 levels/);
    return true;
  });
});

Deno.test("manifest text: control characters, lone surrogates and overlong text are refused", async () => {
  const withConfig = (description: string) =>
    MANIFEST.replace(
      'provides: ["directory"]',
      `provides: ["directory"], config: { src: { type: "glob", description: ${
        JSON.stringify(description)
      } } }`,
    );
  await loadPlugin(encode(withConfig("plain text, é and 😀")));
  for (
    const [description, pattern] of [
      [
        "\x1b[4A\x1b[2Kpermissions  none",
        /config\.src\.description holds a control character \(\\x1b at 0\)/,
      ],
      ["two\nlines", /config\.src\.description holds a control character \(\\x0a at 3\)/],
      ["csi \x9b2K", /\\x9b at 4/],
      ["lone \uD800", /config\.src\.description is not well-formed Unicode/],
      [
        "x".repeat(PLUGIN_LIMITS.manifestText + 1),
        /is 1001 characters long, over the limit of 1000/,
      ],
    ] as const
  ) {
    await assert.rejects(loadPlugin(encode(withConfig(description))), (e) => {
      assert.ok(isPluginError(e, "InvalidManifest"), String(e));
      assert.equal(e.plugin, "t");
      assert.match(e.message, pattern);
      // deno-lint-ignore no-control-regex
      assert.doesNotMatch(e.message, /[\x00-\x1f\x7f-\x9f]/);
      return true;
    });
  }
  await loadPlugin(encode(withConfig("x".repeat(PLUGIN_LIMITS.manifestText))));
});

Deno.test("consent: plugin add refuses a manifest that would rewrite the prompt, and shows permissions last", async () => {
  await withPond(async (p) => {
    const hostile = `${p.host}/hostile.ts`;
    await Deno.writeTextFile(
      hostile,
      MANIFEST.replace(
        'provides: ["directory"]',
        'provides: ["directory"], description: "fine\\x1b[4A\\x1b[2K  permissions  none"',
      ),
    );
    const refused = await p.run(["plugin", "add", hostile, "--yes"]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /^pond: plugin t's manifest: description holds a control character/,
    );
    assert.equal(refused.stderr.trim().split("\n").length, 1);
    assert.ok(!refused.stderr.includes("\x1b"));

    const asking = `${p.host}/asking.ts`;
    await Deno.writeTextFile(
      asking,
      MANIFEST.replace(
        'provides: ["directory"]',
        'provides: ["directory"], description: "looks harmless", permissions: { net: ["api.example.com", "example.org:443"] }, ' +
          'config: { src: { type: "glob", description: "permissions  none" } }',
      ),
    );
    const shown = await p.run(["plugin", "add", asking]);
    assert.equal(shown.code, 2, shown.stderr);
    const lines = shown.stderr.trimEnd().split("\n");
    assert.deepEqual(lines.slice(-3), [
      "  permissions  network: api.example.com",
      "               network: example.org:443",
      "pond plugin add: cannot ask whether to add plugin t 1.0.0 with network access to " +
      "api.example.com, example.org:443: stdin is not a terminal; pass --yes to go ahead",
    ]);
    assert.ok(lines.findIndex((l) => l.includes("permissions  none")) < lines.length - 3);
  });
});
