/** A loopback proxy in front of s3rver that honours `If-None-Match: *` as AWS S3 does (s3rver ignores it), so S3Store's exclusive path is tested against a real server. */
import { existsSync } from "node:fs";
import type { S3Server } from "./s3_server.ts";

/** A running proxy: its endpoint, and how to stop it. */
export interface ConditionalProxy {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 forwarding every request to `server`. Requests on one key are
 * served one at a time (s3rver writes objects in place, so a read beside a write could see
 * part of it; S3 never shows one), and a PUT (or copy) with `If-None-Match: *` on a key
 * s3rver already holds is answered 412 Precondition Failed without reaching it.
 *
 * @example
 * ```ts
 * import { startS3rver } from "./s3_server.ts";
 *
 * const proxy = await startConditionalProxy(await startS3rver());
 * ```
 */
export async function startConditionalProxy(server: S3Server): Promise<ConditionalProxy> {
  const locks = new Map<string, Promise<void>>();
  const exclusive = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const before = locks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = before.then(() => mine);
    locks.set(key, chained);
    await before;
    try {
      return await fn();
    } finally {
      release();
      if (locks.get(key) === chained) locks.delete(key);
    }
  };
  let port = 0;
  const ready = Promise.withResolvers<void>();
  const http = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: (addr) => {
      port = addr.port;
      ready.resolve();
    },
  }, (req) => {
    const url = new URL(req.url);
    const forward = async () => {
      const headers = new Headers(req.headers);
      headers.delete("host");
      const body = req.method === "GET" || req.method === "HEAD"
        ? undefined
        : await req.arrayBuffer();
      const res = await fetch(`${server.endpoint}${url.pathname}${url.search}`, {
        method: req.method,
        headers,
        body,
      });
      const empty = req.method === "HEAD" || res.status === 204 || res.status === 304;
      return new Response(empty ? (await res.body?.cancel(), null) : await res.arrayBuffer(), {
        status: res.status,
        headers: res.headers,
      });
    };
    const isObject = url.pathname.split("/").filter(Boolean).length > 1 &&
      !url.search.includes("upload");
    if (!isObject) return forward();
    return exclusive(url.pathname, async () => {
      if (req.method === "PUT" && req.headers.get("if-none-match") === "*") {
        const file = `${server.dir}${decodeURIComponent(url.pathname)}._S3rver_object`;
        if (existsSync(file)) {
          await req.body?.cancel();
          return new Response("<Error><Code>PreconditionFailed</Code></Error>", { status: 412 });
        }
      }
      return await forward();
    });
  });
  await ready.promise;
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => http.shutdown() };
}
