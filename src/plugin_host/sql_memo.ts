/** Remembered `host.sql` results: the Parquet result of a query a plugin said it would ask (`also`), kept under the plugin, the query and the stored state of every table it reads, so asking it then costs no engine. */

import { isDynamic } from "../tinyfs/mod.ts";
import type { CapabilityContext } from "./capability_context.ts";
import { canonicalJson } from "./computed_cache.ts";
import type { KeptRef } from "./kept_query.ts";
import { sourceHash } from "./source_hash.ts";

/** The tables of a `host.sql` request: each name's input paths, or a kept query over one input. */
export type MemoTables = Readonly<Record<string, readonly string[] | KeptRef>>;

/**
 * The keys `queries` over `tables` are remembered under in the host's cache, one per query, or
 * undefined when they cannot be: no cache, or a table reading an input that is computed (a
 * dynamic node, or one a dynamic directory makes), whose content may change with nothing stored
 * changing. A key is the SHA-256 of the plugin's hash, the query, and per table its name and,
 * per input, its path, captures, node id and newest version as the call's view holds it (a
 * kept query: its text and fold too) — what the result depends on, as `computedKey` names a file's
 * inputs: versions are only ever appended, so the newest names them all (and `--at` its own).
 *
 * @example
 * ```ts
 * import type { CapabilityContext } from "./capability_context.ts";
 *
 * async function example(context: CapabilityContext) {
 *   const keys = await memoKeys(["SELECT count(*) AS n FROM r"], { r: ["/a.series"] }, context);
 *   keys; // [64 hex digits], or undefined
 * }
 * ```
 */
export async function memoKeys(
  queries: readonly string[],
  tables: MemoTables,
  context: CapabilityContext,
): Promise<string[] | undefined> {
  if (!context.kept) return undefined;
  const state: unknown[] = [];
  for (const [name, paths] of Object.entries(tables).sort(([a], [b]) => a < b ? -1 : 1)) {
    const ref = Array.isArray(paths) ? undefined : paths as KeptRef;
    const kept = ref && [ref.kept, ref.fold ?? null];
    const read: unknown[] = [];
    for (const path of Array.isArray(paths) ? paths : [(paths as KeptRef).of]) {
      const input = context.inputs?.nodes.get(path);
      if (
        !input || input.match.kind !== "file" || isDynamic(input.match.entryType) ||
        input.node.computed
      ) return undefined;
      const { nodeId, version, computed } = await input.node.metadata();
      if (computed || nodeId === undefined) return undefined;
      read.push([path, input.match.captures, nodeId, version]);
    }
    state.push([name, kept ?? null, read]);
  }
  const plugin = context.kept.plugin;
  return await Promise.all(
    queries.map((query) => sourceHash(canonicalJson([plugin, "sql", query, state]))),
  );
}
