/** Loading a plugin from its source bytes: checked, its manifest read, its permissions granted — nothing run. */

import { type Manifest, readManifest } from "./manifest.ts";
import { grantedPermissions, type Grants, type Permissions } from "./permissions.ts";
import { checkSource } from "./source_check.ts";
import { sourceHash } from "./source_hash.ts";

/** A plugin ready to run in a sandbox. */
export interface PluginModule {
  readonly manifest: Manifest;
  /** The plugin's TypeScript source, as checked. */
  readonly source: string;
  /** SHA-256 of the source bytes, in hex: the plugin's identity (and its content address). */
  readonly hash: string;
  /** The permissions its sandbox gets: what the manifest asks for, all of it granted. */
  readonly permissions: Permissions;
}

/** How to load a plugin. */
export interface LoadOptions {
  /** What the user allows the plugin (none by default). */
  readonly grants?: Grants;
  /** Names the source in errors until its manifest is read (e.g. its file name). */
  readonly label?: string;
}

/**
 * The manifest of the plugin in `source`, checked, without running any of it and without
 * asking for grants: what `pond plugin add` shows before the user decides what to grant.
 * Errors: `InvalidSource`, `RefusedSyntax`, `InvalidManifest`, naming `label`.
 *
 * @example
 * ```ts
 * const bytes = await Deno.readFile("my_plugin.ts");
 * const { permissions } = await inspectPlugin(bytes, "hydrovu.ts"); // { net: ["api.hydrovu.com"] }
 * ```
 */
export async function inspectPlugin(source: Uint8Array, label = "plugin"): Promise<Manifest> {
  return (await checkPlugin(source, label)).manifest;
}

/**
 * Loads a plugin from its source bytes without running any of it: the source must parse as a
 * TypeScript module that reaches no module loader (`checkSource`), its `manifest` must be a
 * valid plain literal (`readManifest`), and every permission it asks for must be in `grants`.
 * Errors: `InvalidSource`, `RefusedSyntax`, `InvalidManifest`, `PermissionNotGranted`.
 *
 * @example
 * ```ts
 * const visit = await loadPlugin(await Deno.readFile("plugins/visit.ts"), { label: "visit.ts" });
 * visit.manifest.name; // "visit"
 * ```
 */
export async function loadPlugin(
  source: Uint8Array,
  options: LoadOptions = {},
): Promise<PluginModule> {
  const label = options.label ?? "plugin";
  const { text, manifest } = await checkPlugin(source, label);
  const permissions = grantedPermissions(manifest.permissions, options.grants ?? {}, manifest.name);
  return { manifest, source: text, hash: await sourceHash(source), permissions };
}

/** The source's text and manifest, both checked (`checkSource`, `readManifest`). */
async function checkPlugin(
  source: Uint8Array,
  label: string,
): Promise<{ text: string; manifest: Manifest }> {
  const { text, ast } = await checkSource(source, label);
  return { text, manifest: readManifest(ast, label) };
}
