/** `pond plugin add|list|info|remove|unregister`: the plugins a pond's dynamic directories and files run. */
import type { FieldSpec, Manifest, Permissions } from "../../plugin_host/mod.ts";
import {
  addPlugin,
  listPlugins,
  planAddition,
  pluginInfo,
  type PluginSummary,
  type PluginUse,
  readHostFile,
  removePlugin,
  unregisterPattern,
} from "../../pond/mod.ts";
import type { Command, CommandBody } from "../command.ts";
import { printCommitted } from "../committed.ts";
import { formatTable } from "../format.ts";
import { AT_OPTION, confirm, openPond, parseAt } from "../pond_options.ts";
import { escapeControl } from "../terminal_text.ts";

const add: Command = {
  name: "add",
  summary: "install a plugin from a file, or a newer version of it",
  usage: "pond plugin add FILE [--yes] [--json]",
  description:
    "Checks the plugin in FILE (a TypeScript file on this computer; a host: prefix is\n" +
    "optional) without running it, shows its name, version, what it provides, its config\n" +
    "fields and the permissions it asks for, and asks whether to add it with those\n" +
    "permissions (on a terminal; otherwise pass --yes). The source is stored in the pond\n" +
    "(/.pond/plugins/NAME.ts, with NAME.json recording its hash and what was granted), so a\n" +
    "copy of the pond computes the same. A newer version replaces the installed one.",
  options: {
    yes: { type: "boolean", short: "y", help: "add it without asking, granting what it asks" },
  },
  examples: [
    "pond plugin add ./my_plugin.ts",
    "pond plugin add host:plugins/hydrovu.ts --yes",
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const { bytes, path } = await readHostFile(ctx.positionals[0]);
    const { pond, stages } = await openPond(ctx, "pond plugin add");
    const { plugin, replaces, unchanged } = await planAddition(await pond.root(), bytes, path);
    const { name, version } = plugin.manifest;
    if (unchanged) {
      ctx.output.err(
        `pond plugin add: plugin ${name} ${version} is already installed from this source\n`,
      );
      await printCommitted(ctx, pond, null);
      return;
    }
    ctx.output.err(manifestText(plugin.manifest, plugin.hash, replaces?.manifest.version));
    const net = plugin.permissions.net;
    await confirm(
      ctx,
      "pond plugin add",
      escapeControl(
        `add plugin ${name} ${version}` +
          (net.length ? ` with network access to ${net.join(", ")}` : ""),
      ),
    );
    const { seq } = await addPlugin(pond, bytes, {
      label: path,
      grants: plugin.permissions,
      command: ctx.argv,
    });
    stages.mark("add");
    await printCommitted(ctx, pond, seq);
    stages.report(pond, { transaction: seq });
  },
};

const list: Command = {
  name: "list",
  aliases: ["ls"],
  summary: "list the built-in and installed plugins",
  usage: "pond plugin list [--json] [--at SEQ|TIME]",
  description: "Each plugin's name, version, where it comes from, permissions and SHA-256.",
  options: { ...AT_OPTION },
  examples: ["pond plugin list", "pond plugin list --json", "pond plugin list --at 12"],
  maxArgs: 0,
  async run(ctx) {
    const at = parseAt(ctx.options.at as string | undefined, "pond plugin list");
    const { pond, stages } = await openPond(ctx, "pond plugin list");
    const plugins = await listPlugins(await pond.root(at));
    stages.mark("list");
    if (ctx.options.json) {
      ctx.output.out(JSON.stringify(plugins, null, 2) + "\n");
    } else {
      ctx.output.out(safeTable(plugins.map((p) => [
        p.name,
        p.version,
        p.builtin ? "built-in" : "installed",
        permissionsText(p.permissions),
        p.hash.slice(0, 12),
      ])));
    }
    stages.report(pond);
  },
};

const info: Command = {
  name: "info",
  summary: "describe a plugin, and list the dynamic directories and files that use it",
  usage: "pond plugin info NAME [--json] [--at SEQ|TIME]",
  description:
    "Its manifest (version, what it provides, config fields), the permissions it was granted,\n" +
    "its SHA-256, and every dynamic directory, dynamic file and pattern registration computed\n" +
    "by it.",
  options: { ...AT_OPTION },
  examples: ["pond plugin info visit", "pond plugin info shout --json --at 12"],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const at = parseAt(ctx.options.at as string | undefined, "pond plugin info");
    const { pond, stages } = await openPond(ctx, "pond plugin info");
    const found = await pluginInfo(await pond.root(at), ctx.positionals[0]);
    stages.mark("info");
    if (ctx.options.json) {
      ctx.output.out(JSON.stringify(found, null, 2) + "\n");
    } else {
      ctx.output.out(infoText(found, found.uses));
    }
    stages.report(pond);
  },
};

const remove: Command = {
  name: "remove",
  aliases: ["rm"],
  summary: "remove an installed plugin",
  usage: "pond plugin remove NAME [--force] [--json]",
  description:
    "Refused while a dynamic node or pattern uses the plugin, unless --force (those then\n" +
    "fail to read until it is added again). Its source and record stay readable with --at,\n" +
    "and earlier states still compute with it.",
  options: {
    force: { type: "boolean", short: "f", help: "remove it even while dynamic nodes use it" },
  },
  examples: ["pond plugin remove shout", "pond plugin remove shout --force"],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const name = ctx.positionals[0];
    const { pond, stages } = await openPond(ctx, "pond plugin remove");
    const { uses, seq } = await removePlugin(pond, name, {
      force: Boolean(ctx.options.force),
      command: ctx.argv,
    });
    stages.mark("remove");
    await printCommitted(ctx, pond, seq);
    if (uses.length > 0) {
      ctx.output.err(
        `pond plugin remove: ${escapeControl(uses.map(useText).join(", "))} will fail to ` +
          `read until plugin ${name} is added again\n`,
      );
    }
    stages.report(pond, { transaction: seq });
  },
};

const unregister: Command = {
  name: "unregister",
  summary: "remove a pattern registration made by pond mknod",
  usage: "pond plugin unregister PATTERN [--json]",
  description: "The paths the pattern served disappear; they stay readable with --at an earlier\n" +
    "transaction. See 'pond plugin info NAME' for the patterns registered.",
  options: {},
  examples: ["pond plugin unregister '/sites/*/summary'"],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const { pond, stages } = await openPond(ctx, "pond plugin unregister");
    const { seq } = await unregisterPattern(pond, ctx.positionals[0], ctx.argv);
    stages.mark("unregister");
    await printCommitted(ctx, pond, seq);
    stages.report(pond, { transaction: seq });
  },
};

/** `pond plugin …`. */
export const pluginCommand: CommandBody = {
  usage: "pond plugin add|list|info|remove|unregister ...",
  description:
    "Plugins compute dynamic directories and files (see 'pond mknod'). Built-in: visit,\n" +
    "reverse, derived. Others are added from a TypeScript file and kept in the pond,\n" +
    "versioned.",
  options: {},
  examples: [
    "pond plugin add ./my_plugin.ts",
    "pond plugin list",
    "pond plugin info visit",
    "pond plugin remove my_plugin",
  ],
  subcommands: [add, list, info, remove, unregister],
};

/**
 * What `pond plugin add` shows before asking: the plugin's own text first, every piece of it
 * escaped (so none can move the cursor or rewrite a line), then the permissions it asks for,
 * last, each on a line of its own, just above the question.
 */
function manifestText(m: Manifest, hash: string, replaces: string | undefined): string {
  const facts = [
    ["provides", m.provides.join(", ")],
    ["sha256", hash],
  ];
  if (replaces !== undefined) facts.push(["replaces", `version ${replaces}`]);
  const asked = m.permissions.net.length
    ? m.permissions.net.map((host, i) => [i === 0 ? "permissions" : "", `network: ${host}`])
    : [["permissions", "none"]];
  return escapeControl(
    `plugin ${m.name} ${m.version}${m.description ? ` — ${m.description}` : ""}`,
  ) +
    "\n" + safeTable(facts, "  ") + configText(m.config) + safeTable(asked, "  ");
}

/** {@link formatTable} of cells that may hold plugin-supplied text, each escaped. */
function safeTable(rows: string[][], indent = ""): string {
  return formatTable(rows.map((row) => row.map(escapeControl)), indent);
}

function infoText(p: PluginSummary, uses: readonly PluginUse[]): string {
  const facts = [
    ["description", p.description],
    ["provides", p.provides.join(", ")],
    ["source", p.source ?? "built in"],
    ["permissions", permissionsText(p.permissions)],
    ["sha256", p.hash],
  ];
  return escapeControl(`${p.name} ${p.version} (${p.builtin ? "built-in" : "installed"})`) +
    "\n" + safeTable(facts, "  ") + configText(p.config) +
    (uses.length
      ? "  used by\n" + uses.map((u) => `    ${escapeControl(useText(u))}\n`).join("")
      : "");
}

function configText(config: Readonly<Record<string, FieldSpec>>): string {
  const fields = Object.entries(config);
  if (fields.length === 0) return "  config: no fields\n";
  return "  config\n" + safeTable(
    fields.map(([name, f]) => [
      name,
      [
        f.type,
        f.required
          ? "required"
          : f.default !== undefined
          ? `default ${JSON.stringify(f.default)}`
          : "",
        f.choices ? `one of ${f.choices.join(", ")}` : "",
      ].filter((s) => s).join(", "),
      f.description ?? "",
    ]),
    "    ",
  );
}

function permissionsText(p: Permissions): string {
  return p.net.length ? `network: ${p.net.join(", ")}` : "none";
}

function useText(use: PluginUse): string {
  return use.kind === "directory" ? use.path : `${use.path} (${use.kind})`;
}
