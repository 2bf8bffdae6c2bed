/** Log replay: reconciling a checkpoint and the commits after it into one table state. */

import {
  type Action,
  type AddFile,
  type CommitInfo,
  decodePath,
  type DeletionVectorDescriptor,
  type DomainMetadata,
  type Metadata,
  parseCommit,
  type Protocol,
  type RemoveFile,
  type Txn,
} from "./actions.ts";
import { readCheckpoint } from "./checkpoint.ts";
import { deletionVectorUniqueId } from "./deletion_vector.ts";
import { DeltaError, isDeltaError } from "./errors.ts";
import { buildLogSegment, type CommitFile, type LogSegment } from "./log_segment.ts";
import type { Store } from "./storage.ts";

/** The reconciled state of a table at one version. */
export interface TableState {
  version: number;
  protocol: Protocol;
  metadata: Metadata;
  /** Live files (the table's data), by logical file key. */
  files: Map<string, AddFile>;
  /** Remove tombstones (kept for vacuum), by logical file key. */
  tombstones: Map<string, RemoveFile>;
  /** Latest `txn` per application id. */
  txns: Map<string, Txn>;
  /** Live metadata domains (removed ones are dropped). */
  domainMetadata: Map<string, DomainMetadata>;
  /** The `commitInfo` of the commit at `version`, when that commit was read. */
  commitInfo: CommitInfo | null;
}

/**
 * The key of a logical file in log replay: its decoded path and its deletion vector's unique
 * id (empty without a DV).
 *
 * @example
 * ```ts
 * fileKey({ path: "a%20b.parquet" }); // "a b.parquet\u0000"
 * ```
 */
export function fileKey(
  action: { path: string; deletionVector?: DeletionVectorDescriptor | null },
): string {
  const dv = action.deletionVector ? deletionVectorUniqueId(action.deletionVector) : "";
  return `${decodePath(action.path)}\u0000${dv}`;
}

/**
 * Applies actions in log order and keeps the reconciled state: the last protocol and
 * metadata win, txn is latest per appId, the newest action per logical file key decides
 * whether it is live (`add`) or a tombstone (`remove`).
 *
 * @example
 * ```ts
 * import { parseCommit } from "./mod.ts";
 *
 * const text = await Deno.readTextFile("/data/table/_delta_log/00000000000000000003.json");
 * const replay = new Replay();
 * for (const a of parseCommit(text, "_delta_log/00000000000000000000.json")) replay.apply(a);
 * ```
 */
export class Replay {
  protocol: Protocol | null = null;
  metadata: Metadata | null = null;
  readonly files = new Map<string, AddFile>();
  readonly tombstones = new Map<string, RemoveFile>();
  readonly txns = new Map<string, Txn>();
  readonly domainMetadata = new Map<string, DomainMetadata>();

  /** Applies one action (in log order). Actions that do not change table state are ignored. */
  apply(action: Action): void {
    if ("add" in action) {
      const key = fileKey(action.add);
      this.files.set(key, action.add);
      this.tombstones.delete(key);
    } else if ("remove" in action) {
      const key = fileKey(action.remove);
      this.files.delete(key);
      this.tombstones.set(key, action.remove);
    } else if ("protocol" in action) {
      this.protocol = action.protocol;
    } else if ("metaData" in action) {
      this.metadata = action.metaData;
    } else if ("txn" in action) {
      this.txns.set(action.txn.appId, action.txn);
    } else if ("domainMetadata" in action) {
      const d = action.domainMetadata;
      if (d.removed) this.domainMetadata.delete(d.domain);
      else this.domainMetadata.set(d.domain, d);
    }
  }
}

/** How many commit files are fetched at once while replaying (they are applied in order). */
const READ_AHEAD = 16;

/**
 * Reads the commits of a segment, in order, `READ_AHEAD` files at a time.
 *
 * @example
 * ```ts
 * import { LocalStore, buildLogSegment } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const segment = await buildLogSegment(store);
 * for await (const [commit, actions] of readCommits(store, segment.commits)) console.log(commit.version, actions.length);
 * ```
 */
export async function* readCommits(
  store: Store,
  commits: CommitFile[],
): AsyncGenerator<[CommitFile, Action[]]> {
  for (let i = 0; i < commits.length; i += READ_AHEAD) {
    const batch = commits.slice(i, i + READ_AHEAD);
    const texts = await Promise.all(batch.map((c) => store.read(c.info.path)));
    for (let j = 0; j < batch.length; j++) {
      yield [batch[j], parseCommit(new TextDecoder().decode(texts[j]), batch[j].info.path)];
    }
  }
}

/** Options of {@link replaySegment}. */
export interface ReplayOptions {
  /**
   * Read the checkpoint's tombstones (default true). Without them the state's `tombstones`
   * holds only the removes of the commits after the checkpoint: enough to read and to commit,
   * not to vacuum or to write a checkpoint.
   */
  tombstones?: boolean;
  /**
   * Told, in one line, when {@link replayVersion} reads past a checkpoint that does not read
   * (for `--verbose`).
   */
  onFallback?: (note: string) => void;
}

/**
 * Replays a log segment — its checkpoint, then its commits — into the table state at the
 * segment's version. Throws `CorruptLog` when no protocol or metadata is found.
 *
 * @example
 * ```ts
 * import { LocalStore, buildLogSegment } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const state = await replaySegment(store, await buildLogSegment(store));
 * console.log(state.version, state.files.size);
 * ```
 */
export async function replaySegment(
  store: Store,
  segment: LogSegment,
  options: ReplayOptions = {},
): Promise<TableState> {
  const replay = new Replay();
  const withTombstones = options.tombstones ?? true;
  if (segment.checkpoint !== null) {
    const skip = withTombstones ? [] : ["remove"];
    for (const action of await readCheckpoint(store, segment.checkpoint, { skip })) {
      replay.apply(action);
    }
  }
  let commitInfo: CommitInfo | null = null;
  for await (const [commit, actions] of readCommits(store, segment.commits)) {
    for (const action of actions) {
      if ("commitInfo" in action) {
        if (commit.version === segment.version) commitInfo = action.commitInfo;
      } else {
        replay.apply(action);
      }
    }
  }
  const { protocol, metadata } = replay;
  if (protocol === null || metadata === null) {
    const where = segment.checkpoint === null
      ? `commits 0 to ${segment.version}`
      : `the checkpoint at version ${segment.checkpoint.version} and the commits after it`;
    throw new DeltaError(
      "CorruptLog",
      `${store.locate("")}: ${where} hold no ${protocol === null ? "protocol" : "metaData"} action`,
      { version: segment.version },
    );
  }
  return {
    version: segment.version,
    protocol,
    metadata,
    files: replay.files,
    tombstones: replay.tombstones,
    txns: replay.txns,
    domainMetadata: replay.domainMetadata,
    commitInfo,
  };
}

/**
 * The table state at `version` (the latest when omitted): its log segment replayed. A
 * checkpoint that does not read (truncated, garbled, a sidecar missing) is passed over, as
 * Delta readers pass over a bad `_last_checkpoint`: the state is replayed from the checkpoint
 * before it, or from the JSON commits alone, and `options.onFallback` is told. Only when no
 * older checkpoint or complete run of commits can stand in is the `CorruptCheckpoint` thrown.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const state = await replayVersion(store, undefined, { onFallback: (note) => console.error(note) });
 * ```
 */
export async function replayVersion(
  store: Store,
  version?: number,
  options: ReplayOptions = {},
): Promise<TableState> {
  let segment = await buildLogSegment(store, version);
  for (;;) {
    try {
      return await replaySegment(store, segment, options);
    } catch (e) {
      const bad = segment.checkpoint;
      if (bad === null || !isDeltaError(e, "CorruptCheckpoint")) throw e;
      let older: LogSegment;
      try {
        older = await buildLogSegment(store, segment.version, { checkpointsBelow: bad.version });
      } catch (gap) {
        if (isDeltaError(gap, "VersionGap") || isDeltaError(gap, "VersionNotFound")) throw e;
        throw gap;
      }
      const from = older.checkpoint === null
        ? "the commits from version 0"
        : `the checkpoint of version ${older.checkpoint.version} and the commits after it`;
      options.onFallback?.(
        `the checkpoint of version ${bad.version} does not read (${e.message}); replayed ${from} instead`,
      );
      segment = older;
    }
  }
}

/**
 * Opens a table with `open` (given undefined for the latest version); when a commit does not
 * read (`CorruptLog` naming a version above 0) or is missing (`VersionGap`), opens it again at
 * the version before the first such commit and returns that commit's error as `damage`, so
 * what came before stays readable. Any other failure, or damage at version 0, is thrown.
 *
 * @example
 * ```ts
 * import { openTable } from "./mod.ts";
 *
 * const table = await openTable("/data/table");
 * const { value: snapshot, damage } = await openPastDamage((v) => table.snapshot(v === undefined ? undefined : { version: v }));
 * ```
 */
export async function openPastDamage<T>(
  open: (version?: number) => Promise<T>,
): Promise<{ value: T; damage?: DeltaError }> {
  let damage: DeltaError | undefined;
  for (;;) {
    try {
      return { value: await open(damage && damage.version! - 1), damage };
    } catch (e) {
      const version = isDeltaError(e, "CorruptLog") || isDeltaError(e, "VersionGap")
        ? e.version
        : undefined;
      if (!version || (damage !== undefined && version >= damage.version!)) throw e;
      damage = e as DeltaError;
    }
  }
}
