/** SQL over the pond: DuckDB, locked to the files a query names, over tables, series, data files, the oplog and the tree — the public face. */

export { type CopyFormat, type ResultColumn, type ResultStream, SqlEngine } from "./engine.ts";
export { SqlError, type SqlErrorCode } from "./errors.ts";
export { CATALOG_TABLES } from "./catalog.ts";
export { type DataFormat, type Pruned, type SourceOptions } from "./sources.ts";
export { type NamedSource, PondQuery, type QueryOptions, type QueryReport } from "./query.ts";
export {
  type MatchedGroup,
  type MatchedTable,
  type MatchQueryBounds,
  queryGroups,
  queryMatches,
} from "./match_query.ts";
export {
  DeltaExport,
  type DeltaExportResult,
  EXPORT_PROPERTY,
  type ExportRecord,
} from "./delta_export.ts";
