/** The answer of a read() that returned a table or a query result the host holds, as the host hands it on: kept apart from the sandbox process, so the code checking answers loads without it. */
/**
 * What a read() that returned a table answers: the Arrow IPC stream the sandbox wrote, not yet
 * checked. Only the host makes these; a plugin's reply is plain data and can never be one.
 *
 * @example
 * ```ts
 * import { tableFromIPC } from "../table/mod.ts";
 * import type { Sandbox } from "./sandbox_process.ts";
 *
 * async function example(sandbox: Sandbox, request: unknown) {
 *   const reply = await sandbox.call("read", request);
 *   if (reply instanceof TableReply) tableFromIPC(reply.ipc as Uint8Array);
 * }
 * ```
 */
export class TableReply {
  constructor(readonly ipc: unknown) {}
}

/**
 * What a read() answers when it returns the handle of a `host.sql(query, tables, { reply: true })`
 * result: the Parquet bytes the host's engine wrote, which never crossed into the sandbox. Only
 * the host makes these, for handles it gave out in that very call.
 *
 * @example
 * ```ts
 * import type { Sandbox } from "./sandbox_process.ts";
 *
 * async function example(sandbox: Sandbox, request: unknown) {
 *   const reply = await sandbox.call("read", request);
 *   if (reply instanceof QueryReply) reply.parquet; // Parquet bytes
 * }
 * ```
 */
export class QueryReply {
  constructor(readonly parquet: Uint8Array) {}
}
