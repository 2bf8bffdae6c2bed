/** Installed plugins kept inside the pond: `/.pond/plugins/NAME.ts` (source) and `NAME.json` (record). */
import { PondError } from "../errors.ts";
import {
  builtinPlugins,
  type Grants,
  loadPlugin,
  type Manifest,
  type PluginModule,
} from "../plugin_host/mod.ts";
import { isTinyFsError, type NodePath, type ReadView, type WD } from "../tinyfs/mod.ts";

/** Where installed plugins live in a pond; hidden from `*` and `pond list` by its leading dot. */
export const PLUGIN_DIR = "/.pond/plugins";

/** What a manifest allows as a plugin name; anything else cannot be installed. */
const PLUGIN_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/** What `NAME.json` records beside an installed plugin's source. */
export interface PluginRecord {
  /** SHA-256 of the source file's bytes, in hex. */
  readonly hash: string;
  /** What the user allowed the plugin when adding it. */
  readonly granted: Grants;
  /** The manifest as read from the source when it was added. */
  readonly manifest: Manifest;
}

/**
 * The paths of plugin `name`'s source and record in the pond.
 *
 * @example
 * ```ts
 * pluginPaths("shout"); // { source: "/.pond/plugins/shout.ts", record: "/.pond/plugins/shout.json" }
 * ```
 */
export function pluginPaths(name: string): { source: string; record: string } {
  return { source: `${PLUGIN_DIR}/${name}.ts`, record: `${PLUGIN_DIR}/${name}.json` };
}

let builtins: Promise<Record<string, PluginModule>> | undefined;

/**
 * The built-in plugins by name, loaded once per process (they are plain data).
 *
 * @example
 * ```ts
 * Object.keys(await builtinModules()); // ["derived", "reverse", "visit"]
 * ```
 */
export function builtinModules(): Promise<Record<string, PluginModule>> {
  builtins ??= builtinPlugins();
  return builtins;
}

/** An installed plugin's files as one state of the tree holds them. */
export interface InstalledFiles {
  readonly name: string;
  readonly record: NodePath;
  /** Missing only in a damaged pond. */
  readonly source: NodePath | undefined;
}

/**
 * The files of the plugins installed in `root`'s state, in name order: none when
 * `/.pond/plugins` is missing or not a plain directory. Reads no file bodies.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const root = await pond.root();
 * for (const { name, record } of await installedFiles(root)) console.log(name, record.path);
 * ```
 */
export async function installedFiles(root: ReadView): Promise<InstalledFiles[]> {
  let dir: NodePath;
  try {
    dir = await root.open(PLUGIN_DIR);
  } catch (e) {
    if (isTinyFsError(e, "NotFound") || isTinyFsError(e, "NotADirectory")) return [];
    throw e;
  }
  if (dir.entryType !== "directory") return [];
  const files = new Map((await root.list(PLUGIN_DIR)).map((node) => [node.name, node]));
  return [...files.values()]
    .map((node) => ({ node, name: node.name.slice(0, -".json".length) }))
    .filter(({ node, name }) =>
      node.name === `${name}.json` && PLUGIN_NAME.test(name) && node.kind === "file"
    )
    .map(({ node, name }) => ({ name, record: node, source: files.get(`${name}.ts`) }));
}

/**
 * The record of installed plugin `name` in `root`'s state; `PluginNotFound` when there is none,
 * `PluginCorrupt` when it cannot be read.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const root = await pond.root();
 * (await readRecord(root, "shout")).manifest.version; // "1.0.0"
 * ```
 */
export async function readRecord(root: ReadView, name: string): Promise<PluginRecord> {
  const path = pluginPaths(name).record;
  if (!PLUGIN_NAME.test(name)) throw pluginNotFound(name);
  let text: string;
  try {
    text = new TextDecoder().decode(await root.read(path));
  } catch (e) {
    if (isTinyFsError(e, "NotFound")) throw pluginNotFound(name);
    throw e;
  }
  try {
    const record = JSON.parse(text) as PluginRecord;
    if (typeof record.hash !== "string" || record.manifest?.name !== name) {
      throw new Error("it lacks the hash or the manifest of the plugin named in its file name");
    }
    return record;
  } catch (e) {
    throw corrupt(name, `${path} is not a plugin record (${(e as Error).message})`);
  }
}

/**
 * Whether plugin `name` is installed in `root`'s state (its record is there, damaged or not).
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const root = await pond.root();
 * if (!(await isInstalled(root, "shout"))) throw pluginNotFound("shout");
 * ```
 */
export async function isInstalled(root: ReadView, name: string): Promise<boolean> {
  return PLUGIN_NAME.test(name) && await root.exists(pluginPaths(name).record);
}

/**
 * The error for plugin `name` not being installed (`PluginNotFound`).
 *
 * @example
 * ```ts
 * throw pluginNotFound("shout");
 * ```
 */
export function pluginNotFound(name: string): PondError {
  return new PondError(
    "PluginNotFound",
    `no plugin named ${name} is installed; see 'pond plugin list', or add it with 'pond plugin add FILE'`,
  );
}

/**
 * Installed plugin `name` from `root`'s state, loaded with the permissions recorded as granted
 * and checked against its recorded hash: `PluginNotFound`, or `PluginCorrupt` when the source
 * is missing or is not the one that was added.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 * import type { PluginHost } from "../plugin_host/mod.ts";
 *
 * async function example(host: PluginHost) {
 *   const pond = await Pond.open("/data/pond");
 *   const root = await pond.root();
 *   const shout = await loadInstalled(root, "shout");
 *   const factory = host.directoryFactory(shout);
 * }
 * ```
 */
export async function loadInstalled(root: ReadView, name: string): Promise<PluginModule> {
  const record = await readRecord(root, name);
  const path = pluginPaths(name).source;
  let source: Uint8Array;
  try {
    source = await root.read(path);
  } catch (e) {
    if (isTinyFsError(e, "NotFound")) throw corrupt(name, `its source ${path} is missing`);
    throw e;
  }
  const plugin = await loadPlugin(source, { grants: record.granted, label: path });
  if (plugin.hash !== record.hash || plugin.manifest.name !== name) {
    throw corrupt(name, `${path} is not the source that was added (its hash differs)`);
  }
  return plugin;
}

/**
 * Writes `plugin` (loaded from `source`) into the pond through the transaction `root`: its
 * source and its record, new versions of the same files when it was installed before.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 * import { planAddition } from "./plugins.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const argv = Deno.args;
 * const root = await pond.root();
 * const bytes = await Deno.readFile("my_plugin.ts");
 * const { plugin } = await planAddition(root, bytes, "my_plugin.ts");
 * await pond.transact(argv, (root) => writePlugin(root, plugin, bytes, { net: [] }));
 * ```
 */
export async function writePlugin(
  root: WD,
  plugin: PluginModule,
  source: Uint8Array,
  granted: Grants,
): Promise<void> {
  const paths = pluginPaths(plugin.manifest.name);
  const record: PluginRecord = { hash: plugin.hash, granted, manifest: plugin.manifest };
  await root.write(paths.source, source, { parents: true });
  await root.write(paths.record, JSON.stringify(record, null, 2) + "\n", { parents: true });
}

/**
 * Removes installed plugin `name`'s files through the transaction `root` (their history stays).
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const argv = Deno.args;
 * await pond.transact(argv, (root) => deletePlugin(root, "shout"));
 * ```
 */
export async function deletePlugin(root: WD, name: string): Promise<void> {
  const paths = pluginPaths(name);
  await root.remove(paths.record);
  if (await root.exists(paths.source)) await root.remove(paths.source);
}

function corrupt(name: string, why: string): PondError {
  return new PondError(
    "PluginCorrupt",
    `installed plugin ${name} is damaged: ${why}; add it again with 'pond plugin add FILE'`,
  );
}
