/** What interrupted writers leave in a Store: its temporary objects, whether their writer is gone, and their removal once nothing can be using them. */
import { isTempFile, type ObjectInfo, type Store } from "./storage.ts";
import { writerGone } from "./temp_writer.ts";
import { isDeltaError } from "./errors.ts";

/**
 * The temporary objects under directory `dir` of `store` (every level, unless `recursive` is
 * false): left by writers killed between writing and publishing an object.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * for (const t of await tempObjects(new LocalStore("/data/table"))) console.log(t.path, t.mtime);
 * await tempObjects(new LocalStore("/data/pond"), "", { recursive: false }); // its own level only
 * ```
 */
export async function tempObjects(
  store: Store,
  dir = "",
  { recursive = true }: { recursive?: boolean } = {},
): Promise<ObjectInfo[]> {
  return (await store.list(dir, { recursive })).filter((o) => isTempFile(o.path));
}

/**
 * True when the temporary object at `path` was written by a process that no longer runs (see
 * `writerGone`); false when its writer may be alive, or when the store cannot tell (its
 * objects are not local files).
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const store = new LocalStore("/data/pond/blobs");
 * const gone = await writerGoneOf(store, ".pond-4242-1b4e28ba-2fa1-11d2-883f-0016d3cca427.tmp");
 * ```
 */
export async function writerGoneOf(store: Store, path: string): Promise<boolean> {
  const file = store.localPath?.(path);
  return file !== undefined && await writerGone(file);
}

/**
 * Deletes the objects that are still unmodified since `cutoff` (ms since the epoch), looking at
 * each again just before deleting it, so one a writer touched since it was listed stays.
 * Returns those deleted; one already gone is not an error (nor listed).
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const old = await tempObjects(store);
 * const deleted = await removeUnchanged(store, old, Date.now() - 7 * 86_400_000);
 * ```
 */
export async function removeUnchanged(
  store: Store,
  objects: readonly ObjectInfo[],
  cutoff: number,
): Promise<ObjectInfo[]> {
  const deleted: ObjectInfo[] = [];
  for (const o of objects) {
    try {
      if ((await store.head(o.path)).mtime >= cutoff) continue;
    } catch (e) {
      if (isDeltaError(e, "MissingFile")) continue;
      throw e;
    }
    await store.delete(o.path);
    deleted.push(o);
  }
  return deleted;
}
