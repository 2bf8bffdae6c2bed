/** Dynamic files computed by a sandboxed plugin: its read() over every file its config's globs match. */

import type { DynamicContext, DynamicFileContent } from "../tinyfs/mod.ts";
import type { PluginConfig } from "./config.ts";
import { resolveInputs } from "./inputs.ts";
import { computeFile, type PluginRuntime } from "./plugin_runtime.ts";

/**
 * A file whose content a plugin computes from one checked config, on every read: the host
 * resolves the config's globs through `context.fs` and calls the plugin's
 * `read({ config, args: undefined, inputs, matches }, host)` with every matched file
 * (directories are left out), field by field in schema order. tinyfs calls it for a `file:dynamic` node.
 *
 * @example
 * ```ts
 * import type { WD } from "../tinyfs/mod.ts";
 * import type { PluginRuntime } from "./plugin_runtime.ts";
 *
 * async function example(runtime: PluginRuntime, reader: WD) {
 *   const file = new PluginFile(runtime, { inputs: ["/in/*.csv"], transform: "concat-csv" });
 *   const csv = await file.read({ fs: reader, path: "/views/all.csv", captures: [] });
 * }
 * ```
 */
export class PluginFile implements DynamicFileContent {
  constructor(readonly runtime: PluginRuntime, readonly config: PluginConfig) {}

  async read(context: DynamicContext): Promise<Uint8Array> {
    const inputs = await resolveInputs(
      context.fs,
      this.runtime.plugin.manifest.config,
      this.config,
    );
    const files = [...inputs.nodes.values()].filter(({ match }) => match.kind === "file");
    return computeFile(this.runtime, this.config, undefined, {
      path: context.path,
      all: inputs,
      files,
    });
  }
}
