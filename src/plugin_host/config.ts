/** Plugin configuration: the schema a manifest declares, and checking configs (YAML/JSON) against it. */

import { compileGlob, quoted } from "../tinyfs/mod.ts";
import { PluginError } from "./errors.ts";
import { PLUGIN_LIMITS } from "./limits.ts";

/**
 * The types a config field can have. `glob` fields name the plugin's inputs: the host resolves
 * them through the pond and hands the plugin what they match. A `tables` field maps SQL table
 * names to globs: inputs the plugin queries with `host.sql`, handed as their matches (by name)
 * without their contents. A `mapping[]` field is a non-empty list of mappings, each checked
 * against the field's own `fields` (which hold no globs or mappings). A `url` field is an
 * http(s) URL a collector reaches (its host and port are what its node must be granted); an
 * `output` field is an absolute pond path under which a collector's series go.
 */
export type FieldType =
  | "string"
  | "number"
  | "integer"
  | "boolean"
  | "glob"
  | "string[]"
  | "glob[]"
  | "mapping[]"
  | "tables"
  | "url"
  | "output";

const FIELD_TYPES: readonly FieldType[] = [
  "string",
  "number",
  "integer",
  "boolean",
  "glob",
  "string[]",
  "glob[]",
  "mapping[]",
  "tables",
  "url",
  "output",
];

/** The types a `mapping[]` field's own fields can have. */
const ITEM_FIELD_TYPES: readonly FieldType[] = [
  "string",
  "number",
  "integer",
  "boolean",
  "string[]",
];

/** A value a config field holds (a `tables` field: SQL names to globs). */
export type ConfigValue =
  | string
  | number
  | boolean
  | readonly string[]
  | readonly Readonly<Record<string, ConfigValue>>[]
  | Readonly<Record<string, string>>;

/** One field of a plugin's config schema. */
export interface FieldSpec {
  readonly type: FieldType;
  readonly required: boolean;
  readonly default?: ConfigValue;
  /** For `string` fields: the only values allowed. */
  readonly choices?: readonly string[];
  /** For `mapping[]` fields: the schema each item is checked against. */
  readonly fields?: ConfigSchema;
  /**
   * For `glob` and `glob[]` fields: false when the plugin reads its matches only through
   * `host.sql`, so read() is handed them without their contents (a series whose versions
   * differ in columns is then no obstacle). Default true.
   */
  readonly contents?: boolean;
  readonly description?: string;
}

/** A plugin's config schema: its fields, by name. */
export type ConfigSchema = Readonly<Record<string, FieldSpec>>;

/** A checked config: every field of the schema that is given or has a default. */
export type PluginConfig = Readonly<Record<string, ConfigValue>>;

/** Field names start with a letter, so none can be `__proto__` or another special key. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const SPEC_KEYS = new Set([
  "type",
  "required",
  "default",
  "choices",
  "fields",
  "contents",
  "description",
]);

/**
 * Reads the `config` section of plugin `plugin`'s manifest into a schema; `InvalidManifest`
 * naming the field when it is malformed (an unknown type, a default of the wrong type, a
 * required field with a default, choices on a non-string field).
 *
 * @example
 * ```ts
 * const schema = readSchema({ pattern: { type: "glob", required: true } }, "visit");
 * ```
 */
export function readSchema(value: unknown, plugin: string): ConfigSchema {
  if (value === undefined) return {};
  const bad = (message: string) =>
    new PluginError("InvalidManifest", plugin, `plugin ${plugin}'s manifest: ${message}`);
  if (!isRecord(value)) {
    throw bad('config must be an object of fields, like { source: { type: "glob" } }');
  }
  const schema: Record<string, FieldSpec> = {};
  for (const [name, spec] of Object.entries(value)) {
    if (!FIELD_NAME.test(name)) {
      throw bad(
        `config field name "${name}" must be letters, digits and _, starting with a letter`,
      );
    }
    if (!isRecord(spec)) {
      throw bad(`config field "${name}" must be an object like { type: "string" }`);
    }
    const extra = Object.keys(spec).find((k) => !SPEC_KEYS.has(k));
    if (extra) {
      throw bad(
        `config field "${name}" has unknown key "${extra}"; use ${[...SPEC_KEYS].join(", ")}`,
      );
    }
    if (!FIELD_TYPES.includes(spec.type as FieldType)) {
      throw bad(
        `config field "${name}" has type ${JSON.stringify(spec.type)}; use one of ${
          FIELD_TYPES.join(", ")
        }`,
      );
    }
    const type = spec.type as FieldType;
    if (spec.required !== undefined && typeof spec.required !== "boolean") {
      throw bad(`config field "${name}": required must be true or false`);
    }
    if (spec.description !== undefined && typeof spec.description !== "string") {
      throw bad(`config field "${name}": description must be a string`);
    }
    const choices = spec.choices;
    if (
      choices !== undefined && (type !== "string" || !isStringList(choices) || choices.length === 0)
    ) {
      throw bad(
        `config field "${name}": choices must be a non-empty list of strings, on a string field`,
      );
    }
    if (spec.required === true && spec.default !== undefined) {
      throw bad(`config field "${name}" is required, so it cannot have a default`);
    }
    if ((type === "mapping[]") !== (spec.fields !== undefined)) {
      throw bad(`config field "${name}": a mapping[] field, and only one, has fields`);
    }
    if (type === "mapping[]" && spec.default !== undefined) {
      throw bad(`config field "${name}" is a mapping[], so it cannot have a default`);
    }
    if (
      spec.contents !== undefined &&
      (typeof spec.contents !== "boolean" || (type !== "glob" && type !== "glob[]"))
    ) {
      throw bad(`config field "${name}": contents is true or false, on a glob or glob[] field`);
    }
    const fields = spec.fields === undefined ? undefined : readSchema(spec.fields, plugin);
    const nested = Object.entries(fields ?? {}).find(([, f]) => !ITEM_FIELD_TYPES.includes(f.type));
    if (nested) {
      throw bad(
        `config field "${name}.${nested[0]}" has type ${nested[1].type}; ` +
          `the fields of a mapping[] are one of ${ITEM_FIELD_TYPES.join(", ")}`,
      );
    }
    const field: FieldSpec = {
      type,
      required: spec.required === true,
      ...(choices !== undefined ? { choices: [...choices as string[]] } : {}),
      ...(fields !== undefined ? { fields } : {}),
      ...(spec.contents === false ? { contents: false } : {}),
      ...(spec.description !== undefined ? { description: spec.description as string } : {}),
    };
    if (spec.default !== undefined) {
      const problem = fieldProblem(field, spec.default);
      if (problem) throw bad(`config field "${name}": its default ${problem}`);
      schema[name] = { ...field, default: spec.default as ConfigValue };
    } else {
      schema[name] = field;
    }
  }
  return schema;
}

/**
 * Checks a config value against `schema`: unknown fields, missing required fields and values of
 * the wrong type are `InvalidConfig` errors naming plugin `plugin` and the field; missing
 * optional fields take their defaults. Glob fields must be valid patterns; lists hold at most
 * `PLUGIN_LIMITS.configItems` items and strings at most `PLUGIN_LIMITS.configText` characters
 * (a plugin's subdirectory configs are checked here too).
 *
 * @example
 * ```ts
 * const schema = readSchema({ pattern: { type: "string" }, name: { type: "string", default: "$0" } }, "visit");
 * validateConfig(schema, { pattern: "/in/*.csv" }, "visit"); // { pattern: "/in/*.csv", name: "$0" }
 * ```
 */
export function validateConfig(schema: ConfigSchema, value: unknown, plugin: string): PluginConfig {
  return checkFields(
    schema,
    value,
    (message) =>
      new PluginError("InvalidConfig", plugin, `config for plugin ${plugin}: ${message}`),
  );
}

/** `value` checked against `schema`, problems reported through `bad`. */
function checkFields(
  schema: ConfigSchema,
  value: unknown,
  bad: (message: string) => PluginError,
): PluginConfig {
  const fields = Object.keys(schema);
  const known = fields.length > 0 ? `its fields are ${fields.join(", ")}` : "it takes no fields";
  if (!isRecord(value)) throw bad(`expected a mapping of fields; ${known}`);
  const unknown = Object.keys(value).find((k) => !Object.hasOwn(schema, k));
  if (unknown !== undefined) throw bad(`unknown field "${unknown}"; ${known}`);
  const config: Record<string, ConfigValue> = {};
  for (const [name, field] of Object.entries(schema)) {
    const given = value[name];
    if (given === undefined || given === null) {
      if (field.required) throw bad(`field "${name}" is required (${describe(field)})`);
      if (field.default !== undefined) config[name] = field.default;
      continue;
    }
    const problem = fieldProblem(field, given);
    if (problem) throw bad(`field "${name}" ${problem}`);
    config[name] = field.fields
      ? (given as unknown[]).map((item, i) =>
        checkFields(field.fields!, item, (m) => bad(`field "${name}" item ${i}: ${m}`))
      )
      : Array.isArray(given)
      ? [...given]
      : isRecord(given)
      ? { ...given as Record<string, string> }
      : given as ConfigValue;
  }
  return config;
}

/**
 * Parses config bytes (YAML, which includes JSON; empty means no fields given) and checks them
 * with {@link validateConfig}. Unparsable text is `InvalidConfig` too. The YAML parser is loaded
 * on first use, so commands that open no dynamic node never load it.
 *
 * @example
 * ```ts
 * const schema = readSchema({ pattern: { type: "string" }, name: { type: "string", default: "$0" } }, "visit");
 * await parseConfig(schema, new TextEncoder().encode("pattern: /in/*.csv\n"), "visit");
 * ```
 */
export async function parseConfig(
  schema: ConfigSchema,
  bytes: Uint8Array,
  plugin: string,
): Promise<PluginConfig> {
  const { parse } = await import("yaml");
  let value: unknown;
  try {
    value = parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes), { uniqueKeys: true });
  } catch (e) {
    throw new PluginError(
      "InvalidConfig",
      plugin,
      `config for plugin ${plugin} is not valid YAML or JSON: ${(e as Error).message}`,
      { cause: e },
    );
  }
  return validateConfig(schema, value ?? {}, plugin);
}

/** The globs of one input field of a config, or of one table of a `tables` field. */
export interface InputPatterns {
  readonly field: string;
  /** For a `tables` field: the SQL name these globs are for. */
  readonly table?: string;
  readonly patterns: readonly string[];
  /** Whether read() is handed the matches' contents (never for `tables`; see `FieldSpec.contents`). */
  readonly contents: boolean;
}

/**
 * The input globs of `config`: for each glob field of `schema`, in schema order, its patterns
 * (a single glob as a list of one; an absent optional field as none), and for a `tables` field
 * each table's glob.
 *
 * @example
 * ```ts
 * const schema = readSchema({ patterns: { type: "glob[]" }, r: { type: "tables" } }, "visit");
 * inputPatterns(schema, { patterns: ["/a/*", "/b/*"], r: { x: "/c/*" } });
 * // [{ field: "patterns", patterns: ["/a/*", "/b/*"] }, { field: "r", table: "x", patterns: ["/c/*"] }]
 * ```
 */
export function inputPatterns(schema: ConfigSchema, config: PluginConfig): InputPatterns[] {
  return Object.entries(schema).flatMap(([field, spec]): InputPatterns[] => {
    const value = config[field];
    if (spec.type === "tables") {
      return Object.entries(value ?? {}).map(([table, glob]) => ({
        field,
        table,
        patterns: [glob as string],
        contents: false,
      }));
    }
    if (spec.type !== "glob" && spec.type !== "glob[]") return [];
    const patterns = value === undefined
      ? []
      : typeof value === "string"
      ? [value]
      : value as readonly string[];
    return [{ field, patterns, contents: spec.contents !== false }];
  });
}

/** Why `value` does not fit `field`, or undefined when it does. */
function fieldProblem(field: FieldSpec, value: unknown): string | undefined {
  const size = sizeProblem(value);
  if (size) return size;
  switch (field.type) {
    case "string":
      if (typeof value !== "string") return `must be a string, not ${kindOf(value)}`;
      if (field.choices && !field.choices.includes(value)) {
        return `must be one of ${field.choices.join(", ")}, not ${quoted(value)}`;
      }
      return undefined;
    case "number":
      return typeof value === "number" && Number.isFinite(value)
        ? undefined
        : `must be a number, not ${kindOf(value)}`;
    case "integer":
      return Number.isSafeInteger(value) ? undefined : `must be an integer, not ${kindOf(value)}`;
    case "boolean":
      return typeof value === "boolean" ? undefined : `must be true or false, not ${kindOf(value)}`;
    case "glob":
      return typeof value === "string"
        ? globProblem(value)
        : `must be a glob pattern, not ${kindOf(value)}`;
    case "string[]":
      return isStringList(value) ? undefined : `must be a list of strings, not ${kindOf(value)}`;
    case "glob[]":
      if (!isStringList(value) || value.length === 0) {
        return `must be a non-empty list of glob patterns, not ${kindOf(value)}`;
      }
      return value.map(globProblem).find((p) => p !== undefined);
    case "mapping[]":
      return Array.isArray(value) && value.length > 0
        ? undefined
        : `must be a non-empty list of mappings, not ${kindOf(value)}`;
    case "tables":
      return tablesProblem(value);
    case "url":
      return typeof value === "string" ? urlProblem(value) : `must be a URL, not ${kindOf(value)}`;
    case "output":
      return typeof value === "string" && value.startsWith("/") &&
          value.replace(/\/$/, "").split("/").slice(1).every((part) =>
            part !== "" && part !== "." && part !== ".."
          )
        ? undefined
        : `must be an absolute pond path without . or .., like /hydrovu, not ${kindOf(value)}`;
  }
}

/** SQL table names: plain identifiers, so a query names them without quoting. */
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Why `value` is not a mapping of SQL table names to globs, or undefined when it is. */
function tablesProblem(value: unknown): string | undefined {
  if (!isRecord(value) || Object.keys(value).length === 0) {
    return `must be a mapping of table names to globs, like { r: /sites/*/readings.series }, not ${
      kindOf(value)
    }`;
  }
  const entries = Object.entries(value);
  if (entries.length > PLUGIN_LIMITS.configItems) {
    return `holds ${entries.length} tables, over the limit of ${PLUGIN_LIMITS.configItems}`;
  }
  for (const [name, glob] of entries) {
    if (!TABLE_NAME.test(name)) {
      return `names a table ${
        quoted(name)
      }; table names are letters, digits and _, not starting with a digit`;
    }
    if (typeof glob !== "string") {
      return `table ${name} must be a glob pattern, not ${kindOf(glob)}`;
    }
    const problem = sizeProblem(glob) ?? globProblem(glob);
    if (problem) return `table ${name} ${problem}`;
  }
  return undefined;
}

/** Why `value` is not an http(s) URL a node can be granted, or undefined when it is. */
function urlProblem(value: string): string | undefined {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    return `must be an http:// or https:// URL, not ${quoted(value)}`;
  }
  return new URL(value).username || new URL(value).password
    ? "must not hold a user name or password; give credentials in their own fields"
    : undefined;
}

/**
 * The `host:port` a URL field's value reaches (its default port when it names none): what a
 * collector's node must be granted to reach it.
 *
 * @example
 * ```ts
 * urlHost("https://www.hydrovu.com/public-api/"); // "www.hydrovu.com:443"
 * urlHost("http://127.0.0.1:8080/");              // "127.0.0.1:8080"
 * ```
 */
export function urlHost(value: string): string {
  const url = new URL(value);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${url.hostname}:${port}`;
}

function globProblem(pattern: string): string | undefined {
  try {
    compileGlob(pattern);
    return undefined;
  } catch (e) {
    return `holds a bad glob pattern ${quoted(pattern)}: ${(e as Error).message}`;
  }
}

function describe(field: FieldSpec): string {
  return field.description ? `${field.type}: ${field.description}` : `a ${field.type}`;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "a mapping";
  return typeof value === "string" ? `string ${quoted(value)}` : `${typeof value} ${value}`;
}

/** A list or string over the config limits, checked before its items are looked at. */
function sizeProblem(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    if (value.length > PLUGIN_LIMITS.configItems) {
      return `holds ${value.length} items, over the limit of ${PLUGIN_LIMITS.configItems}`;
    }
    for (let i = 0; i < value.length; i++) {
      if (!Object.hasOwn(value, i)) return `has a hole at item ${i}`;
    }
    const long = value.find((v) => typeof v === "string" && v.length > PLUGIN_LIMITS.configText);
    return long === undefined ? undefined : sizeProblem(long);
  }
  if (typeof value === "string" && value.length > PLUGIN_LIMITS.configText) {
    return `is ${value.length} characters long, over the limit of ${PLUGIN_LIMITS.configText}`;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}
