/** The plugin host's typed errors: a stable code per failure, and the plugin at fault. */

import { PondError } from "../errors.ts";

/**
 * The failures the plugin host reports. Scripts and tests branch on these codes, so they never
 * change meaning:
 * - `InvalidSource`: the plugin source is not UTF-8 TypeScript that parses.
 * - `RefusedSyntax`: the source reaches for the module loader (an import of any kind,
 *   `import.meta`, `export … from`, `require`, or a loader pragma in a comment).
 * - `InvalidManifest`: the `manifest` export is missing, not a plain literal, or malformed,
 *   or the source lacks a function the manifest promises.
 * - `PermissionNotGranted`: the manifest asks for a permission the user did not grant.
 * - `InvalidConfig`: a dynamic node's configuration does not fit the plugin's schema.
 * - `PluginFailed`: the plugin threw (or failed to load in its sandbox).
 * - `InvalidReply`: the plugin answered with something the host refuses: not data, bad
 *   entry names, paths it was not handed, or a table that is not a valid Arrow IPC stream.
 * - `InvalidInput`: a table or series the plugin is to be handed is not Parquet the host can
 *   read as flat columns (or a series' versions have different columns).
 * - `Deadline`: the plugin did not answer within the deadline and was killed.
 * - `OutOfMemory`: the plugin hit its memory cap.
 * - `Crashed`: the sandbox process ended unexpectedly, or could not be started.
 * - `Closed`: the plugin host was closed and takes no more calls.
 */
export type PluginErrorCode =
  | "InvalidSource"
  | "RefusedSyntax"
  | "InvalidManifest"
  | "PermissionNotGranted"
  | "InvalidConfig"
  | "PluginFailed"
  | "InvalidReply"
  | "InvalidInput"
  | "Deadline"
  | "OutOfMemory"
  | "Crashed"
  | "Closed";

/**
 * An expected plugin failure: `code` says what kind, `plugin` names the plugin at fault (its
 * manifest name, or the label of the source when the manifest could not be read), and the
 * message says what to do.
 *
 * @example
 * ```ts
 * throw new PluginError("Deadline", "visit", "plugin visit did not answer within 5000 ms");
 * ```
 */
export class PluginError extends PondError {
  constructor(
    override readonly code: PluginErrorCode,
    readonly plugin: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

/**
 * True when `e` is a {@link PluginError}, optionally with the given code.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 *
 * const root = await (await Pond.open("/data/pond")).root();
 * try {
 *   await root.list("/views/v");
 * } catch (e) {
 *   if (!isPluginError(e, "Deadline")) throw e;
 *   console.error(`${e.message}; set POND_PLUGIN_DEADLINE_MS higher and try again`);
 * }
 * ```
 */
export function isPluginError(e: unknown, code?: PluginErrorCode): e is PluginError {
  return e instanceof PluginError && (code === undefined || e.code === code);
}
