/** Running a collector once: its sandbox granted only its node's hosts, its secrets expanded for the run, its reply checked as untrusted. */

import { ArrowIpcError, type Column, tableFromIPC } from "../table/mod.ts";
import type { OpenedCollector } from "./collector_node.ts";
import { expandSecrets } from "./collector_secrets.ts";
import { isPluginError, PluginError } from "./errors.ts";
import { Deadline, reportText, tableLimits } from "./limits.ts";
import type { PluginModule } from "./plugin_module.ts";
import type { SandboxLimits } from "./sandbox_process.ts";
import { nameProblem } from "../tinyfs/mod.ts";

/** What the host knows of one series under the collector's output, handed to run() as its state. */
export interface SeriesState {
  /** Its newest event time over every version (ms since the epoch), null without rows. */
  readonly newest: number | null;
  readonly versions: number;
}

/** What run() is handed besides its config: what is stored, so its cursor comes from commits only. */
export interface CollectorState {
  /** Each series under the output, by path relative to it (`devices/1/a.series`). */
  readonly series: Readonly<Record<string, SeriesState>>;
  /** What the last committed run returned as its `state` (null before any). */
  readonly saved: unknown;
}

/** One series' new rows, checked. */
export interface CollectedSeries {
  /** The absolute pond path, under the collector's output. */
  readonly path: string;
  /** Its columns; the first is the time column, a timestamp without nulls. */
  readonly table: Column[];
  readonly rows: number;
  /** The earliest and latest event time among the rows (ms since the epoch). */
  readonly first: number;
  readonly last: number;
}

/** Something the collector could not collect (a device that kept failing), redacted. */
export interface CollectFailure {
  readonly what: string;
  readonly message: string;
}

/** What one run returned, checked: series to append (only those with rows), its state, its failures. */
export interface Collected {
  readonly series: CollectedSeries[];
  /** Its new state (plain JSON data), or undefined to keep the saved one. */
  readonly state: unknown;
  readonly failed: CollectFailure[];
}

/** How one run goes. */
export interface RunOptions {
  /** The collector node's path, named in errors. */
  readonly path: string;
  readonly state: CollectorState;
  /** The environment `${env:NAME}` references are expanded from. */
  readonly env: (name: string) => string | undefined;
  readonly limits: SandboxLimits;
}

/** The most a run's saved state may hold, as JSON text. */
const STATE_LIMIT = 1 << 20;
/** The most failures one run may report. */
const FAILURE_LIMIT = 1000;

/**
 * Runs collector `plugin` once over `node`: its config's `${env:NAME}` references expanded
 * (for this run only), its sandbox started afresh with network access to the node's granted
 * hosts and nothing else, `run({ config, state, output }, host)` called within
 * `limits.deadlineMs`. The reply, `{ series: [{ path, table }], state?, failed? }`, is checked
 * as untrusted: paths relative to the output, distinct, each component a valid name, ending in
 * `.series`; each table a list of columns whose first is a timestamp without nulls (any unit;
 * stored as µs UTC), within the sandbox's table limits together; no expanded secret in a path,
 * a column name, a text value or the state, which would be stored. Every message — errors,
 * failures, what the plugin prints — has the expanded secrets replaced by their references.
 * Errors: as `Sandbox.call`, and `InvalidReply`.
 *
 * @example
 * ```ts
 * import { builtinPlugins } from "./builtin.ts";
 * import { encodeCollector, openCollector } from "./collector_node.ts";
 *
 * const { hydrovu } = await builtinPlugins();
 * const config = "hydrovu_path: /hydrovu\nclient_id: a\nclient_secret: ${env:KEY}\n" +
 *   "devices: [{ name: north, id: 1 }]\napi_url: http://127.0.0.1:8080/\n";
 * const node = await openCollector(hydrovu, encodeCollector({ config, net: ["127.0.0.1:8080"] }));
 * const collected = await runCollector(hydrovu, node, {
 *   path: "/etc/hydrovu",
 *   state: { series: {}, saved: null },
 *   env: (name) => Deno.env.get(name),
 *   limits: { deadlineMs: 60_000, memoryLimitMb: 256 },
 * });
 * ```
 */
export async function runCollector(
  plugin: PluginModule,
  node: OpenedCollector,
  options: RunOptions,
): Promise<Collected> {
  const name = plugin.manifest.name;
  const { config, redact } = expandSecrets(node.checked, options.env, name);
  const granted = { ...plugin, permissions: { net: [...plugin.permissions.net, ...node.net] } };
  const onOutput = options.limits.onOutput;
  const limits = {
    ...options.limits,
    onOutput: onOutput && ((p: string, text: string) => onOutput(p, redact(text))),
  };
  const { Sandbox } = await import("./sandbox_process.ts");
  const sandbox = new Sandbox(granted, limits);
  const deadline = new Deadline(limits.deadlineMs, name, "finish run()");
  try {
    const reply = await sandbox.call(
      "run",
      { config, state: options.state, output: node.output },
      { deadline, path: options.path },
    );
    return checkReply(reply, node.output, name, limits.memoryLimitMb, redact);
  } catch (e) {
    if (!isPluginError(e)) throw e;
    throw new PluginError(e.code, e.plugin, redact(e.message));
  } finally {
    await sandbox.close();
  }
}

function checkReply(
  reply: unknown,
  output: string,
  plugin: string,
  memoryLimitMb: number,
  redact: (text: string) => string,
): Collected {
  const bad = (what: string) =>
    new PluginError("InvalidReply", plugin, `plugin ${plugin}'s run() ${what}`);
  const r = reply as { series?: unknown; state?: unknown; failed?: unknown };
  if (typeof reply !== "object" || reply === null || !Array.isArray(r.series)) {
    throw bad("must return { series: [{ path, table }], state?, failed? }");
  }
  /** Refuses to store `text` where it holds an expanded secret. */
  const noSecret = (text: string, where: string) => {
    if (redact(text) !== text) {
      throw bad(`${where} holds the value of a \${env:…} reference; a collector must not store it`);
    }
  };
  let cells = tableLimits(memoryLimitMb).cells;
  const seen = new Set<string>();
  const series: CollectedSeries[] = [];
  for (const [i, item] of r.series.entries()) {
    const path = seriesPath(item?.path, output, (m) => bad(`series ${i}: ${m}`));
    noSecret(path, `series ${i}: its path`);
    if (seen.has(path)) throw bad(`returned ${path} twice; return each series once`);
    seen.add(path);
    if (!(item.table instanceof Uint8Array)) {
      throw bad(`series ${i}: table must be a list of columns`);
    }
    let table: Column[];
    try {
      table = tableFromIPC(item.table, cells);
    } catch (e) {
      if (!(e instanceof ArrowIpcError)) throw e;
      throw bad(`returned a table the host cannot read for ${path}: ${e.message}`);
    }
    cells -= table.reduce((n, column) => n + column.values.length, 0);
    for (const column of table) {
      noSecret(column.name, `series ${path}: a column name`);
      if (column.type !== "utf8") continue;
      for (const value of Array.from(column.values)) {
        if (typeof value === "string") noSecret(value, `series ${path}: column ${column.name}`);
      }
    }
    const checked = timeRange(table, (m) => bad(`series ${path}: ${m}`));
    if (checked.rows > 0) series.push({ path, table, ...checked });
  }
  const stateText = r.state === undefined ? undefined : checkState(r.state, bad);
  if (stateText !== undefined) noSecret(stateText, "its state");
  const state = stateText === undefined ? undefined : JSON.parse(stateText);
  return { series, state, failed: failures(r.failed, bad, redact) };
}

/** The absolute path of a series a collector returned, checked to be beneath `output`. */
function seriesPath(path: unknown, output: string, bad: (m: string) => PluginError): string {
  if (typeof path !== "string" || path.startsWith("/") || !path.endsWith(".series")) {
    throw bad(
      `path ${JSON.stringify(path)} must be relative to the output (${output}), ending in .series`,
    );
  }
  const problem = path.split("/").map(nameProblem).find((p) => p !== undefined);
  if (problem) throw bad(`path ${JSON.stringify(path)} holds ${problem}`);
  return `${output === "/" ? "" : output}/${path}`;
}

/** A table's rows and the range of its first column, which must be a timestamp without nulls. */
function timeRange(
  table: readonly Column[],
  bad: (m: string) => PluginError,
): { rows: number; first: number; last: number } {
  const time = table[0];
  const unit = /^timestamp\[(s|ms|us|ns)/.exec(time?.type ?? "")?.[1];
  if (!time || !unit) throw bad("its first column must be the time column, a timestamp");
  const names = new Set(table.map((c) => c.name));
  if (names.size !== table.length || names.has("")) {
    throw bad("its columns must have distinct, non-empty names");
  }
  const perMs = { s: 1e-3, ms: 1, us: 1e3, ns: 1e6 }[unit as "s" | "ms" | "us" | "ns"];
  let first = Infinity, last = -Infinity;
  for (let i = 0; i < time.values.length; i++) {
    const v = time.values[i];
    if (typeof v !== "bigint") throw bad(`its time column ${time.name} has a null at row ${i}`);
    const ms = Number(v) / perMs;
    if (ms < first) first = ms;
    if (ms > last) last = ms;
  }
  return { rows: time.values.length, first, last };
}

function checkState(state: unknown, bad: (m: string) => PluginError): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(state);
  } catch {
    text = undefined;
  }
  if (text === undefined) throw bad("returned a state that is not JSON data");
  if (text.length > STATE_LIMIT) {
    throw bad(`returned a state of ${text.length} characters, over the limit of ${STATE_LIMIT}`);
  }
  return text;
}

function failures(
  failed: unknown,
  bad: (m: string) => PluginError,
  redact: (text: string) => string,
): CollectFailure[] {
  if (failed === undefined) return [];
  if (!Array.isArray(failed) || failed.length > FAILURE_LIMIT) {
    throw bad(`failed must be a list of at most ${FAILURE_LIMIT} { what, message }`);
  }
  const text = (v: unknown) => reportText(redact(String(v)));
  return failed.map((f) => ({ what: text(f?.what), message: text(f?.message) }));
}
