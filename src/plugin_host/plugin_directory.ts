/** Dynamic directories computed by a sandboxed plugin: the host resolves inputs, the plugin names entries. */

import type {
  DynamicContext,
  DynamicDirectory,
  DynamicEntry,
  FileEntryType,
} from "../tinyfs/mod.ts";
import { computedKey, throughCache } from "./computed_cache.ts";
import type { PluginConfig } from "./config.ts";
import { type InputNode, inputNode, type Inputs, resolveInputs } from "./inputs.ts";
import { checkEntries, type EntriesContext, type PluginEntry } from "./plugin_entries.ts";
import { computeFile, fileKey, type PluginRuntime } from "./plugin_runtime.ts";

/**
 * A directory whose entries a plugin computes from one checked config. On every read the host
 * resolves the config's globs (through the reader's view, so loops are tinyfs's `VisitLoop`),
 * hands the matches to the plugin's `entries({ config, inputs, captures })` (`captures`: what a
 * pattern registration captured at this directory, else none), checks the reply (`checkEntries`;
 * kept in the runtime's cache, as `computeFile` keeps files, when every input is stored, and the
 * checked entries in memory too, by the same key, so an unchanged directory is read from
 * neither the sandbox nor the cache store) and turns
 * each entry into a tinyfs entry: an input shown as it is, a file computed by the plugin's
 * `read()` when it is read, or a subdirectory of the same plugin with another config.
 *
 * @example
 * ```ts
 * import type { WD } from "../tinyfs/mod.ts";
 * import type { PluginRuntime } from "./plugin_runtime.ts";
 *
 * async function example(runtime: PluginRuntime, reader: WD) {
 *   const directory = new PluginDirectory(runtime, { patterns: ["/in/*.csv"] });
 *   const entries = await directory.entries({ fs: reader, path: "/views/csv", captures: [] });
 * }
 * ```
 */
export class PluginDirectory implements DynamicDirectory {
  constructor(readonly runtime: PluginRuntime, readonly config: PluginConfig) {}

  async entries(context: DynamicContext): Promise<DynamicEntry[]> {
    const { manifest } = this.runtime.plugin;
    const inputs = await resolveInputs(context.fs, manifest.config, this.config);
    const checked = {
      plugin: manifest.name,
      path: context.path,
      schema: manifest.config,
      inputs,
    };
    const call = ["entries", context.path, context.captures];
    const make = () => computedKey(this.runtime.plugin, this.config, call, inputs);
    const keys = this.runtime.recentKeys;
    const key = this.runtime.cache &&
      await (keys ? keys.directory(context.committed, this.config, call, inputs, make) : make());
    const compute = () => this.#computeEntries(key, context, inputs, checked);
    const recent = this.runtime.recentEntries;
    const entries = await (key !== undefined && recent ? recent.get(key, compute) : compute());
    return entries.map((entry) => this.#entry(entry, inputs, context.path, key));
  }

  /** The checked entries, from the runtime's cache under `key` or computed (and kept) now. */
  async #computeEntries(
    key: string | undefined,
    context: DynamicContext,
    inputs: Inputs,
    checked: EntriesContext,
  ): Promise<readonly PluginEntry[]> {
    const { serialize, deserialize } = await import("node:v8");
    const reply = await throughCache(
      this.runtime.cache,
      () => Promise.resolve(key),
      async () => {
        const reply = await this.runtime.call(
          "entries",
          { config: this.config, inputs: inputs.matches, captures: context.captures },
          { inputs },
        );
        checkEntries(reply, checked);
        return serialize(reply);
      },
    );
    return checkEntries(deserialize(reply), checked);
  }

  #entry(
    entry: PluginEntry,
    inputs: Inputs,
    directory: string,
    directoryKey: string | undefined,
  ): DynamicEntry {
    switch (entry.kind) {
      case "input":
        return shown(entry.name, inputs.nodes.get(entry.path)!);
      case "compute": {
        const file = {
          path: `${directory === "/" ? "" : directory}/${entry.name}`,
          all: inputs,
          files: entry.inputs.map((path) => inputs.nodes.get(path)!),
        };
        const keys = this.runtime.recentKeys;
        const make = () => fileKey(this.runtime, this.config, entry.args, file);
        const key = () => keys ? keys.file(directoryKey, entry.name, make) : make();
        return {
          kind: "file",
          name: entry.name,
          entryType: entry.entryType,
          read: () => computeFile(this.runtime, this.config, entry.args, file, key),
          derivation: async () => {
            const made = await key();
            return { inputs: entry.inputs, ...(made !== undefined && { key: made }) };
          },
        };
      }
      case "directory":
        return {
          kind: "directory",
          name: entry.name,
          directory: new PluginDirectory(this.runtime, entry.config),
        };
    }
  }
}

/** An input under a new name: a file reads as the input, a directory shows its contents. */
function shown(name: string, { node, match }: InputNode): DynamicEntry {
  return match.kind === "directory"
    ? { kind: "directory", name, directory: new ContentsOf(node.path) }
    : { kind: "file", name, entryType: match.entryType as FileEntryType, read: () => node.read() };
}

/** The entries of the directory at `path`, shown as they are. */
class ContentsOf implements DynamicDirectory {
  constructor(readonly path: string) {}

  async entries(context: DynamicContext): Promise<DynamicEntry[]> {
    const children = await context.fs.list(this.path);
    const inputs = await Promise.all(children.map((child) => inputNode(child, [])));
    return inputs.filter((input) => input !== undefined).map((input) =>
      shown(input.match.name, input)
    );
  }
}
