/** Whether a change touches the paths a glob names: the glob's own syntax, applied to changed paths. */
import { compileGlob, type GlobSegment, matchSegment } from "../tinyfs/mod.ts";
import type { PathChange } from "./changes.ts";

type Relation = "none" | "beneath" | "match";

/**
 * A test for changes touching the paths `pattern` matches (tinyfs glob syntax; relative
 * patterns start at the root). A change touches them when the glob matches its path or a
 * directory above it (a change inside a matched directory), or — for a directory removed or
 * moved with everything in it — one of the paths it held, which `contents` lists (relative to
 * the directory) when the test needs them. A move counts at both ends. Malformed patterns
 * are `InvalidPath`.
 *
 * @example
 * ```ts
 * import { ROOT_ID } from "../tinyfs/mod.ts";
 *
 * const touches = changeMatcher("/sites/{north,south}/*.csv");
 * const removed = { change: "removed", path: "/sites", nodeId: ROOT_ID, entryType: "directory" } as const;
 * touches(removed, () => ["north/a.csv"]); // true
 * ```
 */
export function changeMatcher(
  pattern: string,
): (change: PathChange, contents?: () => readonly string[]) => boolean {
  const { segments } = compileGlob(pattern);
  const relation = (path: string) =>
    relate(segments, 0, path.split("/").filter((p) => p !== ""), 0);
  return (c, contents) => {
    const ends = c.from === undefined ? [c.path] : [c.path, c.from];
    const found = ends.map(relation);
    if (found.includes("match")) return true;
    const carries = c.entryType === "directory" && (c.change === "removed" || c.change === "moved");
    if (!carries || !found.includes("beneath") || !contents) return false;
    const held = contents();
    return ends.some((end) => held.some((rel) => relation(`${end}/${rel}`) === "match"));
  };
}

/** How `segments[si..]` relates to `parts[pi..]`: matches them (or a prefix), or could match beneath. */
function relate(
  segments: readonly GlobSegment[],
  si: number,
  parts: readonly string[],
  pi: number,
): Relation {
  if (si === segments.length) return "match";
  if (pi === parts.length) {
    return segments.slice(si).every((s) => s.kind === "any-dirs") ? "match" : "beneath";
  }
  const segment = segments[si];
  if (segment.kind === "any-dirs") {
    const skip = relate(segments, si + 1, parts, pi);
    return skip === "match" ? skip : best(skip, relate(segments, si, parts, pi + 1));
  }
  return matchSegment(segment, parts[pi]) ? relate(segments, si + 1, parts, pi + 1) : "none";
}

function best(a: Relation, b: Relation): Relation {
  const rank = { none: 0, beneath: 1, match: 2 };
  return rank[a] >= rank[b] ? a : b;
}
