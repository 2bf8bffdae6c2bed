/** `pond mkdir`: make directories, in one transaction. */
import type { CommandBody } from "../command.ts";
import { openPond } from "../pond_options.ts";

/** `pond mkdir [-p] PATH...`. */
export const mkdirCommand: CommandBody = {
  usage: "pond mkdir [-p] PATH...",
  description: "All directories are made in one transaction: if one fails, none is made.",
  options: {
    parents: {
      type: "boolean",
      short: "p",
      help: "make missing parents too; an existing directory is not an error",
    },
  },
  examples: ["pond mkdir /sites", "pond mkdir -p /sites/lake_north/raw /sites/lake_south/raw"],
  minArgs: 1,
  async run(ctx) {
    const { pond, stages } = await openPond(ctx, "pond mkdir");
    const parents = Boolean(ctx.options.parents);
    const { seq } = await pond.transact(ctx.argv, async (root) => {
      for (const path of ctx.positionals) await root.createDirectory(path, { parents });
    });
    stages.mark("commit");
    stages.report(pond, { transaction: seq });
  },
};
