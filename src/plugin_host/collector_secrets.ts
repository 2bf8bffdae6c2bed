/** Credentials in collector configs: `${env:NAME}` expanded for one run only, and the expanded values kept out of every message. */

import type { ConfigValue, PluginConfig } from "./config.ts";
import { PluginError } from "./errors.ts";

/** `${env:NAME}`: a reference to an environment variable, expanded at run time. */
const REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A config with its references expanded, and what to hide again wherever text leaves the run. */
export interface ExpandedConfig {
  readonly config: PluginConfig;
  /** Replaces every expanded value in `text` by the reference it came from. */
  readonly redact: (text: string) => string;
}

/**
 * `config` with every `${env:NAME}` in its strings (nested lists and mappings included) replaced
 * by the value of `NAME` from `env`, for one run; the stored config keeps the references. A
 * variable that is not set (or is empty) is `InvalidConfig` naming it and the field, never a
 * value. `redact` turns any expanded value (as it is, and URL-encoded) back into its reference,
 * for everything the run prints or records.
 *
 * @example
 * ```ts
 * const { config, redact } = expandSecrets(
 *   { client_secret: "${env:HYDRO_KEY_VALUE}" },
 *   (name) => ({ HYDRO_KEY_VALUE: "s3cret" })[name],
 *   "hydrovu",
 * );
 * config.client_secret;           // "s3cret"
 * redact("refused s3cret");      // "refused ${env:HYDRO_KEY_VALUE}"
 * ```
 */
export function expandSecrets(
  config: PluginConfig,
  env: (name: string) => string | undefined,
  plugin: string,
): ExpandedConfig {
  const secrets = new Map<string, string>();
  const expand = (value: ConfigValue, field: string): ConfigValue => {
    if (typeof value === "string") {
      return value.replace(REFERENCE, (reference, name: string) => {
        const found = env(name);
        if (!found) {
          throw new PluginError(
            "InvalidConfig",
            plugin,
            `config for plugin ${plugin}: field "${field}" names \${env:${name}}, which is not ` +
              "set; set it in the environment the collector runs in",
          );
        }
        secrets.set(found, reference);
        return found;
      });
    }
    if (Array.isArray(value)) {
      return value.map((item, i) => expand(item, `${field}[${i}]`)) as ConfigValue;
    }
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, expand(v as ConfigValue, `${field}.${k}`)]),
      ) as ConfigValue;
    }
    return value;
  };
  const expanded = Object.fromEntries(
    Object.entries(config).map(([field, value]) => [field, expand(value, field)]),
  );
  const forms = [...secrets].flatMap(([value, reference]) =>
    [value, encodeURIComponent(value)].map((form) => [form, reference] as const)
  ).sort((a, b) => b[0].length - a[0].length);
  return {
    config: expanded,
    redact: (text) => forms.reduce((t, [form, reference]) => t.replaceAll(form, reference), text),
  };
}
