/** `pond export`: tables and series written out as Hive-partitioned Parquet or a Delta table, for engines beyond one machine. */
import { HOST_PREFIX, isEmptyHostDirectory } from "../../pond/mod.ts";
import { DeltaExport, PondQuery } from "../../sql/mod.ts";
import type { SourceOptions } from "../../sql/mod.ts";
import type { CommandBody } from "../command.ts";
import { UsageError } from "../errors.ts";
import { escapeControl } from "../terminal_text.ts";
import { AT_OPTION, openPond, parseAt } from "../pond_options.ts";
import { timeOption } from "./cat.ts";

/** Partition names computed from the time column when the rows have no column of that name. */
const TIME_PARTS = ["year", "month", "day"] as const;

/** `pond export GLOB host:DIR [--format parquet|delta] [--partition-by year,month|COL,…] [--from T] [--to T] [--at SEQ|TIME]`. */
export const exportCommand: CommandBody = {
  usage:
    "pond export GLOB host:DIR [--format parquet|delta] [--partition-by year,month|COL,…] [--from TIME] [--to TIME] [--at SEQ|TIME]",
  description:
    "Writes the rows of every file GLOB matches (a series: all its versions; several matches\n" +
    "as one table, with the captures as capture0, capture1, …) into DIR, a new or empty\n" +
    "directory on this computer: DIR/data.parquet, or with --partition-by one directory per\n" +
    "value (COL=value/…), as Spark, Trino, Polars or DuckDB read them. year, month and day\n" +
    "are taken from the time column of a series when the rows have no such column.\n" +
    "--format delta writes a Delta table instead; exporting again into its DIR appends, in\n" +
    "one commit, the versions written since (nothing when there are none).",
  options: {
    format: { type: "string", value: "parquet", help: "the format written (parquet, delta)" },
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
    "pond export /sensors/north.series host:/data/north-delta --format delta --partition-by year",
  ],
  minArgs: 2,
  maxArgs: 2,
  async run(ctx) {
    const [glob, target] = ctx.positionals;
    const format = (ctx.options.format as string | undefined) ?? "parquet";
    if (format !== "parquet" && format !== "delta") {
      throw new UsageError(`pond export: --format takes parquet or delta, not '${format}'`);
    }
    if (!target.startsWith(HOST_PREFIX) || target.length === HOST_PREFIX.length) {
      throw new UsageError(
        "pond export: the destination is a directory on this computer, host:DIR",
      );
    }
    const given = ctx.options["partition-by"] as string | undefined;
    const range = {
      from: timeOption(ctx.options.from as string | undefined, "--from", "pond export"),
      to: timeOption(ctx.options.to as string | undefined, "--to", "pond export"),
    };
    const at = parseAt(ctx.options.at as string | undefined, "pond export");
    const shown = target.slice(HOST_PREFIX.length);
    const { path: dir, empty } = await hostDirectory(shown);
    if (format === "parquet" && !empty) {
      throw new UsageError(
        `pond export: ${shown} is not empty; export into a new or empty directory`,
      );
    }
    const delta = format === "delta"
      ? await DeltaExport.open(dir, { glob, ...range, versions: {} }, empty)
      : undefined;
    const existing = delta?.partitionColumns;
    const partitionBy = given === undefined && existing ? [...existing] : columnList(given);
    if (existing && existing.join(",") !== partitionBy.join(",")) {
      throw new UsageError(
        `pond export: ${shown} is partitioned by ${
          existing.join(",") || "nothing"
        }; re-export with that --partition-by, or into a new or empty directory`,
      );
    }
    const read: SourceOptions = { ...range, ...(delta && { skip: delta.skip }) };
    const { pond, stages } = await openPond(ctx, "pond export");
    const query = await PondQuery.open(pond, "SELECT * FROM source", {
      sources: [{ name: "source", glob }],
      at,
      read,
      ...(!delta && { directory: dir }),
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
      const select = `SELECT *${extra} FROM source`;
      if (delta) {
        const written = await delta.write(query, select, partitionBy);
        stages.mark("export");
        ctx.output.out(
          written.version === undefined
            ? `nothing new to export: ${escapeControl(shown)} holds every version of ${
              escapeControl(glob)
            }\n`
            : `exported ${written.rows} rows in ${written.files} files to ${
              escapeControl(shown)
            } (Delta version ${written.version})\n`,
        );
        stages.report(pond, { rows: written.rows });
        return;
      }
      await Deno.mkdir(dir, { recursive: true });
      const rows = await query.exportTo(select, partitionBy);
      stages.mark("export");
      stages.report(pond, { rows });
    } finally {
      await query.close();
    }
  },
};

/** The columns of a comma-separated `--partition-by`. */
function columnList(text: string | undefined): string[] {
  return (text ?? "").split(",").map((c) => c.trim()).filter((c) => c !== "");
}

/** The absolute path of `dir`, which may not exist yet (its parent must), and whether it is empty. */
async function hostDirectory(dir: string): Promise<{ path: string; empty: boolean }> {
  const trimmed = dir.replace(/\/+$/, "") || "/";
  const cut = trimmed.lastIndexOf("/");
  const parent = cut < 0 ? "." : trimmed.slice(0, cut) || "/";
  const absolute = await Deno.realPath(parent).catch(() => {
    throw new UsageError(`pond export: cannot write ${dir}: ${parent} does not exist`);
  });
  const path = `${absolute === "/" ? "" : absolute}/${trimmed.slice(cut + 1)}`;
  return { path, empty: await isEmptyHostDirectory(path) };
}
