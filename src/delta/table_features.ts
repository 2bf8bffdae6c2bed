/** Table features and protocol versions: what this reader implements, and refusing what it does not. */

import type { Protocol } from "./actions.ts";
import { DeltaError } from "./errors.ts";

/** Reader protocol versions this implementation reads. */
export const SUPPORTED_READER_VERSIONS: readonly number[] = [1, 2, 3];

/**
 * Reader features (at reader version 3) this implementation honours on read:
 * deletion vectors are applied, column mapping (`name` and `id`) resolves physical columns,
 * `timestamp_ntz` is read as wall-clock time, v2 checkpoints and their sidecars are read,
 * and `vacuumProtocolCheck` needs nothing on read.
 */
export const SUPPORTED_READER_FEATURES: ReadonlySet<string> = new Set([
  "deletionVectors",
  "columnMapping",
  "timestampNtz",
  "v2Checkpoint",
  "vacuumProtocolCheck",
]);

/**
 * Throws unless this implementation can read a table with `protocol`: `UnsupportedReaderVersion`
 * naming the version, or `UnsupportedFeature` naming every reader feature it lacks. `table`
 * names the table in the message.
 *
 * @example
 * ```ts
 * checkReadSupported({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["deletionVectors"] }, "/data/t");
 * ```
 */
export function checkReadSupported(protocol: Protocol, table: string): void {
  const version = protocol.minReaderVersion;
  if (!SUPPORTED_READER_VERSIONS.includes(version)) {
    throw new DeltaError(
      "UnsupportedReaderVersion",
      `${table} needs Delta reader version ${version}; this reader implements versions ${
        SUPPORTED_READER_VERSIONS.join(", ")
      }`,
    );
  }
  if (version < 3) return;
  const missing = (protocol.readerFeatures ?? []).filter((f) => !SUPPORTED_READER_FEATURES.has(f));
  if (missing.length > 0) {
    throw new DeltaError(
      "UnsupportedFeature",
      `${table} needs the Delta reader feature${missing.length > 1 ? "s" : ""} ${
        missing.map((f) => JSON.stringify(f)).join(", ")
      }, which this reader does not implement`,
    );
  }
}

/**
 * Whether the protocol lets the `delta.columnMapping.mode` property take effect: reader
 * version 2, or reader version 3 with the `columnMapping` feature.
 *
 * @example
 * ```ts
 * columnMappingSupported({ minReaderVersion: 2, minWriterVersion: 5 }); // true
 * ```
 */
export function columnMappingSupported(protocol: Protocol): boolean {
  return protocol.minReaderVersion === 2 ||
    (protocol.minReaderVersion === 3 && (protocol.readerFeatures ?? []).includes("columnMapping"));
}
