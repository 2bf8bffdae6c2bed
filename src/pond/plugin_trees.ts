/** A pond's tree with its plugins: tinyfs factories for the built-in plugins and those installed in a given state. */
import { collectorFileFactory, type PluginHost, type PluginModule } from "../plugin_host/mod.ts";
import {
  type DynamicFactory,
  type DynamicFileFactory,
  type Factories,
  FS,
  type Persistence,
  type ReadView,
} from "../tinyfs/mod.ts";
import { builtinModules, installedFiles, loadInstalled } from "./plugin_store.ts";

/**
 * Opens a pond's tree with dynamic directories and files computed by plugins run on `host`:
 * every built-in plugin, and the plugins installed in the state being read — so a view of an
 * earlier transaction computes with the plugins as they were then, and a plugin removed since
 * still computes its old nodes. A built-in plugin is a directory factory, a file factory or
 * both, as its manifest provides (a collector's node is a file showing its config). Installed plugins are loaded (and checked against their
 * recorded hash) on first use, so a damaged one fails only the reads that need it, naming it;
 * so each is registered as both, and a node asking for what its manifest does not provide
 * fails then, naming the plugin (`InvalidManifest`). Trees are kept per set of installed
 * plugin versions; a plugin version is loaded once, so its sandbox is shared by all of them.
 *
 * @example
 * ```ts
 * import type { PluginHost } from "../plugin_host/mod.ts";
 * import type { FS, Persistence } from "../tinyfs/mod.ts";
 *
 * async function example(store: Persistence, host: PluginHost, bare: FS) {
 *   const trees = new PluginTrees(store, () => Promise.resolve(host));
 *   const fs = await trees.tree(await bare.root({ asOf: 12 })); // the plugins as of transaction 12
 *   await (await fs.root({ asOf: 12 })).list("/views/csv");
 * }
 * ```
 */
export class PluginTrees {
  readonly #store: Persistence;
  readonly #host: () => Promise<PluginHost>;
  readonly #extra: Factories;
  readonly #trees = new Map<string, Promise<FS>>();
  readonly #loaded = new Map<string, Promise<PluginModule>>();

  /**
   * `host` gives the plugin host, asked for when a plugin's node is first opened; `extra` factories are
   * added to the plugins' (tests and scripts register their own).
   */
  constructor(store: Persistence, host: () => Promise<PluginHost>, extra: Factories = {}) {
    this.#store = store;
    this.#host = host;
    this.#extra = extra;
  }

  /**
   * The tree whose factories are the built-in plugins and those installed in `root`'s state;
   * with `adding`, plugins not committed yet (a transaction adding them), which take the
   * place of installed ones of the same name (that tree is not kept).
   */
  async tree(root: ReadView, adding: readonly PluginModule[] = []): Promise<FS> {
    const installed = await Promise.all(
      (await installedFiles(root)).map(async ({ name, record, source }) => {
        const versions = await Promise.all([record, source].map(async (node) => {
          const m = await node?.metadata();
          return m ? `${m.nodeId}.${m.version}` : "none";
        }));
        return { name, version: `${name}@${versions.join("+")}` };
      }),
    );
    if (adding.length > 0) return await this.#open(root, installed, adding);
    const key = installed.map((p) => p.version).join(",");
    let fs = this.#trees.get(key);
    if (!fs) {
      fs = this.#open(root, installed);
      this.#trees.set(key, fs);
    }
    return await fs;
  }

  async #open(
    root: ReadView,
    installed: readonly InstalledVersion[],
    adding: readonly PluginModule[] = [],
  ): Promise<FS> {
    const builtins = await builtinModules();
    const host = this.#host;
    const factories: Record<string, DynamicFactory> = {};
    const fileFactories: Record<string, DynamicFileFactory> = {};
    const fromModule = (plugin: PluginModule) => {
      const { name, provides } = plugin.manifest;
      if (provides.includes("directory")) {
        factories[name] = madeOnFirstOpen(host, (h) => h.directoryFactory(plugin));
      }
      if (provides.includes("file")) {
        fileFactories[name] = madeOnFirstOpen(host, (h) => h.fileFactory(plugin));
      }
      if (provides.includes("collector")) fileFactories[name] = collectorFileFactory(plugin);
    };
    Object.values(builtins).forEach(fromModule);
    for (const { name, version } of installed) {
      if (Object.hasOwn(builtins, name)) continue;
      const load = () => this.#load(root, name, version);
      factories[name] = {
        open: async (config) => (await host()).directoryFactory(await load()).open(config),
      };
      fileFactories[name] = {
        open: async (config) => {
          const plugin = await load();
          return plugin.manifest.provides.includes("collector")
            ? collectorFileFactory(plugin).open(config)
            : (await host()).fileFactory(plugin).open(config);
        },
      };
    }
    for (const plugin of adding.filter((p) => !Object.hasOwn(builtins, p.manifest.name))) {
      delete factories[plugin.manifest.name];
      delete fileFactories[plugin.manifest.name];
      fromModule(plugin);
    }
    return await FS.open(this.#store, {
      factories: { ...factories, ...this.#extra },
      fileFactories,
    });
  }

  /** Installed plugin `name` as `root` holds it, loaded once per `version` of its files. */
  #load(root: ReadView, name: string, version: string): Promise<PluginModule> {
    let plugin = this.#loaded.get(version);
    if (!plugin) {
      plugin = loadInstalled(root, name);
      this.#loaded.set(version, plugin);
    }
    return plugin;
  }
}

/**
 * A factory that `make` makes from the plugin host when a node first opens with it, then
 * reused: a tree whose nodes never meet a plugin never asks for the host (nor starts it).
 */
function madeOnFirstOpen<T>(
  host: () => Promise<PluginHost>,
  make: (host: PluginHost) => { open(config: Uint8Array): T | Promise<T> },
): { open(config: Uint8Array): Promise<T> } {
  let made: { open(config: Uint8Array): T | Promise<T> } | undefined;
  return { open: async (config) => await (made ??= make(await host())).open(config) };
}

/** An installed plugin's name, and which versions of its files a state holds. */
interface InstalledVersion {
  readonly name: string;
  /** `name@` the node id and version of its record and its source: the same text, the same code. */
  readonly version: string;
}
