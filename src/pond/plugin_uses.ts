/** Where plugins are used: the dynamic directories and files stored in the tree, and the pattern registrations. */
import { kindOf, type NodePath, type ReadView } from "../tinyfs/mod.ts";

/** One dynamic node computed by a plugin: a stored directory or file, or a registered pattern. */
export interface PluginUse {
  /** The plugin that computes it. */
  readonly plugin: string;
  /**
   * `directory` / `file`: a dynamic directory / file at `path`; `pattern`: a registration
   * serving a dynamic directory at every match.
   */
  readonly kind: "directory" | "file" | "pattern";
  /** The node's path, or the registered pattern. */
  readonly path: string;
}

/**
 * Every dynamic node in `root`'s state: stored ones (found by walking the plain directories,
 * hidden ones included, never computing a dynamic node), depth-first in name order, then
 * the pattern registrations in pattern order. Works in a transaction too, seeing its pending changes.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const root = await pond.root();
 * const uses = (await pluginUses(root)).filter((u) => u.plugin === "visit");
 * uses.map((u) => u.path); // ["/views/csv", "/sites/*\u002fsummary"]
 * ```
 */
export async function pluginUses(root: ReadView): Promise<PluginUse[]> {
  const nodes = await dynamicBeneath(root, "/");
  const patterns = (await root.registrations()).map((r): PluginUse => ({
    plugin: r.factory,
    kind: "pattern",
    path: r.pattern,
  }));
  return [...nodes, ...patterns];
}

/**
 * `node` as a use of a plugin, when it is a stored dynamic directory or file (not one a
 * pattern serves, and not a symlink's target); computes nothing.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const root = await pond.root();
 * await storedUse(await root.open("/all.csv", { follow: false })); // { plugin: "derived", kind: "file", … }
 * ```
 */
export async function storedUse(node: NodePath): Promise<PluginUse | undefined> {
  const spec = await node.dynamic();
  if (!spec) return undefined;
  const kind = kindOf(node.entryType) === "file" ? "file" : "directory";
  return { plugin: spec.factory, kind, path: node.path };
}

async function dynamicBeneath(root: ReadView, path: string): Promise<PluginUse[]> {
  const found = await Promise.all((await root.list(path)).map(async (node) => {
    if (node.entryType === "directory") return dynamicBeneath(root, node.path);
    const use = await storedUse(node);
    return use ? [use] : [];
  }));
  return found.flat();
}
