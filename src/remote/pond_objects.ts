/** The objects of a pond in any store, sorted into its parts (marker, log, data files, blobs), listed log first so every listed commit's files are listed too. */
import {
  classifyLogFile,
  isDeltaError,
  isTempFile,
  LAST_CHECKPOINT_PATH,
  LOG_DIR,
  type ObjectInfo,
  type Store,
} from "../delta/mod.ts";
import { POND_MARKER } from "../pond/mod.ts";

/** The oplog table's directory in a pond. */
export const OPLOG = "oplog";
/** The blob store's directory in a pond. */
export const BLOBS = "blobs";

const LOG = `${OPLOG}/${LOG_DIR}`;
const BLOB = /^blobs\/([0-9a-f]{2})\/(\1[0-9a-f]{62})$/;

/** A checkpoint file of the log and the version it holds the state of. */
export interface LogEntry {
  readonly version: number;
  readonly info: ObjectInfo;
}

/** What a store holds of a pond, paths relative to the pond's root. The cache is never part of it. */
export interface PondObjects {
  readonly marker?: ObjectInfo;
  /** Commit files by version. */
  readonly commits: Map<number, ObjectInfo>;
  readonly checkpoints: readonly LogEntry[];
  readonly lastCheckpoint?: ObjectInfo;
  readonly dataFiles: readonly ObjectInfo[];
  readonly blobs: readonly ObjectInfo[];
}

/**
 * Lists the pond in `store`: the log first, then the oplog's data files, then the blobs (a
 * pond writes a commit's files before the commit, so listing in this order never finds a
 * commit whose files it missed), then the marker by one `head`. One listing per part;
 * temporary files, set-aside commits and strays are left out.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 *
 * const objects = await listPond(new LocalStore("/data/pond"));
 * const tip = Math.max(-1, ...objects.commits.keys());
 * ```
 */
export async function listPond(store: Store): Promise<PondObjects> {
  const commits = new Map<number, ObjectInfo>();
  const checkpoints: LogEntry[] = [];
  let lastCheckpoint: ObjectInfo | undefined;
  for (const info of await store.list(LOG)) {
    if (isTempFile(info.path)) continue;
    if (info.path === `${OPLOG}/${LAST_CHECKPOINT_PATH}`) {
      lastCheckpoint = info;
      continue;
    }
    const file = classifyLogFile(info);
    if (file?.kind === "commit") commits.set(file.version, info);
    else if (file) checkpoints.push({ version: file.version, info });
  }
  const dataFiles = (await store.list(OPLOG, { recursive: true })).filter((o) =>
    !o.path.startsWith(`${LOG}/`) && !isTempFile(o.path)
  );
  const blobs = (await store.list(BLOBS, { recursive: true })).filter((o) => BLOB.test(o.path));
  const marker = await store.head(POND_MARKER).catch((e) => {
    if (isDeltaError(e, "MissingFile")) return undefined;
    throw e;
  });
  return {
    ...(marker && { marker }),
    commits,
    checkpoints,
    ...(lastCheckpoint && { lastCheckpoint }),
    dataFiles,
    blobs,
  };
}

/**
 * The newest commit version listed, or -1 for none.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 *
 * tipOf(await listPond(new LocalStore("/data/pond"))); // 12
 * ```
 */
export function tipOf(objects: PondObjects): number {
  let tip = -1;
  for (const v of objects.commits.keys()) tip = Math.max(tip, v);
  return tip;
}

/**
 * The SHA-256 a blob's path names (`blobs/ab/abcdef…`), or undefined for any other path.
 *
 * @example
 * ```ts
 * blobHash(`blobs/2c/2c${"0".repeat(62)}`); // "2c000…"
 * ```
 */
export function blobHash(path: string): string | undefined {
  return BLOB.exec(path)?.[2];
}
