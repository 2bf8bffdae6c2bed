/** `pond init`: make a new, empty pond. */
import { hostError, localPond, Pond } from "../../pond/mod.ts";
import type { CommandBody } from "../command.ts";
import { printCommitted } from "../committed.ts";
import { UsageError } from "../errors.ts";
import { namedPond } from "../pond_options.ts";
import { escapeControl } from "../terminal_text.ts";

/** `pond init [PATH]`. */
export const initCommand: CommandBody = {
  usage: "pond init [PATH] [--force]",
  description:
    "PATH defaults to --pond or $POND. An existing pond is never touched; a directory\n" +
    "holding anything else is refused unless --force.",
  options: {
    force: { type: "boolean", help: "make the pond in a directory that is not empty" },
  },
  examples: ["pond init ./lake", "POND=./lake pond init", "pond init --force ./existing-dir"],
  maxArgs: 1,
  async run(ctx) {
    const path = ctx.positionals[0] ?? namedPond(ctx);
    if (!path) {
      throw new UsageError("pond init: where? give PATH, pass --pond PATH or set POND");
    }
    const pond = await Pond.init(localPond(path), { command: ctx.argv }, {
      force: Boolean(ctx.options.force),
    }).catch((e) => Promise.reject(hostError(e, "create a pond in", path)));
    ctx.output.err(`created an empty pond in ${escapeControl(pond.location)}\n`);
    await printCommitted(ctx, pond, await pond.head());
  },
};
