/** The plugin host: loads plugins from source bytes and runs them in sandboxes — the public face. */

export { inspectPlugin, type LoadOptions, loadPlugin, type PluginModule } from "./plugin_module.ts";
export { builtinPlugins } from "./builtin.ts";
export { sourceHash } from "./source_hash.ts";
export type { ComputedCache } from "./computed_cache.ts";
export type { Manifest, Provision } from "./manifest.ts";
export {
  type ConfigSchema,
  type ConfigValue,
  type FieldSpec,
  type FieldType,
  parseConfig,
  type PluginConfig,
  validateConfig,
} from "./config.ts";
export type { Grants, Permissions } from "./permissions.ts";
export {
  DEFAULT_DEADLINE_MS,
  DEFAULT_MEMORY_LIMIT_MB,
  type FileFactory,
  type HostOptions,
  PluginHost,
} from "./host.ts";
export { PluginDirectory } from "./plugin_directory.ts";
export { PluginFile } from "./plugin_file.ts";
export { isPluginError, PluginError, type PluginErrorCode } from "./errors.ts";
export type { SqlBounds, SqlGroup, SqlPort, SqlTable } from "./sql_port.ts";
export {
  collectorFileFactory,
  type CollectorSpec,
  encodeCollector,
  neededHosts,
  openCollector,
  type OpenedCollector,
} from "./collector_node.ts";
export {
  type Collected,
  type CollectedSeries,
  type CollectFailure,
  type CollectorState,
  runCollector,
  type RunOptions,
  type SeriesState,
} from "./collector_run.ts";
export type { SandboxLimits } from "./sandbox_process.ts";
