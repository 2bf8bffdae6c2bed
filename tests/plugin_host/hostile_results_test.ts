/**
 * Tests for what a hostile plugin's entries() makes the host do: every reply is bounded and
 * checked before the host works on it, and refused in one line naming the plugin and the limit.
 */

import assert from "node:assert/strict";
import { isPluginError, type PluginModule } from "../../src/plugin_host/mod.ts";
import { PLUGIN_LIMITS } from "../../src/plugin_host/limits.ts";
import { isTinyFsError } from "../../src/tinyfs/mod.ts";
import { withPond } from "../pond/fixture.ts";
import { manifest, plugin, pondWith, rejectsWithPlugin, withHost } from "./helpers.ts";

/** A plugin whose entries() returns what `body` (a function body seeing `inputs`) returns. */
const replying = (name: string, body: string, config: Record<string, unknown> = {}) =>
  plugin(
    manifest(name, config) +
      `export function entries({ inputs }: { inputs: any }) { ${body} }\n` +
      "export function read() { return 'x'; }\n",
  );

/** Lists `/v` computed by `p` (config `config`) over a pond holding `/data/a.csv`, timed. */
async function listing(p: PluginModule, config: unknown = {}, path = "/v") {
  return await withHost({ deadlineMs: 20_000 }, async (host) => {
    const { fs } = await pondWith(host, { "/data/a.csv": "a\n", "/data/sub/b.csv": "b\n" }, [[
      "/v",
      p,
      config,
    ]]);
    const root = await fs.root();
    const started = performance.now();
    try {
      return { names: (await root.list(path)).map((n) => n.name), ms: performance.now() - started };
    } catch (e) {
      return { error: e as Error, ms: performance.now() - started };
    }
  });
}

function assertRefused(
  result: { error?: Error; ms: number },
  pluginName: string,
  pattern: RegExp,
): void {
  assert.ok(result.error, "the listing was refused");
  assert.ok(isPluginError(result.error, "InvalidReply"), String(result.error));
  assert.equal(result.error.plugin, pluginName);
  assert.match(result.error.message, pattern);
  assert.equal(result.error.message.split("\n").length, 1, "one line");
}

Deno.test("hostile entries: 100,000 entries are listed, 100,001 refused naming the limit", async () => {
  const many = (n: number) =>
    replying(
      "many",
      `return Array.from({ length: ${n} }, (_, i) => ({ name: "e" + i, compute: {} }));`,
    );
  const fits = await listing(await many(PLUGIN_LIMITS.entries));
  assert.equal(fits.names?.length, PLUGIN_LIMITS.entries);
  const over = await listing(await many(PLUGIN_LIMITS.entries + 1));
  assertRefused(
    over,
    "many",
    /^plugin many computed \/v with 100001 entries, over the limit of 100000 entries in one directory/,
  );
});

Deno.test("hostile entries: a sparse list of 2^32-1 is refused at once; a hole is InvalidReply, not a crash", async () => {
  const sparse = await listing(
    await replying("sparse", "const a: any[] = []; a.length = 4294967295; return a;"),
  );
  assertRefused(sparse, "sparse", /4294967295 entries, over the limit of 100000/);
  assert.ok(sparse.ms < 5000, `refused in ${sparse.ms} ms`);
  const hole = await listing(await replying("holey", "return [, { name: 'a', compute: {} }];"));
  assertRefused(hole, "holey", /entries\(\) returned a list with a hole at 0/);
  const map = await listing(await replying("mapped", "return [new Map([['name', 'a']])];"));
  assertRefused(map, "mapped", /entry 0 is not an object like \{ name, input \}/);
  const inputs = await listing(
    await replying("inputholes", "return [{ name: 'a', compute: { inputs: [, ,] } }];"),
  );
  assertRefused(inputs, "inputholes", /computes from 2 inputs, more than it was handed/);
});

Deno.test("hostile entries: names must be well-formed and at most 255 bytes, shown escaped", async () => {
  const named = (...names: string[]) =>
    replying("namer", `return ${JSON.stringify(names)}.map((name) => ({ name, compute: {} }));`);
  assert.deepEqual(
    (await listing(await named("é".repeat(127) + "x", "a\u{1F600}"))).names?.sort(),
    [
      "a\u{1F600}",
      "é".repeat(127) + "x",
    ],
  );
  assertRefused(
    await listing(await named("é".repeat(128))),
    "namer",
    /a name of 256 bytes, over the limit of 255 bytes/,
  );
  const lone = await listing(await named("a\uD800", "a\uD801"));
  assertRefused(lone, "namer", /not well-formed Unicode/);
  assert.ok(lone.error!.message.isWellFormed());
  const huge = await listing(
    await replying("huge", "return [{ name: 'n'.repeat(8 << 20), compute: {} }];"),
  );
  assertRefused(huge, "huge", /a name of 8388608 bytes, over the limit of 255 bytes/);
  assert.ok(huge.error!.message.length < 400, "the message shows a shortened name");
  const forged = await listing(await named("a\n\x1b[2Kb\x9b/c"));
  assertRefused(forged, "namer", /a name containing \//);
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(forged.error!.message, /[\n\x1b\x9b]/);
});

Deno.test("hostile entries: a subdirectory glob over the complexity limits is refused at once", async () => {
  const sub = (pattern: string) =>
    replying(
      "globber",
      `return [{ name: "s", directory: { src: ${JSON.stringify(pattern)} } }];`,
      { src: { type: "glob" } },
    );
  const config = { src: "/data/*" };
  const fine = await listing(await sub(`/data/sub/${"{a,b}".repeat(10)}`), config);
  assert.deepEqual(fine.names, ["s"]);
  const bomb = await listing(await sub(`/data/sub/${"{*,*}".repeat(18)}Z`), config);
  assertRefused(bomb, "globber", /its braces stand for more than 1024 patterns/);
  assert.ok(bomb.ms < 5000, `refused in ${bomb.ms} ms`);
  const stars = await listing(await sub(`/data/sub/${"*a".repeat(65)}`), config);
  assertRefused(stars, "globber", /more than 64 wildcards/);
});

Deno.test("hostile entries: a subdirectory config of 1000 patterns is taken, 1001 refused", async () => {
  const sub = (n: number) =>
    replying(
      "lister",
      `return [{ name: "s", directory: { src: Array.from({ length: ${n} }, () => "/data/sub/*") } }];`,
      { src: { type: "glob[]" } },
    );
  const config = { src: ["/data/*"] };
  assert.deepEqual((await listing(await sub(PLUGIN_LIMITS.configItems), config)).names, ["s"]);
  const over = await listing(await sub(PLUGIN_LIMITS.configItems + 1), config);
  assertRefused(over, "lister", /holds 1001 items, over the limit of 1000/);
});

Deno.test("hostile entries: a name tinyfs refuses never reaches a stored copy", async () => {
  const p = await replying(
    "pair",
    "return ['a\\uD800', 'a\\uD801'].map((name) => ({ name, compute: {} }));",
  );
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, {}, [["/v", p, {}]]);
    await rejectsWithPlugin(
      fs.transact({ command: ["cp"] }, async (root) => {
        for (const node of await root.list("/v")) {
          await root.createFile(`/copy/${node.name}`, "", { parents: true });
        }
      }),
      "InvalidReply",
      "pair",
    );
    await assert.rejects(
      fs.transact({ command: ["t"] }, (root) => root.createFile("/b\uD800", "")),
      (e) => isTinyFsError(e, "InvalidPath"),
    );
    assert.equal(await (await fs.root()).exists("/copy"), false);
  });
});

Deno.test("hostile entries: pond list of 300,000 entries (3 directories at the limit) prints them all", async () => {
  await withPond(async (p) => {
    const file = `${p.host}/wide.ts`;
    await Deno.writeTextFile(
      file,
      manifest("wide", { part: { type: "integer" } }) + `
      export function entries({ config }: { config: { part?: number } }) {
        if (config.part === undefined) return [0, 1, 2].map((part) => ({ name: "d" + part, directory: { part } }));
        return Array.from({ length: ${PLUGIN_LIMITS.entries} }, (_, i) => ({ name: "e" + i, compute: {} }));
      }
      export function read() { return ""; }`,
    );
    await Deno.writeTextFile(`${p.host}/empty.yaml`, "{}\n");
    for (
      const args of [["plugin", "add", file, "--yes"], [
        "mknod",
        "wide",
        "/v",
        "--config",
        `${p.host}/empty.yaml`,
      ]]
    ) {
      const r = await p.run(args);
      assert.equal(r.code, 0, r.stderr);
    }
    const listed = await p.run(["list", "/v/*/*"]);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 3 * PLUGIN_LIMITS.entries);
    assert.equal(lines[0], "/v/d0/e0");
  });
});

Deno.test("hostile messages: a capability asked for when no call waits stops the sandbox", async () => {
  const loads: string[] = [];
  const p = await plugin(
    manifest("late") + `
    console.log("late loaded");
    export function entries(_request: unknown, host: any) {
      setTimeout(() => host.decodeParquet(new Uint8Array(8)).catch(() => {}), 50);
      return [{ name: "a", compute: {} }];
    }
    export function read() { return "x"; }`,
  );
  await withHost(
    { onOutput: (_, text) => loads.push(...text.match(/late loaded/g) ?? []) },
    async (host) => {
      const { fs } = await pondWith(host, {}, [["/v", p, {}]]);
      const root = await fs.root();
      assert.deepEqual((await root.list("/v")).map((n) => n.name), ["a"]);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual((await root.list("/v")).map((n) => n.name), ["a"]);
      assert.equal(
        loads.length,
        2,
        "the sandbox that asked out of turn was stopped, and a new one started",
      );
    },
  );
});

Deno.test("hostile messages: what a plugin throws is shortened and escaped to one line", async () => {
  const p = await replying(
    "thrower",
    "throw new Error('a\\x1b[2K\\nb\\x9b\\uD800' + 'x'.repeat(100000));",
  );
  const { error } = await listing(p);
  assert.ok(isPluginError(error, "PluginFailed"), String(error));
  assert.match(
    error.message,
    /^plugin thrower failed in entries\(\): Error: a\\x1b\[2K\\x0ab\\x9b\uFFFDx+…/,
  );
  assert.ok(error.message.length < 1200);
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(error.message, /[\x00-\x1f\x7f-\x9f]/);
});
