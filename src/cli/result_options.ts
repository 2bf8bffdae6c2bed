/** The formats a query result prints in, and the options `pond query` and `pond cat --sql` share to choose one. */
import type { Command } from "./command.ts";

/** Every format a result prints in. */
export const RESULT_FORMATS = ["table", "csv", "json", "jsonl", "parquet", "arrow"] as const;

/** One of {@link RESULT_FORMATS}. */
export type ResultFormat = typeof RESULT_FORMATS[number];

/**
 * The options `pond query` and `pond cat --sql` share: how to print the result.
 *
 * @example
 * ```ts
 * import type { Command } from "./command.ts";
 *
 * const options: Command["options"] = { ...RESULT_OPTIONS, at: { type: "string", help: "as of SEQ or TIME" } };
 * ```
 */
export const RESULT_OPTIONS: Command["options"] = {
  format: {
    type: "string",
    value: "FORMAT",
    help: `${RESULT_FORMATS.join("|")} (default: table on a terminal, else csv)`,
  },
  output: { type: "string", short: "o", value: "host:FILE", help: "write the result to FILE" },
};
