/** Checking what a plugin's entries() returned: names, kinds, and that it names only what it was handed. */

import {
  compileGlob,
  type FileEntryType,
  nameProblem,
  pathProblem,
  quoted,
} from "../tinyfs/mod.ts";
import { type ConfigSchema, inputPatterns, type PluginConfig, validateConfig } from "./config.ts";
import { isPluginError, PluginError } from "./errors.ts";
import type { Inputs } from "./inputs.ts";
import { overLimit, PLUGIN_LIMITS } from "./limits.ts";

/** One entry of a plugin directory, checked. */
export type PluginEntry =
  /** An input shown as it is: its bytes, or (for a directory) its contents. */
  | { readonly kind: "input"; readonly name: string; readonly path: string }
  /** A file the plugin's read() computes from the listed inputs and `args`. */
  | {
    readonly kind: "compute";
    readonly name: string;
    readonly inputs: readonly string[];
    readonly args: unknown;
    readonly entryType: FileEntryType;
  }
  /** A subdirectory computed by the same plugin with another config. */
  | { readonly kind: "directory"; readonly name: string; readonly config: PluginConfig };

/** What the reply is checked against. */
export interface EntriesContext {
  readonly plugin: string;
  /** The directory being computed, for errors. */
  readonly path: string;
  readonly schema: ConfigSchema;
  readonly inputs: Inputs;
}

const FILE_TYPES: readonly FileEntryType[] = ["file:data", "file:table", "file:series"];

/**
 * Checks the reply of a plugin's `entries()`, as if hand-crafted: a list (dense, at most
 * `PLUGIN_LIMITS.entries` long, checked before anything else) of plain objects
 * `{ name, input: path }`, `{ name, compute: { inputs?: paths, args? }, entryType? }` or
 * `{ name, directory: config }`. Names must be single, distinct path components tinyfs takes
 * (well-formed, at most `MAX_NAME_BYTES` of UTF-8); `input` and `compute.inputs` must be paths
 * of matches the plugin was handed (files, for `compute`); a subdirectory's config must fit
 * the plugin's schema and each of its globs must name a handed file exactly or stay beneath a
 * handed directory. Anything else is
 * `InvalidReply` naming the plugin, the directory and the entry (shortened and escaped).
 *
 * @example
 * ```ts
 * import type { ConfigSchema } from "./config.ts";
 * import type { Inputs } from "./inputs.ts";
 *
 * function example(schema: ConfigSchema, inputs: Inputs) {
 *   checkEntries([{ name: "a", input: "/in/a.csv" }], { plugin: "visit", path: "/v", schema, inputs });
 * }
 * ```
 */
export function checkEntries(reply: unknown, context: EntriesContext): PluginEntry[] {
  const bad = (message: string) =>
    new PluginError(
      "InvalidReply",
      context.plugin,
      `plugin ${context.plugin} computed ${context.path} wrongly: ${message}`,
    );
  if (!Array.isArray(reply)) throw bad("entries() must return a list of entries");
  if (reply.length > PLUGIN_LIMITS.entries) {
    throw overLimit(
      "InvalidReply",
      context.plugin,
      `computed ${context.path} with ${reply.length} entries`,
      `${PLUGIN_LIMITS.entries} entries in one directory`,
    );
  }
  denseList(reply, "entries()", bad);
  const seen = new Set<string>();
  const entries: PluginEntry[] = [];
  for (let i = 0; i < reply.length; i++) {
    const entry = reply[i];
    if (!isPlainObject(entry)) throw bad(`entry ${i} is not an object like { name, input }`);
    const name = entry.name;
    if (typeof name !== "string") throw bad(`entry ${i} has no name (a string)`);
    const problem = nameProblem(name) ??
      pathProblem(`${context.path}/${name}`) ??
      (seen.has(name) ? "a name it already produced" : undefined);
    if (problem) {
      throw bad(
        `entry ${quoted(name)} has ${problem}; names must be distinct and hold no / or ..`,
      );
    }
    seen.add(name);
    entries.push(checkEntry(entry, name, context, bad));
  }
  return entries;
}

/** One entry, its name checked: what kind it is, and what it names. */
function checkEntry(
  entry: Record<string, unknown>,
  name: string,
  context: EntriesContext,
  bad: (message: string) => PluginError,
): PluginEntry {
  const at = `entry ${quoted(name)}`;
  const kinds = ["input", "compute", "directory"].filter((k) => entry[k] !== undefined);
  if (kinds.length !== 1) throw bad(`${at} must have exactly one of input, compute or directory`);
  switch (kinds[0]) {
    case "input":
      return { kind: "input", name, path: handed(entry.input, context, `${at}'s input`, bad) };
    case "compute":
      return { kind: "compute", name, ...checkCompute(entry, context, at, bad) };
    default:
      return {
        kind: "directory",
        name,
        config: checkSubconfig(entry.directory, context, at, bad),
      };
  }
}

/** A list a plugin returned must be dense (a hole is not an entry, and costs nothing to send). */
function denseList(list: unknown[], what: string, bad: (message: string) => PluginError): void {
  for (let i = 0; i < list.length; i++) {
    if (!Object.hasOwn(list, i)) throw bad(`${what} returned a list with a hole at ${i}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null &&
    Object.getPrototypeOf(value) === Object.prototype;
}

/** A value a plugin returned, for a message: strings quoted and shortened, others by kind. */
function shown(value: unknown): string {
  return typeof value === "string" ? quoted(value) : value === null ? "null" : typeof value;
}

function checkCompute(
  entry: Record<string, unknown>,
  context: EntriesContext,
  at: string,
  bad: (message: string) => PluginError,
): { inputs: string[]; args: unknown; entryType: FileEntryType } {
  const compute = entry.compute;
  if (!isPlainObject(compute)) throw bad(`${at}'s compute must be { inputs, args }`);
  const inputs = compute.inputs ?? [];
  if (!Array.isArray(inputs)) throw bad(`${at}'s compute.inputs must be a list of input paths`);
  if (inputs.length > context.inputs.nodes.size) {
    throw bad(`${at} computes from ${inputs.length} inputs, more than it was handed`);
  }
  denseList(inputs, `${at}'s compute.inputs`, bad);
  const paths = inputs.map((p) => handed(p, context, `${at}'s compute input`, bad));
  const directory = paths.find((p) => context.inputs.nodes.get(p)!.match.kind === "directory");
  if (directory !== undefined) {
    throw bad(`${at} computes from ${directory}, a directory; only files can be read`);
  }
  const entryType = entry.entryType ?? "file:data";
  if (!FILE_TYPES.includes(entryType as FileEntryType)) {
    throw bad(`${at}'s entryType ${shown(entryType)} is not one of ${FILE_TYPES.join(", ")}`);
  }
  return { inputs: paths, args: compute.args, entryType: entryType as FileEntryType };
}

/** A path the plugin names must be one of the matches it was handed. */
function handed(
  path: unknown,
  context: EntriesContext,
  what: string,
  bad: (message: string) => PluginError,
): string {
  if (typeof path !== "string" || !context.inputs.nodes.has(path)) {
    throw bad(`${what} ${shown(path)} is not a path it was handed; name only matched inputs`);
  }
  return path;
}

/** A subdirectory's config: valid for the schema, and reading only beneath handed directories. */
function checkSubconfig(
  value: unknown,
  context: EntriesContext,
  at: string,
  bad: (message: string) => PluginError,
): PluginConfig {
  let config: PluginConfig;
  try {
    config = validateConfig(context.schema, value, context.plugin);
  } catch (e) {
    if (isPluginError(e, "InvalidConfig")) throw bad(`${at}'s directory has a bad ${e.message}`);
    throw e;
  }
  const handedOf = (kind: "file" | "directory") =>
    [...context.inputs.nodes.values()]
      .filter(({ match }) => match.kind === kind)
      .map(({ match }) => match.path);
  const directories = handedOf("directory");
  const files = new Set(handedOf("file"));
  const beneath = (base: string, d: string) =>
    base === d || base.startsWith(d.endsWith("/") ? d : `${d}/`);
  for (const { patterns } of inputPatterns(context.schema, config)) {
    for (const pattern of patterns) {
      const base = literalBase(pattern);
      const allowed = base !== undefined &&
        (directories.some((d) => beneath(base.path, d)) || (base.whole && files.has(base.path)));
      if (!allowed) {
        throw bad(
          `${at}'s directory reads ${quoted(pattern)}, which is neither a file it was handed ` +
            "nor beneath a directory it was handed; a subdirectory may only look inside its " +
            "parent's inputs",
        );
      }
    }
  }
  return config;
}

/**
 * The absolute path a glob's leading plain names spell, if it is absolute, and whether they are
 * the whole glob (so it names that one path).
 */
function literalBase(pattern: string): { path: string; whole: boolean } | undefined {
  const glob = compileGlob(pattern);
  if (!glob.absolute) return undefined;
  const names: string[] = [];
  for (const segment of glob.segments) {
    if (segment.kind !== "literal") break;
    names.push(segment.name);
  }
  return {
    path: `/${names.join("/")}`,
    whole: names.length === glob.segments.length && !glob.directoriesOnly,
  };
}
