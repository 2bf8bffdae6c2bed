/** What dynamic nodes need of a running plugin, and computing a file with its read(). */

import type { PluginConfig } from "./config.ts";
import { PluginError } from "./errors.ts";
import type { InputNode } from "./inputs.ts";
import type { PluginModule } from "./plugin_module.ts";
import type { PluginOp } from "./sandbox_process.ts";

/** A plugin and a way to call it (its sandbox, started on first use and shared). */
export interface PluginRuntime {
  readonly plugin: PluginModule;
  call(op: PluginOp, request: unknown): Promise<unknown>;
}

/**
 * Computes a file with the plugin's `read({ config, args, inputs }, host)`: the host reads each
 * input (through the reader's view, so loops are caught) and hands over its match with its
 * `bytes`. The reply must be a Uint8Array or a string (stored as UTF-8), else `InvalidReply`.
 *
 * @example
 * ```ts
 * const bytes = await computeFile(runtime, config, { rows: 10 }, [inputs.nodes.get("/in/a.csv")!]);
 * ```
 */
export async function computeFile(
  runtime: PluginRuntime,
  config: PluginConfig,
  args: unknown,
  inputs: readonly InputNode[],
): Promise<Uint8Array> {
  const contents = await Promise.all(
    inputs.map(async ({ node, match }) => ({ ...match, bytes: await node.read() })),
  );
  const reply = await runtime.call("read", { config, args, inputs: contents });
  if (reply instanceof Uint8Array) return reply;
  if (typeof reply === "string") return new TextEncoder().encode(reply);
  const name = runtime.plugin.manifest.name;
  throw new PluginError(
    "InvalidReply",
    name,
    `plugin ${name}'s read() returned ${reply === null ? "null" : typeof reply}; ` +
      "return the file's content as a Uint8Array or a string",
  );
}
