/** tinyfs: pond's versioned filesystem semantics over a persistence seam — the public face. */

export { FS, type OpenOptions, type RootOptions } from "./fs.ts";
export { type CreateOptions, type FileOptions, type RemoveOptions, WD } from "./wd.ts";
export { Reader } from "./reader.ts";
export type {
  Derivation,
  Destination,
  FollowOptions,
  GlobMatch,
  Metadata,
  NodePath,
  ReadOptions,
  ReadView,
} from "./view.ts";
export { compileGlob, type Glob, GLOB_LIMITS, type GlobSegment, matchSegment } from "./glob.ts";
export { MAX_NAME_BYTES, MAX_PATH_BYTES, nameProblem, pathProblem, quoted } from "./path.ts";
export { copyTarget } from "./destination.ts";
export { MAX_SYMLINKS } from "./resolve.ts";
export { Recent } from "./recent.ts";
export type { Content } from "./bytes.ts";
export { isTinyFsError, TinyFsError, type TinyFsErrorCode } from "./errors.ts";
export type {
  CommitBatch,
  NewVersion,
  Persistence,
  StagedBody,
  TransactionMeta,
} from "./persistence.ts";
export { MemoryPersistence } from "./memory_persistence.ts";
export {
  applyChanges,
  type DirEntry,
  type DynamicSpec,
  type EntryChange,
  type EntryType,
  type EventTimes,
  type FileEntryType,
  isDynamic,
  kindOf,
  type NodeKey,
  type NodeKind,
  type NodeVersion,
  REGISTRY_KEY,
  ROOT_KEY,
  sameEntry,
} from "./records.ts";
export { isNodeId, newNodeId, type NodeId, REGISTRY_ID, ROOT_ID } from "./node_id.ts";
export type { Registration } from "./registry.ts";
export type {
  DynamicContext,
  DynamicDirectory,
  DynamicEntry,
  DynamicFactory,
  DynamicFile,
  DynamicFileContent,
  DynamicFileFactory,
  DynamicSubdirectory,
  Factories,
  FileFactories,
} from "./dynamic.ts";
