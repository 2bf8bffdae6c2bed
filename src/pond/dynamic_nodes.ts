/** Making dynamic nodes — a directory or file at a path, or a pattern registration — and unregistering patterns. */
import { PondError } from "../errors.ts";
import { isPluginError, type Provision } from "../plugin_host/mod.ts";
import { isTinyFsError, type ReadView, type WD } from "../tinyfs/mod.ts";
import { findPlugin, type PluginSummary } from "./plugins.ts";
import type { Pond } from "./pond.ts";
import { type PluginUse, storedUse } from "./plugin_uses.ts";

/** The characters that make a path a pattern. */
const GLOB_CHARS = /[*?[{]/;

/** How to make a dynamic node. */
export interface MakeDynamicOptions {
  /** Make missing parent directories (not for patterns). */
  readonly parents?: boolean;
  /** Replace a dynamic node already at the path (or the same pattern's registration). */
  readonly replace?: boolean;
  /**
   * Make a dynamic directory or a dynamic file: needed only for a plugin that provides both
   * (`KindNeeded` otherwise). A pattern serves directories only (`PatternFile` for a file).
   */
  readonly kind?: Provision;
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
 * `InvalidConfig` naming the field), in one transaction. At a path it makes a dynamic
 * directory or a dynamic file, whichever the plugin provides, or `options.kind` when it
 * provides both (see {@link kindToMake}). A `path` holding glob characters is a pattern
 * registration (see `WD.registerDynamic`): every path matching it is served a dynamic
 * directory computed by the plugin, which gets the pattern's captures there. A dynamic node
 * already at `path` (or the same pattern registered) is `DynamicExists` unless `replace`,
 * which makes a new one in its place (the old one stays readable as of earlier transactions);
 * any other node there is `AlreadyExists`.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * await makeDynamic(pond, "visit", "/views/csv", "patterns: [/sites/*\u002f*.csv]\n", {
 *   command: Deno.args,
 * });
 * await makeDynamic(pond, "derived", "/all.csv", "inputs: [/sites/*\u002f*.csv]\ntransform: concat-csv\n", {
 *   kind: "file", command: Deno.args,
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
    const kind = kindToMake(await findPlugin(root, plugin), path, options.kind);
    return isPattern(path)
      ? await register(root, plugin, path, config, options.replace)
      : await create(root, plugin, path, config, kind, options);
  });
  return { ...result, seq };
}

/**
 * What `plugin` makes at `path`: for a pattern, a directory (`PatternFile` when `wanted` is a
 * file, `KindNotProvided` when the plugin provides only files); at a path, `wanted` if the
 * plugin provides it (`KindNotProvided` otherwise), else what it provides — `KindNeeded` when
 * that is both.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 * import { findPlugin } from "./plugins.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const root = await pond.root();
 * kindToMake(await findPlugin(root, "visit"), "/views/csv", undefined); // "directory"
 * kindToMake(await findPlugin(root, "derived"), "/all.csv", "file");   // "file"
 * ```
 */
export function kindToMake(
  plugin: PluginSummary,
  path: string,
  wanted: Provision | undefined,
): "directory" | "file" {
  const { name, provides } = plugin;
  if (provides.includes("collector")) {
    throw new PondError(
      "KindNotProvided",
      `plugin ${name} is a collector, whose node is made with the network hosts it may reach ` +
        "granted (makeCollector; 'pond mknod' asks for them)",
    );
  }
  const only = provides.length === 1 ? `provides only a dynamic ${provides[0]}` : undefined;
  if (isPattern(path)) {
    if (wanted === "file") {
      throw new PondError(
        "PatternFile",
        `${path} is a pattern, and patterns serve dynamic directories only; ` +
          "make a dynamic file at a path without *, ?, [ or {",
      );
    }
    if (!provides.includes("directory")) {
      throw new PondError(
        "KindNotProvided",
        `plugin ${name} ${only}, and ${path} is a pattern, which serves dynamic directories ` +
          "only; make the file at a path without *, ?, [ or {",
      );
    }
    return "directory";
  }
  if (wanted !== undefined && !provides.includes(wanted)) {
    throw new PondError(
      "KindNotProvided",
      `plugin ${name} ${only}, not a dynamic ${wanted}; drop --${wanted}`,
    );
  }
  if (wanted === undefined && only === undefined) {
    throw new PondError(
      "KindNeeded",
      `plugin ${name} provides both a dynamic directory and a dynamic file; ` +
        "choose one with --directory or --file",
    );
  }
  return (wanted ?? provides[0]) as "directory" | "file";
}

/**
 * Removes the registration of `pattern` in one transaction recording `command`; `NotFound` if
 * there is none. Earlier states still show it.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
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
    for (const { node } of await root.glob(r.pattern)) {
      if (node.kind === "directory") await computeOnce(root, node.path);
    }
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
  kind: "directory" | "file",
  options: MakeDynamicOptions,
): Promise<Omit<MadeDynamic, "seq">> {
  const replaced = await storedDynamicAt(root, path);
  if (replaced && !options.replace) throw new DynamicExists(replaced);
  if (replaced) await root.remove(path);
  const parents = { parents: options.parents };
  const node = kind === "file"
    ? await root.createDynamicFile(path, plugin, config, parents)
    : await root.createDynamicDirectory(path, plugin, config, parents);
  if (kind === "directory") await computeOnce(root, node.path);
  return { made: { plugin, kind, path: node.path }, replaced };
}

/**
 * Lists a new dynamic directory, and each directory it shows, once: a config its plugin finds it
 * cannot compute over the inputs there now (it throws a `ConfigError`, which the host makes
 * `InvalidConfig`: a time column that is not a timestamp, a column glob matching nothing) fails
 * the transaction that makes it, so nothing is made. Other failures are left for reads to report,
 * as before; files are not read (that may be costly). A pattern registration's directories are
 * listed so too, those its pattern matches when it is made (those that appear later are checked by
 * their reads).
 */
async function computeOnce(root: WD, path: string): Promise<void> {
  try {
    for (const entry of await root.list(path)) {
      if (entry.kind === "directory") await root.list(entry.path);
    }
  } catch (e) {
    if (isPluginError(e, "InvalidConfig")) throw e;
  }
}

/** The stored dynamic directory or file at `path`, if that is what is there. */
async function storedDynamicAt(root: ReadView, path: string): Promise<PluginUse | undefined> {
  try {
    return await storedUse(await root.open(path, { follow: false }));
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
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const config = "patterns: [/sites/*\u002f*.csv]\n";
 * const command = Deno.args;
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
 * describeUse({ plugin: "visit", kind: "directory", path: "/v" }); // "/v is a dynamic directory of plugin visit"
 * ```
 */
export function describeUse(use: PluginUse): string {
  return use.kind === "pattern"
    ? `${use.path} is a pattern registered for plugin ${use.plugin}`
    : `${use.path} is a dynamic ${use.kind} of plugin ${use.plugin}`;
}
