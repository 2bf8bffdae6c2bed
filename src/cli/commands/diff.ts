/** `pond diff`: what changed between two transactions (or times), under a path. */
import type { PathChange, VersionInfo } from "../../pond/changes.ts";
import { diff } from "../../pond/diff.ts";
import type { Command } from "../command.ts";
import { formatTable } from "../format.ts";
import { openPond, parseAt } from "../pond_options.ts";
import { sizeText } from "./describe.ts";

/** `pond diff A B [PATH] [--json]`. */
export const diffCommand: Command = {
  name: "diff",
  summary: "show what changed between two transactions or times",
  usage: "pond diff A B [PATH] [--json]",
  description:
    "A and B are transaction numbers or times (ISO 8601: the newest transaction then).\n" +
    "Lists the paths under PATH (default /) added, removed, modified (with versions and\n" +
    "sizes) or moved from A to B. A removed or moved directory takes its contents along;\n" +
    "they are not listed again. PATH is taken as of B (else A) and followed if it was\n" +
    "moved or renamed in between. Prints nothing when nothing changed.",
  options: {},
  examples: [
    "pond diff 3 9",
    "pond diff 2026-06-01T00:00:00Z 2026-06-02T00:00:00Z /sites",
    "pond diff 0 12 /sites/lake_north --json",
  ],
  minArgs: 2,
  maxArgs: 3,
  async run(ctx) {
    const [a, b, path] = ctx.positionals;
    const [from, to] = [a, b].map((v) =>
      parseAt(v, "pond diff", "A and B are transaction numbers or times")!
    );
    const { pond, stages } = await openPond(ctx, "pond diff");
    const found = await diff(pond, from, to, path);
    stages.mark("diff");
    if (ctx.options.json) {
      ctx.output.out(
        JSON.stringify({ ...found, changes: found.changes.map(changeToJson) }, null, 2) + "\n",
      );
    } else {
      ctx.output.out(formatTable(changeLines(found.changes)));
    }
    stages.report(pond, { from: found.from, to: found.to, changes: found.changes.length });
  },
};

/**
 * A change as JSON: the change itself, with `type` for the entry type.
 *
 * @example
 * ```ts
 * changeToJson(change); // { change: "modified", path: "/a.csv", type: "file:data", before: {…}, after: {…} }
 * ```
 */
export function changeToJson(c: PathChange) {
  const { entryType, ...rest } = c;
  return { ...rest, type: entryType };
}

/**
 * Changes as table rows: what happened, the path (directories end in /), and the detail.
 *
 * @example
 * ```ts
 * formatTable(changeLines(changes)); // "added     /a.csv  file:data v1, 12 B\n…"
 * ```
 */
export function changeLines(changes: readonly PathChange[]): string[][] {
  return changes.map((c) => {
    const slash = c.entryType === "directory" && c.path !== "/" ? "/" : "";
    return [c.change, c.path + slash, detail(c)];
  });
}

function detail(c: PathChange): string {
  const one = (v: VersionInfo) => [`v${v.version}`, sizeText(c.entryType, v.size)];
  const versions = () => {
    const [b, a] = [c.before!, c.after!];
    if (b.version === a.version) return "";
    const sizes = [sizeText(c.entryType, b.size), sizeText(c.entryType, a.size)];
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
