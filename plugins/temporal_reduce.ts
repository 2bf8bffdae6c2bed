/** Built-in plugin: series downsampled to nested resolutions by UTC time buckets, exactly, in DuckDB. */

// What a reduction is. Each input series (all its versions, merged by column name, so a column
// that appears later is null before it) becomes `res=<r>.series` per resolution: one row per
// non-empty bucket `[start, start + r)`, buckets aligned to multiples of r since the UTC epoch,
// the bucket start as the time column and one column `<column>.<agg>` per aggregate. Rows whose
// time is null belong to no bucket; null values are ignored (count counts non-null values; an
// aggregate over only nulls is null). Duplicate timestamps are all counted: every row takes part
// in sum, count, avg, min and max; `first` is the value at the earliest time and `last` the one at
// the latest (times to the microsecond), the smallest (for first) or largest (for last) of the
// values sharing that time. That tie rule depends only on the rows, never on their order, which
// is what lets partials of separate versions combine into exactly the partials of all rows.
//
// How it is computed. The finest resolution's partials per bucket (sum, non-null count, min, max,
// first and last with their times) come from the rows; each coarser resolution folds the partials
// of the one before (sums and counts added, min of mins, earliest first…), which is exact because
// each resolution is a multiple of the one before and both are epoch-aligned: a fine bucket lies in
// exactly one coarse bucket. avg is sum / count at the end, never an average of averages.
//
// Incrementally. Partials are a monoid per bucket, so the finest ones are a kept query with a
// fold (a `{ kept, of, fold }` table of `host.sql`): the host keeps, with the pond, one state per
// input — the finest partials of all its versions, one row per bucket — under the plugin, this
// query (which names the plan: columns, types, width) and the input's node id and versions. A
// read brings it up to date — a new version's partials come from that version's rows alone —
// and every resolution folds straight from the state and those partials (sums added, min of
// mins…, one GROUP BY per resolution: the finest buckets nest in every coarser one), while the
// fold (`foldSql` at the finest width: buckets several versions touch combine exactly) gives the
// next state, all in DuckDB and in one engine: the new version's partials first, then every
// resolution (`also`), the host remembering those not asked for yet, then the fold. So a change
// starts one engine, not two per resolution, and reading the other resolutions starts none; it
// reads the rows of the new versions only, and of the history only its finest buckets (the size
// of the 1h output), never its rows or a chain of folds. Late data is the same case (its buckets
// are old ones), so there is no lateness limit. The kept state is rebuildable from the inputs
// (`pond maintain --drop-cache` drops it), keyed by versions so `--at` and copies of the pond
// read the state they name. What a read computed from rows is printed (shown under --verbose):
// the rows and versions read, and per resolution the buckets they touch, the only ones whose
// values can change. A directory per series describes the columns of every series in one engine
// and hands each directory its own (`input_columns`), then brings every series whose kept state
// is behind up to date together (`host.refresh`: the same requests its reads make, 8 series to
// an engine, remembered for those reads; a series never read is left to its reads), so a change
// to every series starts one engine for their columns and one per 8 series; a read checks them
// in its own engine, so columns a user wrote that are not the series' fail it before anything is
// kept.

export const manifest = {
  name: "temporal-reduce",
  version: "1.0.0",
  description:
    "Downsamples series into UTC time buckets at nested resolutions (avg min max sum count first last)",
  provides: ["directory"],
  config: {
    in_pattern: {
      type: "glob",
      required: true,
      contents: false,
      description: "the series to reduce, e.g. /sites/*/readings.series",
    },
    out_pattern: {
      type: "string",
      description: "each match's directory, from its captures (e.g. $0); " +
        "unset: the resolutions directly here, of the one series in_pattern matches",
    },
    time_column: {
      type: "string",
      description: "the series' timestamp column (default: its first timestamp column)",
    },
    resolutions: {
      type: "string[]",
      required: true,
      description: "bucket widths, each a multiple of the one before, e.g. [1h, 6h, 1d, 7d]",
    },
    input_columns: {
      type: "mapping[]",
      description: "the columns of the one series in_pattern matches (set by a directory per " +
        "match for each of its own, described in one query; unset: described); a read " +
        "refuses columns that are not the series'",
      fields: {
        name: { type: "string", required: true, description: "a column's name" },
        type: { type: "string", required: true, description: "its DuckDB type" },
      },
    },
    aggregations: {
      type: "mapping[]",
      required: true,
      description: "what to compute, e.g. [{ type: avg, columns: ['*'] }]",
      fields: {
        type: {
          type: "string",
          required: true,
          choices: ["avg", "min", "max", "sum", "count", "first", "last"],
          description: "the aggregate",
        },
        columns: {
          type: "string[]",
          required: true,
          description: "globs of column names (* and ?)",
        },
      },
    },
  },
};

/** An aggregate a reduction computes per bucket. */
export type AggregateType = "avg" | "min" | "max" | "sum" | "count" | "first" | "last";

/** The config, as the host checked it against the manifest. */
export interface ReduceConfig {
  in_pattern: string;
  out_pattern?: string;
  time_column?: string;
  resolutions: string[];
  aggregations: { type: AggregateType; columns: string[] }[];
  input_columns?: SourceColumn[];
}

/** A bucket width: its name as written (`1h`) and its length in microseconds. */
export interface Resolution {
  readonly name: string;
  readonly micros: number;
}

/** A column of the input, as DuckDB's DESCRIBE names it and its type. */
export interface SourceColumn {
  readonly name: string;
  readonly type: string;
}

/** Everything the SQL of one reduction depends on. */
export interface Plan {
  /** The input's time column. */
  readonly time: string;
  readonly resolutions: readonly Resolution[];
  /** The value columns aggregated, with their DuckDB types, in the input's order. */
  readonly columns: readonly SourceColumn[];
  /** The output columns after the time column, in order: `<column>.<type>`. */
  readonly outputs: readonly { readonly column: string; readonly type: AggregateType }[];
}

/** The partial kept per bucket and column; an aggregate is computed from some of them. */
type Part = "sum" | "count" | "min" | "max" | "first" | "last";

const PARTS_OF: Readonly<Record<AggregateType, readonly Part[]>> = {
  avg: ["sum", "count"],
  sum: ["sum"],
  count: ["count"],
  min: ["min"],
  max: ["max"],
  first: ["first"],
  last: ["last"],
};

const PART_ORDER: readonly Part[] = ["sum", "count", "min", "max", "first", "last"];

const UNIT_MICROS: Readonly<Record<string, number>> = {
  s: 1e6,
  m: 60e6,
  h: 3600e6,
  d: 86400e6,
  w: 604800e6,
};

/** The bucket column of partials; output columns all hold a dot, so it meets none of them. */
const BUCKET = "__bucket";
/** The partial counting a bucket's rows (null values included), for the work a read reports. */
const ROWS = "__rows";
const EPOCH = "TIMESTAMP '1970-01-01 00:00:00'";

/**
 * The resolutions of a config, checked: each a whole number and a unit (s, m, h, d, w), each a
 * multiple (2× or more) of the one before. Errors name the field and the item.
 *
 * @example
 * ```ts
 * checkResolutions(["1h", "6h", "1d"]); // [{ name: "1h", micros: 3600000000 }, …]
 * ```
 */
export function checkResolutions(resolutions: readonly string[]): Resolution[] {
  if (resolutions.length === 0) {
    throw configError("config field resolutions is empty; give at least one, e.g. [1h, 1d]");
  }
  const checked: Resolution[] = [];
  resolutions.forEach((name, i) => {
    const parsed = /^([1-9][0-9]{0,8})([smhdw])$/.exec(name);
    if (!parsed) {
      throw configError(
        `config field resolutions[${i}] ${JSON.stringify(name)} is not a duration; ` +
          "write a whole number and a unit of s, m, h, d or w, e.g. 15m, 1h, 7d",
      );
    }
    const resolution = { name, micros: Number(parsed[1]) * UNIT_MICROS[parsed[2]] };
    const before = checked.at(-1);
    if (
      before && (resolution.micros <= before.micros || resolution.micros % before.micros !== 0)
    ) {
      throw configError(
        `config field resolutions[${i}] ${JSON.stringify(name)} is not a multiple of ` +
          `resolutions[${i - 1}] ${JSON.stringify(before.name)}; ` +
          "each resolution must be a whole multiple (2× or more) of the one before",
      );
    }
    checked.push(resolution);
  });
  return checked;
}

/**
 * The plan of a reduction of an input with `columns` (all of its versions' columns, merged by
 * name): its time column (`time_column`, else the first timestamp column) and the outputs the
 * aggregations' globs select among the other columns (avg and sum take numeric columns only).
 * Errors name the config field: a time column that is missing or not a timestamp, a glob that
 * matches no column.
 *
 * @example
 * ```ts
 * const plan = planReduction(
 *   { in_pattern: "/s/*.series", resolutions: ["1h"], aggregations: [{ type: "avg", columns: ["*"] }] },
 *   [{ name: "timestamp", type: "TIMESTAMP WITH TIME ZONE" }, { name: "temp", type: "DOUBLE" }],
 * );
 * plan.outputs; // [{ column: "temp", type: "avg" }]
 * ```
 */
export function planReduction(config: ReduceConfig, columns: readonly SourceColumn[]): Plan {
  const resolutions = checkResolutions(config.resolutions);
  const names = columns.map((c) => c.name).join(", ");
  const isTime = (c: SourceColumn) => c.type.startsWith("TIMESTAMP");
  let time: SourceColumn | undefined;
  if (config.time_column !== undefined) {
    time = columns.find((c) => c.name === config.time_column);
    if (!time) {
      throw configError(
        `config field time_column ${JSON.stringify(config.time_column)} is not a column of the ` +
          `input (its columns are ${names})`,
      );
    }
    if (!isTime(time)) {
      throw configError(
        `config field time_column ${JSON.stringify(time.name)} is ${time.type}, not a timestamp`,
      );
    }
  } else {
    time = columns.find(isTime);
    if (!time) {
      throw configError(
        `config field time_column: the input has no timestamp column (its columns are ${names}); ` +
          "name one",
      );
    }
  }
  const values = columns.filter((c) => c !== time);
  const chosen = new Map<string, Set<AggregateType>>(values.map((c) => [c.name, new Set()]));
  config.aggregations.forEach(({ type, columns: globs }, i) => {
    const eligible = type === "avg" || type === "sum" ? values.filter(isNumeric) : values;
    globs.forEach((glob, j) => {
      const pattern = globRegExp(glob);
      const matched = eligible.filter((c) => pattern.test(c.name));
      if (matched.length === 0) {
        throw configError(
          `config field aggregations[${i}].columns[${j}] ${JSON.stringify(glob)} matches no ` +
            `${eligible === values ? "" : "numeric "}column of the input besides its time column ` +
            `(${time.name}); its columns are ${names}`,
        );
      }
      for (const c of matched) chosen.get(c.name)!.add(type);
    });
  });
  const aggregated = values.filter((c) => chosen.get(c.name)!.size > 0);
  const order = Object.keys(PARTS_OF) as AggregateType[];
  return {
    time: time.name,
    resolutions,
    columns: aggregated,
    outputs: aggregated.flatMap((c) =>
      order.filter((t) => chosen.get(c.name)!.has(t)).map((type) => ({ column: c.name, type }))
    ),
  };
}

/**
 * SQL of the partials per bucket of `width` (default: `plan`'s finest resolution) over the rows
 * of `source` (a relation: a table name or a parenthesized query), each column cast to its type
 * in the plan (so partials of some versions depend on their rows alone): `__bucket` (its start, a
 * UTC TIMESTAMP), `__rows` (the rows in it) and per column `<column>.sum`, `.count`, `.min`, `.max`, `.first`, `.last` as the aggregates need
 * them, first and last being `{ t: epoch µs, v: value }`.
 *
 * @example
 * ```ts
 * const plan = planReduction(
 *   { in_pattern: "/s", resolutions: ["1h"], aggregations: [{ type: "avg", columns: ["*"] }] },
 *   [{ name: "t", type: "TIMESTAMP" }, { name: "v", type: "DOUBLE" }],
 * );
 * partialsSql("r", plan); // SELECT time_bucket(…) AS "__bucket", sum("v") AS "v.sum", …
 * ```
 */
export function partialsSql(
  source: string,
  plan: Plan,
  width: Resolution = plan.resolutions[0],
): string {
  const t = ident(plan.time);
  const row: Record<Part, (v: string) => string> = {
    sum: (v) => `sum(${v})`,
    count: (v) => `count(${v})`,
    min: (v) => `min(${v})`,
    max: (v) => `max(${v})`,
    first: (v) => `min({'t': epoch_us(${t}), 'v': ${v}}) FILTER (WHERE ${v} IS NOT NULL)`,
    last: (v) => `max({'t': epoch_us(${t}), 'v': ${v}}) FILTER (WHERE ${v} IS NOT NULL)`,
  };
  const bucket = bucketSql(width, `make_timestamp(epoch_us(${t}))`);
  const typed = plan.columns.map((c) => `${ident(c.name)}::${c.type} AS ${ident(c.name)}`);
  return `SELECT ${bucket} AS ${ident(BUCKET)}, count(*) AS ${ident(ROWS)}, ` +
    `${partColumns(plan, row, ident)} FROM (SELECT ${[t, ...typed].join(", ")} FROM ${source}) ` +
    `WHERE ${t} IS NOT NULL GROUP BY 1`;
}

/**
 * SQL folding partials (`source`: any partials of `plan`, finer than `width` or at it, several
 * rows per bucket allowed) into the partials of `width`: sums and counts added, min of mins, max
 * of maxes, the earliest first and the latest last. At the partials' own width it combines
 * partials of separate row sets (versions) into those of all their rows.
 *
 * @example
 * ```ts
 * const plan = planReduction(
 *   { in_pattern: "/s", resolutions: ["1h", "1d"], aggregations: [{ type: "avg", columns: ["*"] }] },
 *   [{ name: "t", type: "TIMESTAMP" }, { name: "v", type: "DOUBLE" }],
 * );
 * foldSql(`(${partialsSql("r", plan)})`, plan, plan.resolutions[1]);
 * ```
 */
export function foldSql(source: string, plan: Plan, width: Resolution): string {
  const fold: Record<Part, (p: string) => string> = {
    sum: (p) => `sum(${p})`,
    count: (p) => `coalesce(sum(${p}), 0)::BIGINT`,
    min: (p) => `min(${p})`,
    max: (p) => `max(${p})`,
    first: (p) => `min(${p})`,
    last: (p) => `max(${p})`,
  };
  return `SELECT ${bucketSql(width, ident(BUCKET))} AS ${ident(BUCKET)}, ` +
    `sum(${ident(ROWS)})::BIGINT AS ${ident(ROWS)}, ` +
    `${partColumns(plan, fold, (c, p) => ident(`${c}.${p}`))} FROM ${source} GROUP BY 1`;
}

/**
 * SQL of the final rows from partials (`source`, one row per bucket): the bucket start under the
 * input's time column name, then `<column>.<agg>` per output, ordered by time. avg is sum / count
 * (a DOUBLE); sum is a BIGINT for integer columns and a DOUBLE otherwise; count a BIGINT; the
 * others keep the column's type.
 *
 * @example
 * ```ts
 * const plan = planReduction(
 *   { in_pattern: "/s", resolutions: ["1h"], aggregations: [{ type: "avg", columns: ["*"] }] },
 *   [{ name: "t", type: "TIMESTAMP" }, { name: "v", type: "DOUBLE" }],
 * );
 * finalSql(`(${partialsSql("r", plan)})`, plan); // SELECT "__bucket" AS "t", "v.sum" / …
 * ```
 */
export function finalSql(source: string, plan: Plan): string {
  const types = new Map(plan.columns.map((c) => [c.name, c.type]));
  const output = (column: string, type: AggregateType) => {
    const part = (p: Part) => ident(`${column}.${p}`);
    switch (type) {
      case "avg":
        return `(${part("sum")} / nullif(${part("count")}, 0))::DOUBLE`;
      case "sum":
        return `${part("sum")}::${isInteger(types.get(column)!) ? "BIGINT" : "DOUBLE"}`;
      case "first":
      case "last":
        return `(${part(type)}).v`;
      default:
        return part(type);
    }
  };
  const outputs = plan.outputs.map(({ column, type }) =>
    `${output(column, type)} AS ${ident(`${column}.${type}`)}`
  );
  return `SELECT ${ident(BUCKET)} AS ${ident(plan.time)}, ${outputs.join(", ")} ` +
    `FROM ${source} ORDER BY 1`;
}

/**
 * SQL of the reduction of `source` at `plan.resolutions[index]` in one pass over the rows: the
 * partials at that width straight from the rows, then the final columns. It equals
 * {@link foldedReductionSql} (the tests check both against DuckDB), and reads the rows once
 * whatever the resolution, so it is what a read computes while nothing is cached.
 *
 * @example
 * ```ts
 * const plan = planReduction(
 *   { in_pattern: "/s", resolutions: ["1h", "1d"], aggregations: [{ type: "max", columns: ["*"] }] },
 *   [{ name: "t", type: "TIMESTAMP" }, { name: "v", type: "DOUBLE" }],
 * );
 * reductionSql("r", plan, 1); // SELECT "__bucket" AS "t", … FROM (SELECT time_bucket(…) …)
 * ```
 */
export function reductionSql(source: string, plan: Plan, index: number): string {
  return finalSql(`(${partialsSql(source, plan, plan.resolutions[index])})`, plan);
}

/**
 * SQL of the reduction of `source` at `plan.resolutions[index]` as a materialised build computes
 * it: the finest partials from the rows, folded resolution by resolution up to that one, then the
 * final columns.
 *
 * @example
 * ```ts
 * const plan = planReduction(
 *   { in_pattern: "/s", resolutions: ["1h", "1d"], aggregations: [{ type: "max", columns: ["*"] }] },
 *   [{ name: "t", type: "TIMESTAMP" }, { name: "v", type: "DOUBLE" }],
 * );
 * foldedReductionSql("r", plan, 1); // WITH "p0" AS (…), "p1" AS (…) SELECT …
 * ```
 */
export function foldedReductionSql(source: string, plan: Plan, index: number): string {
  return foldChain(partialsSql(source, plan), plan, index);
}

/**
 * SQL of the reduction at `plan.resolutions[index]` from `partials`: the finest partials of
 * disjoint groups of the rows, several rows per bucket (a kept state and the partials of rows
 * not in it), folded straight to that resolution (its buckets hold whole finest buckets), then
 * the final columns. It equals {@link foldedReductionSql} over all the rows.
 *
 * @example
 * ```ts
 * const plan = planReduction(
 *   { in_pattern: "/s", resolutions: ["1h", "1d"], aggregations: [{ type: "max", columns: ["*"] }] },
 *   [{ name: "t", type: "TIMESTAMP" }, { name: "v", type: "DOUBLE" }],
 * );
 * mergedReductionSql("p", plan, 1); // SELECT "__bucket" AS "t", … FROM (SELECT time_bucket(…) … FROM p GROUP BY 1)
 * ```
 */
export function mergedReductionSql(partials: string, plan: Plan, index: number): string {
  return finalSql(`(${foldSql(partials, plan, plan.resolutions[index])})`, plan);
}

/** The WITH chain from the finest partials (`first`, a query) up to `index`, and its final rows. */
function foldChain(first: string, plan: Plan, index: number): string {
  const steps = [`"p0" AS (${first})`];
  for (let i = 1; i <= index; i++) {
    steps.push(`"p${i}" AS (${foldSql(`"p${i - 1}"`, plan, plan.resolutions[i])})`);
  }
  return `WITH ${steps.join(", ")} ${finalSql(`"p${index}"`, plan)}`;
}

interface Match {
  path: string;
  name: string;
  captures: string[];
  kind: "file" | "directory";
  entryType: string;
}

interface Column {
  name: string;
  values: ArrayLike<unknown>;
}

/**
 * A kept query as a table of `host.sql`: its kept state of `of`'s versions and its result over
 * those not in it yet (computed first), `fold` giving the next state from them; with `columns`,
 * the answer says what that took.
 */
interface Kept {
  kept: string;
  of: Match;
  columns?: string[];
  fold?: string;
}

/** What bringing a kept query up to date took: the versions, those read now, columns of what they gave. */
interface KeptWork {
  versions: number;
  computed: number[];
  table: Column[];
}

interface Host {
  expand(template: string, captures: string[]): string;
  /**
   * DuckDB over inputs the plugin was handed (a series: all its versions, by column name): the
   * columns, or with `reply` a handle of the result kept on the host, which read() may return;
   * `also`: queries over the same tables that later calls will ask, run in the same engine and
   * remembered by the host.
   */
  sql(
    query: string,
    tables: Record<string, Match | Match[] | Kept>,
    options?: { reply: true; also?: string[] },
  ): Promise<Column[] | { hostResult: number; kept?: Record<string, KeptWork> }>;
  /**
   * `sql` requests (each over one input, matched by its own path) brought up to date in one
   * engine for all, for later calls that ask them: only those whose kept table's state is
   * behind; per request, what its kept tables took, or null when it did not run.
   */
  refresh(
    requests: { query: string; tables: Record<string, Match | Kept>; also: string[] }[],
  ): Promise<(Record<string, KeptWork> | null)[]>;
}

/**
 * A directory per series `in_pattern` matches, named by `out_pattern` from its captures, each
 * holding `res=<r>.series` per resolution (the series' columns described here, all in one
 * engine, and handed down as `input_columns`, so a change to every series starts one engine for
 * their columns, not one each); without `out_pattern`, those files directly, of the one series
 * `in_pattern` matches.
 */
export async function entries(
  request: { config: ReduceConfig; inputs: { in_pattern: Match[] } },
  host: Host,
) {
  const { config } = request;
  const resolutions = checkResolutions(config.resolutions);
  const series = request.inputs.in_pattern.filter((m) => m.kind === "file");
  const { out_pattern, ...inner } = config;
  if (out_pattern !== undefined) {
    // Series that cannot be described together (one is not Parquet, no engine here) are each
    // described by their own directory, whose reads say what is wrong.
    const described = await columnsOfAll(series, host).catch(() => undefined);
    // Series changed since they were last read are brought up to date together, one engine for
    // all, before their directories' reads (a failure leaves each to its reads, which say why).
    if (described) {
      await refreshAll(series, described, inner, host).catch((e) => {
        if ((e as Error).name === "ConfigError") throw e;
      });
    }
    return series.map((match, i) => {
      if (described) planReduction(inner, described[i]);
      return {
        name: host.expand(out_pattern, match.captures),
        directory: {
          ...inner,
          in_pattern: literalGlob(match.path),
          ...(described && { input_columns: described[i] }),
        },
      };
    });
  }
  if (series.length !== 1) {
    // No series yet is not refused at mknod: a reduction may be made before its data arrives.
    const message =
      `config field in_pattern ${JSON.stringify(config.in_pattern)} matches ${series.length} ` +
      "series, and out_pattern is unset; set out_pattern (e.g. $0) for a directory per series";
    throw series.length === 0 ? new Error(message) : configError(message);
  }
  const columns = config.input_columns ?? (await columnsOfAll(series, host))[0];
  planReduction(config, columns);
  return resolutions.map((resolution) => ({
    name: `res=${resolution.name}.series`,
    compute: { inputs: [series[0].path], args: { resolution: resolution.name, columns } },
    entryType: "file:series",
  }));
}

/**
 * One resolution of one series, computed by DuckDB from the kept state of its versions' finest
 * partials and the partials of the versions not in it yet (from their rows), stored as DuckDB
 * wrote it (the bucket start a UTC timestamp): the rows never cross into the sandbox. The
 * columns it was planned for are checked in the same engine: other columns fail the read.
 */
export async function read(
  request: {
    config: ReduceConfig;
    args: { resolution: string; columns?: SourceColumn[] };
    inputs: Match[];
  },
  host: Host,
) {
  const { path, name, captures, kind, entryType } = request.inputs[0];
  const input = { path, name, captures, kind, entryType };
  const columns = request.args.columns ?? (await columnsOfAll([input], host))[0];
  const plan = planReduction(request.config, columns);
  const index = plan.resolutions.findIndex((r) => r.name === request.args.resolution);
  const { query, tables, also } = reduction(input, plan, columns, index);
  const { hostResult, kept: work } = await host.sql(query, tables, { reply: true, also }) as {
    hostResult: number;
    kept?: Record<string, KeptWork>;
  };
  if (work?.p && work.p.computed.length > 0) console.error(workDone(path, plan, work.p));
  return { hostResult };
}

/**
 * The `host.sql` request of resolution `index` of the series `input` (matched by its own path)
 * planned for `columns`: the resolution from the kept state of its finest partials, the other
 * resolutions as `also`, all in one engine, the new versions' partials computed in it first;
 * those not asked for now are remembered for their reads (their text the one those reads ask).
 */
function reduction(input: Match, plan: Plan, columns: readonly SourceColumn[], index: number) {
  const kept = partialsSql("rows", plan);
  const fold = foldSql("p", plan, plan.resolutions[0]);
  const time = ident(plan.time);
  // Each fails unless the series has the columns planned for: the asked one runs first, so
  // nothing is kept or remembered of a wrong plan.
  const stored = (i: number) =>
    `SELECT * REPLACE (${time}::TIMESTAMPTZ AS ${time}) ` +
    `FROM (${mergedReductionSql("p", plan, i)}) ORDER BY 1${columnsCheck("r", input, columns)}`;
  return {
    query: stored(index),
    tables: { p: { kept, of: input, columns: [BUCKET, ROWS], fold }, r: input },
    also: plan.resolutions.map((_, i) => i).filter((i) => i !== index).map(stored),
  };
}

/**
 * Brings the reductions of `series` (each planned for its `columns`) up to date in one engine
 * for all, {@link REFRESHED_AT_ONCE} at a time, through `host.refresh`: the host runs each
 * series' request only when it keeps a state of it that is behind, so its reads (which ask the
 * same) are then answered from the cache. What each computed is printed as its read would.
 */
async function refreshAll(
  series: readonly Match[],
  columns: readonly SourceColumn[][],
  config: ReduceConfig,
  host: Host,
): Promise<void> {
  for (let from = 0; from < series.length; from += REFRESHED_AT_ONCE) {
    const part = series.slice(from, from + REFRESHED_AT_ONCE).map((match, i) => {
      const input = { ...match, captures: [] };
      const plan = planReduction(config, columns[from + i]);
      return { input, plan, request: reduction(input, plan, columns[from + i], 0) };
    });
    const done = await host.refresh(part.map((p) => p.request));
    part.forEach(({ input, plan }, i) => {
      const work = done[i]?.p;
      if (work && work.computed.length > 0) console.error(workDone(input.path, plan, work));
    });
  }
}

/**
 * How many series one refresh brings up to date: their results are held together until their
 * engine ends, so this bounds that memory; past a few, one engine more costs little.
 */
const REFRESHED_AT_ONCE = 8;

/**
 * What a read computed from rows, as one line: the rows and versions read, and per resolution
 * the buckets those rows fall in (the only ones whose values changed).
 */
function workDone(path: string, plan: Plan, work: KeptWork): string {
  const column = (name: string) => work.table.find((c) => c.name === name)?.values ?? [];
  const rows = Array.from(column(ROWS), Number).reduce((n, r) => n + r, 0);
  const starts = Array.from(column(BUCKET), (b) => Number(b));
  const touched = plan.resolutions.map((r) =>
    `${r.name} ${new Set(starts.map((s) => Math.floor(s / r.micros))).size}`
  );
  return `${path}: read ${rows} rows of ${work.computed.length} of ${work.versions} versions; ` +
    `buckets touched: ${touched.join(", ")}`;
}

/**
 * The columns of each of `series` (those of all its versions, merged by name, its captures left
 * out), in one query: at most {@link DESCRIBED_AT_ONCE} series a query.
 */
async function columnsOfAll(series: readonly Match[], host: Host): Promise<SourceColumn[][]> {
  const all: SourceColumn[][] = series.map(() => []);
  for (let from = 0; from < series.length; from += DESCRIBED_AT_ONCE) {
    const part = series.slice(from, from + DESCRIBED_AT_ONCE);
    const tables = Object.fromEntries(part.map((m, i) => [`r${i}`, m]));
    const selects = part.map((m, i) =>
      `SELECT ${from + i} AS i, row_number() OVER () AS k, column_name, column_type ` +
      `FROM (${describeSql(`r${i}`, m)})`
    );
    const described = await host.sql(
      `SELECT i, column_name, column_type FROM (${selects.join(" UNION ALL ")}) ORDER BY i, k`,
      tables,
    ) as Column[];
    const values = (name: string) => described.find((c) => c.name === name)!.values;
    const [which, names, types] = [values("i"), values("column_name"), values("column_type")];
    for (let row = 0; row < names.length; row++) {
      all[Number(which[row])].push({ name: String(names[row]), type: String(types[row]) });
    }
  }
  return all;
}

/** DESCRIBE of the series `match` as the table `table`, without the columns of its captures. */
function describeSql(table: string, match: Match): string {
  const captures = match.captures.map((_, c) => `capture${c}`);
  return `DESCRIBE SELECT ${
    captures.length > 0 ? `* EXCLUDE (${captures.join(", ")})` : "*"
  } FROM ${table}`;
}

/** How many series one query describes (its text stays well within a query's limit). */
const DESCRIBED_AT_ONCE = 200;

/**
 * A clause ending a query over `table` (the series `input`) that fails it, naming
 * `input_columns`, unless the series' columns are `columns`, in order.
 */
function columnsCheck(table: string, input: Match, columns: readonly SourceColumn[]): string {
  const text = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const expected = columns.map((c) => `${c.name} ${c.type}`).join(", ");
  const message =
    `config field input_columns (${expected}) are not the columns of ${input.path}; ` +
    "leave it unset to have them described";
  return ` LIMIT (SELECT CASE WHEN string_agg(column_name || ' ' || column_type, ', ') = ` +
    `${text(expected)} THEN NULL ELSE error(${text(message)}) END FROM (${
      describeSql(table, input)
    }))`;
}

/**
 * The partial columns of `plan`, each `sql[part](input(column, part))` named `<column>.<part>`:
 * only the parts its aggregates need.
 */
function partColumns(
  plan: Plan,
  sql: Record<Part, (input: string) => string>,
  input: (column: string, part: Part) => string,
): string {
  return plan.columns.flatMap((c) => {
    const parts = new Set(
      plan.outputs.filter((o) => o.column === c.name).flatMap((o) => PARTS_OF[o.type]),
    );
    return PART_ORDER.filter((p) => parts.has(p))
      .map((p) => `${sql[p](input(c.name, p))} AS ${ident(`${c.name}.${p}`)}`);
  }).join(", ");
}

/** `time` (a UTC TIMESTAMP expression) rounded down to a multiple of `width` since the epoch. */
function bucketSql(width: Resolution, time: string): string {
  return `time_bucket(to_microseconds(${width.micros}), ${time}, ${EPOCH})`;
}

/**
 * An error of the config, naming its field: thrown as a `ConfigError`, which the host reports
 * as `InvalidConfig`, so `mknod` refuses a config whose entries fail with one.
 */
function configError(message: string): Error {
  const error = new Error(message);
  error.name = "ConfigError";
  return error;
}

/** A SQL identifier, quoted. */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `glob` (`*` any run, `?` one character) as an anchored pattern over a whole column name. */
function globRegExp(glob: string): RegExp {
  const body = Array.from(
    glob,
    (c) => c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
  ).join("");
  return new RegExp(`^${body}$`, "su");
}

/** A glob matching exactly `path`, its special characters escaped. */
function literalGlob(path: string): string {
  return path.replace(/[\\*?[\]{},]/g, "\\$&");
}

function isInteger(type: string): boolean {
  return /^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.test(type);
}

function isNumeric(column: SourceColumn): boolean {
  return isInteger(column.type) || /^(FLOAT|DOUBLE|DECIMAL\b)/.test(column.type);
}
