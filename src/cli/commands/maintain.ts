/** `pond maintain`: checkpoint the log, compact small oplog files, vacuum what no version needs, drop the cache. */
import type { CheckpointWritten } from "../../delta/mod.ts";
import {
  checkpointPond,
  compactPond,
  type CompactReport,
  type DroppedCache,
  dropPondCache,
  vacuumPond,
  type VacuumReport,
} from "../../pond/mod.ts";
import type { CommandBody } from "../command.ts";
import { committedJson } from "../committed.ts";
import { UsageError } from "../errors.ts";
import { openPond } from "../pond_options.ts";
import { humanBytes } from "../format.ts";

const HOUR_MS = 3_600_000;

/** What the steps of one run did. */
interface Done {
  compact?: CompactReport;
  checkpoint?: CheckpointWritten;
  vacuum?: VacuumReport;
  cache?: DroppedCache;
}

/** `pond maintain [--checkpoint] [--compact] [--vacuum [--retain HOURS] [--apply]] [--drop-cache]`. */
export const maintainCommand: CommandBody = {
  usage:
    "pond maintain [--checkpoint] [--compact] [--vacuum [--retain HOURS] [--apply]] [--drop-cache] [--json]",
  description:
    "--compact merges each oplog partition's small data files in one transaction that\n" +
    "changes no file of the pond (every transaction reads the same afterwards).\n" +
    "--checkpoint writes a checkpoint of the log, so the pond opens without reading every\n" +
    "commit. --vacuum lists the data files no version refers to, the blobs no row refers to\n" +
    "and temporary files of interrupted commands, older than the retention (default: the\n" +
    "oplog's delta.deletedFileRetentionDuration, a week); with --apply it deletes them. A\n" +
    "shorter --retain is safe only while no other pond command runs. --drop-cache removes\n" +
    "the pond's cache/ of computed files (dynamic files and plugin directories' entries over\n" +
    "stored inputs), which reads rebuild. Steps run in the order compact, checkpoint,\n" +
    "vacuum, drop-cache. With --json, the report's transaction is the one\n" +
    "compaction committed (seq null when none was).",
  options: {
    checkpoint: { type: "boolean", help: "write a checkpoint of the log now" },
    compact: { type: "boolean", help: "merge small data files, per partition, in one commit" },
    vacuum: { type: "boolean", help: "list (or with --apply, delete) files no version needs" },
    retain: {
      type: "string",
      value: "HOURS",
      help: "vacuum keeps files younger than this (default: the table's retention, a week)",
    },
    apply: { type: "boolean", help: "vacuum deletes, instead of listing what it would delete" },
    "drop-cache": {
      type: "boolean",
      help: "remove the cache of computed files (reads rebuild it)",
    },
  },
  examples: [
    "pond maintain --compact --checkpoint",
    "pond maintain --vacuum",
    "pond maintain --vacuum --retain 24 --apply",
    "pond maintain --compact --vacuum --json",
    "pond maintain --drop-cache",
  ],
  maxArgs: 0,
  async run(ctx) {
    const { checkpoint, compact, vacuum, apply } = ctx.options as Record<string, boolean>;
    const dropCache = ctx.options["drop-cache"] === true;
    const retain = ctx.options.retain as string | undefined;
    if (!checkpoint && !compact && !vacuum && !dropCache) {
      throw new UsageError(
        "pond maintain: say what to do: --compact, --checkpoint, --vacuum and/or --drop-cache",
      );
    }
    if (!vacuum && (apply || retain !== undefined)) {
      throw new UsageError("pond maintain: --apply and --retain go with --vacuum");
    }
    if (retain !== undefined && !/^\d+(\.\d+)?$/.test(retain)) {
      throw new UsageError(`pond maintain: --retain takes a number of hours, not '${retain}'`);
    }
    const { pond } = await openPond(ctx, "pond maintain");
    const time = async <T>(step: string, run: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await run();
      ctx.output.verbose(`${step}: ${(performance.now() - started).toFixed(1)} ms`);
      return result;
    };
    const done: Done = {};
    if (compact) done.compact = await time("compact", () => compactPond(pond, ctx.argv));
    if (checkpoint) done.checkpoint = await time("checkpoint", () => checkpointPond(pond));
    if (vacuum) {
      const retainMs = retain === undefined ? undefined : Number(retain) * HOUR_MS;
      done.vacuum = await time("vacuum", () => vacuumPond(pond, { retainMs, apply }));
    }
    if (dropCache) done.cache = await time("drop-cache", () => dropPondCache(pond.stores));
    if (ctx.options.json) {
      const transaction = await committedJson(pond, done.compact?.seq ?? null);
      ctx.output.out(JSON.stringify({ ...toJson(done), transaction }, null, 2) + "\n");
    } else ctx.output.out(describe(done));
  },
};

function toJson(
  done: Done,
) {
  const c = done.checkpoint;
  const v = done.vacuum;
  return {
    compact: done.compact ?? null,
    checkpoint: c ? { seq: c.version, path: `oplog/${c.path}`, dataFiles: c.numOfAddFiles } : null,
    vacuum: v
      ? {
        seq: v.seq,
        retainHours: v.retainMs / HOUR_MS,
        applied: v.applied,
        dataFiles: v.dataFiles,
        blobs: v.blobs,
        tempFiles: v.tempFiles,
        bytes: v.bytes,
      }
      : null,
    cache: done.cache ?? null,
  };
}

function describe(
  done: Done,
): string {
  const lines: string[] = [];
  const n = (count: number, what: string) => `${count} ${what}${count === 1 ? "" : "s"}`;
  const c = done.compact;
  if (c) {
    lines.push(
      c.seq === null
        ? "compact: nothing to merge (no partition has two small data files)"
        : `compact: merged ${
          n(c.filesRemoved, "data file")
        } into ${c.filesAdded} in transaction ${c.seq}`,
    );
  }
  const k = done.checkpoint;
  if (k) {
    lines.push(
      `checkpoint: wrote the checkpoint of transaction ${k.version} (${
        n(k.numOfAddFiles, "data file")
      })`,
    );
  }
  const v = done.vacuum;
  if (v) {
    const verb = v.applied ? "deleted" : "would delete";
    for (const path of [...v.dataFiles, ...v.blobs, ...v.tempFiles]) lines.push(`${verb} ${path}`);
    const what = `${n(v.dataFiles.length, "data file")}, ${n(v.blobs.length, "blob")} and ${
      n(v.tempFiles.length, "temporary file")
    } (${humanBytes(v.bytes)}) unused for over ${v.retainMs / HOUR_MS} h`;
    lines.push(
      v.applied
        ? `vacuum: deleted ${what}`
        : `vacuum: would delete ${what}; run again with --apply to delete them`,
    );
  }
  const d = done.cache;
  if (d) {
    lines.push(`drop-cache: removed ${n(d.entries, "cached file")} (${humanBytes(d.bytes)})`);
  }
  return lines.map((l) => l + "\n").join("");
}
