/** Built-in plugin: a table computed by one SQL query over the pond's tables, series and data files. */

export const manifest = {
  name: "sql-derived",
  version: "1.0.0",
  description: "A table computed by a SQL query over tables, series and data files the pond holds",
  provides: ["file"],
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
  },
};

interface Match {
  path: string;
}

interface Config {
  inputs: Record<string, string>;
  query: string;
}

interface Host {
  sql(query: string, tables: Record<string, Match[]>): Promise<unknown>;
}

/** The query's result: the host runs it over what each table's glob matches now. */
export function read(
  request: { config: Config; matches: { inputs: Record<string, Match[]> } },
  host: Host,
) {
  const { config, matches } = request;
  for (const [name, glob] of Object.entries(config.inputs)) {
    if (matches.inputs[name].length === 0) {
      throw new Error(`table ${name}: ${glob} matched nothing; check it with pond list '${glob}'`);
    }
  }
  return host.sql(config.query, matches.inputs);
}
