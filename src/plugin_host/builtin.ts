/** The built-in plugins (`plugins/`), embedded as source text and loaded like any user plugin. */

import derived from "../../plugins/derived.ts" with { type: "text" };
import reverse from "../../plugins/reverse.ts" with { type: "text" };
import visit from "../../plugins/visit.ts" with { type: "text" };
import { loadPlugin, type PluginModule } from "./plugin_module.ts";

/** The source text of each built-in plugin, by file name. */
const SOURCES: Readonly<Record<string, string>> = {
  "derived.ts": derived,
  "reverse.ts": reverse,
  "visit.ts": visit,
};

/**
 * The built-in plugins, loaded (checked, manifests read) from their embedded sources, by
 * plugin name. They ask for no permissions and get none.
 *
 * @example
 * ```ts
 * const { visit, reverse, derived } = await builtinPlugins();
 * const factories = { visit: host.directoryFactory(visit) };
 * ```
 */
export async function builtinPlugins(): Promise<Record<string, PluginModule>> {
  const plugins = await Promise.all(
    Object.entries(SOURCES).map(([file, source]) =>
      loadPlugin(new TextEncoder().encode(source), { label: file })
    ),
  );
  return Object.fromEntries(plugins.map((plugin) => [plugin.manifest.name, plugin]));
}
