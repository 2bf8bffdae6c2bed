/** The list of pond's commands, in the order `pond --help` shows them. */
import type { Command } from "./command.ts";
import { catCommand } from "./commands/cat.ts";
import { checkCommand } from "./commands/check.ts";
import { copyCommand } from "./commands/copy.ts";
import { deltaCommand } from "./commands/delta.ts";
import { describeCommand } from "./commands/describe.ts";
import { diffCommand } from "./commands/diff.ts";
import { exportCommand } from "./commands/export.ts";
import { initCommand } from "./commands/init.ts";
import { listCommand } from "./commands/list.ts";
import { maintainCommand } from "./commands/maintain.ts";
import { logCommand } from "./commands/log.ts";
import { mkdirCommand } from "./commands/mkdir.ts";
import { mknodCommand } from "./commands/mknod.ts";
import { mvCommand } from "./commands/mv.ts";
import { pluginCommand } from "./commands/plugin.ts";
import { queryCommand } from "./commands/query.ts";
import { rmCommand } from "./commands/rm.ts";

/** pond's version, printed by `pond --version`. */
export const POND_VERSION = "0.1.0";

/** Every top-level command. */
export const COMMANDS: Command[] = [
  initCommand,
  mkdirCommand,
  mknodCommand,
  listCommand,
  copyCommand,
  catCommand,
  queryCommand,
  exportCommand,
  mvCommand,
  rmCommand,
  describeCommand,
  logCommand,
  diffCommand,
  deltaCommand,
  checkCommand,
  maintainCommand,
  pluginCommand,
];
