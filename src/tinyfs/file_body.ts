/** File bodies on their way to a commit: bytes held in memory, or a body the store has staged. */

import { type Content, streamOf, toBytes } from "./bytes.ts";
import type { Persistence, StagedBody } from "./persistence.ts";

/** The body of a pending file version: exactly one of held bytes or a staged body. */
export type FileBody = { readonly content: Uint8Array } | { readonly staged: StagedBody };

/**
 * Turns content as a caller gave it into a body for a pending version. A stream goes to
 * `store.stageFile` when the store offers it (so it is never held whole); everything else is
 * held as bytes (a fresh copy).
 *
 * @example
 * ```ts
 * import { MemoryPersistence } from "./mod.ts";
 *
 * const stream = ReadableStream.from([new TextEncoder().encode("t,v\n")]);
 * const store = new MemoryPersistence();
 * const body = await fileBody(stream, store); // { staged: {...} } with a staging store
 * await fileBody("t,v\n", store);                     // { content: Uint8Array [...] }
 * ```
 */
export async function fileBody(content: Content, store: Persistence): Promise<FileBody> {
  if (content instanceof ReadableStream && store.stageFile) {
    return { staged: await store.stageFile(content) };
  }
  return { content: await toBytes(content) };
}

/**
 * The byte length of a body.
 *
 * @example
 * ```ts
 * bodySize({ content: new Uint8Array(3) }); // 3
 * ```
 */
export function bodySize(body: FileBody): number {
  return "staged" in body ? body.staged.size : body.content.length;
}

/**
 * A body as a stream: held bytes in 64 KiB chunks, a staged body from the store that staged it.
 *
 * @example
 * ```ts
 * import { MemoryPersistence } from "./mod.ts";
 *
 * const store = new MemoryPersistence();
 * const body = await fileBody("t,v\n", store);
 * const out = Deno.stdout;
 * for await (const chunk of await streamBody(body, store)) out.write(chunk);
 * ```
 */
export function streamBody(
  body: FileBody,
  store: Persistence,
): Promise<ReadableStream<Uint8Array>> {
  if (!("staged" in body)) return Promise.resolve(streamOf(body.content));
  return store.streamStaged!(body.staged);
}

/**
 * A body as one fresh byte array (for callers that asked for the whole body).
 *
 * @example
 * ```ts
 * import { MemoryPersistence } from "./mod.ts";
 *
 * const store = new MemoryPersistence();
 * const body = await fileBody("t,v\n", store);
 * const bytes = await readBody(body, store);
 * ```
 */
export async function readBody(body: FileBody, store: Persistence): Promise<Uint8Array> {
  return "staged" in body ? await toBytes(await streamBody(body, store)) : body.content.slice();
}

/**
 * Cancels `content` when it is a stream nobody has started reading, so a write that failed
 * before reading its body releases what the stream holds (an open host file, say).
 *
 * @example
 * ```ts
 * import { FS, MemoryPersistence } from "./mod.ts";
 *
 * const fs = await FS.open(new MemoryPersistence());
 * const body = ReadableStream.from([new TextEncoder().encode("t,v\n")]);
 * await fs.transact({ command: ["example"] }, async (root) => {
 *   try { await root.write("/missing/dir/a.csv", body); }
 *   catch (e) { await releaseUnread(body, e); throw e; }
 * });
 * ```
 */
export async function releaseUnread(content: Content, reason: unknown): Promise<void> {
  if (content instanceof ReadableStream && !content.locked) {
    await content.cancel(reason).catch(() => {});
  }
}
