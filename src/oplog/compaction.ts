/** Size-tiered compaction of a partition's files: each commit merges a full tier, so reads touch few files. */
import type { AddFile } from "../delta/mod.ts";

/** How many files of one size tier a partition holds before they are merged into one. */
export const TIER_FANOUT = 8;

/** Files up to this size are tier 0; each tier above holds files {@link TIER_FANOUT} times larger. */
const TIER_BASE = 16 * 1024;

/** Files this large are left alone: merging them would hold too much in memory at once. */
const MERGE_LIMIT = 64 * 1024 * 1024;

function tierOf(size: number): number {
  return size <= TIER_BASE ? 0 : Math.floor(Math.log(size / TIER_BASE) / Math.log(TIER_FANOUT)) + 1;
}

/**
 * The files of one partition that the next commit should merge: the smallest tier holding
 * {@link TIER_FANOUT} or more files, or none. Merging a full tier makes one file of the next
 * tier up, so a row is rewritten about log_FANOUT(partition size) times in all, and a
 * partition holds at most FANOUT files per tier (plus files over the merge limit).
 *
 * @example
 * ```ts
 * import { LocalStore, Table, type Action, rewriteFiles } from "../delta/mod.ts";
 *
 * const store = new LocalStore("/data/pond/oplog");
 * const snapshot = await new Table(store).snapshot();
 * const partitionFiles = snapshot.files();
 * const actions: Action[] = [];
 * const { metadata } = snapshot;
 * const merge = filesToMerge(partitionFiles);
 * for (const action of await rewriteFiles(store, metadata, merge)) actions.push(action);
 * ```
 */
export function filesToMerge(files: readonly AddFile[]): AddFile[] {
  const tiers = new Map<number, AddFile[]>();
  for (const f of files) {
    if (f.size >= MERGE_LIMIT) continue;
    const t = tierOf(f.size);
    const list = tiers.get(t);
    if (list) list.push(f);
    else tiers.set(t, [f]);
  }
  for (const t of [...tiers.keys()].sort((a, b) => a - b)) {
    const list = tiers.get(t)!;
    if (list.length >= TIER_FANOUT) return list;
  }
  return [];
}
