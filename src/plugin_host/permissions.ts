/** What a plugin may reach beyond its inputs: the permissions it asks for, the user grants, and Deno flags. */

import { PluginError } from "./errors.ts";

/** Permissions a plugin asks for in its manifest (none by default). */
export interface Permissions {
  /** Network hosts, as `host` (any port) or `host:port`. */
  readonly net: readonly string[];
}

/** What the user allowed a plugin, in the same terms (e.g. from `pond plugin add --allow-net=…`). */
export interface Grants {
  readonly net?: readonly string[];
}

/** No permissions at all. */
const NO_PERMISSIONS: Permissions = { net: [] };

const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/;

/**
 * Reads the `permissions` section of plugin `plugin`'s manifest; `InvalidManifest` for unknown
 * kinds or malformed hosts.
 *
 * @example
 * ```ts
 * readPermissions({ net: ["api.hydrovu.com"] }, "hydrovu"); // { net: ["api.hydrovu.com"] }
 * ```
 */
export function readPermissions(value: unknown, plugin: string): Permissions {
  if (value === undefined) return NO_PERMISSIONS;
  const bad = (message: string) =>
    new PluginError("InvalidManifest", plugin, `plugin ${plugin}'s manifest: ${message}`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw bad('permissions must be an object like { net: ["example.com"] }');
  }
  const kinds = Object.keys(value);
  const unknown = kinds.find((k) => k !== "net");
  if (unknown !== undefined) {
    throw bad(`unknown permission "${unknown}"; plugins may only ask for net (hosts)`);
  }
  return { net: readHosts((value as { net?: unknown }).net, (m) => bad(`permissions.net ${m}`)) };
}

/**
 * The permissions plugin `plugin` runs with: those it asks for, each of which must be covered
 * by a grant (a granted `host` covers `host` and every `host:port`; a granted `host:port` only
 * itself), else `PermissionNotGranted` naming what to grant. Grants beyond the request are not
 * used.
 *
 * @example
 * ```ts
 * grantedPermissions({ net: ["127.0.0.1:8080"] }, { net: ["127.0.0.1"] }, "probe");
 * ```
 */
export function grantedPermissions(
  requested: Permissions,
  grants: Grants,
  plugin: string,
): Permissions {
  const granted = readHosts(
    grants.net,
    (m) => new PluginError("PermissionNotGranted", plugin, `grants for plugin ${plugin}: net ${m}`),
  );
  const missing = requested.net.filter((host) => !granted.some((g) => covers(g, host)));
  if (missing.length > 0) {
    throw new PluginError(
      "PermissionNotGranted",
      plugin,
      `plugin ${plugin} needs network access to ${missing.join(", ")}, which was not granted; ` +
        `grant it (--allow-net=${missing.join(",")}) if you trust the plugin with it`,
    );
  }
  return requested;
}

/**
 * The Deno permission flags for a sandbox holding `permissions`: everything denied, except
 * network access to exactly the hosts listed.
 *
 * @example
 * ```ts
 * permissionFlags({ net: [] }); // ["--deny-read", …, "--deny-net"]
 * ```
 */
export function permissionFlags(permissions: Permissions): string[] {
  const denied = ["read", "write", "env", "sys", "run", "ffi", "import"].map((k) => `--deny-${k}`);
  return permissions.net.length > 0
    ? [...denied, `--allow-net=${permissions.net.join(",")}`]
    : [...denied, "--deny-net"];
}

function readHosts(value: unknown, bad: (message: string) => PluginError): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad('must be a list of hosts, like ["example.com:443"]');
  return value.map((host) => {
    const match = typeof host === "string" ? HOST.exec(host) : null;
    const port = match?.[1] === undefined ? 1 : Number(match[1]);
    if (!match || port < 1 || port > 65535) {
      throw bad(
        `has ${JSON.stringify(host)}; write a lower-case host name or IP, with an optional :port`,
      );
    }
    return host as string;
  });
}

function covers(grant: string, host: string): boolean {
  return grant === host || (!hasPort(grant) && host.startsWith(`${grant}:`) && hasPort(host));
}

function hasPort(host: string): boolean {
  return HOST.exec(host)?.[1] !== undefined;
}
