/** `pond mknod`: make a dynamic directory or file computed by a plugin, at a path or at every path a pattern matches. */
import { isPondError } from "../../errors.ts";
import {
  collectorHosts,
  describeUse,
  DynamicExists,
  listPlugins,
  type MadeDynamic,
  makeCollector,
  makeDynamic,
  type Pond,
  readHostFile,
} from "../../pond/mod.ts";
import type { CommandBody, CommandContext } from "../command.ts";
import { printCommitted } from "../committed.ts";
import { UsageError } from "../errors.ts";
import { confirm, DEADLINE_ENV, openPond } from "../pond_options.ts";
import { escapeControl } from "../terminal_text.ts";

/** `pond mknod PLUGIN PATH --config FILE [--file|--directory] [-p] [--yes]`. */
export const mknodCommand: CommandBody = {
  usage: "pond mknod PLUGIN PATH|PATTERN --config FILE [--file|--directory] [-p] [--yes]",
  description:
    "Makes a directory whose entries, or a file whose bytes, PLUGIN (built in or installed:\n" +
    "see 'pond plugin list') computes on every read, from the config in FILE (YAML or JSON,\n" +
    "on this computer; a host: prefix is optional). It makes what the plugin provides; for a\n" +
    "plugin that provides both, choose with --directory or --file. The config is checked\n" +
    "against the plugin's fields before anything is written. A PATTERN (a path with *, ?, [\n" +
    "or {) registers a dynamic directory for every path it matches, now and later; the plugin\n" +
    "gets what the wildcards captured there. Remove a dynamic directory or file with 'pond rm\n" +
    "PATH', a pattern with 'pond plugin unregister PATTERN'. Making one where one already is\n" +
    "replaces it: asked on a terminal, else pass --yes. A collector's node (see 'pond run')\n" +
    "may reach the network hosts its config's URLs name, and nothing else: they are shown\n" +
    "and asked for (or granted by --yes). Plugins must answer within\n" +
    `$${DEADLINE_ENV} ms (default 5000).`,
  options: {
    config: { type: "string", value: "FILE", help: "the plugin's config, YAML or JSON" },
    file: { type: "boolean", help: "make a dynamic file (for a plugin that provides both)" },
    directory: {
      type: "boolean",
      help: "make a dynamic directory (for a plugin that provides both)",
    },
    parents: { type: "boolean", short: "p", help: "make missing parent directories" },
    yes: {
      type: "boolean",
      short: "y",
      help: "replace a dynamic node already there; grant a collector the hosts it needs",
    },
  },
  examples: [
    "pond mknod visit /views/all-csv --config visit.yaml   # patterns: [/sites/*/*.csv]",
    "pond mknod derived /tables --directory --config host:derived.json",
    "pond mknod derived /all.csv --file --config concat.yaml   # transform: concat-csv",
    "pond mknod reverse '/sites/*/summary' --config reverse.yaml",
    "pond mknod visit /views/all-csv --config visit-v2.yaml --yes   # new config, same path",
    "pond mknod hydrovu /etc/hydrovu -p --config hydrovu.yaml   # a collector: see 'pond run'",
  ],
  minArgs: 2,
  maxArgs: 2,
  async run(ctx) {
    const [plugin, path] = ctx.positionals;
    const configArg = ctx.options.config as string | undefined;
    if (configArg === undefined) {
      throw new UsageError("pond mknod: missing --config FILE (the plugin's config, YAML or JSON)");
    }
    if (ctx.options.file && ctx.options.directory) {
      throw new UsageError("pond mknod: --file and --directory exclude each other; choose one");
    }
    const kind = ctx.options.file ? "file" : ctx.options.directory ? "directory" : undefined;
    const config = (await readHostFile(configArg)).bytes;
    const { pond, stages } = await openPond(ctx, "pond mknod");
    const net = await collectorGrants(ctx, pond, plugin, path, config);
    const options = { parents: Boolean(ctx.options.parents), command: ctx.argv };
    const make = (replace: boolean) =>
      net === undefined
        ? makeDynamic(pond, plugin, path, config, { ...options, replace, kind })
        : makeCollector(pond, plugin, path, config, { ...options, replace, net });
    let made: MadeDynamic;
    try {
      made = await make(Boolean(ctx.options.yes));
    } catch (e) {
      if (isPondError(e, "KindNeeded") || isPondError(e, "PatternFile")) {
        throw new UsageError(`pond mknod: ${e.message}`);
      }
      if (!(e instanceof DynamicExists)) throw e;
      await confirm(ctx, "pond mknod", `replace it (${describeUse(e.existing)})`);
      made = await make(true);
    }
    stages.mark("mknod");
    if (made.replaced) ctx.output.verbose(`replaced ${escapeControl(made.replaced.path)}`);
    await printCommitted(ctx, pond, made.seq);
    stages.report(pond, { transaction: made.seq });
  },
};

/**
 * For a collector plugin, the network hosts its node is granted: those its config reaches,
 * shown and confirmed (or `--yes`); undefined for any other plugin.
 */
async function collectorGrants(
  ctx: CommandContext,
  pond: Pond,
  plugin: string,
  path: string,
  config: Uint8Array,
): Promise<string[] | undefined> {
  const root = await pond.root();
  const found = (await listPlugins(root)).find((p) => p.name === plugin);
  if (!found?.provides.includes("collector")) return undefined;
  const hosts = await collectorHosts(root, plugin, config);
  if (hosts.length > 0) {
    await confirm(
      ctx,
      "pond mknod",
      escapeControl(`let collector ${plugin} at ${path} reach ${hosts.join(", ")}`),
    );
  }
  return hosts;
}
