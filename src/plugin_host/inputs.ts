/** A plugin's inputs: the host resolves its config's globs through tinyfs; the plugin sees only the matches. */

import { type EntryType, isTinyFsError, type NodePath, type ReadView } from "../tinyfs/mod.ts";
import { type ConfigSchema, inputPatterns, type PluginConfig } from "./config.ts";

/** One match of an input glob, as a plugin is handed it. */
export interface InputMatch {
  /** Absolute path in the pond. */
  readonly path: string;
  readonly name: string;
  /** What the glob's wildcards captured (`$0`, `$1`, … in name templates). */
  readonly captures: readonly string[];
  /** What it is (a symlink counts as its target). */
  readonly kind: "file" | "directory";
  readonly entryType: EntryType;
}

/** A matched node the host can read, with what the plugin was told about it. */
export interface InputNode {
  readonly node: NodePath;
  readonly match: InputMatch;
  /**
   * Whether read() is handed its contents: false for a node only `tables` fields, or glob
   * fields with `contents: false`, matched, which the plugin reads through `host.sql`.
   */
  readonly contents: boolean;
}

/** The matches of one input field: a list, or for a `tables` field a list per SQL name. */
export type FieldMatches =
  | readonly InputMatch[]
  | Readonly<Record<string, readonly InputMatch[]>>;

/** Everything the globs of one config matched. */
export interface Inputs {
  /** The matches of each glob field, by field name: what the plugin is handed. */
  readonly matches: Readonly<Record<string, FieldMatches>>;
  /** Every matched node by path: the only paths a plugin's entries and queries may name. */
  readonly nodes: ReadonlyMap<string, InputNode>;
}

/**
 * Resolves the input globs of `config` (see `inputPatterns`) through `fs`, the reader's view
 * of the pond: a `glob[]` field's patterns are matched in order and their matches joined; a
 * `tables` field's matches are grouped by table name.
 * Dangling symlinks are left out. Reads carry `fs`'s call chain, so a glob reaching the
 * dynamic directory being computed is tinyfs's `VisitLoop`.
 *
 * @example
 * ```ts
 * import type { DynamicContext } from "../tinyfs/mod.ts";
 * import type { Manifest } from "./manifest.ts";
 *
 * async function example(context: DynamicContext, manifest: Manifest) {
 *   const inputs = await resolveInputs(context.fs, manifest.config, { patterns: ["/in/*.csv"] });
 *   inputs.matches.patterns; // [{ path: "/in/a.csv", name: "a.csv", captures: ["a"], … }]
 * }
 * ```
 */
export async function resolveInputs(
  fs: ReadView,
  schema: ConfigSchema,
  config: PluginConfig,
): Promise<Inputs> {
  const matches: Record<string, FieldMatches> = {};
  const nodes = new Map<string, InputNode>();
  for (const { field, table, patterns, contents: handed } of inputPatterns(schema, config)) {
    const found: InputMatch[] = [];
    for (const pattern of patterns) {
      for await (const { node, captures } of fs.visit(pattern)) {
        const input = await inputNode(node, captures, handed);
        if (!input) continue;
        found.push(input.match);
        const contents = input.contents || nodes.get(input.match.path)?.contents === true;
        nodes.set(input.match.path, { ...input, contents });
      }
    }
    matches[field] = table === undefined ? found : { ...matches[field], [table]: found };
  }
  return { matches, nodes };
}

/**
 * `node` as an input: what it reads as (its target, for a symlink) with `captures`, its
 * contents handed to read() unless `contents` is false; undefined for a dangling symlink.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 *
 * const root = await (await Pond.open("/data/pond")).root();
 * const input = await inputNode(await root.open("/in/a.csv"), ["a"]);
 * input?.match.kind; // "file"
 * ```
 */
export async function inputNode(
  node: NodePath,
  captures: readonly string[],
  contents = true,
): Promise<InputNode | undefined> {
  let target: { kind: string; entryType: EntryType } = node;
  if (node.kind === "symlink") {
    try {
      target = await node.metadata();
    } catch (e) {
      if (isTinyFsError(e, "NotFound")) return undefined;
      throw e;
    }
  }
  const kind = target.kind === "directory" ? "directory" : "file";
  return {
    node,
    match: { path: node.path, name: node.name, captures, kind, entryType: target.entryType },
    contents,
  };
}
