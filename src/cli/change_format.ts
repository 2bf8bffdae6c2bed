/** How path changes (of pond diff and pond log) are printed: table rows for people, objects for --json. */
import type { LoggedTransaction, PathChange, VersionInfo } from "../pond/mod.ts";
import { sizeText } from "./format.ts";

/**
 * A change as JSON: the change itself, with `type` for the entry type.
 *
 * @example
 * ```ts
 * import type { PathChange } from "../pond/mod.ts";
 *
 * function example(change: PathChange) {
 *   changeToJson(change); // { change: "modified", path: "/a.csv", type: "file:data", before: {…}, after: {…} }
 * }
 * ```
 */
export function changeToJson(c: PathChange) {
  const { entryType, ...rest } = c;
  return { ...rest, type: entryType };
}

/**
 * A transaction as JSON: its number, time, user, command, what a collector's run recorded, and
 * changes (as `pond log --json` prints each, and a changing command with `--json` the one it
 * committed).
 *
 * @example
 * ```ts
 * import type { LoggedTransaction } from "../pond/mod.ts";
 *
 * function example(t: LoggedTransaction) {
 *   transactionToJson(t); // { seq: 4, time: "2026-06-01T12:00:00.000Z", user: "ann", command: […], changes: […] }
 * }
 * ```
 */
export function transactionToJson(t: LoggedTransaction) {
  return {
    seq: t.seq,
    time: new Date(t.timestamp).toISOString(),
    user: t.user,
    command: t.command,
    ...(t.collector && { collector: t.collector }),
    changes: t.changes.map(changeToJson),
  };
}

/**
 * Changes as table rows: what happened, the path (directories end in /), and the detail.
 *
 * @example
 * ```ts
 * import type { PathChange } from "../pond/mod.ts";
 * import { formatTable } from "./format.ts";
 *
 * function example(changes: PathChange[]) {
 *   formatTable(changeLines(changes)); // "added     /a.csv  file:data v1, 12 B\n…"
 * }
 * ```
 */
export function changeLines(changes: readonly PathChange[]): string[][] {
  return changes.map((c) => {
    const slash = c.entryType === "directory" && c.path !== "/" ? "/" : "";
    return [c.change, c.path + slash, detail(c)];
  });
}

/** A stored version's size: none for a dynamic file, whose size is only known by computing it. */
function storedSize(entryType: string, size: number): string {
  return entryType === "file:dynamic" ? "" : sizeText(entryType, size);
}

function detail(c: PathChange): string {
  const one = (v: VersionInfo) => [`v${v.version}`, storedSize(c.entryType, v.size)];
  const versions = () => {
    const [b, a] = [c.before!, c.after!];
    if (b.version === a.version) return "";
    const sizes = [storedSize(c.entryType, b.size), storedSize(c.entryType, a.size)];
    return `v${b.version} -> v${a.version}` + (sizes[1] ? `, ${sizes[0]} -> ${sizes[1]}` : "");
  };
  switch (c.change) {
    case "added":
      return [c.entryType, ...one(c.after!)].filter(Boolean).join(" ");
    case "removed":
      return [c.entryType, ...one(c.before!)].filter(Boolean).join(" ");
    case "modified":
      return `${c.entryType} ${versions()}`;
    case "moved":
      return [`from ${c.from}`, versions()].filter(Boolean).join(", ");
  }
}
