/** Maintenance of a pond: a checkpoint of its log, compaction of small oplog files, and vacuum of files no version needs. */
import {
  type CheckpointWritten,
  compact,
  isDeltaError,
  isTempFile,
  type ObjectInfo,
  setAsideCommits,
  Snapshot,
  TableWriter,
  vacuum,
  writeCheckpoint,
  writeProperties,
} from "../delta/mod.ts";
import { PondError } from "../errors.ts";
import { blobsReferenced, collectBlobGarbage } from "../oplog/mod.ts";
import { reason } from "./check_findings.ts";
import { type Pond, transactionMeta } from "./pond.ts";

/** How many times a compaction is redone after a pond transaction removed a file it merged. */
const COMPACT_RETRIES = 5;

/**
 * Writes a checkpoint of the pond's log at its newest transaction, so opening the pond reads
 * one Parquet file instead of every commit, and points `_last_checkpoint` at it.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const { version, numOfAddFiles } = await checkpointPond(await Pond.open("/data/pond"));
 * ```
 */
export async function checkpointPond(pond: Pond): Promise<CheckpointWritten> {
  pond.ensureReadable();
  const writer = await TableWriter.open(pond.store.table);
  return await writeCheckpoint(pond.store.table, writer.state);
}

/** What a compaction did. */
export interface CompactReport {
  /** The transaction (Delta version) of the compaction, or null when nothing needed it. */
  seq: number | null;
  filesRemoved: number;
  filesAdded: number;
}

/**
 * Merges the small data files of each oplog partition into larger ones, in one Delta commit
 * that changes no rows: the pond reads the same at every transaction before and after. The
 * commit is a transaction of its own (pond seq is the Delta version) that writes no node.
 * The merged files stay on disk, for readers that opened the pond before, until a vacuum
 * older than the retention deletes them. The commit records `command` (the CLI's, as typed).
 * Redone on the new state when a concurrent pond transaction merged one of the same files first.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const { seq, filesRemoved, filesAdded } = await compactPond(pond, ["maintain", "--compact"]);
 * ```
 */
export async function compactPond(
  pond: Pond,
  command: readonly string[] = ["maintain", "--compact"],
): Promise<CompactReport> {
  pond.ensureReadable();
  for (let attempt = 0;; attempt++) {
    const writer = await TableWriter.open(pond.store.table);
    try {
      const { commit, filesRemoved, filesAdded } = await compact(writer, {
        info: { pond: transactionMeta({ command }) },
      });
      return { seq: commit?.version ?? null, filesRemoved, filesAdded };
    } catch (e) {
      if (!isDeltaError(e, "Conflict") || attempt >= COMPACT_RETRIES) throw e;
    }
  }
}

/** How to vacuum. */
export interface VacuumOptions {
  /** Keep files younger than this (default: the oplog's `delta.deletedFileRetentionDuration`, a week). */
  retainMs?: number;
  /** Delete; without it, only report what would be deleted. */
  apply?: boolean;
}

/** What a vacuum deleted, or would delete. */
export interface VacuumReport {
  /** The transaction whose state decided what is still needed. */
  seq: number;
  retainMs: number;
  applied: boolean;
  /** Data files no version of the log refers to, relative to the pond (`oplog/…`). */
  dataFiles: string[];
  /** Blobs no row refers to (`blobs/…`). */
  blobs: string[];
  /** Temporary files of interrupted commands (`oplog/…/.pond-*`, `blobs/.pond-*.tmp`). */
  tempFiles: string[];
  bytes: number;
}

/**
 * Deletes (with `apply`; otherwise lists) what no version of the pond needs and that is older
 * than the retention: data files the log no longer refers to (Delta vacuum: files replaced by
 * compaction, files of commits that never landed), blobs no row of the pond refers to, and
 * temporary files of interrupted commands (at once when the process that wrote one is gone).
 * Files younger than the retention are kept, because a command still running may be about to
 * commit them; a retention shorter than the default is for when no other pond command is
 * running. Refuses (`VacuumRefused`) when a data file's
 * rows cannot be read, or a torn commit is set aside in the log, since what is in use is then
 * unknown; and (`DamagedLog`) when a commit does not read.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const plan = await vacuumPond(pond);                       // what would go
 * await vacuumPond(pond, { retainMs: 24 * 3_600_000, apply: true });
 * ```
 */
export async function vacuumPond(pond: Pond, options: VacuumOptions = {}): Promise<VacuumReport> {
  pond.ensureReadable();
  const store = pond.store.table;
  const [aside] = await setAsideCommits(store);
  if (aside) {
    throw new PondError(
      "VacuumRefused",
      `vacuum deletes nothing while oplog/${aside.path} is in the log: that torn commit of transaction ${aside.version} may name data files and blobs no intact commit names; move it out of the pond once you have kept what you need of it`,
    );
  }
  const writer = await TableWriter.open(store);
  const retainMs = options.retainMs ??
    writeProperties(writer.state.metadata.configuration).deletedFileRetentionMs;
  const cutoff = Date.now() - retainMs;
  const snapshot = new Snapshot(store, writer.state);
  let inUse: Set<string>;
  try {
    inUse = await blobsReferenced(store, snapshot, snapshot.files());
  } catch (e) {
    throw new PondError(
      "VacuumRefused",
      `cannot tell which blobs are in use: ${reason(e)}; run \`pond check\``,
      { cause: e },
    );
  }
  const garbage = await collectBlobGarbage(pond.store.blobs, inUse, {
    cutoff,
    apply: options.apply,
  });
  const data = await vacuum(writer, {
    retentionMs: retainMs,
    force: options.retainMs !== undefined,
    dryRun: !options.apply,
  });
  const size = (files: ObjectInfo[]) => files.reduce((n, f) => n + f.size, 0);
  return {
    seq: data.version,
    retainMs,
    applied: Boolean(options.apply),
    dataFiles: data.files.filter((p) => !isTempFile(p)).map((p) => `oplog/${p}`),
    blobs: garbage.blobs.map((f) => `blobs/${f.path}`),
    tempFiles: [
      ...data.files.filter(isTempFile).map((p) => `oplog/${p}`),
      ...garbage.temp.map((f) => `blobs/${f.path}`),
    ],
    bytes: data.bytes + size([...garbage.blobs, ...garbage.temp]),
  };
}
