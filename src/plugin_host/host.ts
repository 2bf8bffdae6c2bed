/** The plugin host of one pond command: factories for tinyfs, one sandbox per plugin, limits, shutdown. */

import { type DynamicFactory, Recent } from "../tinyfs/mod.ts";
import type { ComputedCache } from "./computed_cache.ts";
import { parseConfig } from "./config.ts";
import { PluginError } from "./errors.ts";
import type { Provision } from "./manifest.ts";
import { PluginDirectory } from "./plugin_directory.ts";
import { PluginFile } from "./plugin_file.ts";
import type { PluginModule } from "./plugin_module.ts";
import type { PluginConfig } from "./config.ts";
import type { PluginEntry } from "./plugin_entries.ts";
import type { PluginRuntime } from "./plugin_runtime.ts";
import { RecentKeys } from "./recent_keys.ts";
import type { Sandbox, SandboxLimits } from "./sandbox_process.ts";
import type { SqlPort } from "./sql_port.ts";

/** How plugins run; every field has a default. */
export interface HostOptions {
  /** How long one plugin call may take before its sandbox is killed (default 5000 ms). */
  readonly deadlineMs?: number;
  /** Each sandbox's memory cap (default 256 MiB). */
  readonly memoryLimitMb?: number;
  /** Receives what plugins print, as it arrives (default: kept only to explain crashes). */
  readonly onOutput?: (plugin: string, text: string) => void;
  /**
   * The SQL engine plugins' `host.sql` runs on (default: none, and `host.sql` fails): the plugin
   * host imports no engine; whoever wires the pond fills this.
   */
  readonly sql?: SqlPort;
  /**
   * Where computed files and directory entries over stored inputs are kept and read back
   * without starting a sandbox (default: none, and everything is computed on every read).
   */
  readonly cache?: ComputedCache;
}

/** Makes dynamic files of one plugin from their stored config, as `DynamicFactory` does directories. */
export interface FileFactory {
  open(config: Uint8Array): Promise<PluginFile>;
}

/** The default deadline of one plugin call, in ms. */
export const DEFAULT_DEADLINE_MS = 5000;
/** The default memory cap of one sandbox, in MiB. */
export const DEFAULT_MEMORY_LIMIT_MB = 256;
/** How many parsed configs, and checked directory entries, the host keeps per plugin. */
const RECENT_LIMIT = 256;
/** How many cache keys each plugin's runtime remembers (a directory's, and each of its files'). */
const RECENT_KEYS = 4096;

/**
 * Runs plugins for one pond command. Each plugin gets one sandbox process, started on its first
 * call and reused for every directory, entry and read of the command (a sandbox that was killed
 * is started afresh on the next call); `close()` stops them all. Factories check configs
 * without starting anything, so creating a dynamic node with a bad config fails at once.
 *
 * @example
 * ```ts
 * import { type Persistence, FS } from "../tinyfs/mod.ts";
 * import { builtinPlugins } from "./builtin.ts";
 *
 * async function example(store: Persistence) {
 *   await using host = new PluginHost({ deadlineMs: 2000 });
 *   const { visit } = await builtinPlugins();
 *   const fs = await FS.open(store, { factories: { visit: host.directoryFactory(visit) } });
 *   await (await fs.root()).list("/views/csv");
 * }
 * ```
 */
export class PluginHost implements AsyncDisposable {
  readonly #limits: SandboxLimits;
  readonly #sql: SqlPort | undefined;
  readonly #cache: ComputedCache | undefined;
  /** The current sandbox of each plugin. */
  readonly #sandboxes = new Map<PluginModule, Sandbox>();
  /** Every sandbox started, killed ones included, so `close` can wait for all to end. */
  readonly #started: Sandbox[] = [];
  #closed = false;

  constructor(options: HostOptions = {}) {
    this.#limits = {
      deadlineMs: options.deadlineMs ?? DEFAULT_DEADLINE_MS,
      memoryLimitMb: options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB,
      onOutput: options.onOutput,
    };
    this.#sql = options.sql;
    this.#cache = options.cache;
  }

  /**
   * The tinyfs factory for `plugin`'s dynamic directories: `open(config)` parses the config
   * (YAML or JSON) against the plugin's schema (`InvalidConfig`) and returns a
   * `PluginDirectory`. `InvalidManifest` if the plugin provides no directory.
   */
  directoryFactory(plugin: PluginModule): DynamicFactory {
    const runtime = this.#runtime(plugin, "directory");
    const parsed = parsedConfigs(plugin);
    return { open: async (config) => new PluginDirectory(runtime, await parsed(config)) };
  }

  /** The factory for `plugin`'s dynamic files, as {@link directoryFactory} is for directories. */
  fileFactory(plugin: PluginModule): FileFactory {
    const runtime = this.#runtime(plugin, "file");
    const parsed = parsedConfigs(plugin);
    return { open: async (config) => new PluginFile(runtime, await parsed(config)) };
  }

  /** Stops every sandbox; later calls fail with `Closed`. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#sandboxes.clear();
    await Promise.all(this.#started.map((sandbox) => sandbox.close()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #runtime(plugin: PluginModule, provision: Provision): PluginRuntime {
    const { name, provides } = plugin.manifest;
    if (!provides.includes(provision)) {
      throw new PluginError(
        "InvalidManifest",
        name,
        `plugin ${name} provides ${provides.join(" and ")}, not a ${provision}`,
      );
    }
    return {
      plugin,
      limits: this.#limits,
      cache: this.#cache,
      recentEntries: new Recent<readonly PluginEntry[]>(RECENT_LIMIT),
      recentKeys: new RecentKeys(RECENT_KEYS),
      call: async (op, request, options) =>
        (await this.#sandbox(plugin)).call(op, request, options),
    };
  }

  /**
   * The running sandbox of `plugin`, started when there is none. The sandbox process module
   * (and the node:v8 framing it uses) loads with the first plugin call, not with the host.
   */
  async #sandbox(plugin: PluginModule): Promise<Sandbox> {
    const { Sandbox } = await import("./sandbox_process.ts");
    const name = plugin.manifest.name;
    if (this.#closed) {
      throw new PluginError("Closed", name, `plugin ${name} was called after its host was closed`);
    }
    let sandbox = this.#sandboxes.get(plugin);
    if (!sandbox?.running) {
      sandbox = new Sandbox(plugin, this.#limits, this.#sql, this.#cache);
      this.#sandboxes.set(plugin, sandbox);
      this.#started.push(sandbox);
    }
    return sandbox;
  }
}

/**
 * `plugin`'s configs parsed (see `parseConfig`), each text once while it is recent: every read
 * of a dynamic node opens it again, and the same bytes parse to the same config. A config that
 * fails is not kept (nor bytes that are not UTF-8), so it fails each time with its own error.
 */
function parsedConfigs(plugin: PluginModule): (config: Uint8Array) => Promise<PluginConfig> {
  const recent = new Recent<PluginConfig>(RECENT_LIMIT);
  const { config: schema, name } = plugin.manifest;
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  return (config) => {
    let text: string;
    try {
      text = utf8.decode(config);
    } catch {
      return parseConfig(schema, config, name);
    }
    return recent.get(text, () => parseConfig(schema, config, name));
  };
}
