/** Cache keys recently made, kept by what determines them, so an unchanged dynamic node is found in the cache without hashing its inputs again. */

import { Recent } from "../tinyfs/mod.ts";
import type { PluginConfig } from "./config.ts";
import type { Inputs } from "./inputs.ts";

/**
 * Keys of one plugin's answers (see `computedKey`), at most `capacity` of them, each kept by
 * what it is a function of, never by a guess:
 * - a directory's, by the committed state it was read in (`DynamicContext.committed`), its
 *   config (the object), its call and the paths its globs matched: in one committed state a
 *   path names one node at one version, and whether it is stored or computed;
 * - a file's, by its directory's key and its name: the key names the config, the inputs and the
 *   entries (the file's args among them), so the same key and name make the same file key.
 *
 * Without a committed state (a read inside a transaction) or a directory key, nothing is kept.
 *
 * @example
 * ```ts
 * import type { PluginConfig } from "./config.ts";
 * import type { Inputs } from "./inputs.ts";
 *
 * async function example(state: object, config: PluginConfig, inputs: Inputs) {
 *   const keys = new RecentKeys(256);
 *   const make = () => Promise.resolve("ab12");
 *   await keys.directory(state, config, ["entries", "/reduce", []], inputs, make); // "ab12", made
 *   await keys.directory(state, config, ["entries", "/reduce", []], inputs, make); // "ab12", kept
 * }
 * ```
 */
export class RecentKeys {
  readonly #recent: Recent<string | undefined>;
  readonly #ids = new WeakMap<object, number>();
  #next = 0;

  constructor(capacity: number) {
    this.#recent = new Recent(capacity);
  }

  /** The key of a directory's entries, from `make` unless one was made for the same state. */
  directory(
    committed: object | undefined,
    config: PluginConfig,
    call: readonly unknown[],
    inputs: Inputs,
    make: () => Promise<string | undefined>,
  ): Promise<string | undefined> {
    if (committed === undefined) return make();
    const matched = [...inputs.nodes.keys()].join("\0");
    const id = `d${this.#id(committed)} ${this.#id(config)} ${JSON.stringify(call)}\0${matched}`;
    return this.#recent.get(id, make);
  }

  /** The key of the file `name` of the directory whose key is `directoryKey`, from `make` once. */
  file(
    directoryKey: string | undefined,
    name: string,
    make: () => Promise<string | undefined>,
  ): Promise<string | undefined> {
    return directoryKey === undefined ? make() : this.#recent.get(`f${directoryKey}/${name}`, make);
  }

  /** A number naming `object` while it lives. */
  #id(object: object): number {
    let id = this.#ids.get(object);
    if (id === undefined) this.#ids.set(object, id = this.#next++);
    return id;
  }
}
