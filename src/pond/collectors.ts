/** Collector nodes: making one with its network grants, finding them, and running one into new series versions in one transaction. */
import { isPondError, PondError } from "../errors.ts";
import {
  type Collected,
  type CollectFailure,
  type CollectorState,
  encodeCollector,
  neededHosts,
  openCollector,
  parseConfig,
  type PluginModule,
  runCollector,
  type SandboxLimits,
  type SeriesState,
} from "../plugin_host/mod.ts";
import { tableToParquet } from "../table/mod.ts";
import { isTinyFsError, type ReadView, type WD } from "../tinyfs/mod.ts";
import { DynamicExists, type MadeDynamic } from "./dynamic_nodes.ts";
import { tryLockHostFile } from "./host_files.ts";
import type { PondStores } from "./layout.ts";
import { builtinModules, loadInstalled } from "./plugin_store.ts";
import { findPlugin } from "./plugins.ts";
import { type PluginUse, pluginUses, storedUse } from "./plugin_uses.ts";
import type { CollectorRecord, Pond } from "./pond.ts";

/** Where a run's saved state is kept, per collector node id. */
const STATE_DIR = "/.pond/collectors";

/** How to make a collector node. */
export interface MakeCollectorOptions {
  /** The `host[:port]`s its sandbox may reach: must cover every host its config's URLs name. */
  readonly net: readonly string[];
  /** Make missing parent directories. */
  readonly parents?: boolean;
  /** Replace a dynamic node already at the path. */
  readonly replace?: boolean;
  /** Recorded with the transaction. */
  readonly command: readonly string[];
}

/**
 * The network hosts collector `plugin`'s node with `config` (YAML or JSON, checked against
 * the plugin's schema: `InvalidConfig`) must be granted: the `host:port` of each URL in it,
 * defaults included. What `pond mknod` shows before asking. `PluginNotFound`, and
 * `KindNotProvided` when the plugin is not a collector.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const hosts = await collectorHosts(await pond.root(), "hydrovu", "client_id: a\n…");
 * ```
 */
export async function collectorHosts(
  root: ReadView,
  plugin: string,
  config: Uint8Array | string,
): Promise<string[]> {
  const module = await collectorPlugin(root, plugin);
  const bytes = typeof config === "string" ? new TextEncoder().encode(config) : config;
  const { name, config: schema } = module.manifest;
  return neededHosts(schema, await parseConfig(schema, bytes, name));
}

/**
 * Makes the node of collector `plugin` at `path`, in one transaction recording `command` (see
 * {@link createCollector}, which it runs).
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const config = await Deno.readTextFile("hydrovu.yaml");
 * await makeCollector(pond, "hydrovu", "/etc/hydrovu", config, {
 *   net: ["www.hydrovu.com:443"], parents: true, command: Deno.args,
 * });
 * ```
 */
export async function makeCollector(
  pond: Pond,
  plugin: string,
  path: string,
  config: Uint8Array | string,
  options: MakeCollectorOptions,
): Promise<MadeDynamic> {
  const { result: { made, replaced }, seq } = await pond.transact(
    options.command,
    (root) => createCollector(root, plugin, path, config, options),
  );
  return { made, replaced, seq };
}

/**
 * Makes the node of collector `plugin` at `path` through the transaction `root` (what
 * `pond apply` runs among its other documents): a dynamic file (reading it shows the plugin,
 * its hosts and its config) holding `config` as given — `${env:NAME}` references stay
 * references — and the hosts `options.net` grants it, which must cover what the config reaches
 * (`PermissionNotGranted` naming what to grant; {@link collectorHosts} says what that is). The
 * config is checked first (`InvalidConfig`); `PluginNotFound`, `KindNotProvided` for a plugin
 * that is not a collector. A dynamic node already at `path` is `DynamicExists` unless
 * `options.replace`; the same plugin, config and grants there already changes nothing (so a
 * setup applied twice commits once), and says so with `unchanged`.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const config = await Deno.readTextFile("hydrovu.yaml");
 * await pond.transact(["apply", "-f", "setup.yaml"], async (root) => {
 *   const net = await collectorHosts(root, "hydrovu", config); // shown, and confirmed
 *   await createCollector(root, "hydrovu", "/etc/hydrovu", config, { net, parents: true });
 * });
 * ```
 */
export async function createCollector(
  root: WD,
  plugin: string,
  path: string,
  config: Uint8Array | string,
  options: Omit<MakeCollectorOptions, "command">,
): Promise<Omit<MadeDynamic, "seq"> & { unchanged: boolean }> {
  const text = typeof config === "string" ? config : new TextDecoder().decode(config);
  const bytes = encodeCollector({ config: text, net: options.net });
  await openCollector(await collectorPlugin(root, plugin), bytes);
  const node = await storedAt(root, path);
  const replaced = node && await storedUse(node);
  const spec = await node?.dynamic();
  const made: PluginUse = { plugin, kind: "file", path };
  if (spec?.factory === plugin && equalBytes(spec.config, bytes)) {
    return { made, replaced: undefined, unchanged: true };
  }
  if (replaced && !options.replace) throw new DynamicExists(replaced);
  if (replaced) await root.remove(path);
  const created = await root.createDynamicFile(path, plugin, bytes, { parents: options.parents });
  return { made: { ...made, path: created.path }, replaced, unchanged: false };
}

/**
 * The collector nodes in `root`'s state, in path order.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * (await collectorNodes(await pond.root())).map((u) => u.path); // ["/etc/hydrovu"]
 * ```
 */
export async function collectorNodes(root: ReadView): Promise<PluginUse[]> {
  const uses = (await pluginUses(root)).filter((use) => use.kind === "file");
  const collectors: PluginUse[] = [];
  for (const use of uses) {
    if ((await collects(root, use.plugin)) === true) collectors.push(use);
  }
  return collectors.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** What one series got from a run. */
export interface RunSeries {
  readonly path: string;
  readonly rows: number;
  /** Its earliest and latest new event time, ms since the epoch. */
  readonly first: number;
  readonly last: number;
  /** The version the run wrote. */
  readonly version: number;
}

/** What running a collector did. */
export interface CollectorRun {
  readonly path: string;
  readonly plugin: string;
  readonly version: string;
  /** The transaction that committed it; null when it collected nothing new. */
  readonly seq: number | null;
  readonly series: RunSeries[];
  /** What it could not collect (each also committed nothing). */
  readonly failed: CollectFailure[];
}

/** How a run goes. */
export interface RunCollectorOptions {
  /** The environment `${env:NAME}` references are expanded from. */
  readonly env: (name: string) => string | undefined;
  readonly limits: SandboxLimits;
  /** Recorded with the transaction. */
  readonly command: readonly string[];
  /** Told when the plugin has answered (`collect`) and when its rows are committed (`commit`). */
  readonly onStage?: (stage: "collect" | "commit") => void;
}

/**
 * Runs the collector node at `path` once (`NotACollector` when it is not one): holding its
 * lock for the whole run (`CollectorBusy` when another run holds it), hands the plugin what
 * is stored — each series under its output with its newest event time, and the state the
 * last run committed — and commits what it returns in one transaction: a new version of each
 * series with rows (a `file:series`, timestamps µs UTC), its new state, and in the commit the
 * plugin, its version and what it wrote. A run that fails or is killed commits nothing, so its
 * cursor advances only with a commit. Failures it reports (a device that kept failing) are
 * returned beside what was committed.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const run = await runCollectorAt(pond, "/etc/hydrovu", {
 *   env: (name) => Deno.env.get(name),
 *   limits: { deadlineMs: 600_000, memoryLimitMb: 256 },
 *   command: Deno.args,
 * });
 * run.series.map((s) => `${s.path}: ${s.rows} rows`);
 * ```
 */
export async function runCollectorAt(
  pond: Pond,
  path: string,
  options: RunCollectorOptions,
): Promise<CollectorRun> {
  const { nodeId } = await (await collectorAt(await pond.root(), path)).node.metadata();
  using _lock = await collectorLock(pond.stores, nodeId!, path);
  // What another run committed before this one took the lock is what this one resumes from.
  await pond.store.refresh();
  const root = await pond.root();
  const { node, spec, module } = await collectorAt(root, path);
  const opened = await openCollector(module, spec.config);
  const statePath = `${STATE_DIR}/${(await node.metadata()).nodeId}.json`;
  const state = await storedState(root, opened.output, statePath);
  const collected = await runCollector(module, opened, {
    path: node.path,
    state,
    env: options.env,
    limits: options.limits,
  });
  options.onStage?.("collect");
  const { name, version } = module.manifest;
  const record: { collector: CollectorRecord } = {
    collector: {
      node: node.path,
      plugin: name,
      version,
      hash: module.hash,
      series: collected.series.map((s) => ({
        path: s.path,
        rows: s.rows,
        first: new Date(s.first).toISOString(),
        last: new Date(s.last).toISOString(),
      })),
    },
  };
  const bodies = await Promise.all(collected.series.map((s) => tableToParquet(s.table)));
  const { seq } = await pond.transact(
    options.command,
    (root) => commit(root, collected, bodies, statePath, state.saved),
    { record },
  );
  options.onStage?.("commit");
  const after = seq === null ? undefined : await pond.root({ seq });
  const series = await Promise.all(collected.series.map(async (s) => ({
    path: s.path,
    rows: s.rows,
    first: s.first,
    last: s.last,
    version: (await after!.metadata(s.path)).version,
  })));
  return { path: node.path, plugin: name, version, seq, series, failed: collected.failed };
}

/** The collector node at `path` in `root`'s state, its spec and its plugin: `NotACollector` else. */
async function collectorAt(root: ReadView, path: string) {
  const node = await storedAt(root, path);
  const spec = await node?.dynamic();
  const known = spec && await collects(root, spec.factory);
  if (known === undefined && spec) {
    throw new PondError(
      "PluginNotFound",
      `${path} is computed by plugin ${spec.factory}, which this pond no longer has; ` +
        "add it again with 'pond plugin add FILE'",
    );
  }
  if (!node || !spec || !known) {
    throw new PondError(
      "NotACollector",
      `${path} is not a collector node; make one with 'pond mknod PLUGIN ${path} --config FILE'`,
    );
  }
  return { node, spec, module: await pluginModule(root, spec.factory) };
}

/** Writes a run's series versions and its state through the transaction `root`. */
async function commit(
  root: WD,
  collected: Collected,
  bodies: readonly Uint8Array[],
  statePath: string,
  saved: unknown,
): Promise<void> {
  for (const [i, s] of collected.series.entries()) {
    const existing = await storedAt(root, s.path);
    if (existing && existing.entryType !== "file:series") {
      throw new PondError(
        "NotASeries",
        `${s.path} is a ${existing.entryType}, not a series, so the collector cannot append to it; ` +
          "move it away",
      );
    }
    await root.write(s.path, bodies[i], { entryType: "file:series", parents: true });
  }
  if (
    collected.state !== undefined && JSON.stringify(collected.state) !== JSON.stringify(saved)
  ) {
    await root.write(statePath, JSON.stringify(collected.state) + "\n", { parents: true });
  }
}

/** What run() is handed: every series under `output` with its newest event time, and the saved state. */
async function storedState(
  root: ReadView,
  output: string,
  statePath: string,
): Promise<CollectorState> {
  const series: Record<string, SeriesState> = {};
  const prefix = output === "/" ? "/" : `${output}/`;
  const matches = await root.glob(`${prefix}**/*.series`).catch((e) => {
    if (isTinyFsError(e, "NotFound") || isTinyFsError(e, "NotADirectory")) return [];
    throw e;
  });
  for (const { node } of matches) {
    if (node.entryType !== "file:series") continue;
    const versions = await node.versions();
    const newest = versions.reduce(
      (max: number | null, v) =>
        v.eventTimes && (max === null || v.eventTimes.max > max) ? v.eventTimes.max : max,
      null,
    );
    series[node.path.slice(prefix.length)] = { newest, versions: versions.length };
  }
  const saved = await root.exists(statePath)
    ? JSON.parse(new TextDecoder().decode(await root.read(statePath)))
    : null;
  return { series, saved };
}

/**
 * Holds the run lock of collector node `nodeId` (a file under the pond's `locks/`, locked
 * with the OS, so a killed run never leaves it held) until disposed. The lock is a host file:
 * no store holds an OS lock, so a pond with no host directory runs no collector.
 */
async function collectorLock(
  stores: PondStores,
  nodeId: string,
  path: string,
): Promise<Disposable> {
  if (!stores.host) {
    throw new PondError(
      "NotLocal",
      `collector ${path} cannot run on ${stores.location}: its run lock is a lock file, and this pond is not in a directory on this computer`,
    );
  }
  const lock = await tryLockHostFile(`${stores.host.locks}/collector-${nodeId}.lock`);
  if (!lock) {
    throw new PondError(
      "CollectorBusy",
      `collector ${path} is already running (another 'pond run' holds its lock); ` +
        "this run did nothing: wait for that one to finish",
    );
  }
  return lock;
}

/**
 * Whether plugin `name` is a collector, from its manifest as `root` records it (no source
 * loaded, so a damaged one is still known); undefined when the pond has no such plugin.
 */
async function collects(root: ReadView, name: string): Promise<boolean | undefined> {
  try {
    return (await findPlugin(root, name)).provides.includes("collector");
  } catch (e) {
    if (isPondError(e, "PluginNotFound")) return undefined;
    throw e;
  }
}

/** Plugin `name` as `root` has it (built in or installed), ready to run. */
async function pluginModule(root: ReadView, name: string): Promise<PluginModule> {
  const builtins = await builtinModules();
  return Object.hasOwn(builtins, name) ? builtins[name] : await loadInstalled(root, name);
}

/** Collector plugin `name`: `PluginNotFound`, or `KindNotProvided` when it collects nothing. */
async function collectorPlugin(root: ReadView, name: string): Promise<PluginModule> {
  await findPlugin(root, name);
  const module = await pluginModule(root, name);
  if (!module.manifest.provides.includes("collector")) {
    throw new PondError(
      "KindNotProvided",
      `plugin ${name} is not a collector (it provides ${
        module.manifest.provides.join(" and ")
      }); make its node as a dynamic directory or file (makeDynamic)`,
    );
  }
  return module;
}

/** The stored node at `path` (a symlink not followed), if any. */
async function storedAt(root: ReadView, path: string) {
  try {
    return await root.open(path, { follow: false });
  } catch (e) {
    if (isTinyFsError(e, "NotFound") || isTinyFsError(e, "NotADirectory")) return undefined;
    throw e;
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
