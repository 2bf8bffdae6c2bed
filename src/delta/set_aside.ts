/** Torn newest commits: how one is recognised, set aside (moved out of the log's names, never deleted), and found again — all through the table's Store. */
import { NUM_ACTIONS } from "./actions.ts";
import { commitPath, LOG_DIR } from "./log_segment.ts";
import type { Store } from "./storage.ts";

/** A commit file set aside: its own name, then `.torn-` and the time it was set aside (ms). */
const SET_ASIDE = /^(\d{20})\.json\.torn-(\d+)$/;

/**
 * True when `text`, a commit file that does not parse, is what a write cut short leaves:
 * nothing at all; complete JSON lines followed by one unfinished line (a commit's every line
 * ends in a newline, so a last line without one was never finished); or complete lines fewer
 * than its `commitInfo` says follow it. A line that does not parse before the last, or a
 * finished commit with too many lines, is damage of another kind.
 *
 * @example
 * ```ts
 * isTorn('{"commitInfo":{}}\n{"add":{"pa'); // true
 * isTorn('{"commitInfo":{}}\n{"add":{"pa\n'); // false: the line was finished, then damaged
 * ```
 */
export function isTorn(text: string): boolean {
  if (text.trim() === "") return true;
  const lines = text.split("\n");
  const unfinished = lines.pop()!;
  const parsed = lines.filter((line) => line.trim() !== "").map(parseLine);
  if (parsed.includes(undefined)) return false;
  if (unfinished !== "") return parseLine(unfinished) === undefined;
  const info = parsed.map((a) => a?.commitInfo).find((i) => typeof i === "object" && i !== null);
  const said = (info as Record<string, unknown> | undefined)?.[NUM_ACTIONS];
  return typeof said === "number" && said > parsed.length - 1;
}

/** One line of a commit as a JSON object, or undefined when it is not one. */
function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Moves the commit file of `version` to `<version>.json.torn-<ms>` beside it, which no Delta
 * reader takes for a commit: the copy is put (durably, if absent) before the commit is
 * deleted, so a crash between the two leaves both, never neither. Returns the new path,
 * relative to the table.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * await setAside(new LocalStore("/data/pond/oplog"), 7); // "_delta_log/00000000000000000007.json.torn-1780272000000"
 * ```
 */
export async function setAside(store: Store, version: number): Promise<string> {
  const from = commitPath(version);
  const to = `${from}.torn-${Date.now()}`;
  await store.putIfAbsent(to, await store.read(from));
  await store.delete(from);
  return to;
}

/** A commit file set aside, relative to the table, with the version it was. */
export interface SetAsideCommit {
  path: string;
  version: number;
}

/**
 * The commit files set aside in the table's log, oldest version first.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * for (const c of await setAsideCommits(new LocalStore("/data/pond/oplog"))) console.log(c.version, c.path);
 * ```
 */
export async function setAsideCommits(store: Store): Promise<SetAsideCommit[]> {
  const found: SetAsideCommit[] = [];
  for (const { path } of await store.list(LOG_DIR)) {
    const m = SET_ASIDE.exec(path.slice(LOG_DIR.length + 1));
    if (m) found.push({ path, version: Number(m[1]) });
  }
  return found.sort((a, b) => a.version - b.version || a.path.localeCompare(b.path));
}
