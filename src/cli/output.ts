/** Where a command writes: data on stdout, messages on stderr, colour and verbosity settings. */
import { UsageError } from "./errors.ts";

/** The streams and settings a command prints through; tests give it in-memory sinks. */
export interface Output {
  /** Writes data (what a script would pipe) to stdout. */
  out(text: string): void;
  /** Writes raw bytes to stdout (for `cat`). */
  outBytes(bytes: Uint8Array): Promise<void>;
  /** Writes a message for the person at the terminal to stderr. */
  err(text: string): void;
  /** Writes a line to stderr only under `--verbose`. */
  verbose(text: string): void;
  /** True when stderr is a terminal (progress bars are shown only then). */
  readonly stderrIsTerminal: boolean;
  /** True when stdout is a terminal (query results are then an aligned table); absent: not. */
  readonly stdoutIsTerminal?: boolean;
  /** False when `NO_COLOR` is set, `--no-color` was given, or stdout is not a terminal. */
  readonly color: boolean;
  readonly isVerbose: boolean;
}

/**
 * Refuses, as a usage error, to write binary output (`what`) to a terminal, where it would
 * garble the screen: one line saying what to do `instead`, or to redirect stdout into a file.
 *
 * @example
 * ```ts
 * import type { CommandContext } from "./command.ts";
 *
 * function example(ctx: CommandContext) {
 *   refuseBinaryOnTerminal(ctx.output, "pond query", "parquet", "use --format csv");
 * }
 * ```
 */
export function refuseBinaryOnTerminal(
  output: Output,
  command: string,
  what: string,
  instead: string,
): void {
  if (!output.stdoutIsTerminal) return;
  throw new UsageError(
    `${command}: will not write binary ${what} to a terminal; ${instead}, or redirect stdout into a file`,
  );
}

const encoder = new TextEncoder();

function writeAllSync(w: { writeSync(p: Uint8Array): number }, bytes: Uint8Array) {
  let off = 0;
  while (off < bytes.length) off += w.writeSync(bytes.subarray(off));
}

async function writeAll(w: { write(p: Uint8Array): Promise<number> }, bytes: Uint8Array) {
  let off = 0;
  while (off < bytes.length) off += await w.write(bytes.subarray(off));
}

/**
 * The process's real stdout and stderr.
 *
 * @example
 * ```ts
 * const o = consoleOutput({ verbose: false, noColor: false });
 * o.out("hello\n");
 * ```
 */
export function consoleOutput(opts: { verbose: boolean; noColor: boolean }): Output {
  const noColorEnv = (Deno.env.get("NO_COLOR") ?? "") !== "";
  return {
    out: (text) => writeAllSync(Deno.stdout, encoder.encode(text)),
    outBytes: (bytes) => writeAll(Deno.stdout, bytes),
    err: (text) => writeAllSync(Deno.stderr, encoder.encode(text)),
    verbose(text) {
      if (opts.verbose) this.err(text.endsWith("\n") ? text : text + "\n");
    },
    stderrIsTerminal: Deno.stderr.isTerminal(),
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    color: !opts.noColor && !noColorEnv && Deno.stdout.isTerminal(),
    isVerbose: opts.verbose,
  };
}
