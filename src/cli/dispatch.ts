/** The top of the CLI: finds the command, parses its options, maps failures to exit codes. */
import { isPondError } from "../errors.ts";
import { hostError } from "../pond/host_error.ts";
import { checkArity, type Command, parseCommandLine, renderHelp } from "./command.ts";
import { UsageError } from "./errors.ts";
import { consoleOutput, type Output } from "./output.ts";
import { COMMANDS, POND_VERSION } from "./registry.ts";
import { escapeControl } from "./terminal_text.ts";

/** Exit codes a script can rely on. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Replaces the real streams and environment, for tests and embedding. */
export interface CliIo {
  output?: Output;
  env?: Record<string, string | undefined>;
}

/**
 * Runs one pond command line and returns its exit code: 0 on success, 1 on failure,
 * 2 on a usage error. User errors print one line on stderr; `--verbose` adds detail.
 *
 * @example
 * ```ts
 * Deno.exit(await runCli(["delta", "info", "./my_table"]));
 * ```
 */
export async function runCli(argv: string[], io: CliIo = {}): Promise<number> {
  const verbose = argv.includes("--verbose") || argv.includes("-v");
  const output = io.output ??
    consoleOutput({ verbose, noColor: argv.includes("--no-color") });
  try {
    return await dispatch(argv, output, io.env ?? Deno.env.toObject());
  } catch (e) {
    return report(e, output);
  }
}

async function dispatch(
  argv: string[],
  output: Output,
  env: Record<string, string | undefined>,
): Promise<number> {
  const first = argv.findIndex((a) => !a.startsWith("-"));
  const leading = first < 0 ? argv : argv.slice(0, first);
  if (first < 0) {
    if (leading.includes("--version")) {
      output.out(`pond ${POND_VERSION}\n`);
      return EXIT.ok;
    }
    if (leading.includes("--help") || leading.includes("-h")) {
      output.out(topHelp());
      return EXIT.ok;
    }
    output.err(topHelp());
    return EXIT.usage;
  }
  let cmd = findCommand(COMMANDS, argv[first], "pond");
  let path = `pond ${cmd.name}`;
  let rest = [...leading, ...argv.slice(first + 1)];
  while (cmd.subcommands) {
    const i = rest.findIndex((a) => !a.startsWith("-"));
    if (i < 0) {
      if (rest.includes("--help") || rest.includes("-h")) {
        output.out(renderHelp(cmd, path));
        return EXIT.ok;
      }
      throw new UsageError(`${path}: missing command (usage: ${cmd.usage})`);
    }
    cmd = findCommand(cmd.subcommands, rest[i], path);
    path = `${path} ${cmd.name}`;
    rest = [...rest.slice(0, i), ...rest.slice(i + 1)];
  }
  const { options, positionals } = parseCommandLine(cmd, path, rest);
  if (options.help) {
    output.out(renderHelp(cmd, path));
    return EXIT.ok;
  }
  checkArity(cmd, path, positionals);
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const code = await cmd.run!({
      options,
      positionals,
      output,
      env,
      argv,
      atExit: (cleanup) => void cleanups.push(cleanup),
    });
    return code ?? EXIT.ok;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

function findCommand(list: Command[], name: string, parent: string): Command {
  const cmd = list.find((c) => c.name === name || c.aliases?.includes(name));
  if (!cmd) {
    throw new UsageError(`${parent}: unknown command '${name}' (see '${parent} --help')`);
  }
  return cmd;
}

/** What a person at the command line can do about errors the library words for any caller. */
const HINTS: Record<string, string> = {
  UnknownFactory: " (a plugin missing from this pond: add it with 'pond plugin add FILE')",
};

function report(failure: unknown, output: Output): number {
  if (failure instanceof Deno.errors.BrokenPipe) return EXIT.ok; // the reader went away, as `| head` does
  const e = hostError(failure);
  if (e instanceof UsageError) {
    output.err(`${escapeControl(e.message)}\n`);
    return EXIT.usage;
  }
  if (isPondError(e)) {
    output.err(`pond: ${escapeControl(e.message)}${HINTS[e.code] ?? ""}\n`);
    if (output.isVerbose) output.err(`  code: ${e.code}\n${detail(e)}`);
    return EXIT.failure;
  }
  const msg = e instanceof Error ? e.message : String(e);
  output.err(`pond: internal error: ${escapeControl(msg)}\n`);
  output.err(
    output.isVerbose ? detail(e) : "  (run again with --verbose for details, and report it)\n",
  );
  return EXIT.failure;
}

function detail(e: unknown): string {
  const lines: string[] = [];
  for (let c: unknown = e; c; c = c instanceof Error ? c.cause : undefined) {
    lines.push(c instanceof Error ? (c.stack ?? c.message) : String(c));
  }
  return lines.join("\ncaused by: ") + "\n";
}

function topHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "pond — a local-first, versioned data lake in one command",
    "",
    "Usage: pond COMMAND [OPTIONS] [ARGS]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    "",
    "Run 'pond COMMAND --help' for a command's options and examples.",
    "The pond's location comes from --pond PATH or the POND environment variable.",
    "",
  ].join("\n");
}
