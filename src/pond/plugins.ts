/** A pond's plugins: adding, listing, describing and removing them — what `pond plugin` does. */
import { isPondError, PondError } from "../errors.ts";
import {
  type ConfigSchema,
  type Grants,
  inspectPlugin,
  loadPlugin,
  type Manifest,
  type Permissions,
  type PluginModule,
  type Provision,
} from "../plugin_host/mod.ts";
import type { ReadView } from "../tinyfs/mod.ts";
import type { Pond } from "./pond.ts";
import {
  builtinModules,
  deletePlugin,
  installedFiles,
  isInstalled,
  loadInstalled,
  pluginNotFound,
  pluginPaths,
  type PluginRecord,
  readRecord,
  writePlugin,
} from "./plugin_store.ts";
import { type PluginUse, pluginUses } from "./plugin_uses.ts";

/** One plugin a pond can use, as `pond plugin list` shows it. */
export interface PluginSummary {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly provides: readonly Provision[];
  /** Built into pond, rather than installed in the pond. */
  readonly builtin: boolean;
  /** SHA-256 of the plugin's source, in hex. */
  readonly hash: string;
  /** What its sandbox may reach: granted when it was added (none for built-ins). */
  readonly permissions: Permissions;
  readonly config: ConfigSchema;
  /** Where its source is in the pond; null for a built-in. */
  readonly source: string | null;
}

/** A plugin described in full: its summary, and every dynamic node that uses it. */
export interface PluginInfo extends PluginSummary {
  readonly uses: readonly PluginUse[];
}

/** What adding a plugin would do, checked before anything is asked or written. */
export interface PluginAddition {
  /** The plugin, loaded with every permission it asks for granted. */
  readonly plugin: PluginModule;
  /** The installed version it replaces, if any. */
  readonly replaces: PluginRecord | undefined;
  /** The same source is already installed: adding it changes nothing. */
  readonly unchanged: boolean;
}

/**
 * Every plugin `root`'s state can use: the built-ins, then the installed ones, each by name
 * (a record under a built-in's name is ignored, as it is when computing). `PluginCorrupt` when
 * an installed plugin's record is damaged.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * for (const p of await listPlugins(await pond.root())) console.log(p.name, p.version);
 * ```
 */
export async function listPlugins(root: ReadView): Promise<PluginSummary[]> {
  const modules = await builtinModules();
  const builtins = Object.values(modules).map(builtinSummary);
  const installed = await Promise.all(
    (await installedFiles(root)).filter(({ name }) => !Object.hasOwn(modules, name)).map(
      async ({ name }) => installedSummary(name, await readRecord(root, name)),
    ),
  );
  const byName = (a: PluginSummary, b: PluginSummary) => a.name.localeCompare(b.name);
  return [...builtins.sort(byName), ...installed];
}

/**
 * Plugin `name` in `root`'s state, with where it is used (see `pluginUses`):
 * `PluginNotFound` when it is neither built in nor installed.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const info = await pluginInfo(await pond.root(), "visit");
 * info.uses.map((u) => u.path); // ["/views/csv", "/sites/*\u002fsummary"]
 * ```
 */
export async function pluginInfo(root: ReadView, name: string): Promise<PluginInfo> {
  const summary = await findPlugin(root, name);
  const uses = (await pluginUses(root)).filter((use) => use.plugin === name);
  return { ...summary, uses };
}

/**
 * Plugin `name` as `root`'s state has it, built in or installed; `PluginNotFound` naming the
 * plugins there are.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const root = await pond.root();
 * (await findPlugin(root, "derived")).builtin; // true
 * ```
 */
export async function findPlugin(root: ReadView, name: string): Promise<PluginSummary> {
  const builtins = await builtinModules();
  if (Object.hasOwn(builtins, name)) return builtinSummary(builtins[name]);
  try {
    return installedSummary(name, await readRecord(root, name));
  } catch (e) {
    if (!isPondError(e, "PluginNotFound")) throw e;
    const known = (await listPlugins(root)).map((p) => p.name).join(", ");
    throw new PondError(
      "PluginNotFound",
      `there is no plugin named ${name} (there are ${known}); add one with 'pond plugin add FILE'`,
    );
  }
}

/**
 * Checks `source` as a plugin to add to `root`'s state, without running it or writing
 * anything: its code and manifest (`PluginError`s), a name that is not a built-in's
 * (`BuiltinPlugin`), and a version not older than the one installed (`PluginDowngrade`).
 * `label` names the source in errors.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const root = await pond.root();
 * const bytes = await Deno.readFile("my_plugin.ts");
 * const { plugin, replaces } = await planAddition(root, bytes, "my_plugin.ts");
 * plugin.manifest.permissions.net; // what the user is asked to grant
 * ```
 */
export async function planAddition(
  root: ReadView,
  source: Uint8Array,
  label: string,
): Promise<PluginAddition> {
  const plugin = await loadAll(source, label);
  const { name, version } = plugin.manifest;
  if (Object.hasOwn(await builtinModules(), name)) {
    throw new PondError(
      "BuiltinPlugin",
      `${label} is named ${name}, which is a built-in plugin; rename it in its manifest`,
    );
  }
  const replaces = await installedRecord(root, name);
  if (replaces && compareVersions(version, replaces.manifest.version) < 0) {
    throw new PondError(
      "PluginDowngrade",
      `plugin ${name} ${replaces.manifest.version} is installed, newer than ${version} in ${label}; ` +
        `to go back, remove it first ('pond plugin remove ${name}')`,
    );
  }
  const unchanged = replaces?.hash === plugin.hash && await intact(root, name);
  return { plugin, replaces, unchanged };
}

/**
 * Adds the plugin in `source` to the pond in one transaction recording `command`, allowing it
 * `grants` (what it asks for must be granted: `PermissionNotGranted`): its source and record
 * go to `/.pond/plugins/`, as new versions of the same files when it replaces an installed
 * version. Checked as {@link planAddition} does; the same source again changes nothing.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const bytes = await Deno.readFile("my_plugin.ts");
 * const { addition, seq } = await addPlugin(pond, bytes, {
 *   label: "my_plugin.ts", grants: { net: ["api.example.com"] }, command: Deno.args,
 * });
 * ```
 */
export async function addPlugin(
  pond: Pond,
  source: Uint8Array,
  options: { label: string; grants: Grants; command: readonly string[] },
): Promise<{ addition: PluginAddition; seq: number | null }> {
  const granted = await loadPlugin(source, { grants: options.grants, label: options.label });
  const { result, seq } = await pond.transact(options.command, async (root) => {
    const addition = await planAddition(root, source, options.label);
    if (!addition.unchanged) await writePlugin(root, granted, source, granted.permissions);
    return addition;
  });
  return { addition: result, seq };
}

/**
 * Removes installed plugin `name` from the pond in one transaction recording `command`. While
 * a dynamic node uses it, that is `PluginInUse` unless `force` (the nodes then fail to read
 * until it is added again). Its files' history, and every earlier state, stay readable.
 * `BuiltinPlugin` for a built-in, `PluginNotFound` when it is not installed.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const { uses } = await removePlugin(pond, "shout", { force: true, command: Deno.args });
 * ```
 */
export async function removePlugin(
  pond: Pond,
  name: string,
  options: { force?: boolean; command: readonly string[] },
): Promise<{ uses: PluginUse[]; seq: number | null }> {
  if (Object.hasOwn(await builtinModules(), name)) {
    throw new PondError("BuiltinPlugin", `${name} is a built-in plugin; it cannot be removed`);
  }
  const { result, seq } = await pond.transact(options.command, async (root) => {
    if (!(await isInstalled(root, name))) throw pluginNotFound(name);
    const uses = (await pluginUses(root)).filter((use) => use.plugin === name);
    if (uses.length > 0 && !options.force) {
      const named = uses.slice(0, 3).map((u) =>
        u.kind === "pattern" ? `pattern ${u.path}` : u.path
      );
      const more = uses.length > 3 ? ` and ${uses.length - 3} more` : "";
      throw new PondError(
        "PluginInUse",
        `plugin ${name} is used by ${named.join(", ")}${more}; remove those first ` +
          "(pond rm PATH, pond plugin unregister PATTERN), or pass --force to remove it anyway",
      );
    }
    await deletePlugin(root, name);
    return uses;
  });
  return { uses: result, seq };
}

/**
 * Orders two plugin versions (`1.2.3`, `1.2.3-beta.1`; build metadata after `+` is ignored):
 * negative when `a` is older, 0 when the same, positive when newer. A pre-release comes
 * before its release; pre-release tags compare as text.
 *
 * @example
 * ```ts
 * compareVersions("1.10.0", "1.9.2") > 0;     // true
 * compareVersions("2.0.0-rc.1", "2.0.0") < 0; // true
 * ```
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split("+")[0].split(/-(.*)/s);
    return { parts: core.split(".").map(Number), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    if (x.parts[i] !== y.parts[i]) return x.parts[i] - y.parts[i];
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/** The plugin in `source`, with everything its manifest asks for granted. */
async function loadAll(source: Uint8Array, label: string): Promise<PluginModule> {
  return loadPlugin(source, { grants: (await inspectPlugin(source, label)).permissions, label });
}

/** Whether installed plugin `name`'s source is the one its record names. */
async function intact(root: ReadView, name: string): Promise<boolean> {
  try {
    await loadInstalled(root, name);
    return true;
  } catch (e) {
    if (isPondError(e, "PluginCorrupt")) return false;
    throw e;
  }
}

/** The record of installed plugin `name`; undefined when it is not installed or damaged. */
async function installedRecord(root: ReadView, name: string): Promise<PluginRecord | undefined> {
  try {
    return await readRecord(root, name);
  } catch (e) {
    if (isPondError(e, "PluginNotFound") || isPondError(e, "PluginCorrupt")) return undefined;
    throw e;
  }
}

function builtinSummary(plugin: PluginModule): PluginSummary {
  return { ...fromManifest(plugin.manifest), builtin: true, hash: plugin.hash, source: null };
}

function installedSummary(name: string, record: PluginRecord): PluginSummary {
  return {
    ...fromManifest(record.manifest),
    builtin: false,
    hash: record.hash,
    permissions: { net: record.granted.net ?? [] },
    source: pluginPaths(name).source,
  };
}

function fromManifest(m: Manifest) {
  return {
    name: m.name,
    version: m.version,
    description: m.description,
    provides: m.provides,
    permissions: m.permissions,
    config: m.config,
  };
}
