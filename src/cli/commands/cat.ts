/** `pond cat`: write a file's bytes to stdout, streamed — or a table's or series' rows. */
import { expandPaths, tableRows } from "../../pond/mod.ts";
import type { CommandBody, CommandContext } from "../command.ts";
import { UsageError } from "../errors.ts";
import { csvLine } from "../format.ts";
import { AT_OPTION, openPond, parseAt } from "../pond_options.ts";
import { parseTime } from "../time_option.ts";

/** `pond cat PATH... [--version N] [--at SEQ|TIME] [--rows [--from T] [--to T] [--json]]`. */
export const catCommand: CommandBody = {
  usage:
    "pond cat PATH... [--version N] [--at SEQ|TIME] [--rows [--from TIME] [--to TIME] [--json]]",
  description: "Streams each file in turn; large files never sit whole in memory. With --rows,\n" +
    "prints the rows of a table (Parquet) as CSV, or JSON lines with --json; a series'\n" +
    "versions are read together, oldest first, and --from/--to keep the rows whose time\n" +
    "falls between them (versions entirely outside are not read). Glob patterns\n" +
    "('/raw/*.csv') are expanded as a shell would, in name order.",
  options: {
    version: { type: "string", value: "N", help: "the file's version N (default: the newest)" },
    ...AT_OPTION,
    rows: {
      type: "boolean",
      help: "print a table's or series' rows (CSV, or JSON lines with --json)",
    },
    from: {
      type: "string",
      value: "TIME",
      help: "with --rows, for a series: rows at or after TIME",
    },
    to: {
      type: "string",
      value: "TIME",
      help: "with --rows, for a series: rows at or before TIME",
    },
  },
  examples: [
    "pond cat /sites/lake_north/readings.csv",
    "pond cat /notes.txt --version 1",
    "pond cat '/sites/*/readings.csv'",
    "pond cat /notes.txt --at 2026-06-01T12:00:00Z",
    "pond cat --rows /sites/river_inlet/readings.parquet",
    "pond cat --rows --json --from 2026-06-02 --to 2026-06-03 /sensors/north.series",
  ],
  minArgs: 1,
  async run(ctx) {
    const versionText = ctx.options.version as string | undefined;
    if (versionText !== undefined && !/^[1-9]\d*$/.test(versionText)) {
      throw new UsageError(
        `pond cat: --version takes a version number from 1, not '${versionText}'`,
      );
    }
    const { from, to } = ctx.options as { from?: string; to?: string };
    if (!ctx.options.rows && (from !== undefined || to !== undefined || ctx.options.json)) {
      throw new UsageError("pond cat: --from, --to and --json go with --rows");
    }
    const at = parseAt(ctx.options.at as string | undefined, "pond cat");
    const { pond, stages } = await openPond(ctx, "pond cat");
    const root = await pond.root(at);
    const version = versionText === undefined ? undefined : Number(versionText);
    for (const path of await expandPaths(root, ctx.positionals)) {
      if (ctx.options.rows) {
        await printRows(
          ctx,
          tableRows(root, path, {
            version,
            from: timeOption(from, "--from"),
            to: timeOption(to, "--to"),
          }),
        );
        continue;
      }
      await copyOut(await root.stream(path, { version }), ctx);
    }
    stages.mark("read");
    stages.report(pond);
  },
};

/** Bytes per write to stdout when a file's stream can read into a buffer of ours. */
const OUT_BUFFER = 1 << 20;

/**
 * Writes a file's stream to stdout. A byte stream (a stored blob) is read into one reused
 * buffer, so a file of any size costs no new memory per chunk; other streams chunk by chunk.
 */
async function copyOut(stream: ReadableStream<Uint8Array>, ctx: CommandContext): Promise<void> {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = stream.getReader({ mode: "byob" });
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    for await (const chunk of stream) await ctx.output.outBytes(chunk);
    return;
  }
  let buf = new Uint8Array(OUT_BUFFER);
  for (;;) {
    const { value, done } = await reader.read(buf);
    if (done) return;
    await ctx.output.outBytes(value);
    buf = new Uint8Array(value.buffer);
  }
}

function timeOption(value: string | undefined, option: string): number | undefined {
  return value === undefined ? undefined : parseTime(value, "pond cat", `${option} takes a time`);
}

async function printRows(ctx: CommandContext, batches: ReturnType<typeof tableRows>) {
  let header = false;
  for await (const { columns, rows } of batches) {
    if (ctx.options.json) {
      ctx.output.out(rows.map((r) => JSON.stringify(r, jsonValue) + "\n").join(""));
      continue;
    }
    if (!header) ctx.output.out(csvLine(columns));
    header = true;
    ctx.output.out(rows.map((r) => csvLine(columns.map((c) => r[c]))).join(""));
  }
}

function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? Number(value) : value;
}
