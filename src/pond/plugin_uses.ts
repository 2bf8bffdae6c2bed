/** Where plugins are used: the dynamic directories stored in the tree and the pattern registrations. */
import type { NodePath, WD } from "../tinyfs/mod.ts";

/** One dynamic node computed by a plugin: a stored directory, or a registered pattern. */
export interface PluginUse {
  /** The plugin that computes it. */
  readonly plugin: string;
  /** `node`: a dynamic directory at `path`; `pattern`: a registration serving every match. */
  readonly kind: "node" | "pattern";
  /** The node's path, or the registered pattern. */
  readonly path: string;
}

/**
 * Every dynamic node in `root`'s state: stored ones (found by walking the plain directories,
 * hidden ones included, never computing a dynamic directory), depth-first in name order, then
 * the pattern registrations in pattern order. Works in a transaction too, seeing its pending changes.
 *
 * @example
 * ```ts
 * const uses = (await pluginUses(root)).filter((u) => u.plugin === "visit");
 * uses.map((u) => u.path); // ["/views/csv", "/sites/*\u002fsummary"]
 * ```
 */
export async function pluginUses(root: WD): Promise<PluginUse[]> {
  const nodes = await dynamicBeneath(root, "/");
  const patterns = (await root.registrations()).map((r): PluginUse => ({
    plugin: r.factory,
    kind: "pattern",
    path: r.pattern,
  }));
  return [...nodes, ...patterns];
}

async function dynamicBeneath(root: WD, path: string): Promise<PluginUse[]> {
  const found = await Promise.all((await root.list(path)).map((node) => dynamicAt(root, node)));
  return found.flat();
}

async function dynamicAt(root: WD, node: NodePath): Promise<PluginUse[]> {
  if (node.entryType === "directory") return dynamicBeneath(root, node.path);
  if (node.entryType !== "directory:dynamic") return [];
  const meta = await node.metadata({ follow: false });
  if (meta.pattern !== undefined || meta.factory === undefined) return [];
  return [{ plugin: meta.factory, kind: "node", path: node.path }];
}
