/** What this writer enforces: the protocol versions and writer features it honours, and the table properties it reads. */

import type { Metadata, Protocol } from "./actions.ts";
import { DeltaError } from "./errors.ts";
import { type DataType, parseSchema, type StructField } from "./schema.ts";
import { checkReadSupported } from "./table_features.ts";

/** Writer protocol versions this writer can write. */
export const SUPPORTED_WRITER_VERSIONS: readonly number[] = [1, 2, 3, 4, 5, 6, 7];

/**
 * Writer features (at writer version 7) this writer honours. `appendOnly` is enforced;
 * `invariants`, `checkConstraints`, `generatedColumns`, `identityColumns`, `changeDataFeed` and
 * `columnMapping` are honoured by refusing tables where they are active; `deletionVectors` are
 * kept as they are (never written); `timestampNtz` is written; `domainMetadata` is preserved;
 * `vacuumProtocolCheck` is what vacuum already does.
 */
export const SUPPORTED_WRITER_FEATURES: ReadonlySet<string> = new Set([
  "appendOnly",
  "invariants",
  "checkConstraints",
  "generatedColumns",
  "identityColumns",
  "changeDataFeed",
  "columnMapping",
  "deletionVectors",
  "timestampNtz",
  "domainMetadata",
  "vacuumProtocolCheck",
]);

/** Features the protocol defines for readers and writers: listed in both `readerFeatures` and `writerFeatures`. */
export const READER_WRITER_FEATURES: ReadonlySet<string> = new Set([
  "catalogManaged",
  "columnMapping",
  "deletionVectors",
  "timestampNtz",
  "typeWidening",
  "v2Checkpoint",
  "vacuumProtocolCheck",
  "variantType",
  "variantShredding",
]);

/** The table properties the writer acts on, with the protocol's defaults. */
export interface WriteProperties {
  /** `delta.appendOnly`: refuse removing data. */
  appendOnly: boolean;
  /** `delta.checkpointInterval`: write a checkpoint every this many commits (default 100). */
  checkpointInterval: number;
  /** `delta.deletedFileRetentionDuration` in ms: how long tombstones are kept (default 1 week). */
  deletedFileRetentionMs: number;
  /** `delta.dataSkippingNumIndexedCols`: leaf columns with statistics (default 32, -1 all). */
  numIndexedCols: number;
  /** `delta.checkpoint.writeStatsAsJson`: keep `add.stats` in checkpoints (default true). */
  writeStatsAsJson: boolean;
}

const WEEK_MS = 7 * 86_400_000;
const UNIT_MS: Record<string, number> = {
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: WEEK_MS,
};

/**
 * Milliseconds of a Spark interval text such as `interval 7 days` or `interval 1 week 12 hours`.
 * Throws `InvalidArgument` for anything else.
 *
 * @example
 * ```ts
 * parseInterval("interval 1 week"); // 604800000
 * ```
 */
export function parseInterval(text: string): number {
  const words = text.trim().toLowerCase().split(/\s+/);
  if (words[0] === "interval") words.shift();
  if (words.length === 0 || words.length % 2 !== 0) {
    throw new DeltaError(
      "InvalidArgument",
      `${JSON.stringify(text)} is not an interval like "interval 7 days"`,
    );
  }
  let ms = 0;
  for (let i = 0; i < words.length; i += 2) {
    const n = Number(words[i]);
    const unit = UNIT_MS[words[i + 1].replace(/s$/, "")];
    if (!Number.isFinite(n) || n < 0 || unit === undefined) {
      throw new DeltaError(
        "InvalidArgument",
        `${JSON.stringify(text)} is not an interval like "interval 7 days"`,
      );
    }
    ms += n * unit;
  }
  return ms;
}

function positiveInteger(
  configuration: Record<string, string>,
  key: string,
  fallback: number,
  min: number,
): number {
  const raw = configuration[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new DeltaError(
      "InvalidArgument",
      `table property ${key} must be an integer >= ${min}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/**
 * The writer's view of a table's configuration, with defaults for unset properties.
 *
 * @example
 * ```ts
 * writeProperties({ "delta.checkpointInterval": "10" }).checkpointInterval; // 10
 * ```
 */
export function writeProperties(configuration: Record<string, string>): WriteProperties {
  const retention = configuration["delta.deletedFileRetentionDuration"];
  return {
    appendOnly: configuration["delta.appendOnly"]?.toLowerCase() === "true",
    checkpointInterval: positiveInteger(configuration, "delta.checkpointInterval", 100, 1),
    deletedFileRetentionMs: retention === undefined ? WEEK_MS : parseInterval(retention),
    numIndexedCols: positiveInteger(configuration, "delta.dataSkippingNumIndexedCols", 32, -1),
    writeStatsAsJson: configuration["delta.checkpoint.writeStatsAsJson"]?.toLowerCase() !== "false",
  };
}

/** Whether `predicate` holds for any field at any nesting depth of a type. */
function anyField(type: DataType, predicate: (field: StructField) => boolean): boolean {
  if (typeof type === "string") return false;
  switch (type.type) {
    case "struct":
      return type.fields.some((f) => predicate(f) || anyField(f.type, predicate));
    case "array":
      return anyField(type.elementType, predicate);
    case "map":
      return anyField(type.keyType, predicate) || anyField(type.valueType, predicate);
    default:
      return false;
  }
}

/**
 * Throws unless this writer may write a table with `protocol` and `metadata`: the reader side
 * must be readable, the writer version and every writer feature supported, and no constraint
 * the writer cannot evaluate may be active (column invariants, CHECK constraints, generated or
 * identity columns, change data feed, column mapping). Errors are `UnsupportedWriterVersion`
 * or `UnsupportedFeature` and name what is at fault.
 *
 * @example
 * ```ts
 * import { LocalStore, TableWriter } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const writer = await TableWriter.open(store);
 * const state = writer.state;
 * checkWriteSupported(state.protocol, state.metadata, "/data/t");
 * ```
 */
export function checkWriteSupported(protocol: Protocol, metadata: Metadata, table: string): void {
  checkReadSupported(protocol, table);
  const version = protocol.minWriterVersion;
  if (!SUPPORTED_WRITER_VERSIONS.includes(version)) {
    throw new DeltaError(
      "UnsupportedWriterVersion",
      `${table} needs Delta writer version ${version}; this writer implements versions ${
        SUPPORTED_WRITER_VERSIONS.join(", ")
      }`,
    );
  }
  if (version === 7) {
    const missing = (protocol.writerFeatures ?? []).filter((f) =>
      !SUPPORTED_WRITER_FEATURES.has(f)
    );
    if (missing.length > 0) {
      throw new DeltaError(
        "UnsupportedFeature",
        `${table} needs the Delta writer feature${missing.length > 1 ? "s" : ""} ${
          missing.map((f) => JSON.stringify(f)).join(", ")
        }, which this writer does not implement`,
      );
    }
  }
  const refuse = (what: string) => {
    throw new DeltaError(
      "UnsupportedFeature",
      `${table} uses ${what}, which this writer cannot enforce`,
    );
  };
  const config = metadata.configuration;
  const schema = parseSchema(metadata.schemaString);
  const has = (key: string) => anyField(schema, (f) => f.metadata[key] !== undefined);
  if (has("delta.invariants")) refuse("column invariants (delta.invariants)");
  if (has("delta.generationExpression")) refuse("generated columns");
  if (
    anyField(schema, (f) => Object.keys(f.metadata).some((k) => k.startsWith("delta.identity.")))
  ) {
    refuse("identity columns");
  }
  const constraint = Object.keys(config).find((k) => k.startsWith("delta.constraints."));
  if (constraint !== undefined) refuse(`the CHECK constraint ${constraint}`);
  if (config["delta.enableChangeDataFeed"]?.toLowerCase() === "true") refuse("change data feed");
  if ((config["delta.columnMapping.mode"] ?? "none") !== "none") refuse("column mapping");
  if (config["delta.checkpoint.writeStatsAsStruct"]?.toLowerCase() === "true") {
    refuse("delta.checkpoint.writeStatsAsStruct");
  }
}
