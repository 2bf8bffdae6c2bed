/** Reading a command line against option specs: `--name VALUE` or `--name=VALUE`, short flags, `--`, negative numbers as values. */
import { UsageError } from "./errors.ts";

/** How an option is read: a flag, or one that takes a value (collected when `multiple`). */
export interface OptionShape {
  type: "boolean" | "string";
  short?: string;
  multiple?: boolean;
}

/** The options and positionals of a command line. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** A number typed as a value or an argument (`-1`, `-1.5`), not an option. */
const NEGATIVE_NUMBER = /^-\d/;

/**
 * Reads `args` against `spec`. A string option takes its value as `--name VALUE` or
 * `--name=VALUE` (a value starting with `-` only in the `=` form, unless it is a number such
 * as `-1`); short flags group (`-rv`); after `--` everything is a positional. Anything
 * malformed is a one-line {@link UsageError} starting with `command`.
 *
 * @example
 * ```ts
 * const spec = { limit: { type: "string" as const }, rows: { type: "boolean" as const } };
 * parseOptions(spec, ["--limit", "-1", "--rows", "x"], "pond log");
 * // { values: { limit: "-1", rows: true }, positionals: ["x"] }
 * ```
 */
export function parseOptions(
  spec: Record<string, OptionShape>,
  args: readonly string[],
  command: string,
): ParsedArgs {
  const values: ParsedArgs["values"] = {};
  const positionals: string[] = [];
  const set = (name: string, value: string | boolean) => {
    if (spec[name].multiple) {
      values[name] = [...(values[name] as string[] | undefined ?? []), value as string];
    } else values[name] = value;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-" || NEGATIVE_NUMBER.test(arg)) {
      positionals.push(arg);
      continue;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const option = spec[name];
      if (!option) throw new UsageError(`${command}: unknown option '--${name}'`);
      if (option.type === "boolean") {
        if (eq >= 0) throw new UsageError(`${command}: --${name} takes no value`);
        set(name, true);
      } else if (eq >= 0) {
        set(name, arg.slice(eq + 1));
      } else {
        set(name, valueAfter(args, i++, `--${name}`, command));
      }
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const name = Object.keys(spec).find((n) => spec[n].short === arg[j]);
      if (!name) throw new UsageError(`${command}: unknown option '-${arg[j]}'`);
      if (spec[name].type === "boolean") {
        set(name, true);
        continue;
      }
      if (j + 1 < arg.length) set(name, arg.slice(j + 1));
      else set(name, valueAfter(args, i++, `-${arg[j]}`, command));
      break;
    }
  }
  return { values, positionals };
}

/**
 * The index of the first positional in `args` (the command word), skipping the options of
 * `spec` and their values; -1 when there is none. Options not in `spec` are skipped as flags.
 *
 * @example
 * ```ts
 * firstPositional({ pond: { type: "string" } }, ["--pond", "/p", "list", "/"]); // 2
 * ```
 */
export function firstPositional(
  spec: Record<string, OptionShape>,
  args: readonly string[],
): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") return i + 1 < args.length ? i + 1 : -1;
    if (!arg.startsWith("-") || arg === "-") return i;
    if (arg.startsWith("--") && !arg.includes("=") && spec[arg.slice(2)]?.type === "string") i++;
  }
  return -1;
}

function valueAfter(args: readonly string[], i: number, option: string, command: string): string {
  const value = args[i + 1];
  if (value === undefined) throw new UsageError(`${command}: ${option} needs a value`);
  if (value.startsWith("-") && value !== "-" && !NEGATIVE_NUMBER.test(value)) {
    throw new UsageError(
      `${command}: ${option} needs a value, not the option '${value}' (for a value starting with -, write ${option}=${value})`,
    );
  }
  return value;
}
