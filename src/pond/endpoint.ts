/** How a path typed on the command line names its side: `host:` on this computer, else the pond. */

/** The prefix that marks a path as the host's, e.g. `host:./data.csv`. */
export const HOST_PREFIX = "host:";

/** The host path that means standard input as a source, standard output as a destination. */
export const STANDARD_STREAM = "-";

/** One side of a copy: a path on the host or in the pond. */
export interface Endpoint {
  readonly side: "host" | "pond";
  readonly path: string;
}

/**
 * Reads a command-line path: `host:PATH` is on the host (relative to the working
 * directory), anything else is in the pond.
 *
 * @example
 * ```ts
 * endpoint("host:./a.csv"); // { side: "host", path: "./a.csv" }
 * endpoint("/raw/a.csv");   // { side: "pond", path: "/raw/a.csv" }
 * ```
 */
export function endpoint(arg: string): Endpoint {
  return arg.startsWith(HOST_PREFIX)
    ? { side: "host", path: arg.slice(HOST_PREFIX.length) || "." }
    : { side: "pond", path: arg };
}
