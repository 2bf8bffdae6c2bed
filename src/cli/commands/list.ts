/** `pond list`: what is in the pond — directories' children, or the matches of globs with their captures. */
import { globMatches, isPattern } from "../../pond/mod.ts";
import type { Metadata, NodePath, ReadView } from "../../tinyfs/mod.ts";
import type { CommandBody } from "../command.ts";
import { formatTable } from "../format.ts";
import { escapeControl } from "../terminal_text.ts";
import { AT_OPTION, openPond, parseAt } from "../pond_options.ts";

interface Listed {
  node: NodePath;
  captures?: readonly string[];
}

/** What `arg` lists: a pattern's matches, or a directory's children (dot names only with `all`). */
async function listed(root: ReadView, arg: string, all: boolean): Promise<Listed[]> {
  if (isPattern(arg)) return await globMatches(root, arg);
  const node = await root.open(arg);
  if (node.kind !== "directory") return [{ node }];
  return (await root.list(arg)).filter((n) => all || !n.name.startsWith(".")).map((n) => ({
    node: n,
  }));
}

/** `pond list [PATTERN...] [-l] [--json] [--at SEQ|TIME]`. */
export const listCommand: CommandBody = {
  usage: "pond list [PATH|PATTERN...] [-l] [-a] [--json] [--at SEQ|TIME]",
  description:
    "A directory lists its children; a pattern lists its matches, in name order. Patterns:\n" +
    "* (any name part, captured), ** (any number of directories, each captured), ?, [a-z],\n" +
    "{a,b}. With --json, each match has its captures. Default: the root directory. A\n" +
    "pattern that matches nothing is an error.\n" +
    "Names starting with . are hidden, as in a shell: a directory's are listed with -a, and\n" +
    "wildcards never match a leading . (write it: '/.pond/*'). -l shows the plugin of each\n" +
    "dynamic directory and file (a dynamic file's size is computed, so -l computes it), and\n" +
    "the pattern that serves a directory registered by pattern.",
  options: {
    long: {
      type: "boolean",
      short: "l",
      help: "type, size, version and time (its transaction's commit) of each entry",
    },
    all: { type: "boolean", short: "a", help: "include names starting with ." },
    ...AT_OPTION,
  },
  examples: [
    "pond list",
    "pond ls -la /",
    "pond ls -l /sites",
    "pond list '/sites/*/raw/*.csv' --json",
    "pond list '/**' --at 3",
  ],
  async run(ctx) {
    const at = parseAt(ctx.options.at as string | undefined, "pond list");
    const { pond, stages } = await openPond(ctx, "pond list");
    const root = await pond.root(at);
    const args = ctx.positionals.length ? ctx.positionals : ["/"];
    const items: Listed[] = [];
    for (const arg of args) {
      for (const item of await listed(root, arg, Boolean(ctx.options.all))) items.push(item);
    }
    stages.mark("list");
    const detailed = Boolean(ctx.options.long || ctx.options.json);
    const metas: Metadata[] = [];
    const modified: Date[] = [];
    if (detailed) {
      const committed = await pond.commitTimes();
      for (const item of items) {
        const m = await item.node.metadata({ follow: false });
        metas.push(m);
        modified.push(new Date(committed.get(m.seq) ?? m.modified.getTime()));
      }
    }
    if (ctx.options.json) {
      const out = items.map((item, i) => {
        const m = metas[i];
        return {
          path: item.node.path,
          type: m.entryType,
          size: m.size,
          version: m.version,
          modified: modified[i].toISOString(),
          ...(m.nodeId && { nodeId: m.nodeId }),
          ...(m.target !== undefined && { target: m.target }),
          ...(m.factory !== undefined && { plugin: m.factory }),
          ...(m.pattern !== undefined && { pattern: m.pattern }),
          ...(item.captures && { captures: item.captures }),
        };
      });
      ctx.output.out(JSON.stringify(out, null, 2) + "\n");
    } else if (ctx.options.long) {
      ctx.output.out(formatTable(items.map((item, i) => {
        const m = metas[i];
        const suffix = m.target !== undefined
          ? ` -> ${m.target}`
          : m.factory !== undefined
          ? ` [${m.factory}${m.pattern !== undefined ? ` via ${m.pattern}` : ""}]`
          : "";
        return [
          m.entryType,
          String(m.size),
          `v${m.version}`,
          modified[i].toISOString().replace(/\.\d+Z$/, "Z"),
          item.node.path + suffix,
        ];
      })));
    } else {
      ctx.output.out(items.map((i) => escapeControl(i.node.path) + "\n").join(""));
    }
    stages.mark("print");
    stages.report(pond);
  },
};
