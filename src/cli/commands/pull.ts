/** `pond pull [NAME]`: bring this pond up to a remote's newest transaction, every object checked. */
import { pullPond } from "../../remote/mod.ts";
import type { CommandBody } from "../command.ts";
import { pondPath } from "../pond_options.ts";
import { remoteArgument, runTransfer } from "./push.ts";

/** `pond pull [NAME]`. */
export const pullCommand: CommandBody = {
  usage: "pond pull [NAME] [--json] [--verbose]",
  description:
    "Downloads from remote NAME (the pond's only remote when not named) what this pond\n" +
    "lacks, in the order a push uploads it (blobs, data files, commits, hint), each blob\n" +
    "re-hashed against its name and each data file checked against the size the log\n" +
    "records. A pond holding transactions the remote lacks is refused: push those first.",
  options: {},
  examples: ["pond pull", "pond pull backup --json"],
  maxArgs: 1,
  async run(ctx) {
    const root = await pondPath(ctx, "pond pull");
    const name = await remoteArgument(ctx, root, "pond pull");
    await runTransfer(ctx, `pulled from ${name}`, (o) => pullPond(root, name, ctx.env, o));
  },
};
