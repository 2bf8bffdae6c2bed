/** The operation log's table: one row per node version, partitioned by part_id — its schema and row shape. */
import type { PrimitiveName, StructField, StructType } from "../delta/mod.ts";

/** File bodies at or above this many bytes live in the blob store, not in the row. */
export const INLINE_LIMIT = 64 * 1024;

const field = (name: string, type: PrimitiveName, nullable = true): StructField => ({
  name,
  type,
  nullable,
  metadata: {},
});

/**
 * The oplog's Delta schema. Every row is one version of one node:
 * - `part_id` (the partition column): the directory that holds the node's rows — a directory is
 *   its own partition, files and symlinks live in the partition of the directory they were created in;
 * - `node_id`, `version` (from 1 per node), `seq` (the pond transaction = the Delta version that
 *   wrote it), `timestamp`, `entry_type`, `size`;
 * - file bodies: `content` inline below {@link INLINE_LIMIT}, else `blob_chunks` (the per-chunk
 *   SHA-256s of a body in the blob store) and `blob_crcs` (its per-chunk CRC-32s, 4 bytes
 *   big-endian each, which reads check; null in rows written before the column was added, whose
 *   reads check the SHA-256s); `hash` is the body's SHA-256 either way;
 * - directories: `entries` (Arrow IPC of entry changes), `dir_base` (the version those changes
 *   apply to; null for a full listing) and `dir_anchor` (the full listing the chain starts from);
 * - symlinks: `target`; dynamic nodes: `factory` and `config`;
 * - series: `min_event_time`, `max_event_time`; `attributes`: JSON for anything else.
 */
export const OPLOG_SCHEMA: StructType = {
  type: "struct",
  fields: [
    field("part_id", "string", false),
    field("node_id", "string", false),
    field("version", "long", false),
    field("seq", "long", false),
    field("timestamp", "timestamp", false),
    field("entry_type", "string", false),
    field("size", "long", false),
    field("content", "binary"),
    field("hash", "string"),
    field("blob_chunks", "binary"),
    field("entries", "binary"),
    field("dir_base", "long"),
    field("dir_anchor", "long"),
    field("target", "string"),
    field("factory", "string"),
    field("config", "binary"),
    field("min_event_time", "timestamp"),
    field("max_event_time", "timestamp"),
    field("attributes", "string"),
    field("blob_crcs", "binary"),
  ],
};

/** The partition column. */
export const PARTITION_COLUMN = "part_id";

/** The columns read to know a node's versions, without their bodies. */
export const HEADER_COLUMNS = [
  "node_id",
  "version",
  "seq",
  "timestamp",
  "entry_type",
  "size",
  "hash",
  "dir_base",
  "dir_anchor",
  "target",
  "factory",
  "config",
  "min_event_time",
  "max_event_time",
] as const;

/** One oplog row as the store builds and reads it (null where a column does not apply). */
export interface OplogRow {
  part_id: string;
  node_id: string;
  version: number;
  seq: number;
  timestamp: number;
  entry_type: string;
  size: number;
  content: Uint8Array | null;
  hash: string | null;
  blob_chunks: Uint8Array | null;
  entries: Uint8Array | null;
  dir_base: number | null;
  dir_anchor: number | null;
  target: string | null;
  factory: string | null;
  config: Uint8Array | null;
  min_event_time: number | null;
  max_event_time: number | null;
  attributes: string | null;
  blob_crcs: Uint8Array | null;
}
