/** `pond mv`: move and rename, with mv's rules, in one transaction. */
import { expandPaths, move } from "../../pond/mod.ts";
import type { CommandBody } from "../command.ts";
import { printCommitted } from "../committed.ts";
import { openPond } from "../pond_options.ts";
import { escapeControl } from "../terminal_text.ts";

/** `pond mv SRC... DEST`. */
export const mvCommand: CommandBody = {
  usage: "pond mv SRC... DEST",
  description:
    "As mv: into DEST when it is a directory, else to the new name DEST, replacing a file\n" +
    "or symlink there (a directory replaces only an empty directory). Several sources need\n" +
    "an existing directory. A symlink moves itself, not its target. Moved nodes keep their\n" +
    "history; everything moves in one transaction, or nothing does. Sources may be glob\n" +
    "patterns ('/in/*.csv'), expanded as a shell would.",
  options: {},
  examples: [
    "pond mv /raw/a.csv /raw/readings.csv",
    "pond mv /raw/a.csv /raw/b.csv /archive/",
    "pond mv /sites/lake_north /sites/north",
  ],
  minArgs: 2,
  async run(ctx) {
    const sources = ctx.positionals.slice(0, -1);
    const dest = ctx.positionals.at(-1)!;
    const { pond, stages } = await openPond(ctx, "pond mv");
    const { result, seq } = await pond.transact(
      ctx.argv,
      async (root) => move(root, await expandPaths(root, sources), dest),
    );
    stages.mark("move");
    for (const { from, to } of result) {
      ctx.output.verbose(`moved ${escapeControl(from)} -> ${escapeControl(to)}`);
    }
    await printCommitted(ctx, pond, seq);
    stages.report(pond, { transaction: seq });
  },
};
