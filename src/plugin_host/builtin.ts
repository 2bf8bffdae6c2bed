/** The built-in plugins (`plugins/`): sources embedded as text, manifests read when they were written. */

import derived from "../../plugins/derived.ts" with { type: "text" };
import hydrovu from "../../plugins/hydrovu.ts" with { type: "text" };
import reverse from "../../plugins/reverse.ts" with { type: "text" };
import sqlDerived from "../../plugins/sql_derived.ts" with { type: "text" };
import temporalReduce from "../../plugins/temporal_reduce.ts" with { type: "text" };
import timeseriesByTime from "../../plugins/timeseries_by_time.ts" with { type: "text" };
import timeseriesJoin from "../../plugins/timeseries_join.ts" with { type: "text" };
import timeseriesPivot from "../../plugins/timeseries_pivot.ts" with { type: "text" };
import visit from "../../plugins/visit.ts" with { type: "text" };
import CATALOG from "./builtin_manifests.json" with { type: "json" };
import type { Manifest } from "./manifest.ts";
import type { PluginModule } from "./plugin_module.ts";

/** What `builtin_manifests.json` holds of one built-in plugin: its source's hash and manifest. */
export interface CatalogEntry {
  readonly hash: string;
  readonly manifest: Manifest;
}

/**
 * The source text of each built-in plugin, by file name: a module of its own, or (for plugins
 * that share code) its manifest file followed by the shared module's text.
 *
 * @example
 * ```ts
 * import { loadPlugin } from "./mod.ts";
 *
 * const plugin = await loadPlugin(new TextEncoder().encode(BUILTIN_SOURCES["visit.ts"]));
 * ```
 */
export const BUILTIN_SOURCES: Readonly<Record<string, string>> = {
  "derived.ts": derived,
  "hydrovu.ts": hydrovu,
  "reverse.ts": reverse,
  "sql_derived.ts": sqlDerived,
  "temporal_reduce.ts": temporalReduce,
  "timeseries_join.ts": `${timeseriesJoin}\n${timeseriesByTime}`,
  "timeseries_pivot.ts": `${timeseriesPivot}\n${timeseriesByTime}`,
  "visit.ts": visit,
};

/**
 * The built-in plugins by plugin name, ready to run, without parsing or hashing anything: their
 * manifests and source hashes come from `builtin_manifests.json`, which `builtin_catalog.ts`
 * writes from the sources (and a test keeps equal to what `loadPlugin` reads from them), so
 * every pond command that touches no dynamic node pays nothing for plugins. They ask for no permissions and get none.
 *
 * @example
 * ```ts
 * import { PluginHost } from "./host.ts";
 *
 * await using host = new PluginHost({ deadlineMs: 5000 });
 * const { visit, reverse, derived } = await builtinPlugins();
 * const factories = { visit: host.directoryFactory(visit) };
 * ```
 */
export function builtinPlugins(): Promise<Record<string, PluginModule>> {
  const catalog = CATALOG as Readonly<Record<string, CatalogEntry>>;
  const plugins = Object.entries(BUILTIN_SOURCES).map(([file, source]): PluginModule => {
    const { hash, manifest } = catalog[file];
    return { manifest, source, hash, permissions: manifest.permissions };
  });
  return Promise.resolve(Object.fromEntries(plugins.map((p) => [p.manifest.name, p])));
}
