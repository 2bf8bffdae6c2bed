/** Shared helpers for plugin host tests: plugins from source text, ponds with plugin factories, error checks. */

import assert from "node:assert/strict";
import { type DynamicFactory, FS, MemoryPersistence } from "../../src/tinyfs/mod.ts";
import {
  type Grants,
  type HostOptions,
  isPluginError,
  loadPlugin,
  type PluginErrorCode,
  PluginHost,
  type PluginModule,
} from "../../src/plugin_host/mod.ts";

/** Loads a plugin from TypeScript source text. */
export function plugin(source: string, grants?: Grants): Promise<PluginModule> {
  return loadPlugin(new TextEncoder().encode(source), { grants, label: "test.ts" });
}

/** The manifest of a test plugin providing a directory, with the given config schema. */
export function manifest(name: string, config: Record<string, unknown> = {}): string {
  return `export const manifest = { name: ${JSON.stringify(name)}, version: "1.0.0", ` +
    `provides: ["directory"], config: ${JSON.stringify(config)} };\n`;
}

/**
 * A fresh in-memory pond holding `files`, plus one dynamic directory per `[path, plugin, config]`,
 * each plugin served by `host`. Returns the pond and its store.
 */
export async function pondWith(
  host: PluginHost,
  files: Record<string, string | Uint8Array>,
  dynamic: [path: string, plugin: PluginModule, config: unknown][] = [],
) {
  const factories: Record<string, DynamicFactory> = {};
  for (const [, p] of dynamic) factories[p.manifest.name] ??= host.directoryFactory(p);
  const store = new MemoryPersistence();
  const fs = await FS.init(store, {
    factories,
    now: () => Date.UTC(2024, 0, 1),
  });
  await fs.transact({ command: ["build"] }, async (root) => {
    for (const [path, content] of Object.entries(files)) {
      await root.createFile(path, content, { parents: true });
    }
    for (const [path, p, config] of dynamic) {
      await root.createDynamicDirectory(path, p.manifest.name, JSON.stringify(config), {
        parents: true,
      });
    }
  });
  return { fs, store };
}

/** Runs `body` with a plugin host that is closed afterwards, whatever happens. */
export async function withHost<T>(
  options: HostOptions,
  body: (host: PluginHost) => Promise<T>,
): Promise<T> {
  await using host = new PluginHost(options);
  return await body(host);
}

/** UTF-8 text of bytes. */
export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/**
 * Asserts that `promise` rejects with a PluginError of `code` naming `pluginName`, whose
 * message matches `pattern` (when given) and names the plugin.
 */
export async function rejectsWithPlugin(
  promise: Promise<unknown>,
  code: PluginErrorCode,
  pluginName: string,
  pattern?: RegExp,
): Promise<void> {
  await assert.rejects(promise, (e) => {
    assert.ok(isPluginError(e), `expected a PluginError ${code}, got ${e}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.plugin, pluginName, e.message);
    assert.match(e.message, new RegExp(`\\b${pluginName}\\b`));
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}
