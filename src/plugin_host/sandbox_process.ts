/** One plugin's sandbox, host side: a locked-down Deno subprocess, the calls in flight to it, and its end. */

import { runCapability } from "./capabilities.ts";
import type { CapabilityContext } from "./capability_context.ts";
import type { ComputedCache } from "./computed_cache.ts";
import { isPluginError, PluginError } from "./errors.ts";
import type { Inputs } from "./inputs.ts";
import { Deadline, reportText, tableLimits } from "./limits.ts";
import { permissionFlags } from "./permissions.ts";
import type { PluginModule } from "./plugin_module.ts";
import { sandboxMainModule } from "./sandbox_bootstrap.ts";
import { QueryReply, TableReply } from "./table_reply.ts";
import { atProcessEnd } from "../process_end.ts";
import type { SqlPort } from "./sql_port.ts";
import {
  encodeFrame,
  type FailureReport,
  type HostMessage,
  readFrames,
} from "./sandbox_program.ts";

/** How far a sandbox may go. */
export interface SandboxLimits {
  /** How long one call (and the plugin's loading) may take before the sandbox is killed, in ms. */
  readonly deadlineMs: number;
  /** Memory cap in MiB: V8's heap limit, and the process's data limit where `ulimit -d` works. */
  readonly memoryLimitMb: number;
  /** Receives what the plugin prints (console output goes to its stderr), as it arrives. */
  readonly onOutput?: (plugin: string, text: string) => void;
}

/** The operations the host calls in a plugin. */
export type PluginOp = "entries" | "read" | "run";

/** What one call runs under, beyond its request. */
export interface CallOptions {
  /** Its deadline (default: the sandbox's deadline from now). */
  readonly deadline?: Deadline;
  /** What its capabilities (`host.sql`) may read: the inputs it was handed. */
  readonly inputs?: Inputs;
  /** The node it computes, named when it fails. */
  readonly path?: string;
}

/**
 * The sandbox's import map: every file: URL resolves to a scheme no loader serves. Module
 * loading ignores Deno's permissions, so this is what keeps host files out of `import`.
 */
const IMPORT_MAP = `data:application/json,${
  encodeURIComponent(JSON.stringify({ imports: { "file:///": "pond-denied:/" } }))
}`;
/** The sandbox's main module (see `sandbox_bootstrap.ts`). */
const PROGRAM_URL = sandboxMainModule();
/** What the Deno runtime itself needs beyond the plugin's heap (measured: about 32 MiB). */
const RUNTIME_HEADROOM_MB = 64;
/**
 * CPU seconds one sandbox may use in all (`ulimit -t`). Deadlines are the host's timers, so a
 * sandbox left spinning when the host itself is killed (SIGKILL gives it no chance to clean up)
 * would spin forever; this bounds such an orphan. A command that really needs more in one
 * plugin sees the call in flight fail as `Crashed` (the kernel kills the process).
 */
const CPU_LIMIT_S = 600;
/** How much of the sandbox's stderr is kept to explain its end. */
const STDERR_TAIL = 4000;
const OUT_OF_MEMORY = /out of memory|memory allocation of \d+ bytes failed/i;
/** Capability requests one sandbox may have waiting at once; more is a misbehaving sandbox. */
const MAX_CAPABILITIES_WAITING = 64;

interface Pending {
  readonly op: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: PluginError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly deadline: Deadline;
  /** What the call's capabilities may read: the inputs it was handed. */
  readonly inputs?: Inputs;
  /** The node it computes. */
  readonly path?: string;
  /**
   * The call's capability requests, served one after another. Per call, not per sandbox: a
   * capability may read a dynamic input this plugin computes, a nested call of the same
   * sandbox whose own capabilities must not wait behind it.
   */
  capabilities: Promise<void>;
  /** Query results kept for the call's answer (`host.sql(…, { reply: true })`), by handle. */
  readonly replies: Uint8Array[];
}

/**
 * Has the sandbox process `child` end with pond, however pond ends (see `atProcessEnd`): it is
 * killed and its Deno cache directory removed first. If pond is killed outright, the sandbox
 * exits when its stdin closes (its cache, in the temporary directory, is then left behind).
 * Returns what to call once the sandbox has ended by itself.
 */
function endWithPond(child: Deno.ChildProcess, denoDir: string): () => void {
  return atProcessEnd(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // It has already exited.
    }
    Deno.removeSync(denoDir, { recursive: true });
  });
}

/**
 * A running sandbox for one plugin: a `deno run --no-prompt` subprocess with every permission
 * denied but the plugin's granted network hosts, JIT and code generation from strings off, a
 * heap limit and a data limit, no environment, and file: imports blocked. Its main module is
 * `sandbox_program.ts`, which removes the globals reaching Deno's internals before it loads
 * the plugin. Calls travel as frames over stdin/stdout; each must be answered within the
 * deadline, else the process is killed (SIGKILL) and every call in flight fails.
 *
 * @example
 * ```ts
 * import type { PluginModule } from "./plugin_module.ts";
 * import type { PluginConfig } from "./config.ts";
 * import type { Inputs } from "./inputs.ts";
 *
 * async function example(plugin: PluginModule, config: PluginConfig, inputs: Inputs) {
 *   const sandbox = new Sandbox(plugin, { deadlineMs: 5000, memoryLimitMb: 256 });
 *   const entries = await sandbox.call("entries", { config, inputs });
 *   await sandbox.close();
 * }
 * ```
 */
export class Sandbox {
  readonly #name: string;
  readonly #limits: SandboxLimits;
  readonly #sql: SqlPort | undefined;
  readonly #kept: CapabilityContext["kept"];
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #pending = new Map<number, Pending>();
  #capabilitiesWaiting = 0;
  readonly #loaded: Promise<unknown>;
  readonly #ended: Promise<void>;
  #nextId = 0;
  #stopped: PluginError | undefined;
  #stderr = "";

  /** Where this sandbox's Deno keeps its module cache: its own, removed when it ends. */
  readonly #denoDir: string;
  /** Stops pond's end from killing this sandbox, once it has ended by itself (see `endWithPond`). */
  readonly #unlinkFromPond: () => void;

  /**
   * Starts the sandbox and has it load `plugin`, its `host.sql` run by `sql` (when given) and
   * `host.keep` keeping results in `cache` (when given); `Crashed` if the process cannot start.
   */
  constructor(plugin: PluginModule, limits: SandboxLimits, sql?: SqlPort, cache?: ComputedCache) {
    this.#name = plugin.manifest.name;
    this.#limits = limits;
    this.#sql = sql;
    this.#kept = cache && { cache, plugin: plugin.hash };
    let denoDir: string | undefined;
    try {
      denoDir = Deno.makeTempDirSync({ prefix: "pond-sandbox-" });
      this.#child = spawn(plugin, limits, denoDir);
      this.#denoDir = denoDir;
      this.#unlinkFromPond = endWithPond(this.#child, denoDir);
    } catch (e) {
      if (denoDir) Deno.removeSync(denoDir, { recursive: true });
      throw new PluginError(
        "Crashed",
        this.#name,
        `could not start a sandbox for plugin ${this.#name}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    this.#stdin = this.#child.stdin.getWriter();
    this.#ended = this.#watch();
    this.#loaded = this.#send("load", { name: this.#name, source: plugin.source });
    this.#loaded.catch(() => {});
  }

  /** False once the process was stopped or ended; a stopped sandbox takes no calls. */
  get running(): boolean {
    return this.#stopped === undefined;
  }

  /**
   * Calls the plugin's `op` with `request` (plain data) and returns its answer, unchecked,
   * within `options.deadline` (by default the sandbox's deadline from now; the host's work for
   * the call may already have used some of it); the capabilities it asks for may read
   * `options.inputs`, the inputs it was handed. Errors: `PluginFailed` (it threw, or failed to
   * load; naming `options.path`), `InvalidReply` (not data), `Deadline`, `OutOfMemory`,
   * `Crashed`, `Closed`.
   */
  async call(op: PluginOp, request: unknown, options: CallOptions = {}): Promise<unknown> {
    await this.#loaded;
    return this.#send(op, request, options);
  }

  /** Kills the process and waits for it to end; calls in flight fail with `Closed`. */
  async close(): Promise<void> {
    this.#stop(
      new PluginError("Closed", this.#name, `plugin ${this.#name} was closed with its host`),
    );
    await this.#ended;
  }

  #send(op: string, request: unknown, options: CallOptions = {}): Promise<unknown> {
    const { inputs, path } = options;
    const deadline = options.deadline ?? new Deadline(
      this.#limits.deadlineMs,
      this.#name,
      op === "load" ? "finish loading" : `answer ${op}()`,
    );
    if (this.#stopped) return Promise.reject(this.#stopped);
    if (deadline.remainingMs === 0) return Promise.reject(deadline.error());
    const id = this.#nextId++;
    const frame = encodeFrame({ kind: "call", id, op, request } satisfies HostMessage);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#stop(deadline.error()), deadline.remainingMs);
      const capabilities = Promise.resolve();
      this.#pending.set(id, {
        op,
        resolve,
        reject,
        timer,
        deadline,
        inputs,
        path,
        capabilities,
        replies: [],
      });
      this.#stdin.write(frame).catch(() => {/* a dead sandbox is reported by #watch */});
    });
  }

  /** Reads the sandbox's messages until it ends, then fails whatever is still waiting. */
  async #watch(): Promise<void> {
    const stderr = this.#collectStderr();
    try {
      for await (
        const message of readFrames(this.#child.stdout, this.#limits.memoryLimitMb * 2 ** 20)
      ) {
        this.#receive(message);
      }
    } catch (e) {
      this.#stop(this.#invalid(`sent ${(e as Error).message}`));
    }
    const status = await this.#child.status;
    this.#unlinkFromPond();
    await stderr;
    this.#stop(this.#exited(status));
    await Deno.remove(this.#denoDir, { recursive: true }).catch(() => {});
  }

  /**
   * Takes one message from the sandbox, checked as if hand-crafted (the plugin can rewrite what
   * the sandbox program sends): a result of a call in flight, or a capability request made in a
   * call in flight. Anything else stops the sandbox.
   */
  #receive(message: unknown): void {
    const m = isPlainObject(message) ? message : {};
    const pending = Number.isSafeInteger(m.id) ? this.#pending.get(m.id as number) : undefined;
    const okFlag = m.ok === true || m.ok === false;
    const table = m.table === undefined || (m.table === true && m.value instanceof Uint8Array);
    if (m.kind === "result" && pending && okFlag && table) {
      this.#pending.delete(m.id as number);
      clearTimeout(pending.timer);
      if (m.ok === true) {
        pending.resolve(m.table === true ? new TableReply(m.value) : heldReply(pending, m.value));
      }
      else pending.reject(this.#failure(pending.op, m.error, pending.path));
    } else if (
      m.kind === "capability" && Number.isSafeInteger(m.id) && typeof m.name === "string" &&
      Number.isSafeInteger(m.call) && this.#pending.has(m.call as number) &&
      this.#capabilitiesWaiting < MAX_CAPABILITIES_WAITING
    ) {
      this.#capabilitiesWaiting++;
      const call = this.#pending.get(m.call as number)!;
      const serve = () => this.#serveCapability(m.id as number, m.name as string, m.args, call);
      call.capabilities = call.capabilities.then(serve);
    } else {
      this.#stop(this.#invalid("sent a message that is not an answer to any call"));
    }
  }

  /**
   * Runs one capability for the plugin under the deadline of the call it was made in, over that
   * call's inputs, with the table limits of its memory cap; a capability that overruns stops it.
   */
  async #serveCapability(id: number, name: string, args: unknown, call: Pending): Promise<void> {
    this.#capabilitiesWaiting--;
    const { deadline, inputs } = call;
    if (!this.running) return;
    let answer: HostMessage;
    try {
      const value = await runCapability(name, args, {
        plugin: this.#name,
        table: tableLimits(this.#limits.memoryLimitMb),
        check: () => deadline.check(),
        remainingMs: () => deadline.remainingMs,
        inputs,
        sql: this.#sql,
        kept: this.#kept,
        reply: (parquet) => call.replies.push(parquet) - 1,
      });
      deadline.check();
      answer = { kind: "answer", id, ok: true, value };
    } catch (e) {
      if (isPluginError(e, "Deadline")) return this.#stop(e);
      answer = { kind: "answer", id, ok: false, error: (e as Error).message };
    }
    if (this.running) this.#stdin.write(encodeFrame(answer)).catch(() => {});
  }

  async #collectStderr(): Promise<void> {
    for await (const text of this.#child.stderr.pipeThrough(new TextDecoderStream())) {
      this.#limits.onOutput?.(this.#name, text);
      this.#stderr = (this.#stderr + text).slice(-STDERR_TAIL);
    }
  }

  /** Stops the sandbox (once): kills the process and fails every call in flight with `error`. */
  #stop(error: PluginError): void {
    if (this.#stopped) return;
    this.#stopped = error;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // It has already exited.
    }
    this.#stdin.abort().catch(() => {});
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
  }

  #failure(op: string, report: unknown, path?: string): PluginError {
    const r = (typeof report === "object" && report !== null ? report : {}) as Partial<
      FailureReport
    >;
    const thrown = `${reportText(r.name ?? "Error")}: ${reportText(r.message ?? report)}`;
    const where = typeof r.at === "string" ? ` (at ${reportText(r.at)})` : "";
    if (r.malformed === true) {
      return this.#invalid(
        `returned something from ${op}() that is not plain data (${thrown}); ` +
          "return objects, arrays, strings, numbers, booleans and Uint8Arrays",
      );
    }
    if (r.name === "RangeError" && /allocation failed/i.test(String(r.message))) {
      return this.#outOfMemory();
    }
    const during = op === "load"
      ? "failed to load"
      : `failed in ${op}()${path === undefined ? "" : ` of ${path}`}`;
    return new PluginError(
      r.name === "ConfigError" ? "InvalidConfig" : "PluginFailed",
      this.#name,
      `plugin ${this.#name} ${during}: ${thrown}${where}`,
    );
  }

  #exited(status: Deno.CommandStatus): PluginError {
    if (OUT_OF_MEMORY.test(this.#stderr)) return this.#outOfMemory();
    const how = status.signal
      ? `was killed by ${status.signal}`
      : `exited with code ${status.code}`;
    const lines = this.#stderr.trim().split("\n");
    const why = lines.findLast((line) => line.startsWith("error: ")) ?? lines.at(-1);
    return new PluginError(
      "Crashed",
      this.#name,
      `plugin ${this.#name}'s sandbox ${how}${why ? `: ${why}` : ""}`,
    );
  }

  #outOfMemory(): PluginError {
    return new PluginError(
      "OutOfMemory",
      this.#name,
      `plugin ${this.#name} ran out of memory (its cap is ${this.#limits.memoryLimitMb} MiB) and ` +
        "was stopped; make it hold less at once, or give it a larger cap",
    );
  }

  #invalid(what: string): PluginError {
    return new PluginError("InvalidReply", this.#name, `plugin ${this.#name} ${what}`);
  }
}

/**
 * The Deno runtime that runs sandboxes: `POND_DENO` when set, else the one running pond. A
 * `deno compile`d pond is not a Deno that can run other programs, so it needs `POND_DENO`.
 */
function sandboxRuntime(): string {
  return Deno.env.get("POND_DENO") || Deno.execPath();
}

/**
 * Spawns the sandbox process: under `sh -c 'ulimit …'` for the data and CPU limits, except on
 * Windows, with `denoDir` as its Deno cache (Deno writes the transpiled program and plugin there
 * whatever the permissions say, so not in the user's).
 */
function spawn(plugin: PluginModule, limits: SandboxLimits, denoDir: string): Deno.ChildProcess {
  const deno = [
    sandboxRuntime(),
    "run",
    "--no-prompt",
    "--no-config",
    "--no-lock",
    "--no-remote",
    "--no-npm",
    // The V8 code cache buys nothing under --jitless and costs a write at every start.
    "--no-code-cache",
    `--import-map=${IMPORT_MAP}`,
    ...permissionFlags(plugin.permissions),
    "--v8-flags=--jitless,--disallow-code-generation-from-strings," +
    `--max-old-space-size=${limits.memoryLimitMb}`,
    PROGRAM_URL,
  ];
  const dataLimitKb = (limits.memoryLimitMb + RUNTIME_HEADROOM_MB) * 1024;
  const [command, ...args] = Deno.build.os === "windows" ? deno : [
    "/bin/sh",
    "-c",
    'ulimit -d "$1" && ulimit -t "$2" && shift 2 && exec "$@"',
    "pond-sandbox",
    `${dataLimitKb}`,
    `${CPU_LIMIT_S}`,
    ...deno,
  ];
  return new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    clearEnv: true,
    env: {
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      DENO_NO_PACKAGE_JSON: "1",
      DENO_DIR: denoDir,
    },
  }).spawn();
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null &&
    Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * A read()'s answer: the query result it names when it is exactly `{ hostResult: n }` for a
 * handle `n` the host gave out in that call, else the answer as it is.
 */
function heldReply(pending: Pending, value: unknown): unknown {
  if (pending.op !== "read" || !isPlainObject(value)) return value;
  const keys = Object.keys(value);
  const handle = value.hostResult;
  return keys.length === 1 && typeof handle === "number" && Object.hasOwn(pending.replies, handle)
    ? new QueryReply(pending.replies[handle])
    : value;
}
