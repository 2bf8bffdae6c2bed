/** A collector's node as stored: its config as given (references to the environment kept) and the network hosts it was granted. */

import { type ConfigSchema, parseConfig, type PluginConfig, urlHost } from "./config.ts";
import { PluginError } from "./errors.ts";
import { grantedPermissions } from "./permissions.ts";
import type { PluginModule } from "./plugin_module.ts";
import type { DynamicFileFactory } from "../tinyfs/mod.ts";

/** What a collector node holds. */
export interface CollectorSpec {
  /** The config as the user gave it (YAML or JSON), `${env:NAME}` references unexpanded. */
  readonly config: string;
  /** The `host:port`s its sandbox may reach, granted when the node was made. */
  readonly net: readonly string[];
}

/** A collector node opened: its spec, its config checked, and the hosts that config needs. */
export interface OpenedCollector extends CollectorSpec {
  readonly checked: PluginConfig;
  /** The root under which its series go: its `output` field. */
  readonly output: string;
}

/**
 * The stored bytes of a collector node holding `spec` (what `pond mknod` writes).
 *
 * @example
 * ```ts
 * encodeCollector({ config: "client_id: x\n", net: ["127.0.0.1:8080"] });
 * ```
 */
export function encodeCollector(spec: CollectorSpec): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({ collector: { net: spec.net }, config: spec.config }, null, 2) + "\n",
  );
}

/**
 * The network hosts `config` makes collector `plugin` reach: the `host:port` of each of its
 * `url` fields (defaults included), in schema order, without repeats.
 *
 * @example
 * ```ts
 * import { builtinPlugins } from "./builtin.ts";
 *
 * const { hydrovu } = await builtinPlugins();
 * neededHosts(hydrovu.manifest.config, { api_url: "http://127.0.0.1:8080/" }); // ["127.0.0.1:8080"]
 * ```
 */
export function neededHosts(schema: ConfigSchema, config: PluginConfig): string[] {
  const hosts = Object.entries(schema).filter(([, field]) => field.type === "url")
    .flatMap(([name]) => typeof config[name] === "string" ? [urlHost(config[name])] : []);
  return [...new Set(hosts)];
}

/**
 * Opens collector node bytes for `plugin`: the stored spec (else `InvalidConfig`), its config
 * checked against the plugin's schema, the hosts its `url` fields reach all covered by its
 * grants (`PermissionNotGranted` otherwise, as `grantedPermissions` says), and exactly one
 * `output` field in the schema.
 *
 * @example
 * ```ts
 * import { builtinPlugins } from "./builtin.ts";
 *
 * const { hydrovu } = await builtinPlugins();
 * const bytes = encodeCollector({ config: "client_id: a\n", net: ["www.hydrovu.com:443"] });
 * await openCollector(hydrovu, bytes); // InvalidConfig: client_secret is required
 * ```
 */
export async function openCollector(
  plugin: PluginModule,
  bytes: Uint8Array,
): Promise<OpenedCollector> {
  const { name, config: schema } = plugin.manifest;
  const spec = readSpec(bytes, name);
  const checked = await parseConfig(schema, new TextEncoder().encode(spec.config), name);
  const outputs = Object.entries(schema).filter(([, field]) => field.type === "output");
  if (outputs.length !== 1) {
    throw new PluginError(
      "InvalidManifest",
      name,
      `plugin ${name} is a collector, so its config needs exactly one field of type output ` +
        "(where its series go)",
    );
  }
  const output = checked[outputs[0][0]];
  if (typeof output !== "string") {
    throw new PluginError(
      "InvalidConfig",
      name,
      `config for plugin ${name}: field "${outputs[0][0]}" is required (where its series go)`,
    );
  }
  grantedPermissions({ net: neededHosts(schema, checked) }, { net: spec.net }, name);
  return { ...spec, checked, output: output.replace(/\/+$/, "") || "/" };
}

/**
 * What reading a collector node shows: its plugin, the hosts it may reach, and its config as
 * stored (references to the environment, never their values).
 *
 * @example
 * ```ts
 * describeCollector("hydrovu", { config: "client_id: x\n", net: ["127.0.0.1:8080"] });
 * ```
 */
export function describeCollector(plugin: string, spec: CollectorSpec): string {
  const net = spec.net.length > 0 ? spec.net.join(", ") : "none";
  return `# collector: plugin ${plugin}; run with 'pond run PATH'\n# network: ${net}\n` +
    spec.config + (spec.config.endsWith("\n") ? "" : "\n");
}

/**
 * The tinyfs file factory of collector `plugin`'s nodes: opening one checks it
 * ({@link openCollector}); reading one shows {@link describeCollector}, running nothing.
 *
 * @example
 * ```ts
 * import { builtinPlugins } from "./builtin.ts";
 *
 * const { hydrovu } = await builtinPlugins();
 * const fileFactories = { hydrovu: collectorFileFactory(hydrovu) };
 * ```
 */
export function collectorFileFactory(plugin: PluginModule): DynamicFileFactory {
  return {
    open: async (bytes) => {
      const spec = await openCollector(plugin, bytes);
      const text = new TextEncoder().encode(describeCollector(plugin.manifest.name, spec));
      return { read: () => Promise.resolve(text) };
    },
  };
}

function readSpec(bytes: Uint8Array, plugin: string): CollectorSpec {
  const bad = () =>
    new PluginError(
      "InvalidConfig",
      plugin,
      `plugin ${plugin} is a collector, and this node is not a collector's (no grants recorded); ` +
        "make it again with 'pond mknod'",
    );
  let value: { collector?: { net?: unknown }; config?: unknown };
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw bad();
  }
  const net = value?.collector?.net;
  if (
    typeof value?.config !== "string" || !Array.isArray(net) ||
    !net.every((h) => typeof h === "string")
  ) {
    throw bad();
  }
  return { config: value.config, net };
}
