/** Materialised dynamic files: the port computed bytes are kept in, and the key they are kept under. */

import { isDynamic } from "../tinyfs/mod.ts";
import type { PluginConfig } from "./config.ts";
import type { Inputs } from "./inputs.ts";
import type { PluginModule } from "./plugin_module.ts";
import { sourceHash } from "./source_hash.ts";

/**
 * Where the host keeps files it computed, by {@link computedKey}. `get` answers undefined for a
 * key it does not hold, and for an entry it cannot read whole (a damaged entry is a miss, never
 * an error); `put` does not fail: an entry it cannot keep is dropped.
 */
export interface ComputedCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

/**
 * The key of what `plugin` answers for `call` (the op and what it is asked besides the config,
 * e.g. `["read", path, args]`) with `config` over `inputs`: the SHA-256 (hex) of the plugin's
 * source hash, the config and call (as JSON with sorted keys), and each input's path, node id
 * and version as the reader's view holds it, sorted by path. Undefined when the answer may
 * change with none of that changing: an input that is itself computed (a dynamic file or
 * directory, or a node a dynamic directory makes), an input version not committed yet (read
 * inside a transaction: its id and version may yet name other bytes), or a plugin that may
 * reach the network.
 *
 * @example
 * ```ts
 * import type { PluginConfig } from "./config.ts";
 * import type { Inputs } from "./inputs.ts";
 * import type { PluginModule } from "./plugin_module.ts";
 *
 * async function example(plugin: PluginModule, config: PluginConfig, inputs: Inputs) {
 *   const key = await computedKey(plugin, config, ["read", "/views/all.csv", null], inputs);
 *   key; // 64 hex digits, or undefined when the answer must be computed on every read
 * }
 * ```
 */
export async function computedKey(
  plugin: PluginModule,
  config: PluginConfig,
  call: unknown,
  inputs: Inputs,
): Promise<string | undefined> {
  if (plugin.permissions.net.length > 0) return undefined;
  const stored: [string, string, number][] = [];
  for (const { node, match } of inputs.nodes.values()) {
    if (isDynamic(match.entryType) || node.computed) return undefined;
    const { nodeId, version, computed, uncommitted } = await node.metadata();
    if (computed || nodeId === undefined || uncommitted) return undefined;
    stored.push([match.path, nodeId, version]);
  }
  stored.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  return await sourceHash(canonicalJson([plugin.hash, config, call, stored]));
}

/**
 * `value` as JSON with every object's keys sorted, so equal values give equal text.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [2] }); // '{"a":[2],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  // Written out rather than as a JSON.stringify replacer copying every object sorted: a key is
  // made on every read of a computed file and of each directory on its path, and this costs a
  // fraction of that. The text is the same: keys that are array indices first, in numeric order
  // (as JSON.stringify orders an object's own keys), then the others sorted.
  // As JSON.stringify, undefined (or a function) alone has no text.
  return canonical(value, "") as string;
}

/** The canonical JSON of `value` (found under `key`), or undefined where JSON has none. */
function canonical(value: unknown, key: string): string | undefined {
  if (typeof (value as { toJSON?: unknown } | null)?.toJSON === "function") {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) {
    return `[${value.map((v, i) => canonical(v, String(i)) ?? "null").join(",")}]`;
  }
  const fields: string[] = [];
  for (const name of sortedKeys(value)) {
    const text = canonical((value as Record<string, unknown>)[name], name);
    if (text !== undefined) fields.push(`${JSON.stringify(name)}:${text}`);
  }
  return `{${fields.join(",")}}`;
}

/** The own enumerable keys of `object` in the order {@link canonicalJson} writes them. */
function sortedKeys(object: object): string[] {
  const keys = Object.keys(object).sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
  const indices = keys.filter(isArrayIndex);
  if (indices.length === 0) return keys;
  return [
    ...indices.sort((a, b) => Number(a) - Number(b)),
    ...keys.filter((k) => !isArrayIndex(k)),
  ];
}

function isArrayIndex(key: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/**
 * What `compute` answers, kept in `cache` under `key`'s answer: a hit answers the kept bytes
 * without computing, a miss computes and keeps them. Without a cache, or with no key (see
 * {@link computedKey}), it computes.
 *
 * @example
 * ```ts
 * async function example(cache: ComputedCache, key: string) {
 *   const bytes = await throughCache(cache, () => Promise.resolve(key), async () => new Uint8Array([1]));
 * }
 * ```
 */
export async function throughCache(
  cache: ComputedCache | undefined,
  key: () => Promise<string | undefined>,
  compute: () => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const at = cache && await key();
  if (at === undefined) return await compute();
  const kept = await cache!.get(at);
  if (kept) return kept;
  const bytes = await compute();
  await cache!.put(at, bytes);
  return bytes;
}
