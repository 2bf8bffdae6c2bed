/** Recent answers by id, bounded: what tinyfs and the plugin host keep of values that never change for their id. */

/**
 * Promises of answers by id, at most `capacity` of them, least recently used dropped first; a
 * failed answer is forgotten, so the next call loads again. Only for answers that are a
 * function of their id (an immutable version, a config's text, a cache key), so a kept one is
 * never stale.
 *
 * @example
 * ```ts
 * const recent = new Recent<number>(2);
 * await recent.get("a", () => Promise.resolve(1)); // 1, loaded
 * await recent.get("a", () => Promise.resolve(9)); // 1, kept
 * recent.peek("b"); // undefined
 * ```
 */
export class Recent<T> {
  readonly #answers = new Map<string, Promise<T>>();

  constructor(readonly capacity: number) {}

  /** The answer for `id` if one is held, without making it recent. */
  peek(id: string): Promise<T> | undefined {
    return this.#answers.get(id);
  }

  /** The answer for `id`, from `load` when none is held. */
  get(id: string, load: () => Promise<T>): Promise<T> {
    let found = this.#answers.get(id);
    if (found) this.#answers.delete(id);
    else {
      found = load();
      found.catch(() => {
        if (this.#answers.get(id) === found) this.#answers.delete(id);
      });
    }
    this.#answers.set(id, found);
    if (this.#answers.size > this.capacity) {
      this.#answers.delete(this.#answers.keys().next().value!);
    }
    return found;
  }
}
