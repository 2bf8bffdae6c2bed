/** Writes `builtin_manifests.json`: the built-in plugins' manifests and source hashes, read from their sources. */
// Run after changing a plugin in plugins/:
//   node_modules/.bin/deno run --no-prompt --allow-write=src/plugin_host src/plugin_host/builtin_catalog.ts

import { BUILTIN_SOURCES, type CatalogEntry } from "./builtin.ts";
import { loadPlugin } from "./plugin_module.ts";

/** Where the catalog is kept, beside this module. */
export const CATALOG_URL = new URL("./builtin_manifests.json", import.meta.url);

/**
 * The manifest and source hash of each built-in plugin, by file name, read from its source
 * exactly as `loadPlugin` reads any plugin (so a built-in that stopped passing the source check
 * fails here), as the JSON text the catalog holds.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile(CATALOG_URL, await builtinCatalog());
 * ```
 */
export async function builtinCatalog(): Promise<string> {
  const catalog: Record<string, CatalogEntry> = {};
  for (const [file, source] of Object.entries(BUILTIN_SOURCES)) {
    const { manifest, hash } = await loadPlugin(new TextEncoder().encode(source), { label: file });
    catalog[file] = { hash, manifest };
  }
  return JSON.stringify(catalog, null, 2) + "\n";
}

if (import.meta.main) await Deno.writeTextFile(CATALOG_URL, await builtinCatalog());
