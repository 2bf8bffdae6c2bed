/** The public face of pond's library layer: a pond on disk and the operations commands run on it. */

export {
  type CollectorRecord,
  type DamagedTransaction,
  Pond,
  type PondAt,
  type PondOptions,
  type TransactionRecord,
  type TransactOptions,
} from "./pond.ts";
export { localPond, POND_MARKER, pondLayout, type PondStores } from "./layout.ts";
export { type DroppedCache, dropPondCache, pondCache } from "./store_cache.ts";
export { findPond } from "./find_pond.ts";
export { hostError } from "./host_error.ts";
export {
  createHostFile,
  hostFileStream,
  isEmptyHostDirectory,
  listHostDirectory,
  readHostFile,
  writeHostFile,
} from "./host_files.ts";
export { endpoint, HOST_PREFIX, STANDARD_STREAM } from "./endpoint.ts";
export { expandEndpoints, expandPaths, globMatches } from "./glob_args.ts";
export { copy } from "./copy.ts";
export {
  type AppliedDocument,
  type ApplyAction,
  applyDocuments,
  type ApplyResult,
} from "./apply.ts";
export {
  type ApplyDocument,
  DocumentError,
  type DocumentSource,
  documentSource,
  readDocuments,
} from "./apply_documents.ts";
export { move } from "./move.ts";
export { remove } from "./remove.ts";
export { describe, type Description } from "./describe.ts";
export { isParquetNode } from "./parquet_node.ts";
export { diff } from "./diff.ts";
export type { PathChange, VersionInfo } from "./changes.ts";
export {
  type LogDamage,
  type LoggedTransaction,
  type TransactionLog,
  transactionLog,
} from "./history.ts";
export type { OplogRowInfo } from "./oplog_rows.ts";
export { tableRows } from "./table_rows.ts";
export {
  describeUse,
  DynamicExists,
  isPattern,
  type MadeDynamic,
  makeDynamic,
  unregisterPattern,
} from "./dynamic_nodes.ts";
export {
  addPlugin,
  listPlugins,
  planAddition,
  pluginInfo,
  type PluginSummary,
  removePlugin,
} from "./plugins.ts";
export type { PluginUse } from "./plugin_uses.ts";
export {
  checkpointPond,
  compactPond,
  type CompactReport,
  vacuumPond,
  type VacuumReport,
} from "./maintain.ts";
export { checkPond, type CheckReport, isDamaged } from "./check.ts";
export type { Finding } from "./check_findings.ts";
export {
  collectorHosts,
  collectorNodes,
  type CollectorRun,
  createCollector,
  makeCollector,
  type MakeCollectorOptions,
  runCollectorAt,
  type RunCollectorOptions,
  type RunSeries,
} from "./collectors.ts";
export { type Provenance, provenance } from "./provenance.ts";
