/** Shared by the built-in timeseries-join and timeseries-pivot (each its manifest, then this code): series side by side by time, in DuckDB. */

// Each series is all its versions (columns merged by name). Its rows are grouped by its time
// column first, so a series with several rows at one time contributes the largest value of each
// column there; the series are then joined FULL OUTER on time, so every time any series has is a
// row, with nulls where a series has none. Columns are named `<prefix>.<column>` (the prefix a
// template of the series' captures, `$0` by default; the capture columns are left out); with
// `column` set, only that column of each series is taken and named by the prefix alone: the pivot.
// The built-in catalog puts each plugin's manifest file before this code, so both are one module
// that reads the same way; timeseries-pivot's manifest makes `column` required.

interface Match {
  path: string;
  captures: string[];
  kind: string;
}

interface Config {
  prefix: string;
  column?: string;
  time_column?: string;
}

interface Column {
  name: string;
  values: ArrayLike<unknown>;
}

interface Host {
  expand(template: string, captures: string[]): string;
  sql(query: string, tables: Record<string, Match[]>): Promise<Column[]>;
}

/** The columns `host.sql` adds for a glob's captures, left out of the join. */
const CAPTURE = /^capture\d+$/;

/** A SQL identifier, quoted. */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** One series' columns and their DuckDB types, in order. */
async function columnsOf(match: Match, host: Host): Promise<{ name: string; type: string }[]> {
  const [names, types] = await host.sql(
    "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM s)",
    { s: [match] },
  );
  return Array.from(names.values, (name, i) => ({
    name: String(name),
    type: String(types.values[i]),
  }));
}

/**
 * The join's SQL over tables `s0`, `s1`, … (one per series, in `series` order): each grouped
 * by its time, then joined FULL OUTER on it, ordered by time.
 *
 * @example
 * ```ts
 * joinSql("t", [{ prefix: "north", columns: ["v"] }, { prefix: "south", columns: ["v"] }], false);
 * ```
 */
export function joinSql(
  time: string,
  series: readonly { prefix: string; columns: readonly string[] }[],
  pivot: boolean,
): string {
  const parts = series.map(({ prefix, columns }, i) => {
    const values = columns.map((c) =>
      `max(${ident(c)}) AS ${ident(pivot ? prefix : `${prefix}.${c}`)}`
    );
    return `(SELECT ${ident(time)} AS ${ident(time)}${
      values.map((v) => `, ${v}`).join("")
    } FROM s${i} WHERE ${ident(time)} IS NOT NULL GROUP BY 1) AS j${i}`;
  });
  const using = ` USING (${ident(time)})`;
  const from = parts.slice(1).reduce(
    (left, part) => `${left} FULL OUTER JOIN ${part}${using}`,
    parts[0],
  );
  return `SELECT * FROM ${from} ORDER BY 1`;
}

/** The joined table of every series the glob matches now. */
export async function read(
  request: { config: Config; matches: { inputs: Match[] } },
  host: Host,
) {
  const { config } = request;
  const matches = request.matches.inputs.filter((m) => m.kind === "file");
  if (matches.length === 0) throw new Error("config field inputs matched no series");
  const described = await Promise.all(matches.map((m) => columnsOf(m, host)));
  const time = config.time_column ??
    described[0].find((c) => c.type.startsWith("TIMESTAMP"))?.name;
  if (time === undefined) {
    throw new Error("config field time_column: the first series has no timestamp column; name one");
  }
  const series = matches.map((match, i) => {
    const names = described[i].map((c) => c.name);
    if (!names.includes(time)) {
      throw new Error(`config field time_column: ${match.path} has no column ${time}`);
    }
    if (config.column !== undefined && !names.includes(config.column)) {
      throw new Error(`config field column: ${match.path} has no column ${config.column}`);
    }
    const values = names.filter((n) => n !== time && !CAPTURE.test(n));
    return {
      prefix: host.expand(config.prefix, match.captures),
      columns: config.column !== undefined ? [config.column] : values,
    };
  });
  const prefixes = new Set(series.map((s) => s.prefix));
  if (prefixes.size !== series.length) {
    throw new Error(
      `config field prefix ${JSON.stringify(config.prefix)} names two series alike; ` +
        "use captures that tell them apart",
    );
  }
  const tables = Object.fromEntries(matches.map((m, i) => [`s${i}`, [m]]));
  return await host.sql(joinSql(time, series, config.column !== undefined), tables);
}
