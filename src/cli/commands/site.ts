/** `pond site`: build a static site with charts from a site YAML, or serve it on loopback for a local look. */
import { HOST_PREFIX, type Pond, type PondAt, readHostFile } from "../../pond/mod.ts";
import {
  buildSite,
  parseSiteConfig,
  serveSite,
  type SiteConfig,
  siteFiles,
} from "../../site/mod.ts";
import type { Command, CommandBody, CommandContext } from "../command.ts";
import { UsageError } from "../errors.ts";
import { AT_OPTION, openPond, parseAt } from "../pond_options.ts";

const SITE_HELP =
  "SITE.yaml is a pond path, or host:PATH for a file on this computer. It names a\n" +
  "title, Markdown for the index page, and pages, each charting the res=<duration>.series\n" +
  "files a glob matches (temporal-reduce makes them): a page per value of its name template\n" +
  "($0 …), the files of one directory one series at several resolutions, the columns to\n" +
  "chart (globs; default all numeric), labels and units. See the README, 'Publishing a site'.";

/** `pond site build SITE.yaml host:DIR [--at SEQ|TIME] [--json]`. */
const build: Command = {
  name: "build",
  summary: "write the site into a directory on this computer",
  usage: "pond site build SITE.yaml host:DIR [--at SEQ|TIME] [--json]",
  description:
    "Writes a self-contained static site into DIR (made if missing): index.html, a page\n" +
    "per series page, the data as time partitions per resolution, and the scripts, so it\n" +
    "opens from disk or from any web server. The same pond version builds the same bytes;\n" +
    "building again into DIR reads only the series whose files changed since the build\n" +
    "there (the others come from its data), rewrites only the files whose content changed,\n" +
    "removes the ones no longer built, and says how many. DIR must be new, empty, or an\n" +
    "earlier site.\n" +
    SITE_HELP,
  options: { ...AT_OPTION },
  examples: [
    "pond site build /site.yaml host:public",
    "pond site build host:site.yaml host:/srv/www/lake --json",
    "pond site build /site.yaml host:public --at 12",
  ],
  minArgs: 2,
  maxArgs: 2,
  async run(ctx) {
    const [configPath, target] = ctx.positionals;
    if (!target.startsWith(HOST_PREFIX) || target.length === HOST_PREFIX.length) {
      throw new UsageError(
        "pond site build: the site goes into a directory on this computer, host:DIR",
      );
    }
    const at = parseAt(ctx.options.at as string | undefined, "pond site build");
    const { pond } = await openPond(ctx, "pond site build");
    const site = await readSite(pond, configPath, at);
    const dir = target.slice(HOST_PREFIX.length);
    const report = await buildSite(pond, site, dir, at);
    if (ctx.options.json) {
      ctx.output.out(JSON.stringify({ directory: dir, ...report }, null, 2) + "\n");
      return;
    }
    const { series: s, partitions: p, files: f } = report;
    ctx.output.out(
      `built ${report.pages.length} page(s) as of transaction ${report.seq} into ${dir}: ` +
        `series ${s.read} read, ${s.reused} unchanged since the build there; ` +
        `partitions ${p.written} written, ${p.unchanged} unchanged, ${p.removed} removed; ` +
        `other files ${f.written} written, ${f.unchanged} unchanged, ${f.removed} removed\n`,
    );
  },
};

/** `pond site serve SITE.yaml [--port N]`. */
const serve: Command = {
  name: "serve",
  summary: "serve the site on 127.0.0.1, built afresh on every page request",
  usage: "pond site serve SITE.yaml [--port N] [--json]",
  description: "Serves the site on loopback (127.0.0.1) until interrupted; every page request\n" +
    "reads the site YAML and the pond again, so a reload shows new readings. Prints the\n" +
    'address on stderr (with --json, {"url": …} on stdout). --port 0 picks a free port.\n' +
    SITE_HELP,
  options: {
    port: {
      type: "string",
      value: "N",
      help: "the port to listen on (default 8000; 0: any free one)",
    },
  },
  examples: ["pond site serve /site.yaml", "pond site serve host:site.yaml --port 0 --json"],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const portText = (ctx.options.port as string | undefined) ?? "8000";
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
      throw new UsageError(
        `pond site serve: --port takes a port number 0-65535, not '${portText}'`,
      );
    }
    const { pond } = await openPond(ctx, "pond site serve");
    await readSite(pond, ctx.positionals[0]); // a bad config fails now, not on the first request
    const server = serveSite(
      async () => {
        await pond.store.refresh(); // what other commands committed since the last request
        return (await siteFiles(pond, await readSite(pond, ctx.positionals[0]))).files;
      },
      {
        port: Number(portText),
        onError: (e) => ctx.output.err(`pond site serve: ${(e as Error).message}\n`),
        onListen: (url) => announce(ctx, url),
      },
    );
    const stop = () => void server.shutdown();
    for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, stop);
    try {
      await server.finished;
    } finally {
      for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(signal, stop);
    }
  },
};

function announce(ctx: CommandContext, url: string): void {
  if (ctx.options.json) ctx.output.out(JSON.stringify({ url }) + "\n");
  else ctx.output.err(`serving the site at ${url} (Ctrl-C to stop)\n`);
}

/** The site YAML at `path`: a `host:` file, or a file in the pond as of `at`. */
async function readSite(pond: Pond, path: string, at?: PondAt): Promise<SiteConfig> {
  const bytes = path.startsWith(HOST_PREFIX)
    ? (await readHostFile(path)).bytes
    : await (await pond.root(at)).read(path);
  return await parseSiteConfig(new TextDecoder().decode(bytes));
}

/** `pond site`: building and serving a static site. */
export const siteCommand: CommandBody = {
  usage: "pond site COMMAND SITE.yaml [OPTIONS]",
  options: {},
  examples: ["pond site build /site.yaml host:public", "pond site serve /site.yaml"],
  subcommands: [build, serve],
};
