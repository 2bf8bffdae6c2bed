/** A real s3rver process on loopback for the remote tests: started on a free port with a bucket, stopped at the end. */
import { existsSync } from "node:fs";
import { REPO_ROOT } from "../cli/harness.ts";
import { command } from "../subprocess.ts";

/** s3rver's own key pair (it checks the key id, not the secret). */
export const S3RVER_KEYS = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };

const S3RVER = `${REPO_ROOT}node_modules/s3rver/bin/s3rver.js`;

/** Why the S3 tests cannot run here, or undefined when they can (node and s3rver present). */
export function s3rverMissing(): string | undefined {
  if (!existsSync(S3RVER)) return `s3rver is not installed (${S3RVER}): run npm install`;
  if (!onPath("node")) return "node is not on PATH (s3rver runs on it)";
  return undefined;
}

/** Why the s3cmd tests cannot run here, or undefined. */
export function s3cmdMissing(): string | undefined {
  return onPath("s3cmd") ? undefined : "Debian's s3cmd is not installed (apt-get install s3cmd)";
}

function onPath(program: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((d) => existsSync(`${d}/${program}`));
}

/** A running s3rver: where it listens, its bucket, its data directory. */
export interface S3Server {
  readonly endpoint: string;
  readonly port: number;
  readonly bucket: string;
  readonly dir: string;
  /** The environment a pond command needs to reach it (keys, region). */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
  /** Stops it at once (for an `unload` handler, which cannot wait). */
  stopNow(): void;
}

/**
 * One s3rver for a whole test module, started when the module loads (so no test owns its
 * process) and stopped when the process ends; undefined (with the reason) when s3rver is missing.
 *
 * @example
 * ```ts
 * const { server, missing } = await moduleS3rver();
 * Deno.test({ name: "uses S3", ignore: !server, fn: () => {} });
 * ```
 */
export async function moduleS3rver(): Promise<{ server?: S3Server; missing?: string }> {
  const missing = s3rverMissing();
  if (missing) return { missing };
  const server = await startS3rver();
  globalThis.addEventListener("unload", () => server.stopNow());
  return { server };
}

/** A port nobody listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Starts s3rver on 127.0.0.1 with bucket `bucket` in a fresh directory, and waits until it
 * answers. Node runs it with the legacy OpenSSL provider: s3rver 3.7 makes continuation tokens
 * with DES, which Node 17+ refuses otherwise (every paged listing would fail with HTTP 500).
 *
 * @example
 * ```ts
 * const server = await startS3rver();
 * try { console.log(server.endpoint); } finally { await server.stop(); }
 * ```
 */
export async function startS3rver(bucket = "pond-test"): Promise<S3Server> {
  const dir = await Deno.makeTempDir({ prefix: "s3rver-" });
  const port = freePort();
  const child = command("node", {
    args: [
      "--openssl-legacy-provider",
      S3RVER,
      "-d",
      dir,
      "-a",
      "127.0.0.1",
      "-p",
      String(port),
      "--configure-bucket",
      bucket,
      "--silent",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const endpoint = `http://127.0.0.1:${port}`;
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  for (let i = 0;; i++) {
    if (exited) throw new Error(`s3rver exited at start: ${JSON.stringify(await status)}`);
    const up = await fetch(endpoint).then(async (r) => (await r.body?.cancel(), true), () => false);
    if (up) break;
    if (i > 400) throw new Error(`s3rver did not answer on ${endpoint}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    endpoint,
    port,
    bucket,
    dir,
    env: { ...S3RVER_KEYS, AWS_REGION: "us-east-1", HOME: dir },
    async stop() {
      if (!exited) child.kill("SIGTERM");
      await status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
    stopNow() {
      if (!exited) child.kill("SIGKILL");
      exited = true;
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch { /* already gone */ }
    },
  };
}
