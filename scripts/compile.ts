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
chunks it loads as commands need them, and DIR/plugins, all beside it. DuckDB
(@duckdb/node-api, a native library) is not in the bundle: queries load it from the
node_modules where the bundle runs. The compiled binary runs plugin
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

async function deno(args: string[]): Promise<{ ok: boolean; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  return { ok: out.success, stderr: new TextDecoder().decode(out.stderr) };
}

async function compileBinary(out: string): Promise<{ ok: boolean; why?: string }> {
  const res = await deno([
    "compile",
    ...RUNTIME_FLAGS,
    "--include",
    "plugins",
    "--output",
    `${out}/pond`,
    "main.ts",
  ]);
  if (res.ok) return { ok: true };
  const unreachable = /dl\.deno\.land|error sending request|dns error|denort/i.test(res.stderr);
  const why = unreachable
    ? "the Deno runtime download (dl.deno.land) is unreachable from this machine; " +
      "set DENORT_BIN to a local denort binary to compile offline"
    : res.stderr.trim().split("\n").find((l) => /error/i.test(l)) ?? "deno compile failed";
  return { ok: false, why };
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
  }
  await bundle(out);
  console.error(`built ${out}/pond.js (run: deno run -A ${out}/pond.js --help)`);
  console.error(
    `left ${NATIVE_PACKAGE} (DuckDB, a native library) out of the bundle: pond query, ` +
      `cat --sql and cat --rows load it from node_modules where the bundle runs (npm install ${NATIVE_PACKAGE})`,
  );
}
