/** The public face of pond's Delta Lake layer: a plain list of re-exports. */

export { DeltaError, isDeltaError } from "./errors.ts";
export type { DeltaErrorCode, DeltaErrorDetails } from "./errors.ts";
export { asyncBufferFrom, LocalStore } from "./storage.ts";
export type { ListOptions, ObjectInfo, Store } from "./storage.ts";
export {
  actionFromObject,
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
