/** Where S3 credentials come from: the standard AWS environment variables or a named profile of the shared credentials file; never the pond. */
import { RemoteError } from "./errors.ts";

/** An access key to sign requests with, and where it was found (for messages, never the secret). */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** E.g. `environment` or `profile backup in /home/me/.aws/credentials`. */
  readonly source: string;
}

/**
 * The sections of an INI file such as `~/.aws/credentials`: `[name]` headers, `key = value`
 * lines, `#` and `;` comments.
 *
 * @example
 * ```ts
 * parseIni("[default]\naws_access_key_id = AK\n"); // { default: { aws_access_key_id: "AK" } }
 * ```
 */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      section = out[header[1]] ??= {};
      continue;
    }
    const eq = line.indexOf("=");
    if (section && eq > 0) section[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

/**
 * The credentials to use: those of `profile` (or `$AWS_PROFILE`) from the shared credentials
 * file (`$AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`) when one is named; else
 * `$AWS_ACCESS_KEY_ID` / `$AWS_SECRET_ACCESS_KEY` / `$AWS_SESSION_TOKEN`; else the file's
 * `default` profile. `NoCredentials` when none is found.
 *
 * @example
 * ```ts
 * const keys = await findCredentials(Deno.env.toObject(), "backup");
 * ```
 */
export async function findCredentials(
  env: Record<string, string | undefined>,
  profile?: string,
): Promise<Credentials> {
  const named = profile ?? env.AWS_PROFILE;
  if (!named && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }),
      source: "environment",
    };
  }
  const file = env.AWS_SHARED_CREDENTIALS_FILE ?? `${env.HOME ?? ""}/.aws/credentials`;
  const text = await Deno.readTextFile(file).catch((e) => {
    if (e instanceof Deno.errors.NotFound) return "";
    throw e;
  });
  const section = parseIni(text)[named ?? "default"];
  if (section?.aws_access_key_id && section.aws_secret_access_key) {
    return {
      accessKeyId: section.aws_access_key_id,
      secretAccessKey: section.aws_secret_access_key,
      ...(section.aws_session_token && { sessionToken: section.aws_session_token }),
      source: `profile ${named ?? "default"} in ${file}`,
    };
  }
  throw new RemoteError(
    "NoCredentials",
    named
      ? `no access key for profile '${named}' in ${file}: add aws_access_key_id and aws_secret_access_key under [${named}]`
      : "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile of " +
        `${file} with --profile or AWS_PROFILE`,
  );
}
