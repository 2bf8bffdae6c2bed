/** `pond rm`: remove files, symlinks and directories, in one transaction. */
import { expandPaths, remove } from "../../pond/mod.ts";
import type { CommandBody } from "../command.ts";
import { printCommitted } from "../committed.ts";
import { openPond } from "../pond_options.ts";
import { escapeControl } from "../terminal_text.ts";

/** `pond rm [-r] [-d] [-f] PATH...`. */
export const rmCommand: CommandBody = {
  usage: "pond rm [-r] [-d] [-f] PATH...",
  description:
    "As rm: a symlink is removed, never what it points to; a directory needs -r (or -d\n" +
    "when it is empty). Everything is removed in one transaction: if one path cannot be\n" +
    "removed, nothing is. What was removed stays readable with --at an earlier transaction.\n" +
    "Glob patterns ('/tmp/*.csv') are expanded as a shell would; one that matches nothing is\n" +
    "an error, unless -f.",
  options: {
    recursive: {
      type: "boolean",
      short: "r",
      help: "remove directories and everything in them",
    },
    dir: { type: "boolean", short: "d", help: "remove empty directories" },
    force: { type: "boolean", short: "f", help: "ignore paths that do not exist" },
  },
  examples: [
    "pond rm /raw/old.csv",
    "pond rm -r /scratch /tmp/run-12",
    "pond rm -f /maybe/there.csv",
    "pond rm '/raw/2025-*.csv'",
    "pond cat /raw/old.csv --at 41   # still readable as of an earlier transaction",
  ],
  minArgs: 1,
  async run(ctx) {
    const force = Boolean(ctx.options.force);
    const { pond, stages } = await openPond(ctx, "pond rm");
    const { result, seq } = await pond.transact(
      ctx.argv,
      async (root) =>
        remove(root, await expandPaths(root, ctx.positionals, { allowNone: force }), {
          recursive: Boolean(ctx.options.recursive),
          emptyDirectories: Boolean(ctx.options.dir),
          force,
        }),
    );
    stages.mark("remove");
    for (const path of result) ctx.output.verbose(`removed ${escapeControl(path)}`);
    await printCommitted(ctx, pond, seq);
    stages.report(pond, { transaction: seq });
  },
};
