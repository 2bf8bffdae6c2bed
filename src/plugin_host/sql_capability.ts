/** `host.sql(query, tables)`: a plugin's query over inputs of its call, run through the host's SQL port and handed back as a table. */

import { quoted } from "../tinyfs/mod.ts";
import { tableToIPC } from "../table/mod.ts";
import type { CapabilityContext } from "./capability_context.ts";
import { TABLE_NAME } from "./config.ts";
import { isPluginError } from "./errors.ts";
import {
  type KeptRef,
  keptRef,
  type KeptResult,
  numberColumns,
  openKept,
  type PendingKept,
  runKept,
} from "./kept_query.ts";
import { PLUGIN_LIMITS } from "./limits.ts";
import { memoKeys } from "./sql_memo.ts";
import type { SqlGroup, SqlPort, SqlTable } from "./sql_port.ts";
import { parquetToTable } from "./table_parquet.ts";

/**
 * A query as the sandbox sends it: the text, each table's input paths or kept query, whether the
 * result is the call's answer, and other queries over the same tables to run and remember.
 */
interface SqlRequest {
  readonly query: string;
  readonly tables: Readonly<Record<string, readonly string[] | KeptRef>>;
  readonly reply: boolean;
  readonly also: readonly string[];
}

/**
 * Runs a plugin's `host.sql`: every path its tables name must be a file among the inputs of
 * the call it asks in (else an `Error` naming the path goes back to the plugin), each name's
 * inputs become one table, and the port runs the query within the call's deadline (it is
 * stopped when that passes) and the sandbox's table limits. The result comes back as an Arrow
 * IPC stream, as `decodeParquet`'s does. A table may instead be a kept query's result
 * (`{ kept, of }`, see `runKept`): the results of its groups of versions, one after another. With
 * `reply`, the result stays on the host and the plugin gets a handle, `{ hostResult }`, which its
 * read() may return as the file's content: the Parquet bytes the engine wrote.
 *
 * `also` names other queries over the same tables that the plugin will ask for in later calls
 * (e.g. the other resolutions of one reduction): they run in the same engine, one start for all,
 * and, with the host's cache and only stored inputs, are remembered (`memoKeys`), not returned
 * (an error in any of them fails the call); a later query over the same state of its tables
 * that one of them remembered is answered from the cache, with no engine. A kept table's
 * versions not kept yet are computed in that engine too, before the queries (one such table per
 * call; others, or any beside a table named `rows`, as `runKept` computes them; a kept table with
 * a `fold` must be that one, and its fold runs there too, after the queries, giving the state the
 * host keeps), and with `reply` the answer says, for each kept table naming `columns`, what that
 * took. SQL errors and
 * the engine's refusals are one-line `Error`s for the plugin, which it may catch.
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
): Promise<Uint8Array | { hostResult: number; kept: Record<string, KeptWork> }> {
  const { query, tables, reply, also } = request(args);
  const port = context.sql;
  if (!port) {
    throw new Error(
      "host.sql is not offered here: this plugin host was opened without a SQL engine",
    );
  }
  const keys = await memoKeys([query, ...also], tables, context);
  const remembered = keys && await context.kept!.cache.get(keys[0]);
  // A result remembered under larger limits than this call's is computed again, and refused.
  const { parquet, kept } = remembered && remembered.length <= context.table.bytes
    ? { parquet: remembered, kept: {} }
    : await run(port, { query, also, tables }, keys, context);
  if (reply && context.reply) return { hostResult: context.reply(parquet), kept };
  try {
    const table = await parquetToTable(parquet, context.table, context.check);
    context.check();
    return tableToIPC(table);
  } catch (e) {
    if (isPluginError(e)) throw e;
    throw new Error(`host.sql cannot hand over its result: ${(e as Error).message}`);
  }
}

/** What bringing a kept table up to date took: as `host.keep` answers it. */
interface KeptWork {
  readonly versions: number;
  readonly computed: readonly number[];
  /** The `columns` its reference named, of the result computed now (Arrow IPC), if any. */
  readonly table?: Uint8Array;
}

/**
 * Runs `query`, and those of `also` not remembered yet, in one engine of `port`, the versions
 * not yet kept of one kept table computed in it first; remembers the results of `also` under
 * their keys (when `keys` are given) and returns the result of `query` and what each kept table
 * took.
 */
async function run(
  port: SqlPort,
  request: Omit<SqlRequest, "reply">,
  keys: readonly string[] | undefined,
  context: CapabilityContext,
): Promise<{ parquet: Uint8Array; kept: Record<string, KeptWork> }> {
  const ready = await prepare(request, keys, context, false);
  const [results] = await runPort(port, [ready], context, context.remainingMs?.());
  return await finish(ready, results, context);
}

/** A request ready for an engine: its tables, its kept table computed there, the queries to run. */
interface Ready {
  readonly group: SqlGroup;
  readonly kept: Record<string, KeptWork>;
  readonly fused?: { readonly name: string; readonly ref: KeptRef; readonly pending: PendingKept };
  /** The queries, each with the key its result is remembered under, if it is. */
  readonly wanted: readonly { readonly query: string; readonly key?: string }[];
  readonly folding: boolean;
}

/**
 * `request`'s tables resolved and the queries to run chosen: its query (remembered too when
 * `remember`), those of `also` not remembered yet, and a kept table's fold.
 */
async function prepare(
  { query, also, tables }: Omit<SqlRequest, "reply">,
  keys: readonly string[] | undefined,
  context: CapabilityContext,
  remember: boolean,
): Promise<Ready> {
  const inputs = context.inputs?.nodes;
  const named: SqlTable[] = [];
  const kept: Record<string, KeptWork> = {};
  let fused: Ready["fused"];
  for (const [name, paths] of Object.entries(tables)) {
    if (!Array.isArray(paths)) {
      const ref = paths as KeptRef;
      const pending = await openKept(ref, context);
      if (pending.rest.length > 0 && !fused && !Object.hasOwn(tables, "rows")) {
        fused = { name, ref, pending };
        const fresh = { query: ref.kept, rows: pending.rows };
        named.push({ name, matches: [], parquet: pending.bodies, fresh });
        continue;
      }
      if (pending.rest.length > 0 && ref.fold !== undefined) {
        throw new Error(
          `host.sql: the kept table ${name} has a fold, so its new versions are computed in the ` +
            "query's engine: that is for one kept table a call, and none beside a table named rows",
        );
      }
      const done = pending.rest.length > 0 ? await runKept(ref, context) : await pending.result();
      if (ref.columns) kept[name] = await work(ref, done, context);
      named.push({ name, matches: [], parquet: done.bodies });
      continue;
    }
    named.push({
      name,
      matches: paths.map((path) => {
        const input = inputs?.get(path);
        if (!input || input.match.kind !== "file") {
          throw new Error(
            `host.sql: ${quoted(path)} is not ${
              input ? "a file" : "one of this call's inputs"
            }; a query reads only the files the plugin was handed`,
          );
        }
        return { node: input.node, captures: input.match.captures };
      }),
    });
  }
  // The query's own result is the caller's to keep (a read's file is kept as the file); only
  // those of `also` are remembered, for the calls that will ask them (and, when `remember`, the
  // query's too).
  const wanted: { query: string; key?: string }[] = [{
    query,
    key: remember ? keys?.[0] : undefined,
  }];
  for (const [i, other] of also.entries()) {
    const key = keys?.[i + 1];
    if (key && !(await context.kept!.cache.get(key))) wanted.push({ query: other, key });
  }
  // A fold over a kept state and the versions computed now gives the state of them all.
  const folding = fused?.ref.fold !== undefined && fused.pending.bodies.length > 0;
  if (folding) wanted.push({ query: fused!.ref.fold! });
  return {
    group: { queries: wanted.map((w) => w.query), tables: named },
    kept,
    fused,
    wanted,
    folding,
  };
}

/** Runs the groups of `ready` in one engine of `port`, stopped after `budgetMs` if given. */
async function runPort(
  port: SqlPort,
  ready: readonly Ready[],
  context: CapabilityContext,
  budgetMs: number | undefined,
): Promise<Uint8Array[][]> {
  context.check();
  const stop = new AbortController();
  const timer = budgetMs === undefined ? undefined : setTimeout(() => stop.abort(), budgetMs);
  let results: Uint8Array[][];
  try {
    results = await port(ready.map((r) => r.group), {
      maxBytes: context.table.bytes,
      signal: stop.signal,
    });
  } finally {
    clearTimeout(timer);
  }
  context.check();
  return results;
}

/**
 * Keeps what `ready`'s engine gave: its kept table's next state, the results to remember;
 * returns the result of its query and what each kept table took.
 */
async function finish(
  { wanted, fused, folding, kept }: Ready,
  results: readonly Uint8Array[],
  context: CapabilityContext,
): Promise<{ parquet: Uint8Array; kept: Record<string, KeptWork> }> {
  const took = { ...kept };
  if (fused) {
    const done = await fused.pending.result(
      results[wanted.length],
      folding ? results[wanted.length - 1] : undefined,
    );
    if (fused.ref.columns) took[fused.name] = await work(fused.ref, done, context);
  }
  await Promise.all(
    wanted.map(({ key }, i) => key ? context.kept!.cache.put(key, results[i]) : undefined),
  );
  return { parquet: results[0], kept: took };
}

/**
 * Runs a plugin's `host.refresh(requests)`: each request (a query, its tables and `also`, as
 * `host.sql` takes them) over the inputs of the call as a call handed only the input it names,
 * by its own path, would see them (no captures), brought up to date in one engine for all, so
 * that later calls asking them (a read per input) are answered from the cache. Only requests
 * that `host.sql` would compute a kept table's new versions for, from a state kept already, and
 * whose query is not remembered yet, run; every query of each is remembered, and its kept table's
 * next state kept. A first computation is left to those calls (a listing never reads every
 * input's rows), and so is everything when the engine fails or takes over half the call's time
 * left. Answers, per request, what its kept tables took (as `host.sql` with `reply` says), or
 * null when it did not run.
 *
 * @example
 * ```ts
 * import type { CapabilityContext } from "./capability_context.ts";
 *
 * async function example(context: CapabilityContext) {
 *   const kept = { kept: "SELECT count(*) AS n FROM rows", of: "/a.series", fold: "SELECT sum(n) AS n FROM p" };
 *   const [done] = await refresh([{ query: "SELECT n FROM p", tables: { p: kept } }], context);
 * }
 * ```
 */
export async function refresh(
  args: unknown,
  context: CapabilityContext,
): Promise<(Record<string, KeptWork> | null)[]> {
  if (!Array.isArray(args) || args.length > PLUGIN_LIMITS.configItems) {
    throw new Error(
      `host.refresh(requests) takes a list of at most ${PLUGIN_LIMITS.configItems} requests, ` +
        "each { query, tables, also } as host.sql takes them",
    );
  }
  const requests = args.map(request);
  const port = context.sql;
  const answers: (Record<string, KeptWork> | null)[] = requests.map(() => null);
  if (!port || !context.kept) return answers;
  const bare = withoutCaptures(context);
  const ready: { at: number; ready: Ready }[] = [];
  for (const [at, { query, tables, also }] of requests.entries()) {
    const keys = await memoKeys([query, ...also], tables, bare);
    if (!keys || await context.kept.cache.get(keys[0])) continue;
    const prepared = await prepare({ query, tables, also }, keys, bare, true);
    if (prepared.fused && prepared.fused.pending.bodies.length > 0) {
      ready.push({ at, ready: prepared });
    }
  }
  if (ready.length === 0) return answers;
  const remaining = context.remainingMs?.();
  let results: Uint8Array[][];
  try {
    results = await runPort(
      port,
      ready.map((r) => r.ready),
      bare,
      remaining === undefined ? undefined : remaining / 2,
    );
  } catch (e) {
    if (isPluginError(e)) throw e;
    return answers;
  }
  for (const [i, { at, ready: prepared }] of ready.entries()) {
    answers[at] = (await finish(prepared, results[i], bare)).kept;
  }
  return answers;
}

/** `context` with its inputs as calls handed each by its own path see them: without captures. */
function withoutCaptures(context: CapabilityContext): CapabilityContext {
  const nodes = context.inputs?.nodes;
  if (!nodes) return context;
  const bare = new Map(
    [...nodes].map((
      [path, input],
    ) => [path, { ...input, match: { ...input.match, captures: [] } }]),
  );
  return { ...context, inputs: { matches: context.inputs!.matches, nodes: bare } };
}

/** What a kept table took, with the columns its reference names of the result computed now. */
async function work(ref: KeptRef, done: KeptResult, context: CapabilityContext): Promise<KeptWork> {
  const columns = ref.columns ?? [];
  const table = done.fresh && columns.length > 0
    ? tableToIPC(await numberColumns(done.fresh, columns, context))
    : undefined;
  return { versions: done.versions.length, computed: done.computed, ...(table && { table }) };
}

/** `args` checked as a {@link SqlRequest} within the plugin limits (`entries` inputs in all). */
function request(args: unknown): SqlRequest {
  const usage = "host.sql(query, tables) takes the SQL text and a mapping of table names to inputs";
  const { query, tables, reply, also = [] } = (args ?? {}) as {
    query?: unknown;
    tables?: unknown;
    reply?: unknown;
    also?: unknown;
  };
  if (typeof query !== "string" || typeof tables !== "object" || tables === null) {
    throw new Error(usage);
  }
  if (
    !Array.isArray(also) || also.length > PLUGIN_LIMITS.configItems ||
    !also.every((q) => typeof q === "string")
  ) {
    throw new Error(
      `host.sql: also is a list of at most ${PLUGIN_LIMITS.configItems} queries (SQL text)`,
    );
  }
  for (const text of [query, ...also]) {
    if (text.length > PLUGIN_LIMITS.configText) {
      throw new Error(
        `host.sql: the query is ${text.length} characters long, over the limit of ${PLUGIN_LIMITS.configText}`,
      );
    }
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
  return { query, tables: tables as SqlRequest["tables"], reply: reply === true, also };
}
