/** Torn newest commits: how one is recognised, set aside (renamed out of the log, never deleted) by `pond check --repair`, and found again. */
import { commitPath, LOG_DIR, NUM_ACTIONS } from "../delta/mod.ts";
import { syncDirectory } from "../delta/mod.ts";

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
 * Renames the commit file of `version` in the oplog table at `oplog` to
 * `<version>.json.torn-<ms>` in the same directory, which no Delta reader takes for a commit,
 * and makes the rename durable. Returns the new path, relative to the table.
 *
 * @example
 * ```ts
 * await setAside("/data/pond/oplog", 7); // "_delta_log/00000000000000000007.json.torn-1780272000000"
 * ```
 */
export async function setAside(oplog: string, version: number): Promise<string> {
  const from = commitPath(version);
  const to = `${from}.torn-${Date.now()}`;
  await Deno.rename(`${oplog}/${from}`, `${oplog}/${to}`);
  await syncDirectory(`${oplog}/${LOG_DIR}`);
  return to;
}

/** A commit file set aside, relative to the table, with the version it was. */
export interface SetAsideCommit {
  path: string;
  version: number;
}

/**
 * The commit files set aside in the oplog table at `oplog`, oldest version first.
 *
 * @example
 * ```ts
 * for (const c of await setAsideCommits("/data/pond/oplog")) console.log(c.version, c.path);
 * ```
 */
export async function setAsideCommits(oplog: string): Promise<SetAsideCommit[]> {
  const found: SetAsideCommit[] = [];
  try {
    for await (const entry of Deno.readDir(`${oplog}/${LOG_DIR}`)) {
      const m = SET_ASIDE.exec(entry.name);
      if (m) found.push({ path: `${LOG_DIR}/${entry.name}`, version: Number(m[1]) });
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return found.sort((a, b) => a.version - b.version || a.path.localeCompare(b.path));
}
