/** Pattern registrations: dynamic nodes served at every path matching a glob, kept in a detached directory. */

import { TinyFsError } from "./errors.ts";
import { compileGlob, type Glob } from "./glob.ts";
import { matchPath } from "./glob_states.ts";
import type { NodeId } from "./node_id.ts";
import { compareNames, joinPath } from "./path.ts";
import { type DirEntry, type NodeKey, REGISTRY_KEY } from "./records.ts";
import { latest, type TreeState } from "./state.ts";

/** One registered pattern, as listed: the dynamic node serving every path that matches. */
export interface Registration {
  /** The pattern, normalized (absolute, single slashes, no trailing slash). */
  readonly pattern: string;
  readonly factory: string;
  readonly config: Uint8Array;
  /** The registration's own node (a `directory:dynamic` in the registry). */
  readonly nodeId: NodeId;
}

/** A registration serving one path: its node, its pattern, and what the pattern captured. */
export interface Served {
  readonly key: NodeKey;
  readonly pattern: string;
  readonly captures: readonly string[];
}

/** A checked pattern: its normalized text, the name it serves, and its registry entry name. */
export interface RegistryPattern {
  readonly pattern: string;
  readonly glob: Glob;
  /** The last segment: the name the dynamic node has in every matching directory. */
  readonly name: string;
  /** The pattern as a registry entry name (`%` and `/` escaped). */
  readonly entryName: string;
}

/**
 * Checks and normalizes a pattern to register: absolute, in glob syntax (see `compileGlob`),
 * without `.` or `..`, and ending in a plain name — the name the dynamic node takes in each
 * directory the rest matches, so a listing can show it. Otherwise `InvalidPath`.
 *
 * @example
 * ```ts
 * registryPattern("/sites//*\u002fsummary/").pattern; // "/sites/*\u002fsummary"
 * registryPattern("/sites/*").name;                  // throws InvalidPath
 * ```
 */
export function registryPattern(pattern: string): RegistryPattern {
  const glob = compileGlob(pattern);
  const last = glob.segments.at(-1);
  if (!glob.absolute || glob.up > 0 || last?.kind !== "literal") {
    const why = !glob.absolute
      ? "it must be absolute"
      : glob.up > 0
      ? "it may not contain .."
      : "it must end in a plain name (the name the node takes in each matching directory)";
    throw new TinyFsError("InvalidPath", pattern, `cannot register ${pattern}: ${why}`);
  }
  const normalized = "/" + pattern.split("/").filter((p) => p !== "" && p !== ".").join("/");
  return {
    pattern: normalized,
    glob,
    name: last.name,
    entryName: normalized.replace(/[%/]/g, (c) => (c === "%" ? "%25" : "%2F")),
  };
}

/**
 * Every registration in `state`, sorted by pattern.
 *
 * @example
 * ```ts
 * import type { Snapshot } from "./state.ts";
 *
 * async function example(state: Snapshot) {
 *   (await registrations(state)).map((r) => r.pattern); // ["/sites/*\u002fsummary"]
 * }
 * ```
 */
export async function registrations(state: TreeState): Promise<Registration[]> {
  const entries = [...(await registryEntries(state)).values()];
  const found = await Promise.all(entries.map(async (entry): Promise<Registration> => {
    const spec = (await latest(state, entry)).dynamic!;
    return {
      pattern: patternOf(entry.name),
      factory: spec.factory,
      config: spec.config.slice(),
      nodeId: entry.nodeId,
    };
  }));
  return found.sort((a, b) => compareNames(a.pattern, b.pattern));
}

/**
 * The registrations serving names in the directory whose path from the root is `directory`
 * (its names), by the name they serve, for the names `wanted` accepts (a caller leaves out
 * names its directory's entries take). Two registrations serving one wanted path is
 * `AlreadyExists`: the tree cannot say which one that path is.
 *
 * @example
 * ```ts
 * import type { Snapshot } from "./state.ts";
 * import type { DirEntry } from "./mod.ts";
 *
 * async function example(state: Snapshot, entries: Map<string, DirEntry>) {
 *   const served = await servedIn(state, ["sites", "a"], (name) => !entries.has(name));
 *   served.get("summary")?.captures; // ["a"]
 * }
 * ```
 */
export async function servedIn(
  state: TreeState,
  directory: readonly string[],
  wanted: (name: string) => boolean,
): Promise<Map<string, Served>> {
  const found = new Map<string, Served>();
  for (const entry of (await registryEntries(state)).values()) {
    const registered = registryPattern(patternOf(entry.name));
    if (!wanted(registered.name)) continue;
    const captures = matchPath(registered.glob, [...directory, registered.name]);
    if (!captures) continue;
    const other = found.get(registered.name);
    if (other) {
      const path = joinPath("/" + directory.join("/"), registered.name);
      throw new TinyFsError(
        "AlreadyExists",
        path,
        `${path} is served by two registered patterns, ${other.pattern} and ` +
          `${registered.pattern}; unregister one of them`,
      );
    }
    found.set(registered.name, { key: entry, pattern: registered.pattern, captures });
  }
  return found;
}

/** The registry's entries; none while nothing was ever registered. */
async function registryEntries(state: TreeState): Promise<ReadonlyMap<string, DirEntry>> {
  if ((await state.versions(REGISTRY_KEY)).length === 0) return new Map();
  return state.entries(REGISTRY_KEY);
}

function patternOf(entryName: string): string {
  return entryName.replace(/%(25|2F)/g, (_, code) => (code === "25" ? "%" : "/"));
}
