/** A one-line progress display on stderr, shown only when stderr is a terminal. */
import type { Output } from "./output.ts";

const EVERY_MS = 100;

/**
 * Redraws one status line on stderr at most ten times a second, and erases it when done.
 * On anything but a terminal it prints nothing, so pipes and logs stay clean.
 *
 * @example
 * ```ts
 * import { consoleOutput } from "./output.ts";
 *
 * const bar = new Progress(consoleOutput({ verbose: false, noColor: false }), "copying");
 * const [files, bytes] = [3, 12_288];
 * bar.update(`${files} files, ${bytes} bytes`);
 * bar.done();
 * ```
 */
export class Progress {
  readonly #output: Output;
  readonly #label: string;
  #last = 0;
  #shown = false;

  constructor(output: Output, label: string) {
    this.#output = output;
    this.#label = label;
  }

  /** Shows `status` if the last redraw was long enough ago. */
  update(status: string): void {
    if (!this.#output.stderrIsTerminal) return;
    const now = performance.now();
    if (now - this.#last < EVERY_MS) return;
    this.#last = now;
    this.#shown = true;
    this.#output.err(`\r\x1b[2K${this.#label}: ${status}`);
  }

  /** Erases the line, if one was drawn. */
  done(): void {
    if (this.#shown) this.#output.err("\r\x1b[2K");
    this.#shown = false;
  }
}
