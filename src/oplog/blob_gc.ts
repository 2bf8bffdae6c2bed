/** The blob store's own files sorted (blobs, temporary files, strays), and its garbage collection: blobs no row refers to and temporary files no writer needs, through the store. */
import { type ObjectInfo, removeUnchanged, writerGoneOf } from "../delta/mod.ts";
import type { BlobStore } from "./blob_store.ts";

/** The objects of a blob store, paths relative to it. */
export interface BlobFiles {
  /** Stored blobs by hash. */
  blobs: Map<string, ObjectInfo>;
  /** Temporary files of blob writes (`.pond-*.tmp`, or `.tmp-*` of older versions). */
  temp: ObjectInfo[];
  /** Anything else: not a blob (its name is not its SHA-256 under its first two digits). */
  stray: ObjectInfo[];
}

/** The temporary files of the blob store (`.pond-*.tmp`; `.tmp-*` of older versions). */
const BLOB_TEMP = /^\.(?:tmp-[^/]*|pond-[^/]*\.tmp)$/;
/** A stored blob: `ab/abcdef…` (64 hex digits, filed under its first two). */
const BLOB = /^([0-9a-f]{2})\/(\1[0-9a-f]{62})$/;

/**
 * Every object of the blob store, sorted into blobs (by hash), temporary files and strays.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 * import { BlobStore } from "./blob_store.ts";
 *
 * const { blobs, temp, stray } = await blobFiles(new BlobStore(new LocalStore("/data/pond/blobs")));
 * ```
 */
export async function blobFiles(store: BlobStore): Promise<BlobFiles> {
  const out: BlobFiles = { blobs: new Map(), temp: [], stray: [] };
  for (const o of await store.store.list("", { recursive: true })) {
    const blob = BLOB.exec(o.path);
    if (blob) out.blobs.set(blob[2], o);
    else if (BLOB_TEMP.test(o.path)) out.temp.push(o);
    else out.stray.push(o);
  }
  return out;
}

/** What blob garbage collection deleted, or (not applied) would delete. */
export interface BlobGarbage {
  /** Blobs no row refers to, older than the cutoff. */
  blobs: ObjectInfo[];
  /** Temporary files older than the cutoff, or whose writer is gone. */
  temp: ObjectInfo[];
}

/**
 * Collects the blob store's garbage: blobs whose hash is not in `inUse` and temporary files,
 * each unmodified since `cutoff` (ms since the epoch), and temporary files whose writer is gone
 * whatever their age. With `apply` they are deleted — each looked at again just before, so a
 * blob a put touched since (to reference it) stays — and what was deleted is returned;
 * without it, what would be. A blob written since `inUse` was read is younger than any
 * retention, so it is never taken.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 * import { BlobStore } from "./blob_store.ts";
 *
 * const blobs = new BlobStore(new LocalStore("/data/pond/blobs"));
 * const inUse = new Set<string>(); // from referencedBlobs(...)
 * const plan = await collectBlobGarbage(blobs, inUse, { cutoff: Date.now() - 7 * 86_400_000 });
 * ```
 */
export async function collectBlobGarbage(
  store: BlobStore,
  inUse: ReadonlySet<string>,
  options: { cutoff: number; apply?: boolean },
): Promise<BlobGarbage> {
  const { cutoff } = options;
  const stored = await blobFiles(store);
  const old = (o: ObjectInfo) => o.mtime < cutoff;
  const blobs = [...stored.blobs].filter(([hash, o]) => !inUse.has(hash) && old(o)).map((
    [, o],
  ) => o);
  const orphaned: ObjectInfo[] = [];
  for (const o of stored.temp) {
    if (!old(o) && await writerGoneOf(store.store, o.path)) orphaned.push(o);
  }
  const temp = [...stored.temp.filter(old), ...orphaned];
  if (!options.apply) return { blobs, temp };
  const gone = new Set([
    ...await removeUnchanged(store.store, [...blobs, ...temp.filter((o) => !orphaned.includes(o))], cutoff),
    ...await removeUnchanged(store.store, orphaned, Infinity),
  ]);
  return { blobs: blobs.filter((o) => gone.has(o)), temp: temp.filter((o) => gone.has(o)) };
}
