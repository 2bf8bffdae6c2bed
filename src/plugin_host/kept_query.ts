/** Kept queries: a plugin's query over a series' versions, computed once per group of versions (or folded into one state of all of them) and kept in the host's cache, so a new version costs only its own rows. */

import { quoted } from "../tinyfs/mod.ts";
import type { CapabilityContext } from "./capability_context.ts";
import { canonicalJson } from "./computed_cache.ts";
import { PLUGIN_LIMITS } from "./limits.ts";
import { sourceHash } from "./source_hash.ts";
import type { SqlPort, SqlTable } from "./sql_port.ts";

/**
 * A kept query as a plugin names it: the SQL over `rows`, the series input it reads, and (as a
 * table of `host.sql`) the columns of the result computed now to hand back with its answer and
 * its `fold`: SQL over the table itself (its kept state and the rows of the versions computed now,
 * together) whose result is the kept query's result over all those rows, so the host keeps one
 * state of every version instead of a result per group.
 */
export interface KeptRef {
  readonly kept: string;
  readonly of: string;
  readonly columns?: readonly string[];
  readonly fold?: string;
}

/** What a kept query holds now, and the work done to get there. */
export interface KeptResult {
  /**
   * The results of disjoint groups of versions that together are every version of the input
   * (with a fold: the one state of all of them).
   */
  readonly bodies: readonly Uint8Array[];
  /** Every version of the input, as the call's view holds it. */
  readonly versions: readonly number[];
  /** The versions whose rows were read now (none when every group was kept). */
  readonly computed: readonly number[];
  /** The result computed now, over `computed` (as Parquet), if any. */
  readonly fresh?: Uint8Array;
}

/** The most groups the index of one kept query remembers (older ones are recomputed if needed). */
const INDEX_GROUPS = 1024;

/**
 * The most groups one call reads: past it, every kept group but the largest is computed again as
 * one group with the new versions (their rows read again), so a series appended to every day
 * costs a bounded number of files per read, and the rows read again stay those of the small ones.
 */
export const MAX_KEPT_GROUPS = 16;

/**
 * `value` checked as a {@link KeptRef}: the query text within the plugin limits, `of` a path.
 *
 * @example
 * ```ts
 * keptRef({ kept: "SELECT count(*) AS n FROM rows", of: "/a.series" }); // the same, checked
 * ```
 */
export function keptRef(value: unknown): KeptRef {
  const { kept, of, columns, fold } = (value ?? {}) as {
    kept?: unknown;
    of?: unknown;
    columns?: unknown;
    fold?: unknown;
  };
  if (typeof kept !== "string" || typeof of !== "string") {
    throw new Error(
      "host.keep(query, input): a kept query is its SQL text (over the table rows) and a series input",
    );
  }
  if (
    columns !== undefined &&
    (!Array.isArray(columns) || columns.length > PLUGIN_LIMITS.configItems ||
      !columns.every((c) => typeof c === "string"))
  ) {
    throw new Error("host.keep: columns is a list of column names of the result");
  }
  if (fold !== undefined && typeof fold !== "string") {
    throw new Error("host.keep: fold is the SQL text folding the kept table into its state");
  }
  for (const text of [kept, fold ?? ""]) {
    if (text.length > PLUGIN_LIMITS.configText) {
      throw new Error(
        `host.keep: the query is ${text.length} characters long, over the limit of ${PLUGIN_LIMITS.configText}`,
      );
    }
  }
  return {
    kept,
    of,
    ...(columns !== undefined && { columns: columns as string[] }),
    ...(fold !== undefined && { fold }),
  };
}

/**
 * Runs the kept query `ref` over the series `ref.of` (one of the call's inputs, through its view,
 * so `--at` sees the versions as they were). The query reads the table `rows` — some of the
 * series' versions, with the columns of all of them — and its results over disjoint groups of
 * versions must combine (`UNION ALL BY NAME`, then the plugin's own fold) into its result over all
 * rows: partial aggregates do. A group's result must depend on its rows alone, so the query
 * casts every column it reads to a type it names (the columns of versions it does not read may
 * change). With the host's cache, each group's result is kept under the
 * SHA-256 of the plugin's hash, the query, the node id and the group's versions, and an index
 * per (plugin, query, node id) remembers the groups kept; a call reads the kept groups whose
 * versions the view still holds (at most {@link MAX_KEPT_GROUPS}), and runs the query once, over
 * the rest. Without a cache, or for
 * a computed input, or one with a version not committed yet, it runs over every version. Errors
 * are one-line `Error`s for the plugin.
 *
 * @example
 * ```ts
 * import type { CapabilityContext } from "./capability_context.ts";
 *
 * async function example(context: CapabilityContext) {
 *   const { bodies, computed } = await runKept({ kept: "SELECT count(*) AS n FROM rows", of: "/a.series" }, context);
 * }
 * ```
 */
export async function runKept(ref: KeptRef, context: CapabilityContext): Promise<KeptResult> {
  if (ref.fold !== undefined) {
    throw new Error(
      "host.keep keeps groups of versions; a kept query with a fold is a table of host.sql",
    );
  }
  const pending = await openKept(ref, context);
  if (pending.rest.length === 0) return pending.result();
  context.check();
  const stop = new AbortController();
  const remaining = context.remainingMs?.();
  const timer = remaining === undefined ? undefined : setTimeout(() => stop.abort(), remaining);
  let fresh: Uint8Array;
  try {
    [[fresh]] = await pending.port(
      [{ queries: [ref.kept], tables: [{ name: "rows", matches: pending.rows }] }],
      { maxBytes: context.table.bytes, signal: stop.signal },
    );
  } finally {
    clearTimeout(timer);
  }
  context.check();
  return await pending.result(fresh);
}

/** A kept query looked up, before the versions not kept yet are computed. */
export interface PendingKept {
  /** The kept groups' results, read. */
  readonly bodies: readonly Uint8Array[];
  /** The versions to compute now (none when every group was kept). */
  readonly rest: readonly number[];
  /** The input with those versions pinned: the table `rows` the query reads. */
  readonly rows: SqlTable["matches"];
  /** The SQL port to compute them with. */
  readonly port: SqlPort;
  /**
   * Keeps `fresh` (the query's result over `rest`, if computed) — with a fold, the state of every
   * version: `folded` (the fold's result over the kept state and `fresh`), or `fresh` itself when
   * no state was kept — and says what the query holds now.
   */
  result(fresh?: Uint8Array, folded?: Uint8Array): Promise<KeptResult>;
}

/**
 * The first half of {@link runKept}: `ref` checked, its kept groups read and the versions still
 * to compute chosen, so a caller may compute them in an engine of its own choosing (e.g. the one
 * that reads the result, `host.sql`) and hand the result to `result`, which keeps it. With a fold
 * (`ref.fold`), the kept result read is the one state of the most versions the view holds, and
 * the rest are computed (once folded with that state, it is kept as the state of every version).
 *
 * @example
 * ```ts
 * import type { CapabilityContext } from "./capability_context.ts";
 *
 * async function example(context: CapabilityContext) {
 *   const pending = await openKept({ kept: "SELECT count(*) AS n FROM rows", of: "/a.series" }, context);
 *   const { bodies } = await pending.result();
 * }
 * ```
 */
export async function openKept(ref: KeptRef, context: CapabilityContext): Promise<PendingKept> {
  const input = context.inputs?.nodes.get(ref.of);
  if (!input || input.match.kind !== "file") {
    throw new Error(
      `host.keep: ${quoted(ref.of)} is not ${
        input ? "a file" : "one of this call's inputs"
      }; a query reads only the files the plugin was handed`,
    );
  }
  const port = context.sql;
  if (!port) {
    throw new Error(
      "host.keep is not offered here: this plugin host was opened without a SQL engine",
    );
  }
  const { node, match } = input;
  const meta = await node.metadata();
  if (meta.entryType !== "file:series") {
    throw new Error(`host.keep: ${quoted(ref.of)} is not a series; keep queries over series`);
  }
  const described = await node.versions();
  const versions = described.map((v) => v.version);
  const kept = context.kept;
  const stored = kept && !node.computed && !meta.computed && meta.nodeId !== undefined &&
    !described.some((v) => v.uncommitted);
  const key = async (what: unknown) =>
    await sourceHash(canonicalJson([kept!.plugin, ref.kept, meta.nodeId, what]));
  let bodies: Uint8Array[] = [];
  const index: number[][] = [];
  let rest = versions;
  if (stored) {
    const listed = await kept.cache.get(await key("index"));
    const known = listed ? indexOf(listed) : [];
    index.push(...known);
    const held = new Set(versions);
    const taken = new Set<number>();
    const groups: number[][] = [];
    for (const group of [...known].sort((a, b) => b.length - a.length)) {
      if (!group.every((v) => held.has(v) && !taken.has(v))) continue;
      const body = await kept.cache.get(await key(group));
      if (!body) continue;
      bodies.push(body);
      groups.push(group);
      for (const v of group) taken.add(v);
      // With a fold, one state: the one of the most versions.
      if (ref.fold !== undefined) break;
    }
    if (groups.length + (taken.size < versions.length ? 1 : 0) > MAX_KEPT_GROUPS) {
      for (const v of groups.slice(1).flat()) taken.delete(v);
      bodies = bodies.slice(0, 1);
    }
    rest = versions.filter((v) => !taken.has(v));
  }
  const result = async (fresh?: Uint8Array, folded?: Uint8Array): Promise<KeptResult> => {
    if (fresh === undefined || rest.length === 0) return { bodies, versions, computed: [] };
    const state = ref.fold === undefined ? undefined : bodies.length > 0 ? folded : fresh;
    if (ref.fold !== undefined && state === undefined) {
      throw new Error("host.sql: the kept table's fold was not run");
    }
    const group = state ? versions : rest;
    if (stored) {
      await kept.cache.put(await key(group), state ?? fresh);
      // A state holds the ones of fewer versions: they are no longer listed.
      const all = new Set(group);
      const held = state ? index.filter((g) => !g.every((v) => all.has(v))) : index;
      const groups = [...held, group].slice(-INDEX_GROUPS);
      await kept.cache.put(await key("index"), new TextEncoder().encode(JSON.stringify(groups)));
    }
    const now = state ? [state] : [...bodies, fresh];
    return { bodies: now, versions, computed: rest, fresh };
  };
  return {
    bodies,
    rest,
    rows: [{ node, captures: match.captures, versions: rest }],
    port,
    result,
  };
}

/**
 * The `names` columns of Parquet `bytes` (a kept query's result) as numbers (times as µs since
 * the epoch), within the table limits: what a plugin counts its work with.
 *
 * @example
 * ```ts
 * import type { CapabilityContext } from "./capability_context.ts";
 *
 * async function example(fresh: Uint8Array, context: CapabilityContext) {
 *   const [n] = await numberColumns(fresh, ["n"], context); // { name: "n", values: [42] }
 * }
 * ```
 */
export async function numberColumns(
  bytes: Uint8Array,
  names: readonly string[],
  context: CapabilityContext,
): Promise<{ name: string; values: (number | null)[] }[]> {
  const [{ parquetMetadataAsync, parquetRead }, { compressors }] = await Promise.all([
    import("hyparquet"),
    import("hyparquet-compressors"),
  ]);
  // Read in place: only the footer and the named columns' chunks are copied out, and their
  // values stay columns (times as µs, never Date objects), whatever the rows.
  const file = {
    byteLength: bytes.byteLength,
    slice: (start: number, end = bytes.byteLength) =>
      bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + end) as ArrayBuffer,
  };
  const metadata = await parquetMetadataAsync(file);
  const rows = Number(metadata.num_rows);
  if (rows * names.length > context.table.cells) {
    throw new Error(`host.keep: the columns asked for hold more than ${context.table.cells} cells`);
  }
  const columns = new Map(names.map((name) => [name, new Array<number | null>(rows).fill(null)]));
  await parquetRead({
    file,
    metadata,
    columns: [...names],
    compressors,
    parsers: {
      timestampFromMicroseconds: (v: bigint) => Number(v),
      timestampFromMilliseconds: (v: bigint) => Number(v) * 1000,
      timestampFromNanoseconds: (v: bigint) => Number(v / 1000n),
    },
    onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
      const values = columns.get(columnName);
      for (let row = rowStart; values && row < Math.min(rowEnd, rows); row++) {
        const v = columnData[row - rowStart];
        values[row] = v === null || v === undefined ? null : Number(v);
      }
    },
  });
  return names.map((name) => ({ name, values: columns.get(name)! }));
}

/** The groups a kept index lists; an index that does not parse lists none. */
function indexOf(bytes: Uint8Array): number[][] {
  try {
    const groups = JSON.parse(new TextDecoder().decode(bytes));
    return Array.isArray(groups)
      ? groups.filter((g) => Array.isArray(g) && g.every((v) => Number.isSafeInteger(v)))
      : [];
  } catch {
    return [];
  }
}
