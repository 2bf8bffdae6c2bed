/** Byte helpers shared by tinyfs: accept content in several shapes, turn bytes into streams. */

/** File content as callers may supply it: bytes, text (written as UTF-8) or a byte stream. */
export type Content = Uint8Array | string | ReadableStream<Uint8Array>;

/** Chunk size for streams made from bytes held in memory. */
const CHUNK = 64 * 1024;

/**
 * Reads `content` into one fresh byte array (never the caller's array itself).
 *
 * @example
 * ```ts
 * await toBytes("hi"); // Uint8Array [104, 105]
 * ```
 */
export async function toBytes(content: Content): Promise<Uint8Array> {
  if (typeof content === "string") return new TextEncoder().encode(content);
  if (content instanceof Uint8Array) return content.slice();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of content) {
    chunks.push(chunk);
    length += chunk.length;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * A stream over `bytes` in chunks of at most 64 KiB.
 *
 * @example
 * ```ts
 * const stream = streamOf(new Uint8Array(200_000)); // yields 4 chunks
 * ```
 */
export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(at, at + CHUNK));
      at += CHUNK;
    },
  });
}
