/** What a remote is: an `s3://bucket/prefix` URL with its endpoint, region and profile, or a `file:///dir` directory; and the `Store` that reaches it. */
import { LocalStore, type Store } from "../delta/mod.ts";
import { findCredentials } from "./credentials.ts";
import { RemoteError } from "./errors.ts";
import { S3Store } from "./s3_store.ts";

/** A remote as `pond remote add` records it: no credentials, only where to find them. */
export interface RemoteSpec {
  /** `s3://bucket[/prefix]` or `file:///dir`. */
  readonly url: string;
  /** The S3 server's base URL (default: AWS's for the region). */
  readonly endpoint?: string;
  readonly region?: string;
  /** The profile of the shared credentials file to sign with. */
  readonly profile?: string;
}

/** A parsed remote URL. */
export type RemoteTarget =
  | { readonly kind: "s3"; readonly bucket: string; readonly prefix: string }
  | { readonly kind: "file"; readonly dir: string };

/**
 * Parses a remote URL: `s3://bucket[/prefix]` or `file:///absolute/dir`; `BadRemoteUrl` otherwise.
 *
 * @example
 * ```ts
 * parseRemoteUrl("s3://backups/ponds/lake"); // { kind: "s3", bucket: "backups", prefix: "ponds/lake" }
 * parseRemoteUrl("file:///media/usb/lake");  // { kind: "file", dir: "/media/usb/lake" }
 * ```
 */
export function parseRemoteUrl(url: string): RemoteTarget {
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (s3) return { kind: "s3", bucket: s3[1], prefix: (s3[2] ?? "").replace(/^\/+|\/+$/g, "") };
  if (url.startsWith("file://")) {
    const dir = decodeURIComponent(url.slice("file://".length)).replace(/\/+$/, "") || "/";
    if (dir.startsWith("/")) return { kind: "file", dir };
  }
  throw new RemoteError(
    "BadRemoteUrl",
    `'${url}' is not a remote URL: use s3://BUCKET[/PREFIX] (with --endpoint for a server ` +
      "other than AWS) or file:///ABSOLUTE/DIR",
  );
}

/**
 * The store holding the pond a remote names: an {@link S3Store} signed with credentials from
 * `env` (see `findCredentials`), or a `LocalStore` on the directory.
 *
 * @example
 * ```ts
 * const store = await openRemote({ url: "s3://backups/lake", endpoint: "http://127.0.0.1:9000" }, Deno.env.toObject());
 * ```
 */
export async function openRemote(
  spec: RemoteSpec,
  env: Record<string, string | undefined>,
): Promise<Store> {
  const target = parseRemoteUrl(spec.url);
  if (target.kind === "file") return new LocalStore(target.dir);
  const region = spec.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  return new S3Store({
    endpoint: spec.endpoint ?? `https://s3.${region}.amazonaws.com`,
    region,
    bucket: target.bucket,
    prefix: target.prefix,
    credentials: await findCredentials(env, spec.profile),
  });
}
