/** What a capability the host serves a plugin runs under: the plugin, its limits, its call's deadline and inputs, the SQL port. */

import type { ComputedCache } from "./computed_cache.ts";
import type { Inputs } from "./inputs.ts";
import type { TableLimits } from "./limits.ts";
import type { SqlPort } from "./sql_port.ts";

/**
 * What a capability runs under: whose it is, the table limits of its sandbox, its deadline, and
 * the state of the call it was asked for in.
 */
export interface CapabilityContext {
  readonly plugin: string;
  readonly table: TableLimits;
  /** Throws once the call waiting on the capability is out of time. */
  readonly check: () => void;
  /** What is left of that call's deadline, in ms (default: no end). */
  readonly remainingMs?: () => number;
  /** The inputs that call was handed, through the reader's view (its `--at`): what `sql` may read. */
  readonly inputs?: Inputs;
  /** The engine `host.sql` runs on, if the host was given one. */
  readonly sql?: SqlPort;
  /** Where `host.keep` keeps results, if anywhere: the host's cache, under the plugin's hash. */
  readonly kept?: { readonly cache: ComputedCache; readonly plugin: string };
  /** Holds a query result as the call's possible answer; the handle read() may return. */
  readonly reply?: (parquet: Uint8Array) => number;
}
