/** What dynamic nodes need of a running plugin, and computing a file with its read(). */

import { tableToParquet } from "../table/mod.ts";
import { ArrowIpcError, type Column, tableFromIPC, tableToIPC } from "../table/mod.ts";
import { type ComputedCache, computedKey, throughCache } from "./computed_cache.ts";
import type { PluginConfig } from "./config.ts";
import { isPluginError, PluginError } from "./errors.ts";
import type { InputNode, Inputs } from "./inputs.ts";
import { Deadline, type TableLimits, tableLimits } from "./limits.ts";
import type { PluginModule } from "./plugin_module.ts";
import type { CallOptions, PluginOp, SandboxLimits } from "./sandbox_process.ts";
import { QueryReply, TableReply } from "./table_reply.ts";
import { parquetToTable } from "./table_parquet.ts";
import type { PluginEntry } from "./plugin_entries.ts";
import type { Recent } from "../tinyfs/mod.ts";
import type { RecentKeys } from "./recent_keys.ts";

/** A plugin, the limits it runs under, and a way to call it (its sandbox, started on first use and shared). */
export interface PluginRuntime {
  readonly plugin: PluginModule;
  readonly limits: Pick<SandboxLimits, "deadlineMs" | "memoryLimitMb">;
  /** Where its answers over stored inputs are kept, if anywhere (see `computedKey`). */
  readonly cache?: ComputedCache;
  /**
   * Directory entries recently checked, by their cache key (see `computedKey`): with a cache,
   * an unchanged directory is answered from here without reading the cache store.
   */
  readonly recentEntries?: Recent<readonly PluginEntry[]>;
  /** Cache keys recently made, by what determines them (see `RecentKeys`). */
  readonly recentKeys?: RecentKeys;
  /**
   * Calls `op`, within `options.deadline` when given (else the deadline from now); its
   * capabilities (`host.sql`) may read `options.inputs`.
   */
  call(op: PluginOp, request: unknown, options?: CallOptions): Promise<unknown>;
}

/** One file to compute: the node's path, the inputs of its config, and those read() is handed. */
export interface FileToCompute {
  /** The dynamic node's path, named when read() fails. */
  readonly path: string;
  /** Everything the config's globs matched: `matches`, and what `host.sql` may read. */
  readonly all: Inputs;
  /** The inputs handed to read() (with their contents, unless only `tables` fields matched them). */
  readonly files: readonly InputNode[];
}

/**
 * Computes the file at `file.path` with the plugin's `read({ config, args, inputs, matches },
 * host)`: the host reads each of `file.files` (through the reader's view, so loops are caught)
 * and hands over its match with its `bytes` and, for a table or series, its `table` too (an
 * Arrow IPC stream of its columns, a series' versions oldest first; `InvalidInput` when it is
 * not Parquet of flat columns, or more than the sandbox's table limits); a file only `tables`
 * fields matched goes as its match alone. `matches` is what every glob of the config matched, by field (as
 * entries() gets it), and `host.sql` may read any file among `file.all`. A failure of read()
 * names the plugin and the path. The reply must be a Uint8Array, a string (stored as UTF-8)
 * or a table (stored as Parquet; it crosses as Arrow IPC, checked here, within the same limits),
 * or the handle of a `host.sql` result kept for it (stored as the engine wrote it), else
 * `InvalidReply`. The host's work for the call — converting the inputs' tables, checking
 * and storing the reply — counts against the call's deadline (`Deadline`). With a cache on
 * `runtime`, a file computed over stored inputs only is kept under `computedKey` and read back
 * from it, with no sandbox started, until the plugin, the config, the args or an input changes;
 * `key` makes that key (default: {@link fileKey}; a directory hands one that remembers it).
 *
 * @example
 * ```ts
 * import type { PluginConfig } from "./config.ts";
 * import type { Inputs } from "./inputs.ts";
 *
 * async function example(runtime: PluginRuntime, config: PluginConfig, all: Inputs) {
 *   const files = [all.nodes.get("/in/a.csv")!];
 *   const bytes = await computeFile(runtime, config, { rows: 10 }, { path: "/views/a", all, files });
 * }
 * ```
 */
export function computeFile(
  runtime: PluginRuntime,
  config: PluginConfig,
  args: unknown,
  file: FileToCompute,
  key: () => Promise<string | undefined> = () => fileKey(runtime, config, args, file),
): Promise<Uint8Array> {
  return throughCache(
    runtime.cache,
    key,
    () => computeNow(runtime, config, args, file),
  );
}

/**
 * The key the file {@link computeFile} computes is kept under (see `computedKey`): equal
 * exactly while computing it again gives the same bytes; undefined when that cannot be known.
 *
 * @example
 * ```ts
 * import type { PluginConfig } from "./config.ts";
 * import type { Inputs } from "./inputs.ts";
 *
 * async function example(runtime: PluginRuntime, config: PluginConfig, all: Inputs) {
 *   const key = await fileKey(runtime, config, { rows: 10 }, { path: "/views/a", all, files: [] });
 * }
 * ```
 */
export function fileKey(
  runtime: PluginRuntime,
  config: PluginConfig,
  args: unknown,
  file: FileToCompute,
): Promise<string | undefined> {
  return computedKey(runtime.plugin, config, ["read", file.path, args ?? null], file.all);
}

/** The file computed by read() now (see {@link computeFile}). */
async function computeNow(
  runtime: PluginRuntime,
  config: PluginConfig,
  args: unknown,
  { path, all, files }: FileToCompute,
): Promise<Uint8Array> {
  const name = runtime.plugin.manifest.name;
  const deadline = new Deadline(runtime.limits.deadlineMs, name, "answer read()");
  const limits = tableLimits(runtime.limits.memoryLimitMb);
  const contents = await Promise.all(
    files.map(async (input) =>
      input.contents
        ? {
          ...input.match,
          bytes: await input.node.read(),
          ...(input.match.entryType === "file:table" || input.match.entryType === "file:series"
            ? { table: await tableInput(input, name, limits, deadline) }
            : {}),
        }
        : input.match
    ),
  );
  const reply = await runtime.call(
    "read",
    { config, args, inputs: contents, matches: all.matches },
    { deadline, inputs: all, path },
  );
  if (reply instanceof Uint8Array) return reply;
  if (reply instanceof QueryReply) return reply.parquet;
  if (typeof reply === "string") return new TextEncoder().encode(reply);
  if (reply instanceof TableReply) {
    let table: Column[];
    try {
      table = tableFromIPC(
        reply.ipc instanceof Uint8Array ? reply.ipc : new Uint8Array(0),
        limits.cells,
      );
    } catch (e) {
      if (!(e instanceof ArrowIpcError)) throw e;
      throw new PluginError(
        "InvalidReply",
        name,
        `plugin ${name}'s read() returned a table the host cannot read: ${e.message}`,
      );
    }
    deadline.check();
    const parquet = await tableToParquet(table);
    deadline.check();
    return parquet;
  }
  throw new PluginError(
    "InvalidReply",
    name,
    `plugin ${name}'s read() returned ${reply === null ? "null" : typeof reply}; ` +
      "return the file's content as a Uint8Array, a string, or a table (a list of columns)",
  );
}

/** A table or series input as an Arrow IPC stream: a series' versions joined, oldest first. */
async function tableInput(
  { node, match }: InputNode,
  plugin: string,
  limits: TableLimits,
  deadline: Deadline,
): Promise<Uint8Array> {
  const versions = match.entryType === "file:series"
    ? (await node.versions()).map((v) => v.version)
    : [undefined];
  try {
    const tables: Column[][] = [];
    let cells = 0;
    for (const version of versions) {
      const table = await parquetToTable(
        await node.read({ version }),
        limits,
        () => deadline.check(),
      );
      cells += table.reduce((n, column) => n + column.values.length, 0);
      if (cells > limits.cells) {
        throw new Error(`its versions hold more than ${limits.cells} cells, the limit`);
      }
      tables.push(table);
    }
    const ipc = tableToIPC(joinTables(tables));
    deadline.check();
    return ipc;
  } catch (e) {
    if (isPluginError(e)) throw e;
    throw new PluginError(
      "InvalidInput",
      plugin,
      `plugin ${plugin} cannot be handed ${match.path} as a table: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** Tables with the same columns, one after another. */
function joinTables(tables: readonly Column[][]): Column[] {
  const [first, ...rest] = tables;
  const shape = (t: readonly Column[]) => t.map((c) => `${c.name}: ${c.type}`).join(", ");
  const odd = rest.find((t) => shape(t) !== shape(first));
  if (odd) {
    throw new Error(`its versions have different columns (${shape(first)}; ${shape(odd)})`);
  }
  if (rest.length === 0) return first;
  return first.map((column, c) => ({
    ...column,
    values: tables.flatMap((t) => Array.from(t[c].values)),
  }));
}
