/** A plugin's identity: the SHA-256 of its source bytes. */

/**
 * SHA-256 of a plugin's source bytes (a string as UTF-8), in hex: its identity, and the content
 * address it is kept under.
 *
 * @example
 * ```ts
 * await sourceHash("export const manifest = {};"); // 64 hex digits
 * ```
 */
export async function sourceHash(source: Uint8Array | string): Promise<string> {
  // node:crypto hashes in the calling thread: crypto.subtle's hop to a worker thread costs
  // more than hashing a cache key's text (one per dynamic directory and file read).
  const { createHash } = await import("node:crypto");
  return createHash("sha256").update(source).digest("hex");
}
