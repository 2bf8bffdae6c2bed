/** Where a pond keeps its parts on disk: the marker file, the oplog table, the blob store, the cache and the locks. */

/** The file that marks a directory as a pond, with the pond's format version. */
export const POND_MARKER = "pond.json";

/** The format of ponds this code reads and writes, as the marker records it. */
export const POND_FORMAT = 1;

/** The paths of one pond's parts. */
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
 * Writes the marker of the pond laid out in `layout`: its format and when it was created. The
 * marker holds nothing else, so one lost or garbled can be written again from the log.
 * Written to a temporary file and renamed into place, so it is whole or absent.
 *
 * @example
 * ```ts
 * await writeMarker(pondLayout("/data/pond"), new Date());
 * ```
 */
export async function writeMarker(layout: PondLayout, created: Date): Promise<void> {
  const temp = `${layout.marker}.pond-${crypto.randomUUID()}.tmp`;
  const text = JSON.stringify({ format: POND_FORMAT, created: created.toISOString() }, null, 2);
  try {
    await Deno.writeTextFile(temp, text + "\n");
    await Deno.rename(temp, layout.marker);
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    throw e;
  }
}
