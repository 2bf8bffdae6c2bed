/** `pond status`: which pond, its newest transaction, its size on disk, and what a quick check finds. */
import { LOG_DIR, type Store } from "../../delta/mod.ts";
import {
  checkPond,
  type CheckReport,
  isDamaged,
  localPond,
  Pond,
  type PondStores,
  type TransactionRecord,
} from "../../pond/mod.ts";
import type { CommandBody } from "../command.ts";
import { commandText, formatTable, humanBytes } from "../format.ts";
import { locatePond, type PondLocation } from "../pond_options.ts";
import { escapeControl } from "../terminal_text.ts";
import { findingsText, listed, summary } from "./check.ts";

/** `pond status [--json]`. */
export const statusCommand: CommandBody = {
  usage: "pond status [--json]",
  description:
    "Which pond is used (and whether --pond, POND or the search from the working directory\n" +
    "chose it), its newest transaction (number, time, user, command), its size on disk, and\n" +
    "what 'pond check --quick' finds: the marker, the log's listing, its newest commit and\n" +
    "any commit that stops the pond opening at it, without reading data files or blobs; when\n" +
    "a commit is damaged, the transaction shown is the newest the pond reads. Exit 1 when that\n" +
    "finds damage.",
  options: {},
  examples: ["pond status", "cd /data/pond/notes && pond status", "pond status --json"],
  maxArgs: 0,
  async run(ctx) {
    const location = await locatePond(ctx, "pond status");
    const stores = localPond(location.path);
    const check = await checkPond(stores, { quick: true });
    const newest = check.counts.version === null ? null : await newestTransaction(stores);
    const bytes = await diskUsage(stores);
    if (ctx.options.json) {
      ctx.output.out(JSON.stringify(toJson(location, newest, bytes, check), null, 2) + "\n");
    } else {
      ctx.output.out(toText(location, newest, bytes, check));
    }
    return isDamaged(check) ? 1 : 0;
  },
};

/** Bytes on disk, by part of the pond. */
interface DiskUsage {
  total: number;
  /** The Delta log (`oplog/_delta_log`). */
  log: number;
  /** The oplog's Parquet data files. */
  dataFiles: number;
  blobs: number;
}

/** The newest transaction the pond reads, and the one damaged after it; null when it does not open. */
async function newestTransaction(stores: PondStores): Promise<Newest | null> {
  let pond: Pond;
  try {
    pond = await Pond.open(stores);
  } catch {
    return null; // the quick check has said why
  }
  const head = await pond.head();
  const record = (await pond.readableHistory()).records.findLast((r) => r.seq <= head);
  return record ? { ...record, damagedAfter: pond.store.damage?.version } : null;
}

/** The newest transaction the pond reads; `damagedAfter`: the damaged one that stops it there. */
interface Newest extends TransactionRecord {
  damagedAfter?: number;
}

async function diskUsage(stores: PondStores): Promise<DiskUsage> {
  const log = await bytesUnder(stores.oplog, LOG_DIR);
  const oplog = await bytesUnder(stores.oplog);
  const blobs = await bytesUnder(stores.blobs);
  const total = await bytesUnder(stores.root);
  return { total, log, dataFiles: oplog - log, blobs };
}

/** The bytes of the objects under `dir` of `store` (0 when there are none). */
async function bytesUnder(store: Store, dir = ""): Promise<number> {
  const objects = await store.list(dir, { recursive: true });
  return objects.reduce((total, o) => total + o.size, 0);
}

function chosen(location: PondLocation): string {
  return location.from === "search" ? "found from the working directory" : `from ${location.from}`;
}

function toJson(
  location: PondLocation,
  newest: Newest | null,
  bytes: DiskUsage,
  check: CheckReport,
) {
  return {
    pond: location.path,
    from: location.from,
    transaction: newest && {
      seq: newest.seq,
      time: new Date(newest.timestamp).toISOString(),
      user: newest.user,
      command: newest.command,
      ...(newest.damagedAfter !== undefined && { damagedAfter: newest.damagedAfter }),
    },
    bytes,
    check: {
      damaged: isDamaged(check),
      findings: listed(check, false).map(({ severity, code, subject, message }) => ({
        severity,
        code,
        subject,
        message,
      })),
    },
  };
}

function toText(
  location: PondLocation,
  newest: Newest | null,
  bytes: DiskUsage,
  check: CheckReport,
): string {
  const transaction = newest
    ? `${newest.seq}  ${new Date(newest.timestamp).toISOString()}` +
      (newest.user ? `  ${escapeControl(newest.user)}` : "") +
      `  ${escapeControl(newest.command.length ? commandText(newest.command) : "(no command)")}` +
      (newest.damagedAfter === undefined
        ? ""
        : `  (the newest that reads: transaction ${newest.damagedAfter} is damaged)`)
    : "none readable";
  const size = `${humanBytes(bytes.total)} (log ${humanBytes(bytes.log)}, data files ${
    humanBytes(bytes.dataFiles)
  }, blobs ${humanBytes(bytes.blobs)})`;
  return formatTable([
    ["pond", `${escapeControl(location.path)} (${chosen(location)})`],
    ["transaction", transaction],
    ["size", size],
    ["check", summary(check, true)],
  ]) + findingsText(listed(check, false)).split("\n").map((l) => l && `  ${l}\n`).join("");
}
