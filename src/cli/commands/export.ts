/** `pond export`: tables and series written out as Hive-partitioned Parquet, for engines beyond one machine. */
import { HOST_PREFIX } from "../../pond/endpoint.ts";
import { PondQuery } from "../../sql/mod.ts";
import type { SourceOptions } from "../../sql/mod.ts";
import type { CommandBody } from "../command.ts";
import { UsageError } from "../errors.ts";
import { AT_OPTION, openPond, parseAt } from "../pond_options.ts";
import { timeOption } from "./cat.ts";

/** Partition names computed from the time column when the rows have no column of that name. */
const TIME_PARTS = ["year", "month", "day"] as const;

/** `pond export GLOB host:DIR [--format parquet] [--partition-by year,month|COL,…] [--from T] [--to T] [--at SEQ|TIME]`. */
export const exportCommand: CommandBody = {
  usage:
    "pond export GLOB host:DIR [--format parquet] [--partition-by year,month|COL,…] [--from TIME] [--to TIME] [--at SEQ|TIME]",
  description:
    "Writes the rows of every file GLOB matches (a series: all its versions; several matches\n" +
    "as one table, with the captures as capture0, capture1, …) into DIR, a new or empty\n" +
    "directory on this computer: DIR/data.parquet, or with --partition-by one directory per\n" +
    "value (COL=value/…), as Spark, Trino, Polars or DuckDB read them. year, month and day\n" +
    "are taken from the time column of a series when the rows have no such column.",
  options: {
    format: { type: "string", value: "parquet", help: "the format written (parquet)" },
    "partition-by": {
      type: "string",
      value: "COLS",
      help: "comma-separated columns to partition by (year, month, day: from the time column)",
    },
    from: { type: "string", value: "TIME", help: "for series: rows at or after TIME" },
    to: { type: "string", value: "TIME", help: "for series: rows at or before TIME" },
    ...AT_OPTION,
  },
  examples: [
    "pond export /sensors/north.series host:/data/north --partition-by year,month",
    "pond export '/sites/*/readings.series' host:/data/sites --partition-by capture0",
  ],
  minArgs: 2,
  maxArgs: 2,
  async run(ctx) {
    const [glob, target] = ctx.positionals;
    const format = (ctx.options.format as string | undefined) ?? "parquet";
    if (format !== "parquet") {
      throw new UsageError(`pond export: --format takes parquet, not '${format}'`);
    }
    if (!target.startsWith(HOST_PREFIX) || target.length === HOST_PREFIX.length) {
      throw new UsageError(
        "pond export: the destination is a directory on this computer, host:DIR",
      );
    }
    const partitionBy = ((ctx.options["partition-by"] as string | undefined) ?? "").split(",")
      .map((c) => c.trim()).filter((c) => c !== "");
    const read: SourceOptions = {
      from: timeOption(ctx.options.from as string | undefined, "--from", "pond export"),
      to: timeOption(ctx.options.to as string | undefined, "--to", "pond export"),
    };
    const at = parseAt(ctx.options.at as string | undefined, "pond export");
    const dir = await emptyDirectory(target.slice(HOST_PREFIX.length));
    const { pond, stages } = await openPond(ctx, "pond export");
    const query = await PondQuery.open(pond, "SELECT * FROM source", {
      sources: [{ name: "source", glob }],
      at,
      read,
      directory: dir,
    });
    try {
      const columns = (await query.engine.rows("DESCRIBE SELECT * FROM source")).map((r) =>
        String(r[0])
      );
      const time = query.report.timeColumns.get("source");
      const derived = partitionBy.filter((c) => !columns.includes(c));
      for (const c of derived) {
        if (!(TIME_PARTS as readonly string[]).includes(c) || time === undefined) {
          throw new UsageError(
            `pond export: --partition-by ${c}: the rows have no column ${c}; they have ${
              columns.join(", ")
            }` + (time === undefined ? "" : " (and year, month, day from the time column)"),
          );
        }
      }
      const extra = derived.map((c) => `, ${c}("${time!.replaceAll('"', '""')}") AS ${c}`).join("");
      await Deno.mkdir(dir, { recursive: true });
      const rows = await query.exportTo(`SELECT *${extra} FROM source`, partitionBy);
      stages.mark("export");
      stages.report(pond, { rows });
    } finally {
      await query.close();
    }
  },
};

/**
 * The absolute path of `dir`, which may not exist yet (its parent must); a usage error if it
 * holds anything.
 */
async function emptyDirectory(dir: string): Promise<string> {
  const trimmed = dir.replace(/\/+$/, "") || "/";
  const cut = trimmed.lastIndexOf("/");
  const parent = cut < 0 ? "." : trimmed.slice(0, cut) || "/";
  const absolute = await Deno.realPath(parent).catch(() => {
    throw new UsageError(`pond export: cannot write ${dir}: ${parent} does not exist`);
  });
  const path = `${absolute === "/" ? "" : absolute}/${trimmed.slice(cut + 1)}`;
  try {
    for await (const _ of Deno.readDir(path)) {
      throw new UsageError(
        `pond export: ${dir} is not empty; export into a new or empty directory`,
      );
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return path;
}
