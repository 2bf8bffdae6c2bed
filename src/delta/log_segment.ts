/** The log segment: which checkpoint and which commit files of `_delta_log/` make up a table version. */

import { DeltaError } from "./errors.ts";
import type { ObjectInfo, Store } from "./storage.ts";

/** The directory of the transaction log, relative to the table root. */
export const LOG_DIR = "_delta_log";
/** The `_last_checkpoint` hint file. */
export const LAST_CHECKPOINT_PATH = `${LOG_DIR}/_last_checkpoint`;
/** The directory of v2 checkpoint sidecar files. */
export const SIDECAR_DIR = `${LOG_DIR}/_sidecars`;

/** Zero-pads a version to the 20 digits of log file names. */
function pad20(version: number): string {
  return String(version).padStart(20, "0");
}

/**
 * The path of the commit file of `version`.
 *
 * @example
 * ```ts
 * commitPath(3); // "_delta_log/00000000000000000003.json"
 * ```
 */
export function commitPath(version: number): string {
  return `${LOG_DIR}/${pad20(version)}.json`;
}

/**
 * The path of the classic (single-file) checkpoint of `version`.
 *
 * @example
 * ```ts
 * classicCheckpointPath(10); // "_delta_log/00000000000000000010.checkpoint.parquet"
 * ```
 */
export function classicCheckpointPath(version: number): string {
  return `${LOG_DIR}/${pad20(version)}.checkpoint.parquet`;
}

/** A file of the log, classified by its name. */
export type LogFile =
  | { kind: "commit"; version: number; info: ObjectInfo }
  | { kind: "classic"; version: number; info: ObjectInfo }
  | { kind: "multipart"; version: number; part: number; parts: number; info: ObjectInfo }
  | { kind: "v2"; version: number; format: "json" | "parquet"; info: ObjectInfo };

const COMMIT = /^(\d{20})\.json$/;
const CLASSIC = /^(\d{20})\.checkpoint\.parquet$/;
const MULTIPART = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/;
const V2 =
  /^(\d{20})\.checkpoint\.([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\.(json|parquet)$/;

/**
 * Classifies a listed object of `_delta_log/` by its name; `null` for everything the protocol
 * says to ignore here (`.crc`, `*.compacted.json`, `_last_checkpoint`, temp files...).
 *
 * @example
 * ```ts
 * classifyLogFile({ path: "_delta_log/00000000000000000001.json", size: 10, mtime: 0 }); // { kind: "commit", version: 1, ... }
 * ```
 */
export function classifyLogFile(info: ObjectInfo): LogFile | null {
  const name = info.path.slice(info.path.lastIndexOf("/") + 1);
  let m: RegExpExecArray | null;
  if ((m = COMMIT.exec(name))) return { kind: "commit", version: Number(m[1]), info };
  if ((m = CLASSIC.exec(name))) return { kind: "classic", version: Number(m[1]), info };
  if ((m = MULTIPART.exec(name))) {
    const part = Number(m[2]), parts = Number(m[3]);
    if (part < 1 || part > parts) return null;
    return { kind: "multipart", version: Number(m[1]), part, parts, info };
  }
  if ((m = V2.exec(name))) {
    return { kind: "v2", version: Number(m[1]), format: m[3] as "json" | "parquet", info };
  }
  return null;
}

/** A complete checkpoint: the files that together hold the table state at `version`. */
export interface CheckpointFiles {
  version: number;
  kind: "classic" | "multipart" | "v2";
  /** The checkpoint files (several only for multi-part, in part order). */
  files: ObjectInfo[];
}

/** A commit file of the log. */
export interface CommitFile {
  version: number;
  info: ObjectInfo;
}

/**
 * What has to be read to reconstruct one version: a checkpoint (if any) at or below it and
 * the contiguous commits after the checkpoint up to and including `version`.
 */
export interface LogSegment {
  /** The version this segment reconstructs. */
  version: number;
  checkpoint: CheckpointFiles | null;
  /** Commits `checkpoint.version + 1 ..= version` (or `0 ..= version`), in order. */
  commits: CommitFile[];
}

/** Everything found in one listing of `_delta_log/`, grouped. */
export interface LogListing {
  /** Commit files by version. */
  commits: Map<number, CommitFile>;
  /** Complete checkpoints, oldest first (several kinds per version are possible). */
  checkpoints: CheckpointFiles[];
}

/** Preference among complete checkpoints of the same version: fewest files to read first. */
const KIND_ORDER = { v2: 0, classic: 1, multipart: 2 } as const;

/**
 * Groups classified log files into commits and complete checkpoints. A multi-part checkpoint
 * counts only when every one of its parts is present.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const listing = groupLogFiles((await store.list("_delta_log")).map(classifyLogFile).filter((f) => f !== null));
 * ```
 */
export function groupLogFiles(files: LogFile[]): LogListing {
  const commits = new Map<number, CommitFile>();
  const checkpoints: CheckpointFiles[] = [];
  const multipart = new Map<string, Map<number, ObjectInfo>>();
  for (const f of files) {
    switch (f.kind) {
      case "commit":
        commits.set(f.version, { version: f.version, info: f.info });
        break;
      case "classic":
      case "v2":
        checkpoints.push({ version: f.version, kind: f.kind, files: [f.info] });
        break;
      case "multipart": {
        const key = `${f.version}/${f.parts}`;
        if (!multipart.has(key)) multipart.set(key, new Map());
        multipart.get(key)!.set(f.part, f.info);
        break;
      }
    }
  }
  for (const [key, parts] of multipart) {
    const [version, count] = key.split("/").map(Number);
    if (parts.size !== count) continue;
    const ordered = Array.from({ length: count }, (_, i) => parts.get(i + 1)!);
    checkpoints.push({ version, kind: "multipart", files: ordered });
  }
  checkpoints.sort((a, b) => a.version - b.version || KIND_ORDER[b.kind] - KIND_ORDER[a.kind]);
  return { commits, checkpoints };
}

/** Lists and groups `_delta_log/`, optionally only the entries at or after `fromVersion`. */
async function listLog(store: Store, fromVersion?: number): Promise<LogListing> {
  const floor = fromVersion ?? 0;
  const objects = await store.list(LOG_DIR, { from: `${LOG_DIR}/${pad20(floor)}` });
  const files = objects.map(classifyLogFile).filter((f): f is LogFile =>
    f !== null && f.version >= floor
  );
  return groupLogFiles(files);
}

/**
 * Reads the `_last_checkpoint` hint: the version of a recent checkpoint, or `null` when the
 * file is absent or unreadable (it is only a hint, so a bad one is ignored, not an error).
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const hint = await readLastCheckpointHint(store); // e.g. 10
 * ```
 */
export async function readLastCheckpointHint(store: Store): Promise<number | null> {
  return (await readHint(store))?.version ?? null;
}

/** What `_last_checkpoint` says, when it is readable: the version and the checkpoint's shape. */
async function readHint(
  store: Store,
): Promise<{ version: number; classic: boolean } | null> {
  let text: string;
  try {
    text = new TextDecoder().decode(await store.read(LAST_CHECKPOINT_PATH));
  } catch {
    return null;
  }
  try {
    const hint = JSON.parse(text);
    const version = hint?.version;
    if (!(Number.isSafeInteger(version) && version >= 0)) return null;
    return { version, classic: hint.parts === undefined && hint.v2Checkpoint === undefined };
  } catch {
    return null;
  }
}

/** How many versions past the last commit found are checked, so a gap is not taken for the end. */
const GAP_LOOKAHEAD = 16;

async function headOrNull(store: Store, path: string): Promise<ObjectInfo | null> {
  try {
    return await store.head(path);
  } catch (e) {
    if (e instanceof DeltaError && e.code === "MissingFile") return null;
    throw e;
  }
}

/**
 * The classic checkpoint at `version` and the commits after it, found by asking for each
 * next commit file by name instead of listing `_delta_log/` (whose size grows with history,
 * while this costs one lookup per commit since the checkpoint). Returns null, so the caller
 * lists instead, when the checkpoint is missing or a commit file shortly after the last one
 * found exists (a gap, which the full listing reports).
 */
async function probeFromCheckpoint(store: Store, version: number): Promise<LogListing | null> {
  const checkpoint = await headOrNull(store, classicCheckpointPath(version));
  if (checkpoint === null) return null;
  const commits = new Map<number, CommitFile>();
  let next = version + 1;
  for (let info; (info = await headOrNull(store, commitPath(next))) !== null; next++) {
    commits.set(next, { version: next, info });
  }
  for (let ahead = next + 1; ahead <= next + GAP_LOOKAHEAD; ahead++) {
    if (await headOrNull(store, commitPath(ahead)) !== null) return null;
  }
  return { commits, checkpoints: [{ version, kind: "classic", files: [checkpoint] }] };
}

/** The commit versions and complete checkpoints of the table, at or after the hint if usable. */
async function listForward(store: Store, wanted?: number): Promise<LogListing> {
  const found = await readHint(store);
  const hint = found?.version ?? null;
  if (found !== null && found.classic && (wanted === undefined || wanted >= found.version)) {
    const probed = await probeFromCheckpoint(store, found.version);
    if (
      probed !== null &&
      (wanted === undefined || probed.commits.has(wanted) || wanted === found.version)
    ) {
      return probed;
    }
  }
  if (hint !== null && (wanted === undefined || wanted >= hint)) {
    const listing = await listLog(store, hint);
    // The hint is trusted only if a complete checkpoint usable for `wanted` exists at or after it.
    if (listing.checkpoints.some((c) => wanted === undefined || c.version <= wanted)) {
      return listing;
    }
  }
  return listLog(store);
}

/**
 * The latest version of the table in `listing` (the newest commit, or a newer checkpoint).
 * Throws `NotATable` when the log holds neither.
 */
function latestVersion(store: Store, listing: LogListing): number {
  let latest = -1;
  for (const v of listing.commits.keys()) latest = Math.max(latest, v);
  for (const c of listing.checkpoints) latest = Math.max(latest, c.version);
  if (latest < 0) {
    throw new DeltaError(
      "NotATable",
      `${store.locate("")} is not a Delta table: ${
        store.locate(LOG_DIR)
      } holds no commit or checkpoint`,
    );
  }
  return latest;
}

/** Options of {@link buildLogSegment}. */
export interface SegmentOptions {
  /** Use only checkpoints of versions below this one (to read past a damaged checkpoint). */
  checkpointsBelow?: number;
}

/**
 * Builds the log segment for `version` (the latest when omitted): the newest complete
 * checkpoint at or below it, then every commit after it. Throws `VersionNotFound` for a
 * version the log cannot serve and `VersionGap` naming the first missing commit file.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const segment = await buildLogSegment(store);        // latest
 * const old = await buildLogSegment(store, 3);          // time travel
 * ```
 */
export async function buildLogSegment(
  store: Store,
  version?: number,
  options: SegmentOptions = {},
): Promise<LogSegment> {
  if (version !== undefined && !(Number.isSafeInteger(version) && version >= 0)) {
    throw new DeltaError(
      "InvalidArgument",
      `a table version must be a non-negative integer, got ${version}`,
    );
  }
  const below = options.checkpointsBelow ?? Infinity;
  const listing = below === Infinity ? await listForward(store, version) : await listLog(store);
  const latest = latestVersion(store, listing);
  const target = version ?? latest;
  if (target > latest) {
    throw new DeltaError(
      "VersionNotFound",
      `${store.locate("")} has no version ${target}: the latest version is ${latest}`,
      { version: target },
    );
  }
  const candidates = listing.checkpoints.filter((c) => c.version <= target && c.version < below);
  const checkpoint = candidates.length > 0 ? candidates[candidates.length - 1] : null;
  const first = checkpoint === null ? 0 : checkpoint.version + 1;
  const commits: CommitFile[] = [];
  for (let v = first; v <= target; v++) {
    const commit = listing.commits.get(v);
    if (commit === undefined) throw missingCommit(store, listing, v, target, checkpoint);
    commits.push(commit);
  }
  return { version: target, checkpoint, commits };
}

/** The error for a commit file missing from the range a segment needs. */
function missingCommit(
  store: Store,
  listing: LogListing,
  missing: number,
  target: number,
  checkpoint: CheckpointFiles | null,
): DeltaError {
  const versions = [...listing.commits.keys()];
  const earliest = versions.length > 0 ? versions.reduce((a, b) => Math.min(a, b)) : null;
  if (
    checkpoint === null && earliest !== null && missing === 0 && earliest > 0 && target < earliest
  ) {
    return new DeltaError(
      "VersionNotFound",
      `version ${target} of ${
        store.locate("")
      } can no longer be reconstructed: its log starts at version ${earliest} and no checkpoint covers it`,
      { version: target },
    );
  }
  const from = checkpoint === null
    ? "version 0"
    : `the checkpoint at version ${checkpoint.version}`;
  return new DeltaError(
    "VersionGap",
    `${
      store.locate(commitPath(missing))
    } is missing: the log must be contiguous from ${from} to version ${target}`,
    { path: commitPath(missing), version: missing },
  );
}

/**
 * The commit files of every version that can still be reconstructed (from version 0, or from
 * the oldest checkpoint after which the log is contiguous), oldest first. For history and
 * time travel by timestamp.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const commits = await listReconstructableCommits(store);
 * console.log(`versions ${commits[0].version} to ${commits.at(-1)!.version}`);
 * ```
 */
export async function listReconstructableCommits(store: Store): Promise<CommitFile[]> {
  const listing = await listLog(store);
  const latest = latestVersion(store, listing);
  let from = latest;
  while (listing.commits.has(from - 1)) from--;
  if (from > 0 || !listing.commits.has(0)) {
    const checkpoint = listing.checkpoints.find((c) => c.version >= from - 1);
    if (checkpoint === undefined) {
      throw new DeltaError(
        "VersionGap",
        `${store.locate(commitPath(from - 1))} is missing and no checkpoint covers it`,
        { path: commitPath(from - 1), version: from - 1 },
      );
    }
    from = checkpoint.version;
  }
  return [...listing.commits.values()].filter((c) => c.version >= from).sort((a, b) =>
    a.version - b.version
  );
}
