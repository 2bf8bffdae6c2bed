/** The vetted work the host does for sandboxed plugins, which cannot import libraries: Parquet in and out, SQL over their inputs. */

import { tableToParquet } from "../table/mod.ts";
import { tableFromIPC, tableToIPC } from "../table/mod.ts";
import type { CapabilityContext } from "./capability_context.ts";
import { PluginError } from "./errors.ts";
import { keptRef, numberColumns, runKept } from "./kept_query.ts";
import { refresh, sql } from "./sql_capability.ts";
import { parquetToTable } from "./table_parquet.ts";

/**
 * The capabilities by name: each takes the plugin's argument, checked here, and returns data.
 * Tables cross as Arrow IPC streams, which the sandbox writes and reads itself.
 */
const CAPABILITIES: Readonly<
  Record<string, (args: unknown, context: CapabilityContext) => Promise<unknown>>
> = { encodeParquet, decodeParquet, sql, refresh, keep };

/**
 * Runs capability `name` for a plugin. Unknown names and malformed arguments throw an `Error`
 * whose message goes back to the plugin (it is the plugin's mistake, and it may catch it); so do
 * tables over the limits. A `Deadline` from `context.check` is thrown as it is.
 *
 * @example
 * ```ts
 * import { tableToIPC } from "../table/mod.ts";
 * import { tableLimits } from "./limits.ts";
 *
 * const context = { plugin: "x", table: tableLimits(256), check: () => {} };
 * const parquet = await runCapability("encodeParquet", tableToIPC([{ name: "v", values: [1, 2] }]), context);
 * ```
 */
export async function runCapability(
  name: string,
  args: unknown,
  context: CapabilityContext,
): Promise<unknown> {
  if (!Object.hasOwn(CAPABILITIES, name)) {
    throw new Error(
      `the host has no capability ${JSON.stringify(name.slice(0, 64))}; it offers ${
        Object.keys(CAPABILITIES).join(", ")
      }`,
    );
  }
  return await CAPABILITIES[name](args, context);
}

/** A table (an Arrow IPC stream) → Parquet bytes, in pond's dialect (timestamps µs UTC). */
function encodeParquet(args: unknown, context: CapabilityContext): Promise<Uint8Array> {
  if (!(args instanceof Uint8Array)) throw new Error("encodeParquet takes a table");
  const table = tableFromIPC(args, context.table.cells);
  context.check();
  return tableToParquet(table);
}

/** Parquet bytes → the table they hold, as an Arrow IPC stream. */
async function decodeParquet(args: unknown, context: CapabilityContext): Promise<Uint8Array> {
  if (!(args instanceof Uint8Array)) {
    throw new Error("decodeParquet takes the Parquet file's bytes");
  }
  let table;
  try {
    table = await parquetToTable(args, context.table, context.check);
  } catch (e) {
    if (e instanceof PluginError) throw e;
    throw new Error(`decodeParquet cannot decode it: ${(e as Error).message}`);
  }
  context.check();
  return tableToIPC(table);
}

/**
 * `host.keep(query, input, columns)`: brings the kept query up to date with the input's versions
 * (see `runKept`) and says what that took: how many versions the input has, those whose rows were
 * read now, and of the result computed now the `columns` named (flat columns of numbers, times
 * as microseconds since the epoch, as an Arrow IPC stream; none when nothing was computed or no
 * column was named), for
 * the plugin to count its work.
 */
async function keep(args: unknown, context: CapabilityContext): Promise<unknown> {
  const ref = keptRef(args);
  const wanted = (args as { columns?: unknown }).columns ?? [];
  if (!Array.isArray(wanted) || !wanted.every((c) => typeof c === "string")) {
    throw new Error("host.keep: columns is a list of column names of the result");
  }
  const { versions, computed, fresh } = await runKept(ref, context);
  const table = fresh && wanted.length > 0
    ? tableToIPC(await numberColumns(fresh, wanted as string[], context))
    : undefined;
  context.check();
  return { versions: versions.length, computed, table };
}
