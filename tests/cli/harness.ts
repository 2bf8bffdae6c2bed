/** Runs the pond CLI in-process or as a real subprocess and captures what it printed. */
import { fileURLToPath } from "node:url";
import { runCli } from "../../src/cli/dispatch.ts";
import type { Output } from "../../src/cli/output.ts";

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
 * Runs `pond ARGS` as a real process (`deno run main.ts`), as a user would, in the working
 * directory `cwd` (default: the repository).
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
  cwd = REPO_ROOT,
): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", entry, ...args],
    cwd,
    clearEnv: true, // the test's environment, but POND only when the test gives it
    env: { ...withoutPond(Deno.env.toObject()), NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function withoutPond(env: Record<string, string>): Record<string, string> {
  const { POND: _, ...rest } = env;
  return rest;
}
