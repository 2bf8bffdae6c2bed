/** Paths given as command arguments, with glob patterns expanded as a shell would expand them. */
import { isPondError, PondError } from "../errors.ts";
import { type GlobMatch, isTinyFsError, type ReadView } from "../tinyfs/mod.ts";
import { type Endpoint, HOST_PREFIX } from "./endpoint.ts";
import { isPattern } from "./dynamic_nodes.ts";
import { hostGlob } from "./host_glob.ts";

/**
 * The matches of `pattern` in `root`, in name order (a directory before what is in it). A
 * pattern that matches nothing, or is malformed (`InvalidPath`), is an error — unless a node
 * is named by the pattern's own text (a name holding `[` or `{`), which is then its one
 * match, as a shell passes such a word on. Nothing matched is `NoMatch`.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const root = await pond.root();
 * for (const { node, captures } of await globMatches(root, "/sites/*\u002freadings.csv")) {
 *   console.log(node.path, captures);
 * }
 * ```
 */
export function globMatches(root: ReadView, pattern: string): Promise<GlobMatch[]> {
  return matching(
    () => root.glob(pattern),
    async () =>
      await root.exists(pattern)
        ? { node: await root.open(pattern, { follow: false }), captures: [] }
        : undefined,
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
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const root = await pond.root();
 * await expandPaths(root, ["/a/*.csv", "/b.txt"]); // ["/a/1.csv", "/a/2.csv", "/b.txt"]
 * ```
 */
export async function expandPaths(
  root: ReadView,
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

/**
 * The endpoints of a copy with their patterns expanded: a pond path's in the pond (as
 * {@link expandPaths}), a `host:` path's on this computer (see `hostGlob`), each in sorted
 * order; a pattern matching nothing is `NoMatch`.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 * import { endpoint } from "./endpoint.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const root = await pond.root();
 * await expandEndpoints(root, [endpoint("host:samples/*.csv")]); // [{ side: "host", path: "samples/lake_north.csv" }, …]
 * ```
 */
export async function expandEndpoints(
  root: ReadView,
  endpoints: readonly Endpoint[],
): Promise<Endpoint[]> {
  const out: Endpoint[] = [];
  for (const e of endpoints) {
    const paths = !isPattern(e.path)
      ? [e.path]
      : e.side === "pond"
      ? await expandPaths(root, [e.path])
      : await matching(
        () => hostGlob(e.path),
        async () => (await hostExists(e.path)) ? e.path : undefined,
        `no path on this computer matches ${HOST_PREFIX}${e.path}`,
      );
    out.push(...paths.map((path) => ({ side: e.side, path })));
  }
  return out;
}

/** What `find` finds, else what `literal` names as typed, else `NoMatch` with `message`. */
async function matching<T>(
  find: () => Promise<T[]>,
  literal: () => Promise<T | undefined>,
  message: string,
): Promise<T[]> {
  let found: T[] = [];
  try {
    found = await find();
  } catch (e) {
    if (!isTinyFsError(e, "InvalidPath")) throw e;
    const named = await literal();
    if (named === undefined) throw e;
    return [named];
  }
  if (found.length > 0) return found;
  const named = await literal();
  if (named !== undefined) return [named];
  throw new PondError("NoMatch", message);
}

async function hostExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}
