/** Where a pond keeps its parts: the stores of its marker, oplog table, blobs and cache, and for a pond in a directory the host paths of each. */
import { isDeltaError, LocalStore, LOG_DIR, type Store } from "../delta/mod.ts";

/** The file that marks a directory as a pond, with the pond's format version. */
export const POND_MARKER = "pond.json";

/** The format of ponds this code reads and writes, as the marker records it. */
export const POND_FORMAT = 1;

/** The paths of one pond's parts in a directory on this computer. */
export interface PondLayout {
  /** The pond's directory. */
  readonly root: string;
  /** The marker file (`pond.json`) that says the directory is a pond, and of which format. */
  readonly marker: string;
  /** The operation log: a Delta table. */
  readonly oplog: string;
  /** The content-addressed store of large file bodies. */
  readonly blobs: string;
  /** Computed files kept so reads need not compute them again; rebuildable, so droppable. */
  readonly cache: string;
  /** Lock files of processes that must not overlap (a collector's runs); never part of a backup. */
  readonly locks: string;
}

/**
 * The stores a pond keeps its bytes in: every byte of the pond is read and written through
 * one of them. {@link localPond} gives those of a pond in a directory; any other {@link Store}
 * (in memory, object storage) holds a pond as well.
 */
export interface PondStores {
  /** Where the pond is, as messages name it: a local pond's directory, as given. */
  readonly location: string;
  /** The pond's root, holding its marker {@link POND_MARKER}. */
  readonly root: Store;
  /** The operation log: a Delta table. */
  readonly oplog: Store;
  /** The content-addressed large file bodies. */
  readonly blobs: Store;
  /** Computed files kept so reads need not compute them again; rebuildable, so droppable. */
  readonly cache: Store;
  /**
   * The host paths of a pond in a directory on this computer, for what only a host directory
   * does and no {@link Store} can: `Pond.init` makes the directory and refuses one that holds
   * anything else, and a collector's run takes an OS lock on a file in `locks/` (so a killed
   * run never leaves it held). Absent for a pond kept elsewhere, which then runs no collector.
   */
  readonly host?: PondLayout;
}

/**
 * The layout of the pond in `root`.
 *
 * @example
 * ```ts
 * pondLayout("/data/pond").oplog; // "/data/pond/oplog"
 * ```
 */
export function pondLayout(root: string): PondLayout {
  const dir = root.length > 1 ? root.replace(/\/+$/, "") : root;
  return {
    root: dir,
    marker: `${dir}/${POND_MARKER}`,
    oplog: `${dir}/oplog`,
    blobs: `${dir}/blobs`,
    cache: `${dir}/cache`,
    locks: `${dir}/locks`,
  };
}

/**
 * The stores of the pond in directory `dir`: local stores on its parts (see {@link pondLayout}).
 * The one place a directory becomes a pond's stores.
 *
 * @example
 * ```ts
 * const stores = localPond("/data/pond");
 * await stores.oplog.list("_delta_log"); // the log's commits
 * ```
 */
export function localPond(dir: string): PondStores {
  const host = pondLayout(dir);
  return {
    location: dir,
    root: new LocalStore(host.root),
    oplog: new LocalStore(host.oplog),
    blobs: new LocalStore(host.blobs),
    cache: new LocalStore(host.cache),
    host,
  };
}

/**
 * The stores `pond` names: a directory's (see {@link localPond}) or the stores as given.
 *
 * @example
 * ```ts
 * storesOf("/data/pond").location; // "/data/pond"
 * ```
 */
export function storesOf(pond: string | PondStores): PondStores {
  return typeof pond === "string" ? localPond(pond) : pond;
}

/**
 * The bytes of a marker: the pond's format and when it was created. The marker holds nothing
 * else, so one lost or garbled can be written again from the log.
 */
function markerBytes(created: Date): Uint8Array {
  const text = JSON.stringify({ format: POND_FORMAT, created: created.toISOString() }, null, 2);
  return new TextEncoder().encode(text + "\n");
}

/**
 * Creates the marker of the pond in `stores` unless one exists (the store's put-if-absent, so
 * of two `pond init`s racing, one writes it): true when this call created it.
 *
 * @example
 * ```ts
 * if (!(await createMarker(localPond("/data/pond"), new Date()))) console.log("made meanwhile");
 * ```
 */
export function createMarker(stores: PondStores, created: Date): Promise<boolean> {
  return stores.root.putIfAbsent(POND_MARKER, markerBytes(created));
}

/**
 * Writes the marker of the pond in `stores` again, over whatever is there (the store's atomic
 * put, so it is whole or as it was): what `pond check --repair` does with a lost or garbled one.
 *
 * @example
 * ```ts
 * await writeMarker(localPond("/data/pond"), new Date("2026-06-01T00:00:00Z"));
 * ```
 */
export async function writeMarker(stores: PondStores, created: Date): Promise<void> {
  await stores.root.put(POND_MARKER, markerBytes(created));
}

/** What a marker records. */
export interface PondMarker {
  /** The pond's format (see {@link POND_FORMAT}). */
  readonly format: number;
  /** When the pond was created (ISO 8601), as written. */
  readonly created?: unknown;
}

/**
 * The marker of the pond in `stores`, or undefined when there is none. A marker that is no
 * JSON naming its format is a `SyntaxError`; what the store cannot read is thrown as it comes
 * (a local pond's path that runs through a file: `NotADirectory`), and so is the OS's refusal
 * when something other than a file (a directory) holds its name.
 *
 * @example
 * ```ts
 * const marker = await readMarker(localPond("/data/pond")); // { format: 1, created: "…" }
 * ```
 */
export async function readMarker(stores: PondStores): Promise<PondMarker | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await stores.root.read(POND_MARKER);
  } catch (e) {
    if (!isDeltaError(e, "MissingFile")) throw e;
    if (e.cause instanceof Deno.errors.IsADirectory) throw e.cause;
    return undefined;
  }
  const marker = JSON.parse(new TextDecoder().decode(bytes));
  if (typeof marker?.format !== "number") throw new SyntaxError("the marker names no format");
  return marker;
}

/**
 * True when the oplog store of `stores` holds a log: a pond's, though its marker may be lost.
 *
 * @example
 * ```ts
 * await hasLog(localPond("/data/pond")); // true
 * ```
 */
export async function hasLog(stores: PondStores): Promise<boolean> {
  try {
    return (await stores.oplog.list(LOG_DIR)).length > 0;
  } catch {
    return false;
  }
}
