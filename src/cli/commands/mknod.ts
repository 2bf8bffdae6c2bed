/** `pond mknod`: make a dynamic directory computed by a plugin, at a path or at every path a pattern matches. */
import {
  describeUse,
  DynamicExists,
  type MadeDynamic,
  makeDynamic,
} from "../../pond/dynamic_nodes.ts";
import { readHostFile } from "../../pond/host_file.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { confirm, DEADLINE_ENV, openPond } from "../pond_options.ts";

/** `pond mknod PLUGIN PATH --config FILE [-p] [--yes]`. */
export const mknodCommand: Command = {
  name: "mknod",
  summary: "make a dynamic directory computed by a plugin",
  usage: "pond mknod PLUGIN PATH|PATTERN --config FILE [-p] [--yes]",
  description:
    "Makes a directory whose entries PLUGIN (built in or installed: see 'pond plugin list')\n" +
    "computes on every read, from the config in FILE (YAML or JSON, on this computer; a\n" +
    "host: prefix is optional). The config is checked against the plugin's fields before\n" +
    "anything is written. A PATTERN (a path with *, ?, [ or {) registers the plugin for every\n" +
    "path it matches, now and later; the plugin gets what the wildcards captured there.\n" +
    "Remove a dynamic directory with 'pond rm PATH', a pattern with 'pond plugin unregister\n" +
    "PATTERN'. Making one where one already is replaces it: asked on a terminal, else pass\n" +
    `--yes. Plugins must answer within $${DEADLINE_ENV} ms (default 5000).`,
  options: {
    config: { type: "string", value: "FILE", help: "the plugin's config, YAML or JSON" },
    parents: { type: "boolean", short: "p", help: "make missing parent directories" },
    yes: { type: "boolean", short: "y", help: "replace a dynamic directory already there" },
  },
  examples: [
    "pond mknod visit /views/all-csv --config visit.yaml   # patterns: [/sites/*/*.csv]",
    "pond mknod derived /tables --config host:derived.json",
    "pond mknod reverse '/sites/*/summary' --config reverse.yaml",
    "pond mknod visit /views/all-csv --config visit-v2.yaml --yes   # new config, same path",
  ],
  minArgs: 2,
  maxArgs: 2,
  async run(ctx) {
    const [plugin, path] = ctx.positionals;
    const configArg = ctx.options.config as string | undefined;
    if (configArg === undefined) {
      throw new UsageError("pond mknod: missing --config FILE (the plugin's config, YAML or JSON)");
    }
    const config = (await readHostFile(configArg)).bytes;
    const { pond, stages } = await openPond(ctx, "pond mknod");
    const make = (replace: boolean) =>
      makeDynamic(pond, plugin, path, config, {
        parents: Boolean(ctx.options.parents),
        replace,
        command: ctx.argv,
      });
    let made: MadeDynamic;
    try {
      made = await make(Boolean(ctx.options.yes));
    } catch (e) {
      if (!(e instanceof DynamicExists)) throw e;
      await confirm(ctx, "pond mknod", `replace it (${describeUse(e.existing)})`);
      made = await make(true);
    }
    stages.mark("mknod");
    if (made.replaced) ctx.output.verbose(`replaced ${made.replaced.path}`);
    stages.report(pond, { transaction: made.seq });
  },
};
