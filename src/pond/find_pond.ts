/** Finding the pond a command means from where it runs: the nearest directory holding pond.json, as git finds .git. */
import { POND_MARKER } from "./layout.ts";

/**
 * The nearest directory at or above `dir` (an absolute path) that holds `pond.json`, or null
 * when none does, up to the root.
 *
 * @example
 * ```ts
 * const pond = await findPond(Deno.cwd()); // "/data/pond" when run in /data/pond/notes
 * ```
 */
export async function findPond(dir: string): Promise<string | null> {
  for (let at = dir.replace(/\/+$/, "") || "/";; at = parentOf(at)) {
    if (await isFile(`${at === "/" ? "" : at}/${POND_MARKER}`)) return at;
    if (at === "/") return null;
  }
}

function parentOf(dir: string): string {
  return dir.slice(0, dir.lastIndexOf("/")) || "/";
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return false;
    if (e instanceof Deno.errors.PermissionDenied) return false;
    throw e;
  }
}
