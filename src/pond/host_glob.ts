/** Glob patterns over this computer's files, in the pond's glob syntax, for `host:` arguments. */
import { compileGlob, type GlobSegment, matchSegment } from "../tinyfs/mod.ts";
import { hostError } from "./host_error.ts";
import { listHostDirectory } from "./host_files.ts";

/**
 * The host paths `pattern` matches (tinyfs glob syntax: `*`, `?`, `[a-z]`, `{a,b}`, `**`),
 * sorted, written as the pattern is (relative patterns give relative paths). Wildcards never
 * match a leading `.`, and `**` does not descend through symlinks, as in a shell. A
 * malformed pattern is `InvalidPath`; a directory the host refuses to list is a `HostError`.
 *
 * @example
 * ```ts
 * await hostGlob("samples/*.csv"); // ["samples/lake_north.csv", "samples/lake_south.csv"]
 * ```
 */
export async function hostGlob(pattern: string): Promise<string[]> {
  const glob = compileGlob(pattern);
  const found = new Set<string>();
  const start = glob.absolute ? "/" : "../".repeat(glob.up);
  await walk(start, glob.segments, 0, found);
  const matched = [...found];
  if (!glob.directoriesOnly) return matched.sort();
  const directories = await Promise.all(matched.map((p) => kindOf(p, true)));
  return matched.filter((_, i) => directories[i] === "directory").sort();
}

async function walk(
  path: string,
  segments: readonly GlobSegment[],
  at: number,
  found: Set<string>,
): Promise<void> {
  if (at === segments.length) {
    if (path !== "") found.add(path);
    return;
  }
  const segment = segments[at];
  if (segment.kind === "literal") {
    const next = child(path, segment.name);
    if (await kindOf(next, false) !== "missing") await walk(next, segments, at + 1, found);
    return;
  }
  const names = await namesIn(path);
  if (segment.kind === "any-dirs") {
    await walk(path, segments, at + 1, found);
    for (const name of names) {
      const next = child(path, name);
      if (matchSegment(segment, name) && await kindOf(next, false) === "directory") {
        await walk(next, segments, at, found);
      }
    }
    return;
  }
  for (const name of names) {
    if (matchSegment(segment, name)) await walk(child(path, name), segments, at + 1, found);
  }
}

function child(path: string, name: string): string {
  return path === "" ? name : path.endsWith("/") ? `${path}${name}` : `${path}/${name}`;
}

/** The names in the host directory `path` (`""` is the working directory); none if it is not one. */
async function namesIn(path: string): Promise<string[]> {
  try {
    return (await listHostDirectory(path || ".")).map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return [];
    throw hostError(e, "list", path || ".");
  }
}

async function kindOf(path: string, follow: boolean): Promise<"directory" | "other" | "missing"> {
  try {
    const info = follow ? await Deno.stat(path) : await Deno.lstat(path);
    return info.isDirectory ? "directory" : "other";
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      return "missing";
    }
    throw hostError(e, "read", path);
  }
}
