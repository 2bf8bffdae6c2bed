/** The list of pond's commands, in the order `pond --help` shows them; each command's module loads when it runs. */
import type { Command, CommandBody } from "./command.ts";
import { UsageError } from "./errors.ts";

/** pond's version, printed by `pond --version`. */
export const POND_VERSION = "0.1.0";

/** A top-level command as `pond --help` lists it; `load` imports the module that runs it. */
export interface CommandEntry {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly summary: string;
  load(): Promise<CommandBody>;
}

/** Every top-level command. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "init",
    summary: "create a new, empty pond",
    load: async () => (await import("./commands/init.ts")).initCommand,
  },
  {
    name: "mkdir",
    summary: "make directories",
    load: async () => (await import("./commands/mkdir.ts")).mkdirCommand,
  },
  {
    name: "mknod",
    summary: "make a dynamic directory or file computed by a plugin",
    load: async () => (await import("./commands/mknod.ts")).mknodCommand,
  },
  {
    name: "run",
    summary: "run collectors: fetch new rows into series, one transaction each",
    load: async () => (await import("./commands/run.ts")).runCommand,
  },
  {
    name: "list",
    aliases: ["ls"],
    summary: "list directories, or the matches of glob patterns",
    load: async () => (await import("./commands/list.ts")).listCommand,
  },
  {
    name: "copy",
    aliases: ["cp"],
    summary: "copy files into, out of, or within the pond (cp semantics)",
    load: async () => (await import("./commands/copy.ts")).copyCommand,
  },
  {
    name: "cat",
    summary: "print files' contents, or the rows of tables and series",
    load: async () => (await import("./commands/cat.ts")).catCommand,
  },
  {
    name: "query",
    summary: "run SQL over tables, series and data files, the oplog and the tree",
    load: async () => (await import("./commands/query.ts")).queryCommand,
  },
  {
    name: "export",
    summary: "write tables and series out as Hive-partitioned Parquet",
    load: async () => (await import("./commands/export.ts")).exportCommand,
  },
  {
    name: "site",
    summary: "build a static site with charts from the pond's series, or serve it locally",
    load: async () => (await import("./commands/site.ts")).siteCommand,
  },
  {
    name: "mv",
    aliases: ["move"],
    summary: "move or rename files, symlinks and directories",
    load: async () => (await import("./commands/mv.ts")).mvCommand,
  },
  {
    name: "rm",
    summary: "remove files, symlinks and directories",
    load: async () => (await import("./commands/rm.ts")).rmCommand,
  },
  {
    name: "describe",
    aliases: ["stat"],
    summary: "describe nodes: type, id, versions, and a table's schema",
    load: async () => (await import("./commands/describe.ts")).describeCommand,
  },
  {
    name: "log",
    aliases: ["show"],
    summary: "show the transactions: who ran what, when, and what it changed",
    load: async () => (await import("./commands/log.ts")).logCommand,
  },
  {
    name: "diff",
    summary: "show what changed between two transactions or times",
    load: async () => (await import("./commands/diff.ts")).diffCommand,
  },
  {
    name: "delta",
    summary: "examine any Delta Lake table on disk (info, scan)",
    load: async () => (await import("./commands/delta.ts")).deltaCommand,
  },
  {
    name: "check",
    aliases: ["fsck"],
    summary: "verify the pond: its log, every row, every blob; --repair fixes what is safe",
    load: async () => (await import("./commands/check.ts")).checkCommand,
  },
  {
    name: "maintain",
    summary: "checkpoint the log, compact small files, vacuum unreferenced files, drop the cache",
    load: async () => (await import("./commands/maintain.ts")).maintainCommand,
  },
  {
    name: "status",
    summary: "which pond, its newest transaction, its size, and what a quick check finds",
    load: async () => (await import("./commands/status.ts")).statusCommand,
  },
  {
    name: "remote",
    summary: "add, list, remove and verify the remotes a pond is backed up to",
    load: async () => (await import("./commands/remote.ts")).remoteCommand,
  },
  {
    name: "push",
    summary: "upload to a remote what it lacks, keeping it a valid pond throughout",
    load: async () => (await import("./commands/push.ts")).pushCommand,
  },
  {
    name: "pull",
    summary: "bring this pond up to a remote's newest transaction",
    load: async () => (await import("./commands/pull.ts")).pullCommand,
  },
  {
    name: "restore",
    summary: "make a new pond from a remote (S3 or a directory), every object checked",
    load: async () => (await import("./commands/restore.ts")).restoreCommand,
  },
  {
    name: "plugin",
    summary: "add, list, describe and remove the plugins of dynamic directories and files",
    load: async () => (await import("./commands/plugin.ts")).pluginCommand,
  },
  {
    name: "apply",
    summary: "apply a setup file (mkdir, copy, mknod, plugin documents) in one transaction",
    load: async () => (await import("./commands/apply.ts")).applyCommand,
  },
  {
    name: "help",
    summary: "show the help of pond or of a command (the same as 'pond COMMAND --help')",
    load: async () => (await import("./commands/help.ts")).helpCommand,
  },
  {
    name: "completion",
    summary: "print a shell completion script for bash, zsh or fish",
    load: async () => (await import("./commands/completion.ts")).completionCommand,
  },
];

/**
 * The command called `name` (or by one of its aliases); a usage error when there is none.
 *
 * @example
 * ```ts
 * commandNamed("ls").name; // "list"
 * ```
 */
export function commandNamed(name: string): CommandEntry {
  const entry = COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
  if (!entry) throw unknownCommand("pond", name);
  return entry;
}

/**
 * The subcommand of `cmd` (reached as `path`) called `name`; a usage error when there is none.
 *
 * @example
 * ```ts
 * const { cmd: delta } = await commandAt(["delta"]);
 * subcommandNamed(delta, "pond delta", "info").name; // "info"
 * ```
 */
export function subcommandNamed(cmd: Command, path: string, name: string): Command {
  const sub = cmd.subcommands?.find((c) => c.name === name || c.aliases?.includes(name));
  if (!sub) throw unknownCommand(path, name);
  return sub;
}

/**
 * The whole command of an entry: its module, with the name, aliases and summary.
 *
 * @example
 * ```ts
 * const list = await loadCommand(commandNamed("list"));
 * ```
 */
export async function loadCommand(entry: CommandEntry): Promise<Command> {
  const { name, aliases, summary } = entry;
  return { name, ...(aliases && { aliases: [...aliases] }), summary, ...await entry.load() };
}

/**
 * The command that `words` name (`["delta", "info"]`) and its path (`pond delta info`).
 *
 * @example
 * ```ts
 * const { cmd, path } = await commandAt(["plugin", "add"]);
 * ```
 */
export async function commandAt(words: readonly string[]): Promise<{ cmd: Command; path: string }> {
  let cmd = await loadCommand(commandNamed(words[0]));
  let path = `pond ${cmd.name}`;
  for (const word of words.slice(1)) {
    cmd = subcommandNamed(cmd, path, word);
    path = `${path} ${cmd.name}`;
  }
  return { cmd, path };
}

/**
 * `pond --help`: what pond is, and every command with its summary.
 *
 * @example
 * ```ts
 * console.log(topHelp());
 * ```
 */
export function topHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "pond — a local-first, versioned data lake in one command",
    "",
    "Usage: pond COMMAND [OPTIONS] [ARGS]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    "",
    "Run 'pond help COMMAND' or 'pond COMMAND --help' for a command's options and examples.",
    "The pond is --pond PATH, else $POND, else the nearest directory holding pond.json",
    "from the working directory up.",
    "",
  ].join("\n");
}

function unknownCommand(parent: string, name: string): UsageError {
  return new UsageError(`${parent}: unknown command '${name}' (see '${parent} --help')`);
}
