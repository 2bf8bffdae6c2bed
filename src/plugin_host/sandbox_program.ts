/** The program inside each plugin's sandbox process (lockdown, then calls) and its message framing. */

// This module's text, with a call to `serve()`, is the sandbox's main module (a data: URL; see
// sandbox_bootstrap.ts), so it may import only Deno's built-in `node:` modules and the modules the
// bootstrap inlines as data: URLs: every file: URL is blocked there.
import { deserialize, Serializer } from "node:v8";
import { type Table, tableFromIPC, tableToIPC } from "../table/arrow_ipc.ts";

/** What a plugin function can throw back to the host, described. */
export interface FailureReport {
  readonly name: string;
  readonly message: string;
  /** Where in the plugin it was thrown, as `plugin.ts:line:column`, when known. */
  readonly at?: string;
  /** The plugin returned something that is not data (a function, a class instance…). */
  readonly malformed?: boolean;
}

/** A message the host sends: a call to the plugin, or the answer to a capability request. */
export type HostMessage =
  | { readonly kind: "call"; readonly id: number; readonly op: string; readonly request: unknown }
  | { readonly kind: "answer"; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: "answer"; readonly id: number; readonly ok: false; readonly error: string };

/** A message a (well-behaved) sandbox sends; the host checks every one. */
type SandboxMessage =
  | {
    readonly kind: "result";
    readonly id: number;
    readonly ok: true;
    readonly value: unknown;
    /** `value` is a table read() returned, as an Arrow IPC stream. */
    readonly table?: true;
  }
  | {
    readonly kind: "result";
    readonly id: number;
    readonly ok: false;
    readonly error: FailureReport;
  }
  | {
    readonly kind: "capability";
    readonly id: number;
    /** The call it is made in: its inputs are what the capability may read, its deadline bounds it. */
    readonly call: number;
    readonly name: string;
    readonly args: unknown;
  };

/** The functions the host may call in a plugin; `load` is the sandbox's own first step. */
const PLUGIN_OPS = new Set(["entries", "read", "run"]);

/**
 * The plugin is loaded under this media type (Deno reads it as TypeScript, like
 * `application/typescript`, which this program's own URL uses), so stack frames in the plugin
 * can be told apart even where Deno abbreviates long data: URLs.
 */
const PLUGIN_MEDIA_TYPE = "application/x-typescript";
const PLUGIN_FRAME = /data:application\/x-typescript,.*:(\d+):(\d+)\)?$/;

/**
 * Globals removed before the plugin loads: the Deno namespace and Node's `process` (the ways
 * to runtime internals), workers and shared memory, storage that outlives the process, the
 * dialogs that use the terminal (stdin and stdout carry the host's messages), and the
 * native-backed graphics no plugin needs (image decoding, canvases; WebGPU, whose driver code
 * runs with every permission denied, goes too: every `GPU…` global and `navigator.gpu`).
 * `eval` and the Function constructors are disabled by V8 itself
 * (`--disallow-code-generation-from-strings`, in every realm), and `WebAssembly` is absent
 * under `--jitless`.
 */
const REMOVED_GLOBALS = [
  "Deno",
  "process",
  "Buffer",
  "global",
  "require",
  "Worker",
  "SharedArrayBuffer",
  "Atomics",
  "WebAssembly",
  "caches",
  "localStorage",
  "sessionStorage",
  "BroadcastChannel",
  "alert",
  "confirm",
  "prompt",
  "createImageBitmap",
  "ImageBitmap",
  "ImageBitmapRenderingContext",
  "OffscreenCanvas",
];

/**
 * One message as a frame: its length (4 bytes, little-endian) and its V8 serialization
 * (structured clone: plain data, typed arrays, dates, bigints; never functions), serialized in
 * place behind the length, so a large byte payload is copied once, not twice.
 *
 * @example
 * ```ts
 * async function example(writer: WritableStreamDefaultWriter<Uint8Array>) {
 *   await writer.write(encodeFrame({ kind: "call", id: 1, op: "entries", request: {} }));
 * }
 * ```
 */
export function encodeFrame(message: unknown): Uint8Array {
  const serializer = new Serializer();
  serializer.writeRawBytes(new Uint8Array(4));
  serializer.writeHeader();
  serializer.writeValue(message);
  const frame: Uint8Array = serializer.releaseBuffer();
  new DataView(frame.buffer, frame.byteOffset, 4).setUint32(0, frame.length - 4, true);
  return frame;
}

/**
 * The messages framed by {@link encodeFrame} in `stream`, in order. Throws when a frame says it
 * is longer than `maxBytes`, cannot be decoded, or the stream ends inside one.
 *
 * @example
 * ```ts
 * async function example(child: Deno.ChildProcess) {
 *   for await (const message of readFrames(child.stdout, 64 << 20)) console.log(message);
 * }
 * ```
 */
export async function* readFrames(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): AsyncGenerator<unknown> {
  let chunks: Uint8Array[] = [];
  let size = 0;
  let length: number | undefined;
  /** Joins the buffered chunks into one (done once per frame, when all of it is in). */
  const flatten = (): Uint8Array => {
    if (chunks.length > 1) {
      const whole = new Uint8Array(size);
      let at = 0;
      for (const chunk of chunks) {
        whole.set(chunk, at);
        at += chunk.length;
      }
      chunks = [whole];
    }
    return chunks[0];
  };
  for await (const chunk of stream) {
    chunks.push(chunk);
    size += chunk.length;
    while (true) {
      if (length === undefined && size >= 4) {
        const head = chunks[0].length >= 4 ? chunks[0] : flatten();
        length = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
        if (length > maxBytes) {
          throw new Error(`a message of ${length} bytes, over the limit of ${maxBytes}`);
        }
      }
      if (length === undefined || size < 4 + length) break;
      const whole = flatten();
      const body = whole.subarray(4, 4 + length);
      const rest = whole.subarray(4 + length);
      chunks = rest.length > 0 ? [rest] : [];
      size = rest.length;
      length = undefined;
      let message: unknown;
      try {
        message = deserialize(body);
      } catch (e) {
        throw new Error(`a message that does not decode (${e})`);
      }
      yield message;
    }
  }
  if (size > 0) throw new Error("a message cut short when the stream ended");
}

/**
 * Fills a name template with a match's captures: `$0` is the first capture, `$1` the second,
 * and so on; `$$` is a `$`. A capture the match does not have is an error.
 *
 * @example
 * ```ts
 * expandName("$0_$1.csv", ["north", "2024"]); // "north_2024.csv"
 * ```
 */
export function expandName(template: string, captures: readonly string[]): string {
  return template.replace(/\$(\$|\d+)/g, (_, token: string) => {
    if (token === "$") return "$";
    const index = Number(token);
    if (index >= captures.length) {
      throw new Error(
        `name template "${template}" uses $${index}, but the match has ${captures.length} capture(s)`,
      );
    }
    return captures[index];
  });
}

/**
 * The column types `encodeParquet` took by their Parquet names before tables crossed as Arrow
 * IPC; plugins written then keep working.
 */
const PARQUET_TYPE_NAMES: Readonly<Record<string, string>> = {
  BOOLEAN: "bool",
  INT32: "int32",
  INT64: "int64",
  FLOAT: "float32",
  DOUBLE: "float64",
  STRING: "utf8",
  JSON: "utf8",
  TIMESTAMP: "timestamp[ms]",
};

/** `table` with its columns' Parquet type names read as column types (JSON values as text). */
function withColumnTypes(table: Table): Table {
  if (!Array.isArray(table)) return table;
  return table.map((column) => {
    const type = PARQUET_TYPE_NAMES[column?.type as string];
    if (!type) return column;
    const values = column.type === "JSON"
      ? Array.from(column.values, (v) => v == null || typeof v === "string" ? v : JSON.stringify(v))
      : column.values;
    return { ...column, type, values } as Table[number];
  });
}

/**
 * The tables of a `host.sql` query as paths: each name's input (a match the plugin was handed,
 * or its path) or list of them, or a kept query `{ kept, of, columns?, fold? }` (its input as a path). The host
 * checks each path is one of the call's inputs.
 *
 * @example
 * ```ts
 * tablePaths({ r: [{ path: "/a.series" }, "/b.series"] }); // { r: ["/a.series", "/b.series"] }
 * ```
 */
export function tablePaths(
  tables: Record<string, unknown>,
): Record<string, string[] | { kept: unknown; of: string; columns?: unknown; fold?: unknown }> {
  if (typeof tables !== "object" || tables === null || Array.isArray(tables)) {
    throw new Error("host.sql(query, tables): tables maps SQL names to inputs, like { r: input }");
  }
  const path = (input: unknown): string => {
    const found = typeof input === "string" ? input : (input as { path?: unknown })?.path;
    if (typeof found !== "string") {
      throw new Error("host.sql: a table's input is a match the plugin was handed, or its path");
    }
    return found;
  };
  return Object.fromEntries(
    Object.entries(tables).map(([name, inputs]) => {
      if (Array.isArray(inputs)) return [name, inputs.map(path)];
      const { kept, of, columns, fold } = (inputs ?? {}) as {
        kept?: unknown;
        of?: unknown;
        columns?: unknown;
        fold?: unknown;
      };
      if (kept !== undefined) {
        return [name, {
          kept,
          of: path(of),
          ...(columns !== undefined && { columns }),
          ...(fold !== undefined && { fold }),
        }];
      }
      return [name, [path(inputs)]];
    }),
  );
}

/**
 * The inputs of a read() request with each table input (an Arrow IPC stream from the host) read
 * into columns when the plugin first looks at it.
 */
function readTablesLazily(request: unknown): unknown {
  const inputs = (request as { inputs?: unknown })?.inputs;
  for (const input of Array.isArray(inputs) ? inputs : []) {
    const ipc = input?.table;
    if (!(ipc instanceof Uint8Array)) continue;
    let table: Table | undefined;
    Object.defineProperty(input, "table", {
      get: () => (table ??= tableFromIPC(ipc)),
      enumerable: true,
      configurable: true,
    });
  }
  return request;
}

/**
 * A collector's run() reply with each series' `table` (a list of columns) written as an Arrow
 * IPC stream, the one form tables cross the boundary in; the host checks the rest.
 *
 * @example
 * ```ts
 * seriesAsIPC({ series: [{ path: "a.series", table: [{ name: "v", values: [1] }] }] });
 * ```
 */
export function seriesAsIPC(reply: unknown): unknown {
  const series = (reply as { series?: unknown })?.series;
  if (!Array.isArray(series)) return reply;
  return {
    ...(reply as Record<string, unknown>),
    series: series.map((item) =>
      Array.isArray(item?.table) ? { ...item, table: tableToIPC(item.table as Table) } : item
    ),
  };
}

/** Removes {@link REMOVED_GLOBALS} and sends console output meant for stdout to stderr. */
function lockdown(): void {
  const scope = globalThis as Record<string, unknown>;
  const gpu = Object.getOwnPropertyNames(scope).filter((name) => name.startsWith("GPU"));
  for (const name of [...REMOVED_GLOBALS, ...gpu]) {
    delete scope[name];
    if (name in scope) throw new Error(`the sandbox could not remove the global ${name}`);
  }
  delete (Object.getPrototypeOf(navigator) as Record<string, unknown>).gpu;
  if ("gpu" in navigator) throw new Error("the sandbox could not remove navigator.gpu");
  const toStderr = console.error.bind(console);
  for (const method of ["log", "info", "debug", "dir", "dirxml", "table"] as const) {
    console[method] = toStderr;
  }
}

function report(e: unknown, name: string): FailureReport {
  if (!(e instanceof Error)) return { name: "Error", message: String(e) };
  const position = e.stack?.split("\n").map((line) => PLUGIN_FRAME.exec(line)).find((m) => m);
  return {
    name: e.name,
    message: e.message,
    ...(position ? { at: `${name}.ts:${position[1]}:${position[2]}` } : {}),
  };
}

/**
 * Serves the host over stdin/stdout: loads the plugin when asked, then runs its calls,
 * concurrently, until stdin closes — then exits, whatever the plugin left running (timers,
 * calls that never end), so a sandbox never outlives its pond. Only ever run as the sandbox's main module (the host appends
 * the call to this file's text); it removes globals the host needs.
 *
 * @example
 * ```ts
 * await serve();
 * ```
 */
export async function serve(): Promise<void> {
  const input = Deno.stdin.readable;
  const writer = Deno.stdout.writable.getWriter();
  const exit = Deno.exit;
  lockdown();
  const send = (message: SandboxMessage): void => {
    writer.write(encodeFrame(message)).catch(() => exit(0));
  };
  let plugin: Record<string, unknown> | undefined;
  let pluginName: string | undefined;
  let nextCapability = 0;
  const capabilities = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  /** The plugin's `host` object for call `call`: its capabilities are asked for in that call. */
  const hostFor = (call: number) => {
    const capability = (name: string, args: unknown): Promise<unknown> =>
      new Promise((resolve, reject) => {
        const id = nextCapability++;
        capabilities.set(id, { resolve, reject });
        send({ kind: "capability", id, call, name, args });
      });
    return Object.freeze({
      expand: expandName,
      tableFromIPC,
      tableToIPC,
      encodeParquet: (table: Table) =>
        capability("encodeParquet", tableToIPC(withColumnTypes(table))),
      decodeParquet: async (bytes: Uint8Array) =>
        tableFromIPC(await capability("decodeParquet", bytes) as Uint8Array),
      sql: async (
        query: string,
        tables: Record<string, unknown>,
        options?: { reply?: boolean; also?: string[] },
      ) => {
        const reply = options?.reply === true;
        const also = options?.also ?? [];
        const answer = await capability("sql", { query, tables: tablePaths(tables), reply, also });
        if (!reply) return tableFromIPC(answer as Uint8Array);
        // What each kept table naming columns took, those read; the handle alone is read()'s answer.
        const { hostResult, kept } = answer as {
          hostResult: number;
          kept: Record<string, { versions: number; computed: number[]; table?: Uint8Array }>;
        };
        if (Object.keys(kept).length === 0) return Object.freeze({ hostResult });
        const work = Object.fromEntries(
          Object.entries(kept).map(([name, w]) => [
            name,
            { ...w, table: w.table ? tableFromIPC(w.table) : [] },
          ]),
        );
        return Object.freeze({ hostResult, kept: work });
      },
      refresh: async (
        requests: { query: string; tables: Record<string, unknown>; also?: string[] }[],
      ) => {
        if (!Array.isArray(requests)) {
          throw new Error("host.refresh(requests): a list of { query, tables, also }");
        }
        const answer = await capability(
          "refresh",
          requests.map(({ query, tables, also = [] }) => ({
            query,
            tables: tablePaths(tables),
            also,
          })),
        ) as (
          | Record<string, { versions: number; computed: number[]; table?: Uint8Array }>
          | null
        )[];
        // What each request's kept tables took, their columns as tables; null: it did not run.
        return answer.map((kept) =>
          kept && Object.fromEntries(
            Object.entries(kept).map(([name, w]) => [
              name,
              { ...w, table: w.table ? tableFromIPC(w.table) : [] },
            ]),
          )
        );
      },
      keep: async (query: string, input: unknown, columns: string[] = []) => {
        const [of] = tablePaths({ of: input }).of as string[];
        const done = await capability("keep", { kept: query, of, columns }) as {
          versions: number;
          computed: number[];
          table?: Uint8Array;
        };
        return { ...done, table: done.table ? tableFromIPC(done.table) : [] };
      },
    });
  };

  const load = async (request: { name: string; source: string }): Promise<void> => {
    if (pluginName !== undefined) throw new Error("the plugin is already loaded");
    pluginName = request.name;
    plugin = await import(`data:${PLUGIN_MEDIA_TYPE},${encodeURIComponent(request.source)}`);
  };
  const invoke = (id: number, op: string, request: unknown): unknown => {
    if (op === "load") return load(request as { name: string; source: string });
    if (!PLUGIN_OPS.has(op)) throw new Error(`the host asked for an unknown operation ${op}`);
    const fn = plugin?.[op];
    if (typeof fn !== "function") throw new Error(`the plugin does not export a function ${op}`);
    return fn(op === "read" ? readTablesLazily(request) : request, hostFor(id));
  };
  const handle = async (id: number, op: string, request: unknown): Promise<void> => {
    let value: unknown;
    let table = false;
    try {
      value = await invoke(id, op, request);
      table = op === "read" && Array.isArray(value);
      if (table) value = tableToIPC(value as Table);
      if (op === "run") value = seriesAsIPC(value);
    } catch (e) {
      send({ kind: "result", id, ok: false, error: report(e, pluginName ?? "plugin") });
      return;
    }
    try {
      send({ kind: "result", id, ok: true, value, ...(table ? { table: true as const } : {}) });
    } catch (e) {
      const error = { ...report(e, pluginName ?? "plugin"), malformed: true };
      send({ kind: "result", id, ok: false, error });
    }
  };

  try {
    for await (const frame of readFrames(input, Infinity)) {
      const message = frame as HostMessage;
      if (message.kind === "call") {
        handle(message.id, message.op, message.request);
      } else {
        const waiting = capabilities.get(message.id);
        capabilities.delete(message.id);
        if (message.ok) waiting?.resolve(message.value);
        else waiting?.reject(new Error(message.error));
      }
    }
  } finally {
    exit(0);
  }
}
