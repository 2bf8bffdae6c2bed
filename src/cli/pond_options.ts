/** What pond commands share: finding the pond (--pond or $POND), --at, and the --verbose report. */
import { Pond, type PondAt } from "../pond/pond.ts";
import type { CommandContext, OptionSpec } from "./command.ts";
import { UsageError } from "./errors.ts";

/** The `--at` option of every read command. */
export const AT_OPTION: Record<string, OptionSpec> = {
  at: {
    type: "string",
    value: "SEQ|TIME",
    help: "read the pond as of transaction SEQ, or of TIME (ISO 8601: the newest transaction then)",
  },
};

/**
 * The pond's directory: `--pond PATH`, else `$POND`; a usage error when neither is given.
 *
 * @example
 * ```ts
 * const path = pondPath(ctx); // "/data/pond"
 * ```
 */
export function pondPath(ctx: CommandContext, command: string): string {
  const path = (ctx.options.pond as string | undefined) ?? ctx.env.POND;
  if (!path) {
    throw new UsageError(
      `${command}: which pond? pass --pond PATH or set the POND environment variable`,
    );
  }
  return path;
}

/**
 * Opens the pond the command names, and starts the `--verbose` stage clock.
 *
 * @example
 * ```ts
 * const { pond, stages } = await openPond(ctx, "pond list");
 * ```
 */
export async function openPond(ctx: CommandContext, command: string) {
  const stages = new Stages(ctx);
  const pond = await Pond.open(pondPath(ctx, command));
  stages.mark("open");
  return { pond, stages };
}

/**
 * A point in the pond's history given on the command line — a transaction number or a
 * time — as `--at` (or the option or argument `what` names); undefined when absent.
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
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new UsageError(
      `${command}: ${what} such as 2026-06-01T12:00:00Z, not '${value}'`,
    );
  }
  return { time };
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
   * stages.report(pond, { "transaction": seq });
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
