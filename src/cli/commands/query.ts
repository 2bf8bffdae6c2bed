/** `pond query`: SQL over the pond — named tables and series, the operation log, the tree — printed, saved, or stored back. */
import { hostFileStream } from "../../pond/mod.ts";
import type { FileEntryType } from "../../tinyfs/mod.ts";
import { type NamedSource, PondQuery } from "../../sql/mod.ts";
import type { CommandBody, CommandContext } from "../command.ts";
import { printCommitted } from "../committed.ts";
import { UsageError } from "../errors.ts";
import { AT_OPTION, openPond, parseAt } from "../pond_options.ts";
import { printQuery } from "../query_output.ts";
import { RESULT_OPTIONS } from "../result_options.ts";

/** `pond query SQL [-t NAME=GLOB]... [--at SEQ|TIME] [--format F] [--output host:FILE] [--into PATH [--series]]`. */
export const queryCommand: CommandBody = {
  usage:
    "pond query SQL [-t NAME=GLOB]... [--at SEQ|TIME] [--format FORMAT] [--output host:FILE] [--into PATH [--series]]",
  description:
    "Runs one SELECT in DuckDB. -t NAME=GLOB makes the files GLOB matches the table NAME:\n" +
    "a table's newest version, all of a series' versions (columns merged by name), CSV or\n" +
    "JSON data files; several matches are one table, and a glob's captures are the columns\n" +
    "capture0, capture1, …. Two tables are always there: oplog (every row of the operation\n" +
    "log as stored) and nodes (path, name, node_id, entry_type, version, seq, size, modified,\n" +
    "min_event_time, max_event_time of every node). --at reads everything as of then. The\n" +
    "query reads only those files: no other file, URL, extension or setting.\n" +
    "--into stores the result in the pond as a table (--series: appends it to a series).",
  options: {
    table: {
      type: "string",
      short: "t",
      multiple: true,
      value: "NAME=GLOB",
      help: "the files GLOB matches, as the table NAME",
    },
    ...AT_OPTION,
    ...RESULT_OPTIONS,
    into: {
      type: "string",
      value: "PATH",
      help: "store the result in the pond at PATH, as a table",
    },
    series: { type: "boolean", help: "with --into: append the result to the series at PATH" },
  },
  examples: [
    "pond query 'SELECT entry_type, COUNT(*) FROM oplog GROUP BY entry_type'",
    "pond query 'SELECT path, size FROM nodes ORDER BY size DESC LIMIT 5' --at 3",
    "pond query -t r='/sites/*/readings.series' 'SELECT capture0 AS site, avg(value) FROM r GROUP BY site'",
    "pond query -t r=/sensors/north.series 'SELECT * FROM r' --format parquet -o host:north.parquet",
    "pond query -t r=/sensors/north.series \"SELECT date_trunc('day', timestamp) AS timestamp, avg(value) AS value FROM r GROUP BY 1\" --into /daily.series --series",
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const sql = ctx.positionals[0];
    const sources = namedSources(ctx);
    const at = parseAt(ctx.options.at as string | undefined, "pond query");
    const into = ctx.options.into as string | undefined;
    if (ctx.options.series && into === undefined) {
      throw new UsageError("pond query: --series goes with --into PATH");
    }
    if (
      into !== undefined && (ctx.options.format !== undefined || ctx.options.output !== undefined)
    ) {
      throw new UsageError(
        "pond query: --into stores the result in the pond; drop --format and --output",
      );
    }
    const { pond, stages } = await openPond(ctx, "pond query");
    if (into === undefined) {
      await printQuery(ctx, pond, stages, sql, { sources, at }, "pond query");
      stages.report(pond);
      return;
    }
    const entryType: FileEntryType = ctx.options.series ? "file:series" : "file:table";
    const query = await PondQuery.open(pond, sql, { sources, at, scratch: "parquet" });
    try {
      const rows = await query.copy(query.scratch!, "parquet");
      stages.mark("query");
      const { seq } = await pond.transact(ctx.argv, async (root) => {
        await root.write(into, await hostFileStream(query.scratch!), { entryType });
      });
      stages.mark("store");
      await printCommitted(ctx, pond, seq);
      stages.report(pond, { rows, transaction: seq });
    } finally {
      await query.close();
    }
  },
};

/** The `-t NAME=GLOB` options as named sources; a usage error for one without its `=`. */
function namedSources(ctx: CommandContext): NamedSource[] {
  const given = (ctx.options.table as string[] | undefined) ?? [];
  const seen = new Set<string>();
  return given.map((arg) => {
    const match = arg.match(/^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/);
    if (!match) {
      throw new UsageError(
        `pond query: -t takes NAME=GLOB with NAME a plain SQL name, like r=/sites/*/readings.series, not '${arg}'`,
      );
    }
    if (seen.has(match[1].toLowerCase())) {
      throw new UsageError(`pond query: the table name '${match[1]}' is given twice`);
    }
    seen.add(match[1].toLowerCase());
    return { name: match[1], glob: match[2] };
  });
}
