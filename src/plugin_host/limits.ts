/** The bounds on the work a plugin can make the host do, and the deadline that host work shares with the call. */

import { PluginError } from "./errors.ts";

/**
 * What one plugin may make the host handle, checked before the host does the work. Names and
 * paths are bounded by tinyfs (`MAX_NAME_BYTES`, `MAX_PATH_BYTES`) and globs by its
 * `GLOB_LIMITS`; tables by {@link tableLimits}.
 */
export const PLUGIN_LIMITS = {
  /** Entries one entries() call may return. */
  entries: 100_000,
  /** Items in one config list (a plugin's subdirectory config included). */
  configItems: 1000,
  /** UTF-16 code units in one config string. */
  configText: 65_536,
  /** How deep a plugin's source may nest (expressions inside expressions, blocks in blocks). */
  sourceDepth: 1000,
  /** How deep the manifest literal may nest (each `+` joining strings counts a level). */
  manifestDepth: 64,
  /** Characters of a manifest's text (a description, a default) shown to people. */
  manifestText: 1000,
  /** Characters of what a plugin threw that the host keeps for its error. */
  reportText: 1000,
} as const;

/** The most a table crossing the boundary may hold, for one sandbox's memory cap. */
export interface TableLimits {
  /** Rows × columns. */
  readonly cells: number;
  /** Decoded bytes (Parquet pages uncompressed; Arrow IPC buffers). */
  readonly bytes: number;
}

/**
 * The table limits of a sandbox capped at `memoryLimitMb`: a table the plugin could not hold is
 * refused before the host decodes it, at 8 bytes a cell (a JS number) twice over, and its bytes
 * at the cap itself.
 *
 * @example
 * ```ts
 * tableLimits(256); // { cells: 16777216, bytes: 268435456 }
 * ```
 */
export function tableLimits(memoryLimitMb: number): TableLimits {
  return { cells: memoryLimitMb * 2 ** 16, bytes: memoryLimitMb * 2 ** 20 };
}

/**
 * One plugin call's deadline, shared by the host's work for it (converting its inputs and its
 * reply, serving its capabilities): the host checks it between steps, since a timer cannot
 * interrupt synchronous work.
 *
 * @example
 * ```ts
 * import { parquetToTable } from "./table_parquet.ts";
 *
 * const bytes = await Deno.readFile("readings.parquet");
 * const deadline = new Deadline(5000, "visit", "answer read()");
 * const table = await parquetToTable(bytes, tableLimits(256), () => deadline.check());
 * ```
 */
export class Deadline {
  readonly #due: number;

  constructor(readonly ms: number, readonly plugin: string, readonly what: string) {
    this.#due = performance.now() + ms;
  }

  /** What is left of it, in ms (0 once it has passed). */
  get remainingMs(): number {
    return Math.max(0, this.#due - performance.now());
  }

  /** Throws its `Deadline` error once it has passed. */
  check(): void {
    if (this.remainingMs === 0) throw this.error();
  }

  /** The `Deadline` error: the plugin, what it did not do, and the deadline. */
  error(): PluginError {
    return new PluginError(
      "Deadline",
      this.plugin,
      `plugin ${this.plugin} did not ${this.what} within ${this.ms} ms and was stopped; ` +
        "fix the plugin if it loops, or give it a longer deadline",
    );
  }
}

/**
 * The error for a plugin making the host go past one of its limits: one line naming the plugin,
 * what it did, and the limit.
 *
 * @example
 * ```ts
 * throw overLimit("InvalidReply", "visit", "entries() returned 200000 entries", "100000 entries");
 * ```
 */
export function overLimit(
  code: "InvalidReply" | "InvalidInput" | "InvalidSource" | "InvalidManifest",
  plugin: string,
  what: string,
  limit: string,
): PluginError {
  return new PluginError(
    code,
    plugin,
    `plugin ${plugin} ${what}, over the limit of ${limit}; the host refuses it unread`,
  );
}

/**
 * What a plugin said (threw, reported), as one line of text for a message: shortened to
 * `PLUGIN_LIMITS.reportText` characters, lone surrogates replaced, control characters escaped.
 *
 * @example
 * ```ts
 * reportText("bad\nthing"); // "bad\\x0athing"
 * ```
 */
export function reportText(value: unknown): string {
  const full = String(value);
  const short = full.length > PLUGIN_LIMITS.reportText
    ? `${full.slice(0, PLUGIN_LIMITS.reportText)}…`
    : full;
  return short.toWellFormed().replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f-\x9f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
