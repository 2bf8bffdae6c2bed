/**
 * Tests for the sandbox as a security boundary. Each route to the host is tried twice: as a user
 * would write it (the parser refuses it, or the lockdown leaves nothing to call), and with the
 * parser bypassed, so the layers beneath it (blocked file: imports, denied permissions) are
 * shown to hold on their own. A real secret file and env var are used; their content must never
 * reach a plugin's output.
 */

import assert from "node:assert/strict";
import { isPluginError, type PluginModule } from "../../src/plugin_host/mod.ts";
import { tableToIPC } from "../../src/table/mod.ts";
import { sandboxMainModule } from "../../src/plugin_host/sandbox_bootstrap.ts";
import { plugin, pondWith, text, withHost } from "./helpers.ts";

const secretDir = await Deno.makeTempDir({ prefix: "pond-secret-" });
const SECRET = `TOP-SECRET-${crypto.randomUUID()}`;
const secretPath = `${secretDir}/secret.txt`;
await Deno.writeTextFile(secretPath, SECRET);
const secretUrl = new URL(`file://${secretPath}`).href;
Deno.env.set("POND_PLUGIN_TEST_SECRET", SECRET);
Deno.test.afterAll(() => Deno.remove(secretDir, { recursive: true }));

/**
 * A plugin whose one entry, `result`, holds what `attempt` (an async function body, which sees
 * the `host` object) returned, or the error it threw, prefixed GOT or DENIED. `head` goes before
 * the manifest.
 */
function probeSource(name: string, attempt: string, head = "", permissions = "") {
  return `${head}
export const manifest = { name: "${name}", version: "1.0.0", provides: ["directory"]${permissions} };
export async function entries(_request: unknown, host: any) {
  let got: string;
  try {
    got = "GOT " + String(await (async () => { ${attempt} })());
  } catch (e) {
    got = "DENIED " + String(e);
  }
  return [{ name: "result", compute: { args: got } }];
}
export function read({ args }: { args: string }) { return args; }
`;
}

/**
 * Runs `probe` in a real sandbox and returns what its `result` entry says, or, when the
 * sandbox failed instead, DENIED and the host's error.
 */
async function run(probe: PluginModule): Promise<string> {
  return await withHost({}, async (host) => {
    const { fs } = await pondWith(host, {}, [["/p", probe, {}]]);
    try {
      return text(await (await fs.root()).read("/p/result"));
    } catch (e) {
      if (!isPluginError(e)) throw e;
      return `DENIED ${e.code}: ${e.message}`;
    }
  });
}

/** The probe with its source swapped for `source` after loading: the parser never sees it. */
async function bypassingParser(name: string, source: string): Promise<PluginModule> {
  return { ...await plugin(probeSource(name, "return 1;")), source };
}

function denied(result: string, reason: RegExp) {
  assert.ok(!result.includes(SECRET), `the secret leaked: ${result}`);
  assert.match(result, /^DENIED /, result);
  assert.match(result, reason);
}

async function refusedByParser(source: string) {
  await assert.rejects(plugin(source), (e) => isPluginError(e, "RefusedSyntax"));
}

Deno.test("security: a static import of a host file is refused, and blocked even past the parser", async () => {
  const head = `import secret from "${secretUrl}" with { type: "text" };`;
  await refusedByParser(probeSource("static", "return secret;", head));
  await withHost({}, async (host) => {
    const probe = await bypassingParser("static", probeSource("static", "return secret;", head));
    const { fs } = await pondWith(host, {}, [["/p", probe, {}]]);
    await assert.rejects((await fs.root()).list("/p"), (e) => {
      assert.ok(isPluginError(e, "PluginFailed"), `${e}`);
      assert.match(e.message, /plugin static failed to load: TypeError: .*pond-denied/);
      assert.ok(!e.message.includes(SECRET));
      return true;
    });
  });
});

Deno.test("security: a dynamic import of a host file is refused, and blocked even past the parser", async () => {
  for (
    const attempt of [
      `return (await import("${secretUrl}", { with: { type: "text" } })).default;`,
      `return JSON.stringify(await import("${secretUrl}"));`,
      `return (await import("file://localhost${secretPath}", { with: { type: "text" } })).default;`,
    ]
  ) {
    await refusedByParser(probeSource("dynamic", attempt));
    denied(
      await run(await bypassingParser("dynamic", probeSource("dynamic", attempt))),
      /pond-denied|Invalid file path/,
    );
  }
});

Deno.test("security: Deno.readFile, node:fs and fetch(file:) cannot read a host file", async () => {
  denied(
    await run(
      await plugin(probeSource("deno-read", `return await Deno.readTextFile("${secretPath}");`)),
    ),
    /Deno is not defined/,
  );
  denied(
    await run(
      await plugin(
        probeSource(
          "deno-read",
          `return await (globalThis as any)["De" + "no"].readTextFile("${secretPath}");`,
        ),
      ),
    ),
    /TypeError/,
  );
  await refusedByParser(
    probeSource(
      "node-fs",
      `return readFileSync("${secretPath}", "utf8");`,
      'import { readFileSync } from "node:fs";',
    ),
  );
  denied(
    await run(
      await plugin(
        probeSource(
          "node-fs",
          `return (globalThis as any).process.getBuiltinModule("fs").readFileSync("${secretPath}", "utf8");`,
        ),
      ),
    ),
    /TypeError/,
  );
  const viaNode = probeSource(
    "node-fs",
    `return (await import("node:fs")).readFileSync("${secretPath}", "utf8");`,
  );
  denied(await run(await bypassingParser("node-fs", viaNode)), /Deno is not defined/);
  denied(
    await run(
      await plugin(probeSource("fetch-file", `return await (await fetch("${secretUrl}")).text();`)),
    ),
    /NotCapable: Requires read access/,
  );
});

Deno.test("security: env vars, processes, FFI and system facts are out of reach", async () => {
  denied(
    await run(await plugin(probeSource("env", 'return Deno.env.get("POND_PLUGIN_TEST_SECRET");'))),
    /Deno is not defined/,
  );
  denied(
    await run(
      await plugin(
        probeSource("env", "return (globalThis as any).process.env.POND_PLUGIN_TEST_SECRET;"),
      ),
    ),
    /TypeError/,
  );
  denied(
    await run(
      await plugin(
        probeSource(
          "run",
          `return new Deno.Command("cat", { args: ["${secretPath}"] }).outputSync().stdout;`,
        ),
      ),
    ),
    /Deno is not defined/,
  );
  denied(
    await run(await plugin(probeSource("ffi", 'return Deno.dlopen("libc.so.6", {});'))),
    /Deno is not defined/,
  );
  const bypass = (name: string, attempt: string) =>
    bypassingParser(name, probeSource(name, attempt));
  const lockedOut = /Deno is not defined/;
  denied(
    await run(
      await bypass("env", 'return (await import("node:process")).env.POND_PLUGIN_TEST_SECRET;'),
    ),
    lockedOut,
  );
  denied(
    await run(
      await bypass(
        "run",
        `return (await import("node:child_process")).execFileSync("cat", ["${secretPath}"]).toString();`,
      ),
    ),
    lockedOut,
  );
  denied(
    await run(
      await bypass(
        "ffi",
        'return (await import("node:process")).dlopen({ exports: {} }, "libc.so.6");',
      ),
    ),
    lockedOut,
  );
  denied(await run(await bypass("sys", 'return (await import("node:os")).hostname();')), lockedOut);
});

Deno.test("security: no code from strings, no workers, no Deno internals", async () => {
  const attempts: [string, RegExp][] = [
    ['return (0, eval)("1 + 1");', /EvalError: Code generation from strings disallowed/],
    ['return new Function("return 1")();', /EvalError/],
    ['return (async function () {}).constructor("return 1")();', /EvalError/],
    ['return (function* () {}).constructor("yield 1")().next().value;', /EvalError/],
    ['return (async function* () {}).constructor("yield 1");', /EvalError/],
    ['return setTimeout("globalThis.x = 1", 0);', /EvalError|TypeError/],
    [
      'return new Worker("data:text/javascript,postMessage(1)", { type: "module" });',
      /Worker is not defined/,
    ],
    [
      "return Object.keys((globalThis as any).Deno[(globalThis as any).Deno.internal]);",
      /TypeError/,
    ],
    ["return new SharedArrayBuffer(8).byteLength;", /SharedArrayBuffer is not defined/],
    ["return WebAssembly.Module.name;", /WebAssembly is not defined/],
    ["return localStorage.getItem('x');", /localStorage is not defined/],
    ['return (globalThis as any).caches.open("x");', /TypeError/],
  ];
  for (const [attempt, reason] of attempts) {
    denied(await run(await plugin(probeSource("internals", attempt))), reason);
  }
  const names = await run(
    await plugin(
      probeSource("globals", "return Object.getOwnPropertyNames(globalThis).join(' ');"),
    ),
  );
  for (
    const gone of [
      "Deno",
      "process",
      "Worker",
      "Buffer",
      "SharedArrayBuffer",
      "Atomics",
      "WebAssembly",
    ]
  ) {
    assert.ok(!names.split(" ").includes(gone), `${gone} is still a global`);
  }
});

Deno.test("security: network access is denied unless granted, and then only to what was granted", async () => {
  const serve = () =>
    Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("served"));
  const [granted, other] = [serve(), serve()];
  try {
    const url = (server: Deno.HttpServer<Deno.NetAddr>) => `http://127.0.0.1:${server.addr.port}/`;
    const fetching = (target: string) => `return await (await fetch("${target}")).text();`;
    const net = `, permissions: { net: ["127.0.0.1:${granted.addr.port}"] }`;
    denied(
      await run(await plugin(probeSource("net", fetching(url(granted))))),
      /NotCapable: Requires net access to "127\.0\.0\.1:\d+"/,
    );
    await assert.rejects(
      plugin(probeSource("net", fetching(url(granted)), "", net)),
      (e) => isPluginError(e, "PermissionNotGranted"),
    );
    const allowed = await plugin(probeSource("net", fetching(url(granted)), "", net), {
      net: [`127.0.0.1:${granted.addr.port}`],
    });
    assert.equal(await run(allowed), "GOT served");
    const elsewhere = await plugin(probeSource("net", fetching(url(other)), "", net), {
      net: ["127.0.0.1"],
    });
    denied(
      await run(elsewhere),
      new RegExp(`Requires net access to "127\\.0\\.0\\.1:${other.addr.port}"`),
    );
  } finally {
    await Promise.all([granted.shutdown(), other.shutdown()]);
  }
});

/** Every module specifier imported by the module at data: URL `url`, and by the data: modules it imports. */
function importedSpecifiers(url: string): string[] {
  const text = decodeURIComponent(url.slice(url.indexOf(",") + 1));
  const specifiers = [...text.matchAll(/\b(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1]);
  return specifiers.flatMap((s) => [s, ...(s.startsWith("data:") ? importedSpecifiers(s) : [])]);
}

Deno.test("security: the sandbox's main module and the codec it carries import only data: and node: modules", () => {
  const main = sandboxMainModule();
  const specifiers = importedSpecifiers(main);
  assert.ok(specifiers.some((s) => s.startsWith("data:")), "the codec is inlined as a data: URL");
  for (const specifier of specifiers) {
    assert.match(specifier, /^(node:[a-z_/]+|data:application\/typescript,)/, specifier);
  }
  assert.doesNotMatch(
    decodeURIComponent(main),
    /file:\/\//,
    "no file: URL anywhere in the sandbox",
  );
});

Deno.test("security: the table codec on the host object cannot load code, be replaced, or reach a file", async () => {
  const names = tableToIPC([
    { name: secretUrl, type: `timestamp[ms, ${secretUrl}]`, values: [1n] },
    { name: `import("${secretUrl}")`, values: [secretUrl] },
  ]);
  const attempts: [string, RegExp][] = [
    ['return host.tableFromIPC.constructor("return 1")();', /EvalError/],
    ['return host.tableToIPC.constructor.constructor("return 1")();', /EvalError/],
    ["host.tableFromIPC = () => 1; return host.tableFromIPC;", /TypeError: Cannot assign/],
    ['return Object.defineProperty(host, "x", { value: 1 });', /TypeError: Cannot define/],
    [`return host.tableFromIPC(new TextEncoder().encode("${secretPath}"));`, /ArrowIpcError/],
  ];
  for (const [attempt, reason] of attempts) {
    denied(await run(await plugin(probeSource("codec", attempt))), reason);
  }
  const read = await run(
    await plugin(
      probeSource(
        "codec",
        `return JSON.stringify(host.tableFromIPC(new Uint8Array([${names}]))
          .map((c: any) => ({ ...c, values: Array.from(c.values, String) })));`,
      ),
    ),
  );
  assert.ok(!read.includes(SECRET), "the secret leaked");
  assert.equal(
    read,
    `GOT ${
      JSON.stringify([
        { name: secretUrl, type: `timestamp[ms, ${secretUrl}]`, values: ["1"] },
        { name: `import("${secretUrl}")`, type: "utf8", values: [secretUrl] },
      ])
    }`,
    "names and time zones that look like modules stay text",
  );
});
