/** Runs the pond CLI in-process or as a real subprocess and captures what it printed. */
import { fileURLToPath } from "node:url";
import { runCli } from "../../src/cli/dispatch.ts";
import type { Output } from "../../src/cli/output.ts";
import { command } from "../subprocess.ts";

/** What a CLI run produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The repository root, for spawning `main.ts` and finding `../shared`. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Runs `pond ARGS` in this process with captured output.
 *
 * @example
 * ```ts
 * const r = await pondInProcess(["--help"]);
 * ```
 */
export async function pondInProcess(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const verbose = args.includes("--verbose") || args.includes("-v");
  const output: Output = {
    out: (t) => void (stdout += t),
    outBytes: (b) => Promise.resolve(void (stdout += new TextDecoder().decode(b))),
    err: (t) => void (stderr += t),
    verbose: (t) => void (verbose && (stderr += t.endsWith("\n") ? t : t + "\n")),
    stderrIsTerminal: false,
    color: false,
    isVerbose: verbose,
  };
  const code = await runCli(args, { output, env });
  return { code, stdout, stderr };
}

/**
 * Runs `pond ARGS` as a real process (`deno run main.ts`), as a user would; `io` gives it
 * standard input and a working directory (default: the repository).
 *
 * @example
 * ```ts
 * const r = await pondProcess(["delta", "info", dir], { POND: pondDir });
 * ```
 */
export async function pondProcess(
  args: string[],
  env: Record<string, string> = {},
  entry = `${REPO_ROOT}main.ts`,
  io: { stdin?: Uint8Array; cwd?: string } = {},
): Promise<CliResult> {
  const child = command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", entry, ...args],
    cwd: io.cwd ?? REPO_ROOT,
    clearEnv: true, // the test's environment, but POND only when the test gives it
    env: { ...withoutPond(Deno.env.toObject()), NO_COLOR: "1", ...env },
    stdin: io.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (io.stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(io.stdin);
    await writer.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function withoutPond(env: Record<string, string>): Record<string, string> {
  const { POND: _, ...rest } = env;
  return rest;
}

/**
 * Every file under a pond's `oplog/` (or another `part`; `""` for the whole pond) with its
 * size, sorted: equal before and after a command when the command committed nothing.
 *
 * @example
 * ```ts
 * const before = await oplogListing(pond);
 * assert.deepEqual(await oplogListing(pond), before, "nothing changed");
 * ```
 */
export async function oplogListing(pond: string, part = "oplog"): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(path, `${rel}${e.name}/`);
      else out.push(`${rel}${e.name} ${(await Deno.lstat(path)).size}`);
    }
  };
  await walk(part ? `${pond}/${part}` : pond, "");
  return out.sort();
}
