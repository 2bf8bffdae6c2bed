/** What pond commands share: finding the pond (named, or from the working directory up) and opening it with its plugins, --at, asking before a change, --verbose. */
import { PondError } from "../errors.ts";
import { DEFAULT_DEADLINE_MS, type PluginHost } from "../plugin_host/mod.ts";
import {
  findPond,
  localPond,
  Pond,
  POND_MARKER,
  type PondAt,
  pondCache,
  type PondStores,
} from "../pond/mod.ts";
import type { CommandContext, OptionSpec } from "./command.ts";
import { UsageError } from "./errors.ts";
import { parseTime } from "./time_option.ts";
import { escapeControl } from "./terminal_text.ts";

/** The environment variable that sets how long one plugin call may take, in ms. */
export const DEADLINE_ENV = "POND_PLUGIN_DEADLINE_MS";

/** The `--at` option of every read command. */
export const AT_OPTION: Record<string, OptionSpec> = {
  at: {
    type: "string",
    value: "SEQ|TIME",
    help: "read the pond as of transaction SEQ, or of TIME (ISO 8601: the newest transaction then)",
  },
};

/** Where the pond a command uses is, and how it was chosen. */
export interface PondLocation {
  readonly path: string;
  /** Named by `--pond`, by `$POND`, or found from the working directory up. */
  readonly from: "--pond" | "POND" | "search";
}

/**
 * The pond's directory: `--pond PATH`, else `$POND`, else the nearest directory holding
 * `pond.json` from the working directory up (as git finds `.git`; `--verbose` then says which).
 * A usage error when there is none.
 *
 * @example
 * ```ts
 * import type { CommandContext } from "./command.ts";
 *
 * async function example(ctx: CommandContext) {
 *   const { path, from } = await locatePond(ctx, "pond status"); // "/data/pond", "search"
 * }
 * ```
 */
export async function locatePond(ctx: CommandContext, command: string): Promise<PondLocation> {
  const named = namedPond(ctx);
  if (named) return { path: named, from: ctx.options.pond ? "--pond" : "POND" };
  const cwd = Deno.cwd();
  const found = await findPond(cwd);
  if (!found) {
    throw new UsageError(
      `${command}: which pond? none is named and no ${POND_MARKER} is in ${cwd} or above it: ` +
        "pass --pond PATH or set the POND environment variable (or make one: 'pond init PATH')",
    );
  }
  ctx.output.verbose(`pond: ${found} (the nearest holding ${POND_MARKER} from ${cwd} up)`);
  return { path: found, from: "search" };
}

/**
 * The pond's directory, as {@link locatePond} finds it.
 *
 * @example
 * ```ts
 * import type { CommandContext } from "./command.ts";
 *
 * async function example(ctx: CommandContext) {
 *   const path = await pondPath(ctx, "pond list"); // "/data/pond"
 * }
 * ```
 */
export async function pondPath(ctx: CommandContext, command: string): Promise<string> {
  return (await locatePond(ctx, command)).path;
}

/**
 * The stores of the pond the command uses (see {@link locatePond}): those of its directory,
 * from `localPond`, the one place a directory becomes a pond's stores.
 *
 * @example
 * ```ts
 * import type { CommandContext } from "./command.ts";
 *
 * async function example(ctx: CommandContext) {
 *   const stores = await pondStores(ctx, "pond check"); // stores.location "/data/pond"
 * }
 * ```
 */
export async function pondStores(ctx: CommandContext, command: string): Promise<PondStores> {
  return localPond(await pondPath(ctx, command));
}

/**
 * The pond the command line names: `--pond PATH`, else `$POND` (not searched for).
 *
 * @example
 * ```ts
 * import type { CommandContext } from "./command.ts";
 *
 * async function example(ctx: CommandContext) {
 *   const path = namedPond(ctx) ?? "./lake";
 * }
 * ```
 */
export function namedPond(ctx: CommandContext): string | undefined {
  return (ctx.options.pond as string | undefined) || ctx.env.POND || undefined;
}

/**
 * Opens the pond the command names, with its plugins (built-in and installed) computing its
 * dynamic directories, and starts the `--verbose` stage clock. The plugins run on one host per
 * command, closed when the command ends; what they print is shown
 * under `--verbose`, and each call may take `$POND_PLUGIN_DEADLINE_MS` (default 5000).
 *
 * @example
 * ```ts
 * import type { CommandContext } from "./command.ts";
 *
 * async function example(ctx: CommandContext) {
 *   const { pond, stages } = await openPond(ctx, "pond list");
 * }
 * ```
 */
export async function openPond(ctx: CommandContext, command: string) {
  const stages = new Stages(ctx);
  const stores = await pondStores(ctx, command);
  const pond = await Pond.open(stores, { plugins: pluginHost(ctx, command, stores) });
  for (const note of pond.store.notes) ctx.output.verbose(note);
  stages.mark("open");
  return { pond, stages };
}

/**
 * The command's plugin host, made when a plugin first computes (a command that meets no
 * dynamic node loads neither it nor SQL) and closed (its sandboxes stopped) when the command
 * ends, keeping what it computes in the cache of the pond in `stores`. Plugins'
 * `host.sql` runs on `src/sql` (DuckDB, loaded only when a plugin queries): the CLI wires it,
 * since src/sql depends on src/pond, which depends on the plugin host.
 */
function pluginHost(
  ctx: CommandContext,
  command: string,
  stores: PondStores,
): () => Promise<PluginHost> {
  const deadline = ctx.env[DEADLINE_ENV];
  if (deadline !== undefined && !/^[1-9]\d*$/.test(deadline)) {
    throw new UsageError(
      `${command}: ${DEADLINE_ENV} is a whole number of milliseconds, like ${DEFAULT_DEADLINE_MS}, not '${deadline}'`,
    );
  }
  return async () => {
    const [{ PluginHost }, { queryGroups }] = await Promise.all([
      import("../plugin_host/mod.ts"),
      import("../sql/mod.ts"),
    ]);
    const host = new PluginHost({
      deadlineMs: deadline === undefined ? DEFAULT_DEADLINE_MS : Number(deadline),
      onOutput: (plugin, text) => {
        for (const line of text.replace(/\n$/, "").split("\n")) {
          ctx.output.verbose(`plugin ${escapeControl(plugin)}: ${escapeControl(line)}`);
        }
      },
      sql: queryGroups,
      cache: pondCache(stores),
    });
    ctx.atExit(() => host.close());
    return host;
  };
}

/**
 * Asks on the terminal whether to `what`, unless `--yes` was given, and stops the command
 * (`NotConfirmed`, exit 1, nothing changed) unless the answer is y or yes. A command whose
 * stdin is not a terminal cannot ask, so it needs `--yes` (a usage error otherwise).
 *
 * @example
 * ```ts
 * import type { CommandContext } from "./command.ts";
 *
 * async function example(ctx: CommandContext) {
 *   await confirm(ctx, "pond plugin add", "add plugin shout 1.0.0");
 * }
 * ```
 */
export async function confirm(ctx: CommandContext, command: string, what: string): Promise<void> {
  if (ctx.options.yes) return;
  if (!Deno.stdin.isTerminal()) {
    throw new UsageError(
      `${command}: cannot ask whether to ${what}: stdin is not a terminal; pass --yes to go ahead`,
    );
  }
  ctx.output.err(`${what[0].toUpperCase()}${what.slice(1)}? [y/N] `);
  if (!/^\s*y(es)?\s*$/i.test(await readLine(Deno.stdin))) {
    throw new PondError("NotConfirmed", `did not ${what} (answered no); nothing changed`);
  }
}

/** One line of `input`, without its line break (what there is, at the end of input). */
async function readLine(input: { read(p: Uint8Array): Promise<number | null> }): Promise<string> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(256);
  let line = "";
  while (!line.includes("\n")) {
    const n = await input.read(buffer);
    if (n === null) break;
    line += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
  return line.split("\n")[0];
}

/**
 * A point in the pond's history given on the command line, as `--at` (or the option or
 * argument `what` names); undefined when absent. Digits alone are a transaction number;
 * anything else must be an ISO 8601 time (see {@link parseTime}: UTC unless it names a zone),
 * so `-1`, `1.5` or ` 3` are usage errors.
 *
 * @example
 * ```ts
 * parseAt("12", "pond cat");                              // { seq: 12 }
 * parseAt("2026-06-01T00:00:00Z", "pond cat");            // { time: 1780272000000 }
 * parseAt("x", "pond log", "--since takes a transaction number or a time"); // usage error
 * ```
 */
export function parseAt(
  value: string | undefined,
  command: string,
  what = "--at takes a transaction number or a time",
): PondAt | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return { seq: Number(value) };
  return { time: parseTime(value, command, what) };
}

/** Times the stages of a command and, under `--verbose`, reports them with the store's counters. */
export class Stages {
  readonly #ctx: CommandContext;
  readonly #times: [string, number][] = [];
  #last = performance.now();

  constructor(ctx: CommandContext) {
    this.#ctx = ctx;
  }

  /** Ends the stage called `name`. */
  mark(name: string): void {
    const now = performance.now();
    this.#times.push([name, now - this.#last]);
    this.#last = now;
  }

  /**
   * Prints, under `--verbose`, the time of each stage and what the pond's store read and wrote.
   *
   * @example
   * ```ts
   * import type { CommandContext } from "./command.ts";
   *
   * async function example(ctx: CommandContext) {
   *   const { pond, stages } = await openPond(ctx, "pond mkdir");
   *   const { seq } = await pond.transact(ctx.argv, (root) => root.createDirectory("/a"));
   *   stages.report(pond, { "transaction": seq });
   * }
   * ```
   */
  report(pond: Pond, extra: Record<string, string | number | null> = {}): void {
    const { output } = this.#ctx;
    if (!output.isVerbose) return;
    const c = pond.store.counters;
    for (const [k, v] of Object.entries(extra)) output.verbose(`${k}: ${v ?? "none"}`);
    output.verbose(`oplog rows read: ${c.rowsRead}, written: ${c.rowsWritten}`);
    output.verbose(
      `bytes written: ${c.bytesWritten} in ${c.deltaFilesWritten.length} Delta data files`,
    );
    for (const f of c.deltaFilesWritten) output.verbose(`  wrote ${f}`);
    if (c.blobsWritten) output.verbose(`large bodies stored: ${c.blobsWritten}`);
    output.verbose(
      "time: " + this.#times.map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`).join(", "),
    );
  }
}
