/** `pond cat`: write a file's bytes to stdout, streamed — or a table's or series' rows. */
import { PondError } from "../../errors.ts";
import { expandPaths, isParquetNode, type Pond, type PondAt } from "../../pond/mod.ts";
import type { SourceOptions } from "../../sql/mod.ts";
import type { CommandBody, CommandContext } from "../command.ts";
import { refuseBinaryOnTerminal } from "../output.ts";
import { UsageError } from "../errors.ts";
import { AT_OPTION, openPond, parseAt, type Stages } from "../pond_options.ts";
import { RESULT_OPTIONS } from "../result_options.ts";
import { parseTime } from "../time_option.ts";

/** How `--input-format` may read a data file. */
const INPUT_FORMATS: readonly string[] = ["csv", "json", "jsonl", "parquet"];

/** `pond cat PATH... [--version N] [--at SEQ|TIME] [--rows [--from T] [--to T] [--json]]`. */
export const catCommand: CommandBody = {
  usage:
    "pond cat PATH... [--version N] [--at SEQ|TIME] [--rows [--from TIME] [--to TIME] [--json]] [--sql SQL]",
  description: "Streams each file in turn; large files never sit whole in memory. With --rows,\n" +
    "prints the rows of a table (Parquet) as CSV, or JSON lines with --json; a series'\n" +
    "versions are read together, oldest first, and --from/--to keep the rows whose time\n" +
    "falls between them (versions entirely outside are not read). With --sql, runs a query\n" +
    "over PATH (a file, series or glob of them) as the table `source`; see pond query. Glob\n" +
    "patterns ('/raw/*.csv') are expanded as a shell would, in name order.",
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
    sql: { type: "string", value: "SQL", help: "run SQL over PATH, the table named source" },
    "input-format": {
      type: "string",
      value: "csv|json|jsonl|parquet",
      help: "with --sql, how to read data files (default: by extension)",
    },
    ...RESULT_OPTIONS,
  },
  examples: [
    "pond cat /sites/lake_north/readings.csv",
    "pond cat /notes.txt --version 1",
    "pond cat '/sites/*/readings.csv'",
    "pond cat /notes.txt --at 2026-06-01T12:00:00Z",
    "pond cat --rows /sites/river_inlet/readings.parquet",
    "pond cat --rows --json --from 2026-06-02 --to 2026-06-03 /sensors/north.series",
    "pond cat /sensors/north.series --sql \"SELECT * FROM source WHERE timestamp >= '2026-06-02' AND timestamp < '2026-06-03'\"",
    "pond cat '/sites/*/readings.csv' --sql 'SELECT capture0 AS site, count(*) FROM source GROUP BY site'",
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
    const sql = ctx.options.sql as string | undefined;
    const querying = ctx.options.rows || sql !== undefined;
    if (!querying && (from !== undefined || to !== undefined || ctx.options.json)) {
      throw new UsageError("pond cat: --from, --to and --json go with --rows");
    }
    if (!querying && (ctx.options.format !== undefined || ctx.options.output !== undefined)) {
      throw new UsageError("pond cat: --format and --output go with --rows or --sql");
    }
    if (sql !== undefined && ctx.positionals.length !== 1) {
      throw new UsageError("pond cat: --sql reads one PATH (a glob for several files)");
    }
    const inputFormat = ctx.options["input-format"] as string | undefined;
    if (inputFormat !== undefined && !INPUT_FORMATS.includes(inputFormat)) {
      throw new UsageError(
        `pond cat: --input-format takes ${INPUT_FORMATS.join(", ")}, not '${inputFormat}'`,
      );
    }
    const at = parseAt(ctx.options.at as string | undefined, "pond cat");
    const { pond, stages } = await openPond(ctx, "pond cat");
    const root = await pond.root(at);
    const version = versionText === undefined ? undefined : Number(versionText);
    const read: SourceOptions = {
      version,
      from: timeOption(from, "--from"),
      to: timeOption(to, "--to"),
      format: inputFormat as SourceOptions["format"],
    };
    // A glob under --sql is one source, its captures columns; otherwise it names its matches.
    const paths = sql === undefined ? await expandPaths(root, ctx.positionals) : ctx.positionals;
    for (const path of paths) {
      if (querying) {
        await queryPath(ctx, { pond, stages, at }, path, sql, read);
        continue;
      }
      if (
        ctx.output.stdoutIsTerminal && isParquetNode(path, (await root.metadata(path)).entryType)
      ) {
        refuseBinaryOnTerminal(
          ctx.output,
          "pond cat",
          `Parquet (${path})`,
          "print its rows with --rows",
        );
      }
      await copyOut(await root.stream(path, { version }), ctx);
    }
    stages.mark("read");
    stages.report(pond);
  },
};

/**
 * A `--from`/`--to` time given on the command line, in ms since the epoch; a usage error
 * naming `command` for text that is not a time.
 *
 * @example
 * ```ts
 * timeOption("2026-06-01", "--from", "pond cat"); // 1780272000000
 * ```
 */
export function timeOption(
  value: string | undefined,
  option: string,
  command = "pond cat",
): number | undefined {
  return value === undefined ? undefined : parseTime(value, command, `${option} takes a time`);
}

/**
 * Bytes per read, and per write to stdout, when a file's stream can read into a buffer of ours:
 * four blob chunks, read in one system call and checked chunk by chunk.
 */
const OUT_BUFFER = 4 << 20;

/**
 * Writes a file's stream to stdout. A byte stream (a stored blob) is read into two buffers in
 * turn: the next chunks are read and verified into one while the other is being written, so
 * checking and writing overlap, and a file of any size costs no new memory per read. Other
 * streams go chunk by chunk.
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
  let free = new Uint8Array(OUT_BUFFER);
  let writing: { buffer: Uint8Array<ArrayBuffer>; done: Promise<void> } | undefined;
  for (;;) {
    let read: ReadableStreamReadResult<Uint8Array<ArrayBuffer>>;
    try {
      read = await reader.read(free);
    } catch (e) {
      await writing?.done; // a failed write (the reader gone) comes first, as it happened first
      throw e;
    }
    if (writing) {
      await writing.done;
      free = writing.buffer;
    } else {
      free = new Uint8Array(OUT_BUFFER);
    }
    if (read.done) return;
    const done = ctx.output.outBytes(read.value);
    done.catch(() => {}); // awaited above on the next turn: not an unhandled failure meanwhile
    writing = { buffer: new Uint8Array(read.value.buffer), done };
  }
}

/**
 * Prints the rows of `path` (`--rows`: a table or series as CSV, JSON lines with `--json`), or
 * the result of `sql` over it as the table `source`.
 */
async function queryPath(
  ctx: CommandContext,
  { pond, stages, at }: { pond: Pond; stages: Stages; at: PondAt | undefined },
  path: string,
  sql: string | undefined,
  read: SourceOptions,
): Promise<void> {
  if (sql === undefined) {
    const { entryType } = await (await pond.root(at)).metadata(path);
    if (!isParquetNode(path, entryType)) {
      throw new PondError(
        "NotATable",
        `${path} is ${entryType}, not a table or series; read its bytes with pond cat`,
      );
    }
  }
  const rows = { ...ctx, options: { format: ctx.options.json ? "jsonl" : "csv", ...ctx.options } };
  const { printQuery } = await import("../query_output.ts"); // SQL's modules, only when querying
  await printQuery(
    sql === undefined ? rows : ctx,
    pond,
    stages,
    sql ?? "SELECT * FROM source",
    { sources: [{ name: "source", glob: path }], at, read },
    "pond cat",
  );
}
