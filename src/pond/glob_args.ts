/** Paths given as command arguments, with glob patterns expanded as a shell would expand them. */
import { isPondError, PondError } from "../errors.ts";
import { type GlobMatch, isTinyFsError, type WD } from "../tinyfs/mod.ts";
import { isPattern } from "./dynamic_nodes.ts";

/**
 * The matches of `pattern` in `root`, in name order (a directory before what is in it). A
 * pattern that matches nothing, or is malformed (`InvalidPath`), is an error — unless a node
 * is named by the pattern's own text (a name holding `[` or `{`), which is then its one
 * match, as a shell passes such a word on. Nothing matched is `NoMatch`.
 *
 * @example
 * ```ts
 * for (const { node, captures } of await globMatches(root, "/sites/*\u002freadings.csv")) {
 *   console.log(node.path, captures);
 * }
 * ```
 */
export async function globMatches(root: WD, pattern: string): Promise<GlobMatch[]> {
  let found: GlobMatch[] = [];
  try {
    found = await root.glob(pattern);
  } catch (e) {
    if (!isTinyFsError(e, "InvalidPath") || !(await root.exists(pattern))) throw e;
  }
  if (found.length > 0) return found;
  if (await root.exists(pattern)) {
    return [{ node: await root.open(pattern, { follow: false }), captures: [] }];
  }
  throw new PondError(
    "NoMatch",
    `no path in the pond matches ${pattern}; check it with 'pond list'`,
  );
}

/**
 * `args` with each pattern (see `isPattern`) replaced by the absolute paths it matches, in
 * name order, and other arguments kept as they are, as a shell expands a command line. A
 * pattern that matches nothing is `NoMatch` (see {@link globMatches}), or with `allowNone`
 * (as `rm -f` ignores what is not there) expands to nothing.
 *
 * @example
 * ```ts
 * await expandPaths(root, ["/a/*.csv", "/b.txt"]); // ["/a/1.csv", "/a/2.csv", "/b.txt"]
 * ```
 */
export async function expandPaths(
  root: WD,
  args: readonly string[],
  options: { allowNone?: boolean } = {},
): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    if (!isPattern(arg)) {
      out.push(arg);
      continue;
    }
    try {
      out.push(...(await globMatches(root, arg)).map((m) => m.node.path));
    } catch (e) {
      if (!options.allowNone || !isPondError(e, "NoMatch")) throw e;
    }
  }
  return out;
}
