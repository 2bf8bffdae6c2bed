/** Writing classic (single-file, V1 spec) checkpoints and the `_last_checkpoint` hint. */

import { DeltaError, isDeltaError } from "./errors.ts";
import {
  classicCheckpointPath,
  commitPath,
  LAST_CHECKPOINT_PATH,
  readLastCheckpointHint,
} from "./log_segment.ts";
import { encodeParquet, normalizeColumns } from "./parquet_write.ts";
import type { TableState } from "./replay.ts";
import type { DataType, StructField, StructType } from "./schema.ts";
import type { Store } from "./storage.ts";
import { writeProperties } from "./write_support.ts";

const field = (name: string, type: DataType): StructField => ({
  name,
  type,
  nullable: true,
  metadata: {},
});
const struct = (...fields: StructField[]): StructType => ({ type: "struct", fields });
const stringMap: DataType = {
  type: "map",
  keyType: "string",
  valueType: "string",
  valueContainsNull: true,
};
const stringArray: DataType = { type: "array", elementType: "string", containsNull: true };
const deletionVector = field(
  "deletionVector",
  struct(
    field("storageType", "string"),
    field("pathOrInlineDv", "string"),
    field("offset", "integer"),
    field("sizeInBytes", "integer"),
    field("cardinality", "long"),
    field("maxRowIndex", "long"),
  ),
);

/** Rows per checkpoint row group. */
const CHECKPOINT_ROW_GROUP = 100_000;

/**
 * The schema of a classic checkpoint, column for column as Spark's Delta writes it: one
 * nullable struct column per action (`txn`, `add`, `remove`, `metaData`, `protocol`,
 * `domainMetadata`), `add.stats` as a JSON string and partition values as a string map.
 */
export const CHECKPOINT_SCHEMA: StructType = struct(
  field(
    "txn",
    struct(field("appId", "string"), field("version", "long"), field("lastUpdated", "long")),
  ),
  field(
    "add",
    struct(
      field("path", "string"),
      field("partitionValues", stringMap),
      field("size", "long"),
      field("modificationTime", "long"),
      field("dataChange", "boolean"),
      field("tags", stringMap),
      deletionVector,
      field("baseRowId", "long"),
      field("defaultRowCommitVersion", "long"),
      field("stats", "string"),
    ),
  ),
  field(
    "remove",
    struct(
      field("path", "string"),
      field("deletionTimestamp", "long"),
      field("dataChange", "boolean"),
      field("extendedFileMetadata", "boolean"),
      field("partitionValues", stringMap),
      field("size", "long"),
      deletionVector,
      field("baseRowId", "long"),
      field("defaultRowCommitVersion", "long"),
    ),
  ),
  field(
    "metaData",
    struct(
      field("id", "string"),
      field("name", "string"),
      field("description", "string"),
      field("format", struct(field("provider", "string"), field("options", stringMap))),
      field("schemaString", "string"),
      field("partitionColumns", stringArray),
      field("configuration", stringMap),
      field("createdTime", "long"),
    ),
  ),
  field(
    "protocol",
    struct(
      field("minReaderVersion", "integer"),
      field("minWriterVersion", "integer"),
      field("readerFeatures", stringArray),
      field("writerFeatures", stringArray),
    ),
  ),
  field(
    "domainMetadata",
    struct(
      field("domain", "string"),
      field("configuration", "string"),
      field("removed", "boolean"),
    ),
  ),
);

/** What was written: the checkpoint's version, file and action counts. */
export interface CheckpointWritten {
  version: number;
  path: string;
  /** Actions (rows) in the checkpoint. */
  size: number;
  sizeInBytes: number;
  numOfAddFiles: number;
}

/** Options of {@link writeCheckpoint}. */
export interface CheckpointOptions {
  /** The current time, for expiring tombstones (default: now). */
  now?: number;
}

/**
 * Writes the classic checkpoint of `state` (`<version>.checkpoint.parquet`) — protocol,
 * metadata, txns, domain metadata, live files and the tombstones not yet expired by
 * `delta.deletedFileRetentionDuration` — then points `_last_checkpoint` at it unless that
 * already names a newer one. Refuses (`VersionNotFound`) unless the commit of `state.version`
 * exists. The file appears atomically; a concurrent writer of the same checkpoint writes the
 * same content.
 *
 * @example
 * ```ts
 * import { LocalStore, TableWriter } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const writer = await TableWriter.open(store);
 * const state = writer.state;
 * const written = await writeCheckpoint(store, state);
 * console.log(written.path, written.numOfAddFiles);
 * ```
 */
export async function writeCheckpoint(
  store: Store,
  state: TableState,
  options: CheckpointOptions = {},
): Promise<CheckpointWritten> {
  try {
    await store.head(commitPath(state.version));
  } catch (e) {
    if (!isDeltaError(e, "MissingFile")) throw e;
    throw new DeltaError(
      "VersionNotFound",
      `cannot checkpoint version ${state.version} of ${
        store.locate("")
      }: its commit does not exist`,
      { version: state.version, cause: e },
    );
  }
  const properties = writeProperties(state.metadata.configuration);
  const expiredBefore = (options.now ?? Date.now()) - properties.deletedFileRetentionMs;
  const rows: Record<string, unknown>[] = [{ protocol: state.protocol }, {
    metaData: state.metadata,
  }];
  for (const txn of state.txns.values()) rows.push({ txn });
  for (const domainMetadata of state.domainMetadata.values()) rows.push({ domainMetadata });
  for (const add of state.files.values()) {
    rows.push({
      add: { ...add, dataChange: false, stats: properties.writeStatsAsJson ? add.stats : null },
    });
  }
  const live = rows.length;
  for (const remove of state.tombstones.values()) {
    if ((remove.deletionTimestamp ?? 0) > expiredBefore) {
      rows.push({ remove: { ...remove, dataChange: false } });
    }
  }
  const columns = Object.fromEntries(
    CHECKPOINT_SCHEMA.fields.map((f) => [f.name, rows.map((row) => row[f.name] ?? null)]),
  );
  // Tombstones go in row groups of their own, which readers that need only the live state
  // skip by their statistics (see readParquetActions).
  const rowGroupSize = rows.length > live ? [live, CHECKPOINT_ROW_GROUP] : CHECKPOINT_ROW_GROUP;
  const bytes = await encodeParquet(
    CHECKPOINT_SCHEMA,
    normalizeColumns(CHECKPOINT_SCHEMA, columns),
    { rowGroupSize },
  );
  const path = classicCheckpointPath(state.version);
  await store.put(path, bytes);
  const written = {
    version: state.version,
    path,
    size: rows.length,
    sizeInBytes: bytes.length,
    numOfAddFiles: state.files.size,
  };
  const hint = await readLastCheckpointHint(store);
  if (hint === null || hint <= state.version) {
    const { version, size, sizeInBytes, numOfAddFiles } = written;
    await store.put(
      LAST_CHECKPOINT_PATH,
      new TextEncoder().encode(JSON.stringify({ version, size, sizeInBytes, numOfAddFiles })),
    );
  }
  return written;
}
