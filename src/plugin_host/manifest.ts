/** A plugin's manifest: read from its source without running it, and checked. */

import { type ConfigSchema, readSchema } from "./config.ts";
import { PluginError } from "./errors.ts";
import { PLUGIN_LIMITS } from "./limits.ts";
import { type Permissions, readPermissions } from "./permissions.ts";
import type { PluginAst } from "./source_check.ts";
import { staticValue } from "./static_value.ts";

/**
 * What a plugin makes: dynamic directories, dynamic files, or both; or, alone, a collector (a
 * node that, when `pond run`, fetches rows the host appends to series).
 */
export type Provision = "directory" | "file" | "collector";

/** The function each provision needs the plugin to export. */
const EXPORT_FOR: Readonly<Record<Provision, string>> = {
  directory: "entries",
  file: "read",
  collector: "run",
};

/** A checked plugin manifest. */
export interface Manifest {
  /** Lower-case letters, digits, `-` and `_`, starting with a letter. */
  readonly name: string;
  /** Semantic version, `major.minor.patch`. */
  readonly version: string;
  readonly description: string;
  readonly provides: readonly Provision[];
  readonly config: ConfigSchema;
  readonly permissions: Permissions;
}

interface ExportNode {
  readonly type: string;
  readonly declaration?: {
    readonly type: string;
    readonly id?: { readonly name: string } | null;
    readonly declarations?: readonly {
      readonly id: { readonly type: string; readonly name?: string };
      readonly init?: unknown;
    }[];
  } | null;
  readonly specifiers?: readonly {
    readonly exported: { readonly name?: string; readonly value?: string };
  }[];
}

const NAME = /^[a-z][a-z0-9_-]{0,63}$/;
const VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;
const MANIFEST_KEYS = new Set([
  "name",
  "version",
  "description",
  "provides",
  "config",
  "permissions",
]);

/**
 * Reads and checks the manifest of a parsed plugin (see `checkSource`), without running any of
 * it: the module must export `const manifest = { … }` as a plain literal, and the functions its
 * provisions need (`entries` for a directory, `read` for a file). Its text is shown to people
 * when the plugin is added, so every string in it must be plain text: no control characters
 * (which could move a terminal's cursor and rewrite what the prompt shows), no lone
 * surrogates, at most `PLUGIN_LIMITS.manifestText` characters. `label` names the source in
 * errors until the manifest's own name is known. Errors: `InvalidManifest`, naming the plugin
 * and the key at fault.
 *
 * @example
 * ```ts
 * import { checkSource } from "./source_check.ts";
 *
 * const source = await Deno.readFile("plugins/visit.ts");
 * const { ast } = await checkSource(source, "visit.ts");
 * const manifest = readManifest(ast, "visit.ts"); // { name: "visit", provides: ["directory"], … }
 * ```
 */
export function readManifest(ast: PluginAst, label: string): Manifest {
  const body = ast.program.body as unknown as readonly ExportNode[];
  const literal = body.flatMap((node) =>
    node.type === "ExportNamedDeclaration" && node.declaration?.type === "VariableDeclaration"
      ? (node.declaration.declarations ?? []).filter((d) => d.id.name === "manifest")
      : []
  );
  if (literal.length !== 1 || literal[0].init == null) {
    throw new PluginError(
      "InvalidManifest",
      label,
      `plugin ${label} has no manifest; add \`export const manifest = { name, version, provides, config }\``,
    );
  }
  let value: unknown;
  try {
    value = staticValue(literal[0].init as Parameters<typeof staticValue>[0]);
  } catch (e) {
    throw new PluginError(
      "InvalidManifest",
      label,
      `plugin ${label}'s manifest must be a plain literal the host can read without running it: ${
        (e as Error).message
      }`,
      { cause: e },
    );
  }
  const manifest = checkManifest(value, label);
  const exported = exportedNames(body);
  for (const provision of manifest.provides) {
    if (!exported.has(EXPORT_FOR[provision])) {
      throw new PluginError(
        "InvalidManifest",
        manifest.name,
        `plugin ${manifest.name} provides a ${provision} but does not export ` +
          `a function named ${EXPORT_FOR[provision]}; add \`export function ${
            EXPORT_FOR[provision]
          }(request, host)\``,
      );
    }
  }
  return manifest;
}

function checkManifest(value: unknown, label: string): Manifest {
  const bad = (plugin: string, message: string) =>
    new PluginError("InvalidManifest", plugin, `plugin ${plugin}'s manifest: ${message}`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw bad(label, "must be an object");
  }
  const m = value as Record<string, unknown>;
  const name = typeof m.name === "string" && NAME.test(m.name) ? m.name : label;
  const text = textProblem(m, "");
  if (text) throw bad(name, text);
  if (typeof m.name !== "string" || !NAME.test(m.name)) {
    throw bad(
      label,
      `name ${
        JSON.stringify(m.name)
      } must be lower-case letters, digits, - or _, starting with a letter`,
    );
  }
  const extra = Object.keys(m).find((k) => !MANIFEST_KEYS.has(k));
  if (extra !== undefined) {
    throw bad(name, `unknown key "${extra}"; use ${[...MANIFEST_KEYS].join(", ")}`);
  }
  if (typeof m.version !== "string" || !VERSION.test(m.version)) {
    throw bad(name, `version ${JSON.stringify(m.version)} must look like 1.0.0`);
  }
  if (m.description !== undefined && typeof m.description !== "string") {
    throw bad(name, "description must be a string");
  }
  const provides = m.provides;
  if (
    !Array.isArray(provides) || provides.length === 0 ||
    !provides.every((p) => Object.hasOwn(EXPORT_FOR, p)) ||
    new Set(provides).size !== provides.length ||
    (provides.includes("collector") && provides.length > 1)
  ) {
    throw bad(
      name,
      'provides must list "directory", "file" or both, like ["directory"], or be ["collector"]',
    );
  }
  return {
    name,
    version: m.version,
    description: (m.description as string | undefined) ?? "",
    provides: provides as Provision[],
    config: readSchema(m.config, name),
    permissions: readPermissions(m.permissions, name),
  };
}

/** Where in `value` (a plain literal) a string is not plain, bounded text, and why. */
function textProblem(value: unknown, at: string): string | undefined {
  if (typeof value === "string") {
    // deno-lint-ignore no-control-regex
    const control = /[\x00-\x1f\x7f-\x9f]/.exec(value);
    if (control) {
      const code = control[0].charCodeAt(0).toString(16).padStart(2, "0");
      return `${at} holds a control character (\\x${code} at ${control.index}); ` +
        "manifests hold plain text, one line per string";
    }
    if (!value.isWellFormed()) return `${at} is not well-formed Unicode (a lone surrogate)`;
    if (value.length > PLUGIN_LIMITS.manifestText) {
      return `${at} is ${value.length} characters long, over the limit of ` +
        `${PLUGIN_LIMITS.manifestText}`;
    }
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const where = Array.isArray(value) ? `${at}[${key}]` : at ? `${at}.${key}` : key;
    const problem = textProblem(key, at ? `a key in ${at}` : "a key") ?? textProblem(item, where);
    if (problem) return problem;
  }
  return undefined;
}

function exportedNames(body: readonly ExportNode[]): Set<string> {
  const names = new Set<string>();
  for (const node of body) {
    if (node.type !== "ExportNamedDeclaration") continue;
    const declaration = node.declaration;
    if (declaration?.id) names.add(declaration.id.name);
    for (const d of declaration?.declarations ?? []) if (d.id.name) names.add(d.id.name);
    for (const s of node.specifiers ?? []) names.add(s.exported.name ?? s.exported.value!);
  }
  return names;
}
