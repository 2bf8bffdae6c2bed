/** The shape of a pond command: its options, help text with examples, and how it runs. */
import { type OptionShape, parseOptions } from "./args.ts";
import { UsageError } from "./errors.ts";
import type { Output } from "./output.ts";

/** One option of a command: how it is read, plus its help text. */
export interface OptionSpec extends OptionShape {
  /** Placeholder shown in help for a string option, e.g. `N`. */
  value?: string;
  help: string;
}

/** What a command receives: its parsed options and positionals, and where to print. */
export interface CommandContext {
  options: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  output: Output;
  /** The process environment (tests pass their own). */
  env: Record<string, string | undefined>;
  /** The whole argument list as typed, recorded in commit metadata. */
  argv: string[];
  /**
   * Registers work to do when the command ends, however it ends (e.g. stopping the plugin
   * sandboxes it started); the dispatcher runs it, last registered first.
   */
  atExit(cleanup: () => Promise<void> | void): void;
}

/**
 * A CLI command. `run` returns the exit code (0 when it returns nothing); errors it throws
 * are mapped to exit codes by the dispatcher.
 *
 * @example
 * ```ts
 * const hello: Command = {
 *   name: "hello", summary: "say hello", usage: "pond hello [NAME]",
 *   options: {}, examples: ["pond hello world"],
 *   run: ({ positionals, output }) => { output.out(`hello ${positionals[0] ?? ""}\n`); },
 * };
 * ```
 */
export interface Command {
  name: string;
  aliases?: string[];
  summary: string;
  usage: string;
  description?: string;
  options: Record<string, OptionSpec>;
  examples: string[];
  /** Positional argument count limits; checked before `run`. */
  minArgs?: number;
  maxArgs?: number;
  /** Sub-commands (e.g. `pond delta info`); a command has either these or `run`. */
  subcommands?: Command[];
  run?(ctx: CommandContext): Promise<number | void> | number | void;
}

/**
 * A top-level command's module: everything but its name, aliases and summary, which the
 * registry holds, so that `pond --help` lists the commands without loading any of them.
 *
 * @example
 * ```ts
 * export const helloCommand: CommandBody = {
 *   usage: "pond hello", options: {}, examples: ["pond hello"], run: () => {},
 * };
 * ```
 */
export type CommandBody = Omit<Command, "name" | "aliases" | "summary">;

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  pond: { type: "string", value: "PATH", help: "the pond's directory (default: $POND)" },
  verbose: { type: "boolean", short: "v", help: "show what the command did, stage by stage" },
  json: { type: "boolean", help: "print data as JSON on stdout (where the command prints data)" },
  "no-color": { type: "boolean", help: "no colour (also: the NO_COLOR environment variable)" },
  help: { type: "boolean", short: "h", help: "show this help" },
};

/**
 * Parses `args` against a command's options plus the global ones.
 * A malformed command line is a {@link UsageError}.
 *
 * @example
 * ```ts
 * import { commandAt } from "./registry.ts";
 *
 * const { cmd: mkdir } = await commandAt(["mkdir"]);
 * const { options, positionals } = parseCommandLine(mkdir, "pond mkdir", ["-p", "/a/b"]);
 * ```
 */
export function parseCommandLine(cmd: Command, path: string, args: string[]) {
  const { values, positionals } = parseOptions({ ...GLOBAL_OPTIONS, ...cmd.options }, args, path);
  return { options: values as CommandContext["options"], positionals };
}

/** Checks positional counts and throws a usage error naming the command. */
export function checkArity(cmd: Command, path: string, positionals: string[]): void {
  const n = positionals.length;
  if (cmd.minArgs !== undefined && n < cmd.minArgs) {
    throw new UsageError(`${path}: missing argument (usage: ${cmd.usage})`);
  }
  if (cmd.maxArgs !== undefined && n > cmd.maxArgs) {
    throw new UsageError(`${path}: too many arguments (usage: ${cmd.usage})`);
  }
}

/**
 * The help text of a command: summary, usage, options, examples.
 *
 * @example
 * ```ts
 * import { commandAt } from "./registry.ts";
 *
 * const { cmd, path } = await commandAt(["mkdir"]);
 * console.log(renderHelp(cmd, path));
 * ```
 */
export function renderHelp(cmd: Command, path: string): string {
  const lines = [`${path} — ${cmd.summary}`, "", `Usage: ${cmd.usage}`];
  if (cmd.description) lines.push("", cmd.description);
  if (cmd.subcommands?.length) {
    lines.push("", "Commands:");
    const w = Math.max(...cmd.subcommands.map((c) => c.name.length));
    for (const c of cmd.subcommands) lines.push(`  ${c.name.padEnd(w)}  ${c.summary}`);
  }
  if (Object.keys(cmd.options).length) lines.push("", "Options:", ...renderOptions(cmd.options));
  lines.push("", "Global options:", ...renderOptions(GLOBAL_OPTIONS));
  if (cmd.examples.length) lines.push("", "Examples:", ...cmd.examples.map((e) => `  ${e}`));
  return lines.join("\n") + "\n";
}

function renderOptions(spec: Record<string, OptionSpec>): string[] {
  const heads = Object.entries(spec).map(([name, o]) => {
    const short = o.short ? `-${o.short}, ` : "    ";
    return [`${short}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`, o.help];
  });
  const w = Math.max(...heads.map(([h]) => h.length));
  return heads.map(([h, help]) => `  ${h.padEnd(w)}  ${help}`);
}
