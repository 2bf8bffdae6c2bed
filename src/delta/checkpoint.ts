/** Reading checkpoints: classic, multi-part and v2 (JSON or Parquet, with sidecars) into actions. */

import { parquetMetadataAsync, parquetReadObjects, parquetSchema } from "hyparquet";
import type { RowGroup } from "hyparquet";
import { decompressorsFor } from "./decompressors.ts";
import { type Action, actionFromObject, decodePath, parseCommit } from "./actions.ts";
import { DeltaError, isDeltaError } from "./errors.ts";
import { type CheckpointFiles, SIDECAR_DIR } from "./log_segment.ts";
import { asyncBufferFrom, type ObjectInfo, type Store } from "./storage.ts";

/** Turns bigints (Parquet INT64) into numbers, deeply, so rows match the JSON action shapes. */
function toJsonShape(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(toJsonShape);
  if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonShape(v);
    return out;
  }
  return value;
}

/**
 * A `stats` JSON string from a checkpoint's `add.stats_parsed` struct, for checkpoints written
 * with `delta.checkpoint.writeStatsAsJson=false`. Only bounds that survive decoding exactly
 * are kept (integers within 2^53, strings, booleans, timestamps and dates as ISO text): a
 * bound rounded the wrong way would make data skipping drop matching files.
 */
function statsFromParsed(parsed: unknown): string | null {
  const exact = (v: unknown): unknown => {
    if (typeof v === "bigint") return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : undefined;
    if (typeof v === "number") return Number.isSafeInteger(v) ? v : undefined;
    if (v instanceof Date) return v.toISOString();
    if (typeof v === "string" || typeof v === "boolean") return v;
    if (v !== null && typeof v === "object" && !(v instanceof Uint8Array)) {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, exact(x)]).filter(([, x]) => x !== undefined),
      );
    }
    return undefined;
  };
  const stats = exact(parsed);
  return stats !== undefined && typeof stats === "object" ? JSON.stringify(stats) : null;
}

/** Re-labels a `CorruptLog` error about a checkpoint file as `CorruptCheckpoint`. */
function asCheckpointError(e: unknown, path: string): unknown {
  if (isDeltaError(e, "CorruptLog")) {
    return new DeltaError("CorruptCheckpoint", e.message, { path, cause: e });
  }
  return e;
}

/**
 * Reads the actions stored in a Parquet file of the log (a checkpoint, a part of one, or a
 * sidecar): one action per row, as struct columns named after the actions.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const actions = await readParquetActions(store, await store.head("_delta_log/00000000000000000010.checkpoint.parquet"));
 * ```
 */
export async function readParquetActions(
  store: Store,
  info: ObjectInfo,
  options: CheckpointReadOptions = {},
): Promise<Action[]> {
  let rows: Record<string, unknown>[];
  try {
    const file = await asyncBufferFrom(store, info.path, info.size);
    const skip = new Set(options.skip ?? []);
    const metadata = await parquetMetadataAsync(file);
    const compressors = await decompressorsFor(metadata);
    if (skip.size === 0) {
      rows = await parquetReadObjects({ file, metadata, compressors });
    } else {
      const columns = parquetSchema(metadata).children
        .map((c) => c.element.name)
        .filter((name) => !skip.has(name));
      rows = [];
      let rowStart = 0;
      for (const group of metadata.row_groups) {
        const rowEnd = rowStart + Number(group.num_rows);
        if (holdsAny(group, columns)) {
          rows.push(
            ...await parquetReadObjects({ file, metadata, columns, rowStart, rowEnd, compressors }),
          );
        }
        rowStart = rowEnd;
      }
    }
  } catch (e) {
    if (e instanceof DeltaError && e.code !== "CorruptData") throw e;
    const message = e instanceof DeltaError
      ? e.message
      : `${store.locate(info.path)} is not a readable Parquet checkpoint file: ${
        (e as Error).message
      }`;
    throw new DeltaError("CorruptCheckpoint", message, { path: info.path, cause: e });
  }
  const actions: Action[] = [];
  try {
    for (const row of rows) {
      const shaped = toJsonShape(row) as Record<string, Record<string, unknown> | null>;
      const add = row.add as Record<string, unknown> | null | undefined;
      if (add && add.stats == null && add.stats_parsed != null) {
        shaped.add!.stats = statsFromParsed(add.stats_parsed);
      }
      const action = actionFromObject(shaped, { file: info.path });
      if (action !== null) actions.push(action);
    }
  } catch (e) {
    throw asCheckpointError(e, info.path);
  }
  return actions;
}

/**
 * Whether a row group may hold a value in any of `columns` (top-level action columns): false
 * only when statistics say every leaf of each is null in every row, so an action of those
 * types cannot be there (a writer that kept tombstones in groups of their own lets a reader
 * that skips tombstones skip those groups unread).
 */
function holdsAny(group: RowGroup, columns: readonly string[]): boolean {
  const rows = group.num_rows;
  return group.columns.some((chunk) => {
    const meta = chunk.meta_data;
    if (meta === undefined || !columns.includes(meta.path_in_schema[0])) return false;
    const nulls = meta.statistics?.null_count;
    return nulls === undefined || BigInt(nulls) < BigInt(rows);
  });
}

/** What to leave out when reading a checkpoint. */
export interface CheckpointReadOptions {
  /**
   * Action types (top-level columns) not to read, e.g. `["remove"]`: tombstones are needed
   * only to vacuum and to write the next checkpoint, and in a table with much history they
   * are most of the checkpoint.
   */
  skip?: string[];
}

/** The actions of one checkpoint file, by its format. */
async function readCheckpointFile(
  store: Store,
  info: ObjectInfo,
  options: CheckpointReadOptions,
): Promise<Action[]> {
  if (!info.path.endsWith(".json")) return readParquetActions(store, info, options);
  const text = new TextDecoder().decode(await store.read(info.path));
  try {
    return parseCommit(text, info.path);
  } catch (e) {
    throw asCheckpointError(e, info.path);
  }
}

/** The path, relative to the table root, of a sidecar named by a `sidecar` action. */
function sidecarPath(path: string): string {
  const decoded = decodePath(path);
  return `${SIDECAR_DIR}/${decoded.slice(decoded.lastIndexOf("/") + 1)}`;
}

/**
 * Reads every action of a complete checkpoint: all parts of a multi-part checkpoint, and for
 * a v2 checkpoint the file actions of each sidecar it references (`sidecar` actions are
 * resolved and not returned). A missing or unreadable part or sidecar is `CorruptCheckpoint`.
 *
 * @example
 * ```ts
 * import { LocalStore, buildLogSegment } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const segment = await buildLogSegment(store);
 * if (segment.checkpoint) for (const a of await readCheckpoint(store, segment.checkpoint)) console.log(a);
 * ```
 */
export async function readCheckpoint(
  store: Store,
  checkpoint: CheckpointFiles,
  options: CheckpointReadOptions = {},
): Promise<Action[]> {
  const actions: Action[] = [];
  for (const file of checkpoint.files) {
    for (const action of await readCheckpointFile(store, file, options)) {
      if (!("sidecar" in action)) {
        actions.push(action);
        continue;
      }
      const path = sidecarPath(action.sidecar.path);
      let info: ObjectInfo;
      try {
        info = await store.head(path);
      } catch (e) {
        if (!isDeltaError(e, "MissingFile")) throw e;
        throw new DeltaError(
          "CorruptCheckpoint",
          `${store.locate(path)}, a sidecar of checkpoint ${store.locate(file.path)}, is missing`,
          { path, version: checkpoint.version, cause: e },
        );
      }
      for (const action of await readParquetActions(store, info, options)) actions.push(action);
    }
  }
  return actions;
}
