/** Where a pond keeps its parts on disk: the marker file, the oplog table and the blob store. */

/** The file that marks a directory as a pond, with the pond's format version. */
export const POND_MARKER = "pond.json";

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
  };
}
