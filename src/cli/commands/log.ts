/** `pond log`: the operation log, transaction by transaction — who ran what, when, and what it changed. */
import {
  type LogDamage,
  type LoggedTransaction,
  type OplogRowInfo,
  transactionLog,
} from "../../pond/mod.ts";
import type { CommandBody } from "../command.ts";
import { UsageError } from "../errors.ts";
import { commandText, formatTable } from "../format.ts";
import { escapeControl } from "../terminal_text.ts";
import { openPond, parseAt } from "../pond_options.ts";
import { changeLines, transactionToJson } from "../change_format.ts";

/** `pond log [--path GLOB] [--partition ID] [--since A] [--until B] [--limit N] [--reverse] [--rows] [--json]`. */
export const logCommand: CommandBody = {
  usage:
    "pond log [--path GLOB] [--partition ID] [--since SEQ|TIME] [--until SEQ|TIME] [--limit N] [--reverse] [--rows] [--json]",
  description:
    "Newest first. Each transaction shows its number, time, user and command (for a\n" +
    "collector's run, also its plugin and how many rows it collected), then the\n" +
    "paths it added, removed, modified or moved (a removed or moved directory takes its\n" +
    "contents along; they are not listed). --rows adds the oplog rows it wrote — one per\n" +
    "node version — grouped by the Delta data file that holds them. A damaged pond shows\n" +
    "every transaction it can read and names each damaged one on stderr (exit 1).",
  options: {
    path: {
      type: "string",
      value: "GLOB",
      help: "only transactions that changed a matching path, or something in or above one",
    },
    partition: {
      type: "string",
      value: "ID",
      help: "only transactions that wrote a row in this partition (a directory's node id)",
    },
    since: { type: "string", value: "SEQ|TIME", help: "from this transaction or time on" },
    until: { type: "string", value: "SEQ|TIME", help: "up to this transaction or time" },
    limit: { type: "string", value: "N", help: "at most N transactions" },
    reverse: { type: "boolean", help: "oldest first" },
    rows: { type: "boolean", help: "show each transaction's oplog rows and data files" },
  },
  examples: [
    "pond log --limit 5",
    "pond log --path '/sites/*/raw/**' --since 2026-06-01T00:00:00Z",
    "pond show --rows --limit 1",
    "pond log --reverse --json",
  ],
  maxArgs: 0,
  async run(ctx) {
    const o = ctx.options as Record<string, string | boolean | undefined>;
    const limit = o.limit as string | undefined;
    if (limit !== undefined && !/^\d+$/.test(limit)) {
      throw new UsageError(`pond log: --limit takes a whole number, not '${limit}'`);
    }
    const since = parseAt(
      o.since as string | undefined,
      "pond log",
      "--since takes a transaction number or a time",
    );
    const until = parseAt(
      o.until as string | undefined,
      "pond log",
      "--until takes a transaction number or a time",
    );
    const { pond, stages } = await openPond(ctx, "pond log");
    const { transactions: log, damage, setAside } = await transactionLog(pond, {
      path: o.path as string | undefined,
      partition: o.partition as string | undefined,
      since,
      until,
      limit: limit === undefined ? undefined : Number(limit),
      oldestFirst: Boolean(o.reverse),
      rows: Boolean(o.rows),
    });
    stages.mark("log");
    if (o.json) ctx.output.out(JSON.stringify(log.map(toJson), null, 2) + "\n");
    else ctx.output.out(log.map((t) => toText(t, damage)).join("\n"));
    for (const d of damage) {
      const what = d.of === "commit"
        ? `transaction ${d.seq} is damaged`
        : `what transaction ${d.seq} changed does not read`;
      ctx.output.err(
        `pond log: ${what}: ${escapeControl(d.problem)}; ` +
          "`pond check` says what is damaged and what to do, `pond check --repair` mends what it can\n",
      );
    }
    for (const c of setAside) {
      ctx.output.err(
        `pond log: the torn commit of transaction ${c.version} was set aside by \`pond check --repair\` ` +
          `(oplog/${
            escapeControl(c.path)
          }); what it did is not in the log; move it out of the pond ` +
          "once you have kept what you need of it\n",
      );
    }
    stages.report(pond, { transactions: log.length });
    return damage.length > 0 ? 1 : 0;
  },
};

/** One transaction as JSON, with its rows when asked for. */
function toJson(t: LoggedTransaction) {
  return {
    ...transactionToJson(t),
    ...(t.unknown !== undefined && { unknown: t.unknown }),
    ...(t.rows && { rows: t.rows.map(rowToJson) }),
  };
}

function rowToJson(r: OplogRowInfo) {
  return {
    file: r.file,
    partId: r.partId,
    nodeId: r.nodeId,
    version: r.version,
    entryType: r.entryType,
    size: r.size,
    hash: r.hash,
    storage: r.storage,
    dirBase: r.dirBase,
    dirAnchor: r.dirAnchor,
    ...(r.target !== undefined && { target: r.target }),
    ...(r.dynamic && { plugin: r.dynamic.factory }),
  };
}

function toText(t: LoggedTransaction, damage: LogDamage[]): string {
  const head = `transaction ${t.seq}  ${new Date(t.timestamp).toISOString()}` +
    (t.user ? `  ${escapeControl(t.user)}` : "");
  const command = t.command.length
    ? escapeControl(commandText(t.command))
    : "(no pond command recorded)";
  let text = `${head}\n  ${command}\n`;
  if (t.collector) {
    const { plugin, version, series } = t.collector;
    const rows = series.reduce((n, s) => n + s.rows, 0);
    text += `  collected by ${escapeControl(`${plugin} ${version}`)}: ${rows} rows into ` +
      `${series.length} series\n`;
  }
  text += t.unknown !== undefined
    ? `  (what it changed is not known: ${
      damage.some((d) => d.problem === t.unknown)
        ? "its rows, or the tree before it, do not read (the damage is named on stderr)"
        : escapeControl(t.unknown)
    })\n`
    : t.changes.length
    ? formatTable(changeLines(t.changes), "  ")
    : "  (no paths changed)\n";
  if (t.rows) text += rowsText(t.rows);
  return text;
}

function rowsText(rows: OplogRowInfo[]): string {
  const byFile = Map.groupBy(rows, (r) => r.file);
  let text = "";
  for (const [file, inFile] of byFile) {
    text += `  rows in ${file}\n` + formatTable(inFile.map(rowCells), "    ");
  }
  return text;
}

function rowCells(r: OplogRowInfo): string[] {
  return [r.nodeId, `v${r.version}`, r.entryType, String(r.size), rowBody(r)];
}

/** How the row holds its body: inline or blob with the hash; a directory's delta base; a target. */
function rowBody(r: OplogRowInfo): string {
  if (r.storage) return `${r.storage} sha256:${r.hash?.slice(0, 16)}`;
  if (r.entryType === "directory") {
    return r.dirBase === null
      ? `full listing`
      : `changes on v${r.dirBase} (anchor v${r.dirAnchor})`;
  }
  if (r.target !== undefined) return `-> ${r.target}`;
  if (r.dynamic) return `plugin ${r.dynamic.factory}`;
  return "";
}
