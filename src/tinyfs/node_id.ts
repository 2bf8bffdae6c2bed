/** Node ids: stable, printable, fixed-width hex names for every file, directory and symlink. */

/** A node id: 32 lowercase hex digits, time-ordered (48-bit milliseconds, 80 random bits). */
export type NodeId = string;

/** The root directory's well-known id. */
export const ROOT_ID: NodeId = "0".repeat(32);

/**
 * The pattern registry's well-known id: a directory no entry links (a second root), holding
 * one dynamic node per registered pattern. Generated ids never collide with it (their time
 * part is never 0).
 */
export const REGISTRY_ID: NodeId = "0".repeat(31) + "1";

const NODE_ID = /^[0-9a-f]{32}$/;

/**
 * Makes a fresh node id; ids made later sort after ids made earlier (to the millisecond).
 *
 * @example
 * ```ts
 * const id = newNodeId(); // e.g. "018f2a6b3c1d9e0f11aa22bb33cc44dd"
 * ```
 */
export function newNodeId(nowMs: number = Date.now()): NodeId {
  const time = Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, "0").slice(-12);
  const random = crypto.getRandomValues(new Uint8Array(10));
  return time + Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * True when `s` has the shape of a node id.
 *
 * @example
 * ```ts
 * isNodeId(ROOT_ID); // true
 * isNodeId("root");  // false
 * ```
 */
export function isNodeId(s: string): boolean {
  return NODE_ID.test(s);
}
