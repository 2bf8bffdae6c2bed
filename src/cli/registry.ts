/** The list of pond's commands, in the order `pond --help` shows them. */
import type { Command } from "./command.ts";
import { deltaCommand } from "./commands/delta.ts";

/** pond's version, printed by `pond --version`. */
export const POND_VERSION = "0.1.0";

/** Every top-level command. */
export const COMMANDS: Command[] = [deltaCommand];
