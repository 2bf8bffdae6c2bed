/** A small seeded generator for the property and fuzz tests, so a failing seed can be replayed. */

/**
 * Numbers in [0, 1) from `seed` (mulberry32): the same seed gives the same sequence.
 *
 * @example
 * ```ts
 * const next = seededRandom(1023);
 * const die = Math.floor(next() * 6) + 1;
 * ```
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
