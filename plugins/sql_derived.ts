/** Built-in plugin: tables computed by one SQL query over the pond's tables, series and data files — one table, or one per match. */

export const manifest = {
  name: "sql-derived",
  version: "1.0.0",
  description: "Tables computed by a SQL query over tables, series and data files the pond holds",
  provides: ["file", "directory"],
  config: {
    inputs: {
      type: "tables",
      required: true,
      description: "the query's tables: SQL names to globs, e.g. { r: /sites/*/readings.series }",
    },
    query: {
      type: "string",
      required: true,
      description:
        "one SELECT over those tables; a glob's captures are columns capture0, capture1…",
    },
    per: {
      type: "string",
      description: "as a directory: the table each of whose matches gets a table of its own, " +
        "queried alone (default: the only table)",
    },
    name: {
      type: "string",
      default: "$0.parquet",
      description: "as a directory: each table's name, a template of its match's captures",
    },
  },
};

interface Match {
  path: string;
  captures: string[];
}

interface Config {
  inputs: Record<string, string>;
  query: string;
  per?: string;
  name: string;
}

interface Host {
  expand(template: string, captures: string[]): string;
  sql(query: string, tables: Record<string, Match[]>): Promise<unknown>;
}

type Matches = { inputs: Record<string, Match[]> };

/** As a directory: one table per match of the `per` table, computed by read() over that match. */
export function entries(request: { config: Config; inputs: Matches }, host: Host) {
  const { config, inputs } = request;
  const names = Object.keys(config.inputs);
  const per = config.per ?? (names.length === 1 ? names[0] : undefined);
  if (per === undefined || !names.includes(per)) {
    throw new Error(
      `per must name the table to split by, one of ${names.join(", ")}` +
        (config.per === undefined ? "" : `, not ${config.per}`),
    );
  }
  return inputs.inputs[per].map((match) => ({
    name: host.expand(config.name, match.captures),
    compute: { inputs: [match.path], args: { per, path: match.path } },
    entryType: "file:table",
  }));
}

/**
 * The query's result: the host runs it over what each table's glob matches now (as a
 * directory's table: the `per` table is its one match).
 */
export function read(
  request: { config: Config; args?: { per: string; path: string }; matches: Matches },
  host: Host,
) {
  const { config, args } = request;
  const tables = { ...request.matches.inputs };
  if (args) tables[args.per] = tables[args.per].filter((match) => match.path === args.path);
  for (const [name, glob] of Object.entries(config.inputs)) {
    if (tables[name].length === 0) {
      throw new Error(`table ${name}: ${glob} matched nothing; check it with pond list '${glob}'`);
    }
  }
  return host.sql(config.query, tables);
}
