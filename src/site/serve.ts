/** Serving a site on loopback for a local look: each page request builds the site afresh from the pond, in memory. */

/** Content types by file extension. */
const TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
};

/** A running server: its address, and a promise that settles when it stops. */
export interface SiteServer {
  readonly url: string;
  readonly finished: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Serves the files `build` returns (paths in the site to their text) on 127.0.0.1:`port`
 * (0: any free port). Every request for a page (`/`, `*.html`) calls `build` first, so a
 * reload shows the pond as it is now; other files come from the newest build. A failed build
 * answers 500 with its message (and `onError` hears of it); an unknown path 404.
 *
 * @example
 * ```ts
 * const server = serveSite(() => Promise.resolve(new Map([["index.html", "<p>hi</p>"]])), { port: 0 });
 * console.log(server.url); // "http://127.0.0.1:…/"
 * await server.shutdown();
 * ```
 */
export function serveSite(
  build: () => Promise<ReadonlyMap<string, string>>,
  options: { port: number; onError?: (e: unknown) => void; onListen?: (url: string) => void },
): SiteServer {
  let files: ReadonlyMap<string, string> | undefined;
  let url = "";
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port,
    onListen: ({ port }) => {
      url = `http://127.0.0.1:${port}/`;
      options.onListen?.(url);
    },
  }, async (request) => {
    let path = decodeURIComponent(new URL(request.url).pathname).replace(/^\/+/, "");
    if (path === "" || path.endsWith("/")) path += "index.html";
    if (path.endsWith(".html") || !files) {
      try {
        files = await build();
      } catch (e) {
        options.onError?.(e);
        return new Response(`${(e as Error).message}\n`, { status: 500 });
      }
    }
    const text = files.get(path);
    if (text === undefined) return new Response("not found\n", { status: 404 });
    return new Response(text, {
      headers: {
        "content-type": TYPES[path.split(".").at(-1)!] ?? "application/octet-stream",
        "cache-control": "no-cache",
      },
    });
  });
  return {
    get url() {
      return url;
    },
    finished: server.finished,
    shutdown: () => server.shutdown(),
  };
}
