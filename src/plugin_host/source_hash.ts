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
  const bytes = typeof source === "string" ? new TextEncoder().encode(source) : source.slice();
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
