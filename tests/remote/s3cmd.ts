/** Debian's s3cmd pointed at a loopback s3rver through a temporary config file: an independent S3 client for the tests and the benchmark. */
import { command } from "../subprocess.ts";

/**
 * Runs `s3cmd ARGS` against the server at `port` (path-style, no TLS, s3rver's keys), with a
 * config file written to `dir`; throws with its stderr unless it exits 0.
 *
 * @example
 * ```ts
 * const listing = await s3cmd(9000, "/tmp/t", ["ls", "-r", "s3://bucket/"]);
 * ```
 */
export async function s3cmd(port: number, dir: string, args: string[]): Promise<string> {
  const config = `${dir}/s3cmd.cfg`;
  await Deno.writeTextFile(
    config,
    "[default]\naccess_key = S3RVER\nsecret_key = S3RVER\n" +
      `host_base = 127.0.0.1:${port}\nhost_bucket = 127.0.0.1:${port}\n` +
      "use_https = False\nprogress_meter = False\n",
  );
  const out = await command("s3cmd", {
    args: ["-c", config, ...args],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`s3cmd ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}
