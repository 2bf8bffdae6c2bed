/** `host.sql(query, tables)`: a plugin's query over inputs of its call, run through the host's SQL port and handed back as a table. */

import { quoted } from "../tinyfs/mod.ts";
import { tableToIPC } from "../table/mod.ts";
import type { CapabilityContext } from "./capability_context.ts";
import { TABLE_NAME } from "./config.ts";
import { isPluginError } from "./errors.ts";
import { type KeptRef, keptRef, runKept } from "./kept_query.ts";
import { PLUGIN_LIMITS } from "./limits.ts";
import type { SqlTable } from "./sql_port.ts";
import { parquetToTable } from "./table_parquet.ts";

/** A query as the sandbox sends it: the text, each table's input paths or kept query, and whether the result is the call's answer. */
interface SqlRequest {
  readonly query: string;
  readonly tables: Readonly<Record<string, readonly string[] | KeptRef>>;
  readonly reply: boolean;
}

/**
 * Runs a plugin's `host.sql`: every path its tables name must be a file among the inputs of
 * the call it asks in (else an `Error` naming the path goes back to the plugin), each name's
 * inputs become one table, and the port runs the query within the call's deadline (it is
 * stopped when that passes) and the sandbox's table limits. The result comes back as an Arrow
 * IPC stream, as `decodeParquet`'s does. A table may instead be a kept query's result
 * (`{ kept, of }`, see `runKept`): the results of its groups of versions, one after another. With
 * `reply`, the result stays on the host and the plugin gets a handle, `{ hostResult }`, which its
 * read() may return as the file's content: the Parquet bytes the engine wrote. SQL errors and the engine's refusals are one-line
 * `Error`s for the plugin, which it may catch.
 *
 * @example
 * ```ts
 * import type { CapabilityContext } from "./capability_context.ts";
 *
 * async function example(context: CapabilityContext) {
 *   const ipc = await sql({ query: "SELECT count(*) AS n FROM r", tables: { r: ["/a.series"] } }, context);
 * }
 * ```
 */
export async function sql(
  args: unknown,
  context: CapabilityContext,
): Promise<Uint8Array | { hostResult: number }> {
  const { query, tables, reply } = request(args);
  if (!context.sql) {
    throw new Error(
      "host.sql is not offered here: this plugin host was opened without a SQL engine",
    );
  }
  const inputs = context.inputs?.nodes;
  const named: SqlTable[] = [];
  for (const [name, paths] of Object.entries(tables)) {
    if (!Array.isArray(paths)) {
      named.push({ name, matches: [], parquet: (await runKept(paths as KeptRef, context)).bodies });
      continue;
    }
    named.push({ name, matches: paths.map((path) => {
      const input = inputs?.get(path);
      if (!input || input.match.kind !== "file") {
        throw new Error(
          `host.sql: ${quoted(path)} is not ${
            input ? "a file" : "one of this call's inputs"
          }; a query reads only the files the plugin was handed`,
        );
      }
      return { node: input.node, captures: input.match.captures };
    }) });
  }
  context.check();
  const stop = new AbortController();
  const remaining = context.remainingMs?.();
  const timer = remaining === undefined ? undefined : setTimeout(() => stop.abort(), remaining);
  let parquet: Uint8Array;
  try {
    parquet = await context.sql(query, named, {
      maxBytes: context.table.bytes,
      signal: stop.signal,
    });
  } finally {
    clearTimeout(timer);
  }
  context.check();
  if (reply && context.reply) return { hostResult: context.reply(parquet) };
  try {
    const table = await parquetToTable(parquet, context.table, context.check);
    context.check();
    return tableToIPC(table);
  } catch (e) {
    if (isPluginError(e)) throw e;
    throw new Error(`host.sql cannot hand over its result: ${(e as Error).message}`);
  }
}

/** `args` checked as a {@link SqlRequest} within the plugin limits (`entries` inputs in all). */
function request(args: unknown): SqlRequest {
  const usage = "host.sql(query, tables) takes the SQL text and a mapping of table names to inputs";
  const { query, tables, reply } = (args ?? {}) as {
    query?: unknown;
    tables?: unknown;
    reply?: unknown;
  };
  if (typeof query !== "string" || typeof tables !== "object" || tables === null) {
    throw new Error(usage);
  }
  if (query.length > PLUGIN_LIMITS.configText) {
    throw new Error(
      `host.sql: the query is ${query.length} characters long, over the limit of ${PLUGIN_LIMITS.configText}`,
    );
  }
  const entries = Object.entries(tables);
  if (entries.length === 0 || entries.length > PLUGIN_LIMITS.configItems) {
    throw new Error(
      `host.sql: name 1 to ${PLUGIN_LIMITS.configItems} tables, not ${entries.length}`,
    );
  }
  let named = 0;
  for (const [name, paths] of entries) {
    if (!Array.isArray(paths)) keptRef(paths);
    if (!TABLE_NAME.test(name)) {
      throw new Error(
        `host.sql: the table name ${
          quoted(name)
        } is not letters, digits and _ (not starting with a digit)`,
      );
    }
    if (!Array.isArray(paths)) continue;
    if (
      paths.length === 0 || paths.length > PLUGIN_LIMITS.entries ||
      !paths.every((p) => typeof p === "string")
    ) {
      throw new Error(`host.sql: table ${name} must name 1 to ${PLUGIN_LIMITS.entries} inputs`);
    }
    named += paths.length;
    if (named > PLUGIN_LIMITS.entries) {
      throw new Error(`host.sql: the tables name more than ${PLUGIN_LIMITS.entries} inputs in all`);
    }
  }
  return { query, tables: tables as SqlRequest["tables"], reply: reply === true };
}
