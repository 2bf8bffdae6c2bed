/** The top of the CLI: finds the command, parses its options, maps failures to exit codes. */
import { isPondError } from "../errors.ts";
import { firstPositional } from "./args.ts";
import {
  checkArity,
  type Command,
  type CommandContext,
  GLOBAL_OPTIONS,
  parseCommandLine,
  renderHelp,
} from "./command.ts";
import { UsageError } from "./errors.ts";
import { consoleOutput, type Output } from "./output.ts";
import { commandNamed, loadCommand, POND_VERSION, subcommandNamed, topHelp } from "./registry.ts";
import { escapeMessage } from "./terminal_text.ts";

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
  const streams = (verbose: boolean, noColor: boolean) =>
    io.output ?? consoleOutput({ verbose, noColor });
  // Until the command line is read, its words are taken at face value (for an error on the way).
  let output = streams(
    argv.includes("--verbose") || argv.includes("-v"),
    argv.includes("--no-color"),
  );
  const settle = (options: CommandContext["options"]) =>
    output = streams(Boolean(options.verbose), Boolean(options["no-color"]));
  try {
    return await dispatch(argv, settle, io.env ?? Deno.env.toObject());
  } catch (e) {
    return report(e, output);
  }
}

/** Finds and runs the command; `settle` makes the streams the parsed options ask for. */
async function dispatch(
  argv: string[],
  settle: (options: CommandContext["options"]) => Output,
  env: Record<string, string | undefined>,
): Promise<number> {
  const first = firstPositional(GLOBAL_OPTIONS, argv);
  if (first < 0) {
    const { options } = parseCommandLine(TOP, "pond", argv);
    const output = settle(options);
    if (options.version) output.out(`pond ${POND_VERSION}\n`);
    else if (options.help) output.out(topHelp());
    else output.err(topHelp());
    return options.version || options.help ? EXIT.ok : EXIT.usage;
  }
  let cmd = await loadCommand(commandNamed(argv[first]));
  let path = `pond ${cmd.name}`;
  let rest = without(argv, first);
  while (cmd.subcommands) {
    const i = firstPositional({ ...GLOBAL_OPTIONS, ...cmd.options }, rest);
    if (i < 0) {
      const { options } = parseCommandLine(cmd, path, rest);
      if (options.help) {
        settle(options).out(renderHelp(cmd, path));
        return EXIT.ok;
      }
      throw new UsageError(`${path}: missing command (usage: ${cmd.usage})`);
    }
    cmd = subcommandNamed(cmd, path, rest[i]);
    path = `${path} ${cmd.name}`;
    rest = without(rest, i);
  }
  const { options, positionals } = parseCommandLine(cmd, path, rest);
  const output = settle(options);
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

/** `pond` without a command: only the global options, and --version. */
const TOP: Command = {
  name: "pond",
  summary: "",
  usage: "pond COMMAND [OPTIONS] [ARGS]",
  options: { version: { type: "boolean", help: "print pond's version" } },
  examples: [],
};

function without(args: string[], i: number): string[] {
  return [...args.slice(0, i), ...args.slice(i + 1)];
}

/** What a person at the command line can do about errors the library words for any caller. */
const HINTS: Record<string, string> = {
  UnknownFactory: " (a plugin missing from this pond: add it with 'pond plugin add FILE')",
};

/**
 * Prints a failure as one line and returns the exit code. The pond layer (for `hostError`,
 * which words the OS's errors) loads only here, on failure, so `--help` and `--version` never load it.
 */
async function report(failure: unknown, output: Output): Promise<number> {
  if (failure instanceof Deno.errors.BrokenPipe) return EXIT.ok; // the reader went away, as `| head` does
  const e = isPondError(failure) ? failure : (await import("../pond/mod.ts")).hostError(failure);
  if (e instanceof UsageError) {
    output.err(`${escapeMessage(e.message)}\n`);
    return EXIT.usage;
  }
  if (isPondError(e)) {
    output.err(`pond: ${escapeMessage(e.message)}${HINTS[e.code] ?? ""}\n`);
    if (output.isVerbose) output.err(`  code: ${e.code}\n${detail(e)}`);
    return EXIT.failure;
  }
  const msg = e instanceof Error ? e.message : String(e);
  output.err(`pond: internal error: ${escapeMessage(msg)}\n`);
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
