/** The vetted work the host does for sandboxed plugins, which cannot import libraries: Parquet in and out. */

import { tableFromIPC, tableToIPC } from "./arrow_ipc.ts";
import { parquetToTable, tableToParquet } from "./table_parquet.ts";

/**
 * The capabilities by name: each takes the plugin's argument, checked here, and returns data.
 * Tables cross as Arrow IPC streams, which the sandbox writes and reads itself.
 */
const CAPABILITIES: Readonly<Record<string, (args: unknown) => Promise<unknown>>> = {
  encodeParquet,
  decodeParquet,
};

/**
 * Runs capability `name` for a plugin. Unknown names and malformed arguments throw an `Error`
 * whose message goes back to the plugin (it is the plugin's mistake, and it may catch it).
 *
 * @example
 * ```ts
 * import { tableToIPC } from "./arrow_ipc.ts";
 *
 * const parquet = await runCapability("encodeParquet", tableToIPC([{ name: "v", values: [1, 2] }]));
 * ```
 */
export async function runCapability(name: string, args: unknown): Promise<unknown> {
  if (!Object.hasOwn(CAPABILITIES, name)) {
    throw new Error(
      `the host has no capability ${JSON.stringify(name)}; it offers ${
        Object.keys(CAPABILITIES).join(", ")
      }`,
    );
  }
  return await CAPABILITIES[name](args);
}

/** A table (an Arrow IPC stream) → Parquet bytes. */
async function encodeParquet(args: unknown): Promise<Uint8Array> {
  if (!(args instanceof Uint8Array)) throw new Error("encodeParquet takes a table");
  return await tableToParquet(tableFromIPC(args));
}

/** Parquet bytes → the table they hold, as an Arrow IPC stream. */
async function decodeParquet(args: unknown): Promise<Uint8Array> {
  if (!(args instanceof Uint8Array)) {
    throw new Error("decodeParquet takes the Parquet file's bytes");
  }
  return tableToIPC(await parquetToTable(args));
}
