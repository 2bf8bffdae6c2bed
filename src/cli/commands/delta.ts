/** `pond delta info|scan`: examine any Delta table on disk, whoever wrote it. */
import { openTable, rowToJson, type Snapshot } from "../../delta/mod.ts";
import type { Command, CommandBody, CommandContext, OptionSpec } from "../command.ts";
import { UsageError } from "../errors.ts";
import { formatTable } from "../format.ts";
import { refuseBinaryOnTerminal } from "../output.ts";
import { parseTime } from "../time_option.ts";

const AT_OPTIONS: Record<string, OptionSpec> = {
  version: { type: "string", value: "N", help: "read the table as of version N" },
  at: {
    type: "string",
    value: "TIME",
    help: "read the table as of TIME (ISO 8601; the latest version committed at or before it)",
  },
};

async function snapshotOf(ctx: CommandContext): Promise<Snapshot> {
  const { version, at } = ctx.options as { version?: string; at?: string };
  if (version !== undefined && at !== undefined) {
    throw new UsageError("pond delta: give --version or --at, not both");
  }
  const table = await openTable(ctx.positionals[0]);
  if (version !== undefined) {
    if (!/^\d+$/.test(version)) {
      throw new UsageError(`pond delta: --version takes a whole number, not '${version}'`);
    }
    return table.snapshot({ version: Number(version) });
  }
  if (at !== undefined) {
    return table.snapshot({ timestamp: parseTime(at, "pond delta", "--at takes a time") });
  }
  return table.snapshot();
}

function infoJson(s: Snapshot) {
  return {
    version: s.version,
    protocol: s.protocol,
    id: s.metadata.id,
    name: s.metadata.name ?? null,
    description: s.metadata.description ?? null,
    schema: s.schema,
    partitionColumns: s.partitionColumns,
    configuration: s.configuration,
    files: s.files().map((f) => ({
      path: f.path,
      partitionValues: f.partitionValues,
      size: f.size,
      modificationTime: f.modificationTime,
      stats: f.stats ? JSON.parse(f.stats) : null,
      deletionVector: f.deletionVector ?? null,
    })),
  };
}

function protocolText(s: Snapshot): string {
  const p = s.protocol;
  const features = [...new Set([...(p.readerFeatures ?? []), ...(p.writerFeatures ?? [])])];
  return `reader ${p.minReaderVersion}, writer ${p.minWriterVersion}` +
    (features.length ? ` (${features.join(", ")})` : "");
}

const info: Command = {
  name: "info",
  summary: "show a Delta table's version, protocol, schema and files",
  usage: "pond delta info DIR [--version N | --at TIME] [--json]",
  options: AT_OPTIONS,
  examples: [
    "pond delta info ./events",
    "pond delta info ./events --version 3 --json",
    "pond delta info ./events --at 2024-05-01T12:00:00Z",
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const s = await snapshotOf(ctx);
    const { output } = ctx;
    if (ctx.options.json) {
      output.out(JSON.stringify(infoJson(s), null, 2) + "\n");
      return;
    }
    const files = s.files();
    const bytes = files.reduce((n, f) => n + f.size, 0);
    output.out(`table      ${ctx.positionals[0]}\n`);
    output.out(`version    ${s.version}\n`);
    output.out(`protocol   ${protocolText(s)}\n`);
    output.out(`partitions ${s.partitionColumns.join(", ") || "(none)"}\n`);
    output.out("\ncolumns\n");
    output.out(formatTable(
      s.schema.fields.map((f) => [
        f.name,
        typeof f.type === "string" ? f.type : JSON.stringify(f.type),
        f.nullable ? "" : "not null",
      ]),
      "  ",
    ));
    const config = Object.entries(s.configuration);
    if (config.length) {
      output.out("\nconfiguration\n");
      output.out(formatTable(config, "  "));
    }
    output.out(`\nfiles (${files.length}, ${bytes} bytes)\n`);
    output.out(formatTable(
      files.map((f) => {
        const stats = f.stats ? JSON.parse(f.stats) : {};
        const parts = Object.entries(f.partitionValues).map(([k, v]) => `${k}=${v}`).join(" ");
        return [
          f.path,
          String(f.size),
          stats.numRecords === undefined ? "" : `${stats.numRecords} rows`,
          parts,
          f.deletionVector ? `dv: ${f.deletionVector.cardinality} deleted` : "",
        ];
      }),
      "  ",
    ));
  },
};

const scan: Command = {
  name: "scan",
  summary: "print a Delta table's rows",
  usage: "pond delta scan DIR [--version N | --at TIME] [--columns A,B] [--limit N] [--json]",
  description: "With --json, one JSON object a line: long as numbers, binary as UTF-8 text,\n" +
    "timestamps as YYYY-MM-DDTHH:MM:SS.ffffff (UTC), dates as YYYY-MM-DD.",
  options: {
    ...AT_OPTIONS,
    columns: { type: "string", value: "A,B", help: "only these columns, in this order" },
    limit: { type: "string", value: "N", help: "stop after N rows" },
  },
  examples: [
    "pond delta scan ./events",
    "pond delta scan ./events --json --columns id,time --limit 10",
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const { columns, limit } = ctx.options as { columns?: string; limit?: string };
    if (limit !== undefined && !/^\d+$/.test(limit)) {
      throw new UsageError(`pond delta scan: --limit takes a whole number, not '${limit}'`);
    }
    const max = limit === undefined ? Infinity : Number(limit);
    const s = await snapshotOf(ctx);
    const sc = s.scan({ columns: columns?.split(",").map((c) => c.trim()) });
    const { output } = ctx;
    const binary = sc.fields.filter((f) => f.type === "binary").map((f) => f.name);
    if (!ctx.options.json && binary.length > 0) {
      refuseBinaryOnTerminal(
        output,
        "pond delta scan",
        `column${binary.length > 1 ? "s" : ""} (${binary.join(", ")})`,
        `leave ${
          binary.length > 1 ? "them" : "it"
        } out with --columns, print rows as JSON with --json`,
      );
    }
    const names = sc.fields.map((f) => f.name);
    let n = 0;
    if (!ctx.options.json) output.out(names.join("\t") + "\n");
    if (max === 0) return;
    for await (const batch of sc.batches()) {
      const lines: string[] = [];
      for (const row of batch.rows) {
        const json = rowToJson(row, sc.fields);
        lines.push(ctx.options.json ? json : humanRow(JSON.parse(json), names));
        if (++n >= max) break;
      }
      output.out(lines.join("\n") + "\n");
      if (n >= max) break;
    }
    output.verbose(`${n} rows from ${sc.files().length} of ${s.files().length} files`);
  },
};

function humanRow(obj: Record<string, unknown>, names: string[]): string {
  return names.map((k) => {
    const v = obj[k];
    return v === null ? "NULL" : typeof v === "object" ? JSON.stringify(v) : String(v);
  }).join("\t");
}

/** `pond delta`: the Delta Lake inspection commands. */
export const deltaCommand: CommandBody = {
  usage: "pond delta COMMAND DIR [OPTIONS]",
  options: {},
  examples: ["pond delta info ./events", "pond delta scan ./events --json"],
  subcommands: [info, scan],
};
