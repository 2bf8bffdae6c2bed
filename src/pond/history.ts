/** The pond's history transaction by transaction: who ran what, when, and which paths each one changed. */
import type { Persistence } from "../tinyfs/mod.ts";
import { byPath, classify, type PathChange, statesAt } from "./changes.ts";
import { type OplogRowInfo, OplogRows } from "./oplog_rows.ts";
import { changeMatcher } from "./path_match.ts";
import type { Pond, PondAt, TransactionRecord } from "./pond.ts";
import { TreeIndex } from "./tree_index.ts";

/** Which transactions to show, and how. */
export interface LogOptions {
  /** Only transactions with a change touching paths this glob matches (see `changeMatcher`). */
  readonly path?: string;
  /** Only transactions that wrote a row in this oplog partition (a directory's node id). */
  readonly partition?: string;
  /** Only this transaction and later ones, or those committed at or after this time. */
  readonly since?: PondAt;
  /** Only this transaction and earlier ones, or those committed at or before this time. */
  readonly until?: PondAt;
  /** At most this many transactions (the newest, or the oldest with `oldestFirst`). */
  readonly limit?: number;
  /** Oldest first; the default is newest first. */
  readonly oldestFirst?: boolean;
  /** Include each transaction's oplog rows. */
  readonly rows?: boolean;
}

/** One transaction with what it changed. */
export interface LoggedTransaction extends TransactionRecord {
  /** The paths it changed, by path (see `PathChange`). */
  readonly changes: PathChange[];
  /** Its oplog rows, when asked for. */
  readonly rows?: OplogRowInfo[];
}

/**
 * The pond's transactions with the paths each changed. What changed is read from the oplog
 * rows the transaction wrote (one per node version) and the directory listings they change,
 * mapped to paths through the tree as it was before and after: a new node is `added`, a node
 * no longer reachable is `removed` (a directory's contents go with it and are not listed),
 * a node with a new parent or name is `moved`, and a file, symlink or dynamic directory with
 * a new version is `modified`. Filters combine (all must hold).
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * for (const t of await transactionLog(pond, { path: "/sites/**", limit: 10 })) {
 *   console.log(t.seq, t.command.join(" "), t.changes.map((c) => `${c.change} ${c.path}`));
 * }
 * ```
 */
export async function transactionLog(
  pond: Pond,
  options: LogOptions = {},
): Promise<LoggedTransaction[]> {
  const matches = options.path === undefined ? undefined : changeMatcher(options.path);
  const records = (await pond.history()).filter((r) =>
    (options.since === undefined || compare(r, options.since) >= 0) &&
    (options.until === undefined || compare(r, options.until) <= 0)
  );
  const filtered = matches !== undefined || options.partition !== undefined;
  const limit = options.limit ?? Infinity;
  const wanted = filtered || limit >= records.length
    ? records
    : options.oldestFirst
    ? records.slice(0, limit)
    : records.slice(records.length - limit);
  if (wanted.length === 0 || limit === 0) return [];
  const rows = await OplogRows.open(pond);
  const index = await TreeIndex.at(pond.store, wanted[0].seq - 1);
  const out: LoggedTransaction[] = [];
  for (const record of wanted) {
    const written = await rows.of(record.seq);
    const changes = await advanceOne(pond.store, index, record.seq, written);
    if (options.partition !== undefined && !written.some((r) => r.partId === options.partition)) {
      continue;
    }
    if (matches && !changes.some((c) => matches(c, () => index.beneath(c.nodeId)))) continue;
    out.push({ ...record, changes, ...(options.rows && { rows: written }) });
  }
  if (!options.oldestFirst) out.reverse();
  return out.slice(0, limit);
}

/** Moves `index` over transaction `seq`, which wrote `rows`, and returns the paths it changed. */
async function advanceOne(
  store: Persistence,
  index: TreeIndex,
  seq: number,
  rows: readonly OplogRowInfo[],
): Promise<PathChange[]> {
  const before = new Map(rows.map((r) => [r.nodeId, index.place(r.nodeId)]));
  for (const [id, place] of await index.advance(seq, rows)) before.set(id, place);
  const changes = await Promise.all(
    [...before].map(async ([id, place]) =>
      classify(...await statesAt(store, place, index.place(id), seq - 1, seq))
    ),
  );
  return changes.filter((c): c is PathChange => c !== undefined).sort(byPath);
}

/** Whether a transaction comes before (< 0), at (0) or after (> 0) a transaction or a time. */
function compare(record: TransactionRecord, at: PondAt): number {
  return "seq" in at ? record.seq - at.seq : record.timestamp - at.time;
}
