/** `pond help`: the help of pond, or of a command — the same text as `pond COMMAND --help`. */
import { type CommandBody, renderHelp } from "../command.ts";
import { commandAt, topHelp } from "../registry.ts";

/** `pond help [COMMAND [SUBCOMMAND]]`. */
export const helpCommand: CommandBody = {
  usage: "pond help [COMMAND [SUBCOMMAND]]",
  description: "Without a command, what 'pond --help' prints: every command with its summary.",
  options: {},
  examples: ["pond help", "pond help copy", "pond help delta scan"],
  maxArgs: 2,
  async run({ positionals, output }) {
    if (!positionals.length) {
      output.out(topHelp());
      return;
    }
    const { cmd, path } = await commandAt(positionals);
    output.out(renderHelp(cmd, path));
  },
};
