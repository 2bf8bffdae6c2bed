/** The public face of pond's Delta Lake layer: a plain list of re-exports. */

export { DeltaError, isDeltaError } from "./errors.ts";
export type { DeltaErrorCode, DeltaErrorDetails } from "./errors.ts";
export {
  asyncBufferFrom,
  byteRangesOf,
  isTempFile,
  LocalStore,
  checkRange,
  segments,
  truncatedRange,
  type Upload,
} from "./storage.ts";
export type { ListOptions, ObjectInfo, Store } from "./storage.ts";
export {
  actionFromObject,
  decodePath,
  NUM_ACTIONS,
  parseAction,
  parseCommit,
  serializeAction,
  serializeCommit,
} from "./actions.ts";
export type {
  Action,
  ActionSource,
  AddCdcFile,
  AddFile,
  CheckpointMetadata,
  CommitInfo,
  DeletionVectorDescriptor,
  DomainMetadata,
  Format,
  Metadata,
  Protocol,
  RemoveFile,
  Sidecar,
  Txn,
} from "./actions.ts";
export {
  columnMappingMode,
  FIELD_ID_KEY,
  fieldId,
  parseSchema,
  PHYSICAL_NAME_KEY,
  physicalName,
  serializeSchema,
  typeName,
} from "./schema.ts";
export type {
  ArrayType,
  ColumnMappingMode,
  DataType,
  DecimalType,
  MapType,
  PrimitiveName,
  StructField,
  StructType,
} from "./schema.ts";
export {
  buildLogSegment,
  classicCheckpointPath,
  classifyLogFile,
  commitPath,
  groupLogFiles,
  LAST_CHECKPOINT_PATH,
  listReconstructableCommits,
  LOG_DIR,
  readLastCheckpointHint,
  SIDECAR_DIR,
} from "./log_segment.ts";
export type {
  CheckpointFiles,
  CommitFile,
  LogFile,
  LogListing,
  LogSegment,
  SegmentOptions,
} from "./log_segment.ts";
export { readCheckpoint, readParquetActions } from "./checkpoint.ts";
export type { CheckpointReadOptions } from "./checkpoint.ts";
export {
  fileKey,
  openPastDamage,
  readCommits,
  Replay,
  replaySegment,
  replayVersion,
} from "./replay.ts";
export type { ReplayOptions, TableState } from "./replay.ts";
export {
  checkReadSupported,
  columnMappingSupported,
  SUPPORTED_READER_FEATURES,
  SUPPORTED_READER_VERSIONS,
} from "./table_features.ts";
export { commitHistory, readableHistory, toMillis, versionAtTimestamp } from "./history.ts";
export type { CommitTimestamp, ReadableHistory } from "./history.ts";
export { openTable, Table } from "./table.ts";
export type { SnapshotAt } from "./table.ts";
export { Snapshot } from "./snapshot.ts";
export { dataFilePath, Scan } from "./scan.ts";
export type { ScanBatch, ScanOptions, ScanSource } from "./scan.ts";
export { readDataFile } from "./parquet_read.ts";
export { decompressorsFor } from "./decompressors.ts";
export { loadArrow } from "./arrow_loader.ts";
export type { Row, RowBatch } from "./parquet_read.ts";
export { parsePartitionValue } from "./partition_values.ts";
export {
  and,
  bindPredicate,
  eq,
  evaluate,
  ge,
  gt,
  isNotNull,
  isNull,
  le,
  lt,
  ne,
  not,
  or,
} from "./predicate.ts";
export type { BoundPredicate, ComparisonOp, Literal, Predicate } from "./predicate.ts";
export { fileMayMatch } from "./data_skipping.ts";
export {
  compareValues,
  decimalFromUnscaled,
  formatDate,
  formatTimestamp,
  parseDate,
  parseTimestamp,
} from "./values.ts";
export type { Value } from "./values.ts";
export { rowToJson } from "./json_rows.ts";
export { commitInfoOf, removeOf, TableWriter } from "./commit.ts";
export type { AppTransaction, CommitInfoInput, CommitOptions, CommitResult } from "./commit.ts";
export { createTable } from "./create.ts";
export type { CreateTableOptions } from "./create.ts";
export { CHECKPOINT_SCHEMA, writeCheckpoint } from "./checkpoint_write.ts";
export type { CheckpointOptions, CheckpointWritten } from "./checkpoint_write.ts";
export { vacuum } from "./vacuum.ts";
export type { VacuumOptions, VacuumResult } from "./vacuum.ts";
export { compact, rewriteFiles } from "./compact.ts";
export { checkLog } from "./check_log.ts";
export type { CheckpointDifference, LogCheckOptions, LogProblem, LogReport } from "./check_log.ts";
export { checkDataFiles, unreferencedDataFiles } from "./check_data_files.ts";
export type { DataFileDamage, DataFileProblem } from "./check_data_files.ts";
export { isTorn, setAside, type SetAsideCommit, setAsideCommits } from "./set_aside.ts";
export { removeUnchanged, tempObjects, writerGoneOf } from "./leftovers.ts";
export type { CompactOptions, CompactResult, RewriteOptions } from "./compact.ts";
export {
  decodeRoaringTreemap,
  deletionVectorPath,
  deletionVectorUniqueId,
  readDeletionVector,
  z85Decode,
} from "./deletion_vector.ts";
export type { Columns } from "./parquet_write.ts";
export { writeDataFiles } from "./write_files.ts";
export type { WriteFilesOptions, WrittenFiles } from "./write_files.ts";
export { checkWriteSupported, type WriteProperties, writeProperties } from "./write_support.ts";
