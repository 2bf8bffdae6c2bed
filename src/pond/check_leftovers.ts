/** What interrupted commands leave in a pond, as findings: temporary files, data files and blobs no version refers to, stray files, and commits set aside. */
import {
  type ObjectInfo,
  removeUnchanged,
  setAsideCommits,
  type Snapshot,
  type Store,
  tempObjects,
  unreferencedDataFiles,
  writerGoneOf,
} from "../delta/mod.ts";
import { blobFiles, type BlobStore } from "../oplog/mod.ts";
import { type Finding, warning } from "./check_findings.ts";
import { OPLOG_SUBJECT } from "./check_log_findings.ts";

/** Temporary files modified less than this long ago may belong to a running command: repair leaves them. */
export const TEMP_GRACE_MS = 15 * 60_000;

/** The pond's stores, as the leftover checks look at them. */
export interface LeftoverStores {
  /** The pond's root, where an interrupted `pond init` may leave its marker's temporary file. */
  root: Store;
  table: Store;
  blobs: BlobStore;
}

/**
 * Commits set aside by `pond check --repair`: a warning each, since the files they named are
 * unknown. Returns how many there are.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 * import type { Finding } from "./check_findings.ts";
 *
 * const findings: Finding[] = [];
 * const count = await findSetAsideCommits(new LocalStore("/data/pond/oplog"), findings);
 * ```
 */
export async function findSetAsideCommits(table: Store, findings: Finding[]): Promise<number> {
  const found = await setAsideCommits(table);
  for (const commit of found) {
    findings.push(warning(
      "SetAsideCommit",
      `${OPLOG_SUBJECT}${commit.path}`,
      `the torn commit of transaction ${commit.version}, set aside by \`pond check --repair\`; ` +
        "while it is here, `pond maintain --vacuum` deletes no data file or blob it might have named; " +
        "move it out of the pond once you have kept what you need of it",
    ));
  }
  return found.length;
}

/**
 * Data files in the table's directories that no version of the log refers to.
 *
 * @example
 * ```ts
 * import { LocalStore, Table } from "../delta/mod.ts";
 * import type { Finding } from "./check_findings.ts";
 *
 * const table = new LocalStore("/data/pond/oplog");
 * const findings: Finding[] = [];
 * await findUnreferencedDataFiles(table, await new Table(table).snapshot(), findings);
 * ```
 */
export async function findUnreferencedDataFiles(
  table: Store,
  snapshot: Snapshot,
  findings: Finding[],
): Promise<void> {
  const unreferenced = await unreferencedDataFiles(table);
  for (const path of unreferenced.files) {
    findings.push(warning(
      "UnreferencedDataFile",
      `${OPLOG_SUBJECT}${path}`,
      `no version up to ${
        Math.max(snapshot.version, unreferenced.version)
      } refers to it (written by a command that was interrupted, lost a race to another writer, or is still running); \`pond maintain --vacuum\` deletes it once older than the retention`,
    ));
  }
}

/**
 * Temporary files of the pond's root (its own level: the others are stores of their own), of the
 * table and of the blob store: a warning each, repairable once no
 * command can still be writing it (its writer is gone, or it is older than {@link TEMP_GRACE_MS}).
 *
 * @example
 * ```ts
 * import type { Finding } from "./check_findings.ts";
 *
 * async function example(stores: LeftoverStores) {
 *   const findings: Finding[] = [];
 *   await findTempFiles(stores, findings);
 * }
 * ```
 */
export async function findTempFiles(stores: LeftoverStores, findings: Finding[]): Promise<void> {
  const temp = [
    ...(await tempObjects(stores.root, "", { recursive: false })).map((o) => ({
      store: stores.root,
      o,
      prefix: "",
    })),
    ...(await tempObjects(stores.table)).map((o) => ({ store: stores.table, o, prefix: "oplog/" })),
    ...(await blobFiles(stores.blobs)).temp.map((o) => ({
      store: stores.blobs.store,
      o,
      prefix: "blobs/",
    })),
  ];
  const cutoff = Date.now() - TEMP_GRACE_MS;
  for (const { store, o, prefix } of temp) {
    const gone = await writerGoneOf(store, o.path);
    const old = o.mtime < cutoff;
    findings.push(warning(
      "TempFile",
      `${prefix}${o.path}`,
      gone
        ? "a temporary file of an interrupted command (the process that wrote it is gone); `pond check --repair` removes it"
        : old
        ? "a temporary file of an interrupted command; `pond check --repair` removes it"
        : `a temporary file of a running command, or of one interrupted less than ${
          TEMP_GRACE_MS / 60_000
        } minutes ago; \`pond check --repair\` removes it once it is older`,
      gone || old ? removal(store, o, gone ? Infinity : cutoff) : undefined,
    ));
  }
}

/**
 * Stray files in the blob store, and blobs no row of the checked version refers to (`inUse`,
 * when it is known), except those written since the check began (`started`), for a commit
 * still to come.
 *
 * @example
 * ```ts
 * import type { BlobStore } from "../oplog/mod.ts";
 * import type { Finding } from "./check_findings.ts";
 *
 * async function example(blobs: BlobStore, inUse: Set<string>) {
 *   const findings: Finding[] = [];
 *   await findBlobLeftovers(blobs, inUse, Date.now(), findings);
 * }
 * ```
 */
export async function findBlobLeftovers(
  blobs: BlobStore,
  inUse: Set<string> | undefined,
  started: number,
  findings: Finding[],
): Promise<void> {
  const files = await blobFiles(blobs);
  for (const stray of files.stray) {
    findings.push(warning(
      "StrayFile",
      `blobs/${stray.path}`,
      "is not a blob (its name is not its SHA-256 under its first two digits); move it out of the pond",
    ));
  }
  if (inUse === undefined) return;
  for (const [hash, blob] of files.blobs) {
    if (inUse.has(hash) || blob.mtime >= started) continue;
    findings.push(warning(
      "UnreferencedBlob",
      `blobs/${blob.path}`,
      "no row refers to it (stored by a command that was interrupted, lost a race to another writer, or is still running); `pond maintain --vacuum` deletes it once older than the retention",
    ));
  }
}

function removal(store: Store, file: ObjectInfo, cutoff: number) {
  return async () => {
    const [removed] = await removeUnchanged(store, [file], cutoff);
    if (!removed) throw new Error("a command wrote to it since it was found, so it stays");
    return "removed this leftover temporary file";
  };
}
