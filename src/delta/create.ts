/** Creating a table: version 0 with its protocol, metadata, commitInfo and any starting rows, written only if no table is there. */

import {
  type Action,
  type CommitInfo,
  type Metadata,
  NUM_ACTIONS,
  type Protocol,
  serializeCommit,
} from "./actions.ts";
import type { Columns } from "./parquet_write.ts";
import { fileKey } from "./replay.ts";
import { writeDataFiles } from "./write_files.ts";
import { commitInfoOf, TableWriter } from "./commit.ts";
import { DeltaError } from "./errors.ts";
import { classifyLogFile, commitPath, LOG_DIR } from "./log_segment.ts";
import { type DataType, serializeSchema, type StructType } from "./schema.ts";
import type { Store } from "./storage.ts";
import { checkWriteSupported, READER_WRITER_FEATURES, writeProperties } from "./write_support.ts";

/** What a new table is. */
export interface CreateTableOptions {
  schema: StructType;
  /** Columns whose values name Hive-style directories (primitive, non-binary types). */
  partitionColumns?: string[];
  /** Table properties, e.g. `{ "delta.checkpointInterval": "50", "delta.appendOnly": "true" }`. */
  configuration?: Record<string, string>;
  name?: string;
  description?: string;
  /**
   * Table features to enable explicitly (reader 3 / writer 7). Features the schema or
   * configuration needs (`timestampNtz` for timestamp_ntz columns, `appendOnly`) are added.
   */
  features?: string[];
  /** Free-form application metadata for the creating commit's `commitInfo`. */
  info?: Record<string, unknown>;
  /** Rows the table starts with, written as data files added by version 0 itself. */
  data?: Columns;
}

/** Whether any column (at any depth) has type `name`. */
function usesType(type: DataType, name: string): boolean {
  if (typeof type === "string") return type === name;
  switch (type.type) {
    case "struct":
      return type.fields.some((f) => usesType(f.type, name));
    case "array":
      return usesType(type.elementType, name);
    case "map":
      return usesType(type.keyType, name) || usesType(type.valueType, name);
    default:
      return false;
  }
}

/**
 * The protocol a new table needs: reader 1 / writer 2 unless a feature is needed (explicitly,
 * by a `timestamp_ntz` column), then writer 7 listing each feature (`appendOnly` added when
 * `delta.appendOnly` is set), and reader 3 listing the reader-writer ones only when there is
 * one: a table of writer features alone stays at reader 1, which every reader can read.
 */
function protocolFor(
  schema: StructType,
  configuration: Record<string, string>,
  features: string[],
): Protocol {
  const wanted = new Set(features);
  if (usesType(schema, "timestamp_ntz")) wanted.add("timestampNtz");
  if (wanted.size === 0) return { minReaderVersion: 1, minWriterVersion: 2 };
  if (configuration["delta.appendOnly"] !== undefined) wanted.add("appendOnly");
  const writerFeatures = [...wanted].sort();
  const readerFeatures = writerFeatures.filter((f) => READER_WRITER_FEATURES.has(f));
  return readerFeatures.length === 0
    ? { minReaderVersion: 1, minWriterVersion: 7, writerFeatures }
    : { minReaderVersion: 3, minWriterVersion: 7, readerFeatures, writerFeatures };
}

/** Refuses schemas and partitionings Delta does not allow. */
function checkLayout(schema: StructType, partitionColumns: string[]): void {
  const seen = new Set<string>();
  for (const f of schema.fields) {
    const lower = f.name.toLowerCase();
    if (seen.has(lower)) {
      throw new DeltaError(
        "InvalidSchema",
        `column ${JSON.stringify(f.name)} appears twice (names are case-insensitive)`,
      );
    }
    seen.add(lower);
  }
  if (new Set(partitionColumns).size !== partitionColumns.length) {
    throw new DeltaError(
      "InvalidArgument",
      `partition columns ${JSON.stringify(partitionColumns)} repeat a column`,
    );
  }
  for (const name of partitionColumns) {
    const field = schema.fields.find((f) => f.name === name);
    if (field === undefined) {
      throw new DeltaError(
        "InvalidArgument",
        `partition column ${JSON.stringify(name)} is not in the schema`,
      );
    }
    if (typeof field.type !== "string" ? field.type.type !== "decimal" : field.type === "binary") {
      throw new DeltaError(
        "InvalidArgument",
        `partition column ${JSON.stringify(name)} cannot have type ${JSON.stringify(field.type)}`,
      );
    }
  }
  if (schema.fields.length > 0 && partitionColumns.length === schema.fields.length) {
    throw new DeltaError(
      "InvalidArgument",
      "a table needs at least one column that is not a partition column",
    );
  }
}

/**
 * Creates a Delta table in an empty location: writes version 0 (`commitInfo`, `protocol`,
 * `metaData`) only if no log is there, and returns a writer at version 0. Throws
 * `AlreadyExists` when the location already holds a table (also when another writer created
 * it first), `InvalidSchema`/`InvalidArgument` for a bad layout, and `UnsupportedFeature` for
 * properties this writer could not honour later (e.g. CHECK constraints, column mapping).
 *
 * @example
 * ```ts
 * import { LocalStore, parseSchema } from "./mod.ts";
 *
 * const writer = await createTable(new LocalStore("/data/events"), {
 *   schema: parseSchema('{"type":"struct","fields":[{"name":"day","type":"date","nullable":true,"metadata":{}},{"name":"n","type":"long","nullable":true,"metadata":{}}]}'),
 *   partitionColumns: ["day"],
 * });
 * ```
 */
export async function createTable(store: Store, options: CreateTableOptions): Promise<TableWriter> {
  const partitionColumns = options.partitionColumns ?? [];
  const configuration = options.configuration ?? {};
  checkLayout(options.schema, partitionColumns);
  const { numIndexedCols } = writeProperties(configuration);
  const protocol = protocolFor(options.schema, configuration, options.features ?? []);
  const now = Date.now();
  const metadata: Metadata = {
    id: crypto.randomUUID(),
    format: { provider: "parquet", options: {} },
    schemaString: serializeSchema(options.schema),
    partitionColumns,
    configuration,
    createdTime: now,
  };
  if (options.name !== undefined) metadata.name = options.name;
  if (options.description !== undefined) metadata.description = options.description;
  const table = store.locate("");
  checkWriteSupported(protocol, metadata, table);
  const commitInfo = commitInfoOf({
    timestamp: now,
    operation: "CREATE TABLE",
    operationParameters: {
      partitionBy: JSON.stringify(partitionColumns),
      description: options.description ?? null,
      properties: JSON.stringify(configuration),
    },
    isBlindAppend: true,
    engineInfo: "pond",
    txnId: crypto.randomUUID(),
  }, options.info);
  const existing = (await store.list(LOG_DIR)).map(classifyLogFile).find((f) => f !== null);
  const { adds } = existing === undefined && options.data
    ? await writeDataFiles(store, metadata, options.data, { now, numIndexedCols })
    : { adds: [] };
  const recorded: CommitInfo = { ...commitInfo, [NUM_ACTIONS]: 2 + adds.length };
  const actions: Action[] = [
    { commitInfo: recorded },
    { protocol },
    { metaData: metadata },
    ...adds.map((add) => ({ add })),
  ];
  const created = existing === undefined &&
    await store.putIfAbsent(commitPath(0), new TextEncoder().encode(serializeCommit(actions)));
  if (!created) {
    throw new DeltaError("AlreadyExists", `${table} already holds a Delta table`, {
      path: LOG_DIR,
      version: 0,
    });
  }
  return TableWriter.fromState(store, {
    version: 0,
    protocol,
    metadata,
    files: new Map(adds.map((add) => [fileKey(add), add])),
    tombstones: new Map(),
    txns: new Map(),
    domainMetadata: new Map(),
    commitInfo: recorded,
  });
}
