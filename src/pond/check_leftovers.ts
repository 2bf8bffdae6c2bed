/** What interrupted commands leave in a pond: temporary files, and blobs no row refers to. */
import { isTempFile, LocalStore } from "../delta/mod.ts";
import type { PondLayout } from "./layout.ts";

/** A file of the pond that nothing needs, or may not need. */
export interface Leftover {
  /** Its path relative to the pond (`oplog/…`, `blobs/…`). */
  readonly path: string;
  /** Its path on disk. */
  readonly file: string;
  readonly size: number;
  /** Last modification time, ms since the epoch. */
  readonly mtime: number;
}

/** The blob files of a pond, and the files in `blobs/` that are not blobs. */
export interface BlobFiles {
  /** Stored blobs by hash. */
  blobs: Map<string, Leftover>;
  /** Temporary files of blob writes (`.pond-*.tmp`, or `.tmp-*` of older versions). */
  temp: Leftover[];
  /** Anything else. */
  stray: Leftover[];
}

/** The temporary files of the blob store (`blobs/.pond-*.tmp`; `blobs/.tmp-*` of older versions). */
const BLOB_TEMP = /^\.(?:tmp-[^/]*|pond-[^/]*\.tmp)$/;
/** A stored blob: `ab/abcdef…` (64 hex digits, filed under its first two). */
const BLOB = /^([0-9a-f]{2})\/(\1[0-9a-f]{62})$/;

/**
 * The temporary files under the pond's oplog table (its `_delta_log/` and partition
 * directories): left by commands that were killed between writing and publishing a file.
 * (`pond maintain --vacuum` deletes them with the Delta vacuum.)
 *
 * @example
 * ```ts
 * import { pondLayout } from "./layout.ts";
 *
 * for (const t of await tableTempFiles(pondLayout("/data/pond"))) console.log(t.path);
 * ```
 */
export async function tableTempFiles(layout: PondLayout): Promise<Leftover[]> {
  return (await filesUnder(layout.oplog, "oplog/")).filter((f) => isTempFile(f.path));
}

/**
 * The files of the blob store, sorted into blobs (by hash), temporary files and strays.
 *
 * @example
 * ```ts
 * import { pondLayout } from "./layout.ts";
 *
 * const { blobs, temp } = await blobFiles(pondLayout("/data/pond"));
 * ```
 */
export async function blobFiles(layout: PondLayout): Promise<BlobFiles> {
  const out: BlobFiles = { blobs: new Map(), temp: [], stray: [] };
  for (const f of await filesUnder(layout.blobs, "blobs/")) {
    const relative = f.path.slice("blobs/".length);
    const blob = BLOB.exec(relative);
    if (blob) out.blobs.set(blob[2], f);
    else if (BLOB_TEMP.test(relative)) out.temp.push(f);
    else out.stray.push(f);
  }
  return out;
}

/**
 * Deletes the leftover files that are still unmodified since `cutoff` (ms since the epoch),
 * looking at each file again just before deleting it, so one that a command touched since it
 * was listed stays. Returns the files deleted; a file already gone is not an error.
 *
 * @example
 * ```ts
 * async function example(old: Leftover[]) {
 *   const retainMs = 7 * 86_400_000;
 *   const deleted = await removeLeftovers(old, Date.now() - retainMs);
 * }
 * ```
 */
export async function removeLeftovers(
  files: readonly Leftover[],
  cutoff: number,
): Promise<Leftover[]> {
  const deleted: Leftover[] = [];
  for (const f of files) {
    try {
      if (((await Deno.stat(f.file)).mtime?.getTime() ?? 0) >= cutoff) continue;
      await Deno.remove(f.file);
      deleted.push(f);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return deleted;
}

async function filesUnder(dir: string, prefix: string): Promise<Leftover[]> {
  const store = new LocalStore(dir);
  return (await store.list("", { recursive: true })).map((o) => ({
    path: `${prefix}${o.path}`,
    file: store.locate(o.path),
    size: o.size,
    mtime: o.mtime,
  }));
}
