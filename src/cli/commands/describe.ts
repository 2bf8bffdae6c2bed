/** `pond describe`: what a node is — type, id, every version and the transaction that wrote it, a table's schema. */
import { describe, type Description, expandPaths } from "../../pond/mod.ts";
import type { CommandBody } from "../command.ts";
import { AT_OPTION, openPond, parseAt } from "../pond_options.ts";
import { formatTable, sizeText } from "../format.ts";
import { escapeControl } from "../terminal_text.ts";

/** `pond describe PATH... [--json] [--at SEQ|TIME]`. */
export const describeCommand: CommandBody = {
  usage: "pond describe PATH... [--json] [--at SEQ|TIME]",
  description:
    "For each path: its entry type, node id and partition, and every version with its size,\n" +
    "time and the transaction that wrote it. Tables and series also show their Parquet\n" +
    "schema (columns, types, row count) read from the file's footer. A symlink is described\n" +
    "itself, with its target (end the path with / to describe the directory it points to);\n" +
    "a dynamic directory or file shows its plugin, and a file a plugin computes the stored\n" +
    "series it derives from with their newest event time. Glob patterns ('/sites/*') are\n" +
    "expanded as a shell would, in name order.",
  options: { ...AT_OPTION },
  examples: [
    "pond describe /sites/lake_north/readings.parquet",
    "pond describe /latest /sites --json",
    "pond describe /notes.txt --at 2026-06-01T12:00:00Z",
  ],
  minArgs: 1,
  async run(ctx) {
    const at = parseAt(ctx.options.at as string | undefined, "pond describe");
    const { pond, stages } = await openPond(ctx, "pond describe");
    const found: Description[] = [];
    const paths = await expandPaths(await pond.root(at), ctx.positionals);
    for (const path of paths) found.push(await describe(pond, path, at));
    stages.mark("describe");
    if (ctx.options.json) {
      ctx.output.out(JSON.stringify(found.map(toJson), null, 2) + "\n");
    } else {
      ctx.output.out(found.map(toText).join("\n"));
    }
    stages.report(pond);
  },
};

function toJson(d: Description) {
  const newest = d.derivedFrom?.newestEvent;
  return {
    ...d,
    ...(d.derivedFrom && {
      derivedFrom: {
        ...d.derivedFrom,
        ...(newest !== undefined && { newestEvent: new Date(newest).toISOString() }),
      },
    }),
    versions: d.versions.map((v) => ({
      ...v,
      time: new Date(v.time).toISOString(),
      ...(v.eventTimes && {
        eventTimes: {
          min: new Date(v.eventTimes.min).toISOString(),
          max: new Date(v.eventTimes.max).toISOString(),
        },
      }),
    })),
  };
}

function toText(d: Description): string {
  const facts: string[][] = [["type", d.entryType + (d.computed ? " (computed)" : "")]];
  if (d.nodeId) facts.push(["node", d.nodeId], ["partition", d.partId!]);
  if (d.target !== undefined) facts.push(["target", d.target]);
  if (d.plugin !== undefined) facts.push(["plugin", d.plugin]);
  if (d.derivedFrom) {
    const { series, newestEvent } = d.derivedFrom;
    facts.push(["derived from", series.map(escapeControl).join(", ") || "no stored series"]);
    if (newestEvent !== undefined) {
      facts.push(["newest event", new Date(newestEvent).toISOString()]);
    }
  }
  if (d.schema) {
    const groups = d.schema.rowGroups;
    facts.push(["rows", `${d.schema.rows} in ${groups} row group${groups === 1 ? "" : "s"}`]);
  }
  let text = `${escapeControl(d.path)}\n` + formatTable(facts, "  ");
  text += `  versions\n` + formatTable(
    d.versions.map((v) => [
      `v${v.version}`,
      new Date(v.time).toISOString(),
      v.seq === null ? "" : `transaction ${v.seq}`,
      sizeText(d.entryType, v.size),
      v.eventTimes
        ? `events ${new Date(v.eventTimes.min).toISOString()} .. ${
          new Date(v.eventTimes.max).toISOString()
        }`
        : "",
    ]),
    "    ",
  );
  if (d.schema) {
    text += "  columns\n" + formatTable(
      d.schema.columns.map((c) => [c.name, c.type, c.nullable ? "" : "not null"]),
      "    ",
    );
  }
  return text;
}
