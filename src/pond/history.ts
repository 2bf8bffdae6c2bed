/** The pond's history transaction by transaction: who ran what, when, and which paths each one changed. */
import { isPondError } from "../errors.ts";
import type { Persistence } from "../tinyfs/mod.ts";
import { byPath, classify, type PathChange, statesAt } from "./changes.ts";
import { reason } from "./check_findings.ts";
import { type SetAsideCommit, setAsideCommits } from "../delta/mod.ts";
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
  /** The paths it changed, by path (see `PathChange`); empty when {@link unknown}. */
  readonly changes: PathChange[];
  /** Its oplog rows, when asked for (and known). */
  readonly rows?: OplogRowInfo[];
  /**
   * Why what it changed is not known, when it is not: its rows, or the tree before it, do not
   * read, or a transaction before it is damaged.
   */
  readonly unknown?: string;
}

/** Something damaged that the log met: a commit, or the rows of a transaction. */
export interface LogDamage {
  /**
   * The transaction it concerns: the one whose commit is damaged (`commit`), or the first
   * whose changes it hides (`rows`: a data file, or a blob, that does not read).
   */
  readonly seq: number;
  readonly of: "commit" | "rows";
  /** What is wrong, naming the file. */
  readonly problem: string;
}

/** The transactions, and the damage met on the way. */
export interface TransactionLog {
  /** The transactions asked for that can be read, in the order asked for. */
  readonly transactions: LoggedTransaction[];
  /** Every damage found, oldest first, whatever the filters: the pond is damaged when any. */
  readonly damage: LogDamage[];
  /** Torn commits `pond check --repair` set aside (no longer in the log; not damage). */
  readonly setAside: SetAsideCommit[];
}

/**
 * The pond's transactions with the paths each changed. What changed is read from the oplog
 * rows the transaction wrote (one per node version) and the directory listings they change,
 * mapped to paths through the tree as it was before and after: a new node is `added`, a node
 * no longer reachable is `removed` (a directory's contents go with it and are not listed),
 * a node with a new parent or name is `moved`, and a file, symlink or dynamic directory with
 * a new version is `modified`. Filters combine (all must hold).
 *
 * A damaged pond shows every transaction it can: one whose commit is missing or does not read
 * is named in `damage`, and so is a data file whose rows do not read; a transaction whose
 * changes cannot be known for it (after a damaged commit, or with rows that do not read) is
 * listed with `unknown` saying why, under every filter, since it may match.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const { transactions, damage } = await transactionLog(pond, { path: "/sites/**", limit: 10 });
 * for (const t of transactions) {
 *   console.log(t.seq, t.command.join(" "), t.changes.map((c) => `${c.change} ${c.path}`));
 * }
 * for (const d of damage) console.error(`transaction ${d.seq}: ${d.problem}`);
 * ```
 */
export async function transactionLog(
  pond: Pond,
  options: LogOptions = {},
): Promise<TransactionLog> {
  const matches = options.path === undefined ? undefined : changeMatcher(options.path);
  const history = await pond.readableHistory();
  const damage: LogDamage[] = history.damaged.map((d) => ({ ...d, of: "commit" }));
  const setAside = await setAsideCommits(pond.store.table);
  const records = history.records.filter((r) =>
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
  const out: LoggedTransaction[] = [];
  if (wanted.length > 0 && limit > 0) {
    const head = await pond.head();
    const rows = await OplogRows.open(pond);
    let index: TreeIndex | undefined;
    for (const record of wanted) {
      if (record.seq > head) {
        const unknown = `transaction ${head + 1}, before it, is damaged`;
        out.push({ ...record, changes: [], unknown });
        continue;
      }
      let written: OplogRowInfo[];
      let changes: PathChange[];
      try {
        index ??= await TreeIndex.at(pond.store, record.seq - 1);
        written = await rows.of(record.seq);
        changes = await advanceOne(pond.store, index, record.seq, written);
      } catch (e) {
        if (!isStorageDamage(e)) throw e;
        index = undefined; // re-read from the tree before the next transaction
        const problem = reason(e).replace(/; run `pond check`$/, ""); // the caller says what to run
        if (!damage.some((d) => d.problem === problem)) {
          damage.push({ seq: record.seq, of: "rows", problem });
        }
        out.push({ ...record, changes: [], unknown: problem });
        continue;
      }
      if (options.partition !== undefined && !written.some((r) => r.partId === options.partition)) {
        continue;
      }
      if (matches && !changes.some((c) => matches(c, () => index!.beneath(c.nodeId)))) continue;
      out.push({ ...record, changes, ...(options.rows && { rows: written }) });
    }
  }
  if (!options.oldestFirst) out.reverse();
  damage.sort((a, b) => a.seq - b.seq);
  return { transactions: out.slice(0, limit), damage, setAside };
}

/** The errors of oplog rows, or blobs, that do not read: damage to show, not to stop at. */
function isStorageDamage(e: unknown): boolean {
  return isPondError(e, "CorruptRow") || isPondError(e, "CorruptBlob") ||
    isPondError(e, "MissingBlob");
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
