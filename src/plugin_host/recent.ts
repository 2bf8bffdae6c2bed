/** A bounded in-memory map by text key: what the host keeps of recent answers, least recently used dropped first. */

/**
 * Up to `limit` values by key; `get` makes a value the most recently used, `set` past the limit
 * drops the least recently used. Only for values that are a function of their key (a config's
 * text, a `computedKey`), so a kept value is never stale.
 *
 * @example
 * ```ts
 * const recent = new Recent<number>(2);
 * recent.set("a", 1);
 * recent.set("b", 2);
 * recent.get("a"); // 1
 * recent.set("c", 3); // drops "b"
 * recent.get("b"); // undefined
 * ```
 */
export class Recent<V> {
  readonly #values = new Map<string, V>();

  constructor(readonly limit: number) {}

  get(key: string): V | undefined {
    const value = this.#values.get(key);
    if (value === undefined) return undefined;
    this.#values.delete(key);
    this.#values.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.#values.delete(key);
    this.#values.set(key, value);
    if (this.#values.size > this.limit) this.#values.delete(this.#values.keys().next().value!);
  }

  delete(key: string): void {
    this.#values.delete(key);
  }
}
