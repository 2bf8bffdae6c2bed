/** Builds pond for distribution: a self-contained `dist/pond` binary, or a bundle (`dist/pond.js` and its chunks). */
import { parseArgs } from "node:util";
import { cp, mkdir, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const HELP = `Usage: deno run -A scripts/compile.ts [--bundle] [--out DIR]

Builds DIR/pond (default DIR: dist) with 'deno compile', embedding the built-in plugins.
'deno compile' needs the Deno runtime (denort) for the target, which it downloads from
dl.deno.land unless DENORT_BIN names a local copy. Where that is not possible, this says so
and builds the bundle instead: DIR/pond.js (run with 'deno run -A DIR/pond.js'), the
chunks it loads as commands need them, and DIR/plugins, all beside it. The binary embeds
DuckDB's native library for this platform and is checked with one query; the bundle cannot
hold it: there queries load @duckdb/node-api from the node_modules where the bundle runs. The compiled binary runs plugin
sandboxes with the Deno named by POND_DENO (a compiled program cannot run other programs).

Options:
  --bundle    build only the bundle
  --out DIR   output directory (default: dist)

Examples:
  deno run -A scripts/compile.ts
  DENORT_BIN=/opt/denort deno run -A scripts/compile.ts
  deno run -A scripts/compile.ts --bundle --out /tmp/pond-dist
`;

/** The permissions the pond binary runs with; pond sandboxes plugins itself. */
const RUNTIME_FLAGS = ["--no-prompt", "--allow-all"];

/**
 * How long `deno compile` may take: its runtime download can hang on a network that drops
 * packets instead of refusing them, and a build must end either way.
 */
const COMPILE_TIMEOUT_MS = 1000 * Number(Deno.env.get("POND_COMPILE_TIMEOUT_S") ?? 300);

async function deno(
  args: string[],
  signal?: AbortSignal,
): Promise<{ ok: boolean; stderr: string; timedOut: boolean }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "inherit",
    stderr: "piped",
    signal,
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  return { ok: out.success, stderr, timedOut: signal?.aborted ?? false };
}

/**
 * Why `deno compile` cannot get its runtime here, or `undefined` when it can: DENORT_BIN names
 * a local one, or the download host answers within seconds. A host that resolves but never
 * answers is unreachable too, found out in seconds rather than by a hanging download.
 */
export async function runtimeUnreachable(): Promise<string | undefined> {
  if (Deno.env.get("DENORT_BIN")) return undefined;
  try {
    const res = await fetch(`https://${RUNTIME_HOST}/`, {
      method: "HEAD",
      signal: AbortSignal.timeout(10_000),
    });
    await res.body?.cancel();
    return undefined;
  } catch {
    return `the Deno runtime download (${RUNTIME_HOST}) is unreachable from this machine; ` +
      "set DENORT_BIN to a local denort binary to compile offline";
  }
}

const RUNTIME_HOST = "dl.deno.land";

async function compileBinary(out: string): Promise<{ ok: boolean; why?: string }> {
  const unreachable = await runtimeUnreachable();
  if (unreachable) return { ok: false, why: unreachable };
  const res = await deno([
    "compile",
    ...RUNTIME_FLAGS,
    "--include",
    "plugins",
    ...duckdbBindings().flatMap((dir) => ["--include", dir]),
    "--output",
    `${out}/pond`,
    "main.ts",
  ], AbortSignal.timeout(COMPILE_TIMEOUT_MS));
  if (res.ok) return { ok: true };
  if (res.timedOut) {
    return {
      ok: false,
      why: `deno compile did not finish in ${COMPILE_TIMEOUT_MS / 1000} s (its runtime ` +
        `download from ${RUNTIME_HOST} may hang here); set DENORT_BIN to a local denort binary`,
    };
  }
  return {
    ok: false,
    why: res.stderr.trim().split("\n").find((l) => /error/i.test(l)) ?? "deno compile failed",
  };
}

/**
 * DuckDB's native library for this platform (`node_modules/@duckdb/node-bindings-OS-ARCH`,
 * the addon and the shared library it links): named with `--include`, since its package
 * picks the file by platform at run time, out of sight of the module graph.
 */
function duckdbBindings(): string[] {
  const arch = Deno.build.arch === "x86_64" ? "x64" : "arm64";
  const os = Deno.build.os === "windows" ? "win32" : Deno.build.os;
  const dir = `node_modules/@duckdb/node-bindings-${os}-${arch}`;
  try {
    return Deno.statSync(`${ROOT}${dir}`).isDirectory ? [dir] : [];
  } catch {
    return [];
  }
}

/**
 * Whether the binary at `pond` runs SQL, i.e. carried DuckDB: one query, its first error line
 * otherwise.
 */
async function binaryRunsSql(pond: string): Promise<string | undefined> {
  const out = await new Deno.Command(pond, {
    args: ["query", "SELECT 42 AS answer", "--format", "csv"],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output().catch((e: Error) => ({
    success: false,
    stdout: new Uint8Array(),
    stderr: e.message,
  }));
  const text = new TextDecoder();
  const stdout = text.decode(out.stdout);
  if (out.success && stdout === "answer\n42\n") return undefined;
  const stderr = typeof out.stderr === "string" ? out.stderr : text.decode(out.stderr);
  return stderr.trim().split("\n")[0] || `it printed ${JSON.stringify(stdout.slice(0, 80))}`;
}

/**
 * The bundle: `pond.js` and the chunks it imports when a command needs them, so a small
 * command loads only its own code. Packages resolve to their ESM builds (`--platform browser`,
 * with Node's built-ins left as imports): a CommonJS build would make the bundler start
 * every run by loading Node's module system for its `require` shim, which costs more than a
 * small command takes. DuckDB's package loads a native library (one per platform) that no
 * bundle can hold: the bundle leaves it out and imports it, when a query first runs, from the
 * node_modules of the project the bundle runs in.
 */
const NATIVE_PACKAGE = "@duckdb/node-api";

async function bundle(out: string): Promise<void> {
  const staging = await Deno.makeTempDir({ dir: out, prefix: ".bundle-" });
  try {
    const res = await deno([
      "bundle",
      "--platform",
      "browser",
      "--external",
      "node:*",
      "--external",
      NATIVE_PACKAGE,
      "--code-splitting",
      "--outdir",
      staging,
      "main.ts",
    ]);
    if (!res.ok) throw new Error(`deno bundle failed:\n${res.stderr}`);
    for await (const e of Deno.readDir(out)) {
      if (e.isFile && (e.name === "pond.js" || CHUNK.test(e.name))) await rm(`${out}/${e.name}`);
    }
    for await (const e of Deno.readDir(staging)) {
      await Deno.rename(
        `${staging}/${e.name}`,
        `${out}/${e.name === "main.js" ? "pond.js" : e.name}`,
      );
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  await rm(`${out}/plugins`, { recursive: true, force: true });
  await cp(`${ROOT}/plugins`, `${out}/plugins`, { recursive: true });
}

/** The name of a chunk of an earlier bundle (`list-CMTQSNRC.js`), replaced by the new ones. */
const CHUNK = /^[\w-]+-[A-Z0-9]{8}\.js$/;

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      bundle: { type: "boolean" },
      out: { type: "string", default: "dist" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  const out = resolve(ROOT, values.out!);
  await mkdir(out, { recursive: true });
  if (!values.bundle) {
    const res = await compileBinary(out);
    console.error(
      res.ok
        ? `built ${out}/pond`
        : `compile: did not build ${out}/pond: ${res.why}; building the bundle instead`,
    );
    if (res.ok) {
      const sqlFailure = await binaryRunsSql(`${out}/pond`);
      console.error(
        sqlFailure === undefined
          ? `${out}/pond carries DuckDB (${duckdbBindings().join(", ")}): it ran a query`
          : `compile: ${out}/pond cannot run SQL (${sqlFailure}); pond query, cat --sql and ` +
            "cat --rows need the bundle with node_modules beside it",
      );
    }
  }
  await bundle(out);
  console.error(`built ${out}/pond.js (run: deno run -A ${out}/pond.js --help)`);
  console.error(
    `left ${NATIVE_PACKAGE} (DuckDB, a native library) out of the bundle: pond query, ` +
      `cat --sql and cat --rows load it from node_modules where the bundle runs (npm install ${NATIVE_PACKAGE})`,
  );
}
