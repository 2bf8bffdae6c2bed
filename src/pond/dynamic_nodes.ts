/** Making dynamic nodes — a directory at a path, or a pattern registration — and unregistering patterns. */
import { PondError } from "../errors.ts";
import { isTinyFsError, type WD } from "../tinyfs/mod.ts";
import { findPlugin } from "./plugins.ts";
import type { Pond } from "./pond.ts";
import type { PluginUse } from "./plugin_uses.ts";

/** The characters that make a path a pattern. */
const GLOB_CHARS = /[*?[{]/;

/** How to make a dynamic node. */
export interface MakeDynamicOptions {
  /** Make missing parent directories (not for patterns). */
  readonly parents?: boolean;
  /** Replace a dynamic node already at the path (or the same pattern's registration). */
  readonly replace?: boolean;
  /** Recorded with the transaction. */
  readonly command: readonly string[];
}

/** What {@link makeDynamic} made, and the node it replaced. */
export interface MadeDynamic {
  readonly made: PluginUse;
  readonly replaced: PluginUse | undefined;
  readonly seq: number | null;
}

/**
 * Whether `path` is a pattern (it holds `*`, `?`, `[` or `{`): what `pond list` globs, and what
 * `pond mknod` registers to serve every matching path rather than making one node.
 *
 * @example
 * ```ts
 * isPattern("/sites/*\u002fsummary"); // true
 * isPattern("/views/csv");            // false
 * ```
 */
export function isPattern(path: string): boolean {
  return GLOB_CHARS.test(path);
}

/**
 * Makes a dynamic node computed by plugin `plugin` (built in or installed; `PluginNotFound`)
 * from `config` (YAML or JSON, checked against the plugin's schema before anything is written:
 * `InvalidConfig` naming the field), in one transaction. A `path` holding glob characters is a
 * pattern registration (see `WD.registerDynamic`): every path matching it is served by the
 * plugin, which gets the pattern's captures there. A dynamic node already at `path` (or the
 * same pattern registered) is `DynamicExists` unless `replace`, which makes a new one in its
 * place (the old one stays readable as of earlier transactions); any other node there is
 * `AlreadyExists`.
 *
 * @example
 * ```ts
 * await makeDynamic(pond, "visit", "/views/csv", "patterns: [/sites/*\u002f*.csv]\n", {
 *   command: Deno.args,
 * });
 * ```
 */
export async function makeDynamic(
  pond: Pond,
  plugin: string,
  path: string,
  config: Uint8Array | string,
  options: MakeDynamicOptions,
): Promise<MadeDynamic> {
  const { result, seq } = await pond.transact(options.command, async (root) => {
    await findPlugin(root, plugin);
    return isPattern(path)
      ? await register(root, plugin, path, config, options.replace)
      : await create(root, plugin, path, config, options);
  });
  return { ...result, seq };
}

/**
 * Removes the registration of `pattern` in one transaction recording `command`; `NotFound` if
 * there is none. Earlier states still show it.
 *
 * @example
 * ```ts
 * await unregisterPattern(pond, "/sites/*\u002fsummary", Deno.args);
 * ```
 */
export async function unregisterPattern(
  pond: Pond,
  pattern: string,
  command: readonly string[],
): Promise<{ seq: number | null }> {
  const { seq } = await pond.transact(command, (root) => root.unregisterDynamic(pattern));
  return { seq };
}

async function register(
  root: WD,
  plugin: string,
  pattern: string,
  config: Uint8Array | string,
  replace = false,
): Promise<Omit<MadeDynamic, "seq">> {
  const registered = async () => {
    const r = await root.registerDynamic(pattern, plugin, config);
    return { plugin, kind: "pattern" as const, path: r.pattern };
  };
  try {
    return { made: await registered(), replaced: undefined };
  } catch (e) {
    if (!isTinyFsError(e, "AlreadyExists")) throw e;
    const old = (await root.registrations()).find((r) => r.pattern === e.path)!;
    const replaced: PluginUse = { plugin: old.factory, kind: "pattern", path: old.pattern };
    if (!replace) throw new DynamicExists(replaced);
    await root.unregisterDynamic(pattern);
    return { made: await registered(), replaced };
  }
}

async function create(
  root: WD,
  plugin: string,
  path: string,
  config: Uint8Array | string,
  options: MakeDynamicOptions,
): Promise<Omit<MadeDynamic, "seq">> {
  const replaced = await storedDynamicAt(root, path);
  if (replaced && !options.replace) throw new DynamicExists(replaced);
  if (replaced) await root.remove(path);
  const node = await root.createDynamicDirectory(path, plugin, config, {
    parents: options.parents,
  });
  return { made: { plugin, kind: "node", path: node.path }, replaced };
}

/** The stored dynamic directory at `path`, if that is what is there. */
async function storedDynamicAt(root: WD, path: string): Promise<PluginUse | undefined> {
  try {
    const node = await root.open(path, { follow: false });
    const meta = await node.metadata({ follow: false });
    if (meta.entryType !== "directory:dynamic" || meta.pattern !== undefined) return undefined;
    return { plugin: meta.factory!, kind: "node", path: node.path };
  } catch (e) {
    if (isTinyFsError(e, "NotFound") || isTinyFsError(e, "NotADirectory")) return undefined;
    throw e;
  }
}

/**
 * A dynamic node is already where one was to be made (code `DynamicExists`); `existing` says
 * which, so a caller can ask and try again with `replace`.
 *
 * @example
 * ```ts
 * try { await makeDynamic(pond, "visit", "/v", config, { command }); }
 * catch (e) { if (e instanceof DynamicExists) console.log(e.existing.plugin); }
 * ```
 */
export class DynamicExists extends PondError {
  constructor(readonly existing: PluginUse) {
    super("DynamicExists", `${describeUse(existing)}; pass --yes to replace it`);
  }
}

/**
 * A dynamic node in words, for messages.
 *
 * @example
 * ```ts
 * describeUse({ plugin: "visit", kind: "node", path: "/v" }); // "/v is a dynamic directory of plugin visit"
 * ```
 */
export function describeUse(use: PluginUse): string {
  return use.kind === "pattern"
    ? `${use.path} is a pattern registered for plugin ${use.plugin}`
    : `${use.path} is a dynamic directory of plugin ${use.plugin}`;
}
