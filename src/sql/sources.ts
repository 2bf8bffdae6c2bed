/** The files behind a named SQL source: what a glob matches, each match's versions as files DuckDB reads, and the view over them. */
import type { GlobMatch, Metadata, NodePath, ReadView } from "../tinyfs/mod.ts";
import { quoteName, quoteText, type SqlEngine } from "./engine.ts";
import { SqlError } from "./errors.ts";
import type { Staging } from "./staging.ts";

/** How DuckDB reads a `file:data` body. */
export type DataFormat = "csv" | "json" | "jsonl" | "parquet";

/** What to read of each match. */
export interface SourceOptions {
  /** A table's version (default: the newest); not for series, whose versions are read together. */
  readonly version?: number;
  /** For series: only rows at or after this time (ms since the epoch). */
  readonly from?: number;
  /** For series: only rows at or before this time (ms since the epoch). */
  readonly to?: number;
  /** How to read `file:data` bodies (default: by their extension). */
  readonly format?: DataFormat;
  /** Versions to leave out, by {@link SourceMatch.key} (e.g. those an earlier export wrote). */
  readonly skip?: ReadonlyMap<string, ReadonlySet<number>>;
}

/** One version of one match, as a file on this host. */
export interface VersionFile {
  readonly version: number;
  readonly path: string;
  /** For series versions: the event-time range the store recorded (ms since the epoch). */
  readonly eventTimes?: { readonly min: number; readonly max: number };
}

/** One matched node: its path, captures, how to read it and its versions' files. */
export interface SourceMatch {
  readonly path: string;
  /** What names the node across renames: its node id (its path when it is computed). */
  readonly key: string;
  readonly captures: readonly string[];
  readonly format: DataFormat;
  readonly series: boolean;
  readonly files: readonly VersionFile[];
  /** The only versions read, when the caller pinned some (the columns stay those of all). */
  readonly pinned?: ReadonlySet<number>;
}

/** A matched node, and for a series the only versions to read (default: all of them). */
export interface PinnedMatch extends GlobMatch {
  readonly versions?: readonly number[];
}

/** Versions a query left out because their event times lie outside its bounds. */
export interface Pruned {
  readonly versions: number;
  readonly of: number;
  /**
   * When counted: the row groups of the versions read whose time-column statistics lie
   * outside the bounds (DuckDB skips those too), of all their row groups.
   */
  readonly rowGroups?: { readonly skipped: number; readonly of: number };
}

/**
 * A named source of a query: every match of a glob, each as the files DuckDB reads in place
 * (large bodies in the blob store) or from the private staging directory (small inline bodies
 * and computed files). Several matches are one table, combined `UNION ALL BY NAME`; a glob's
 * captures become the columns `capture0`, `capture1`, … (the values `$0`, `$1`, … of plugin
 * templates).
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 * import { SqlEngine } from "./mod.ts";
 * import { Staging } from "./staging.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const staging = await Staging.create();
 * const root = await pond.root();
 * const source = await Source.resolve(root, "r", "/sites/*\/readings.series", staging);
 * const engine = await SqlEngine.open(source.files());
 * await source.define(engine, await source.timeColumn(engine)); // { versions: 0, of: 3 }
 * ```
 */
export class Source {
  private constructor(
    readonly name: string,
    readonly glob: string,
    readonly matches: readonly SourceMatch[],
    readonly options: SourceOptions,
  ) {}

  /**
   * Resolves `glob` in `root` into its matches' files; `NoMatch` when it matches nothing,
   * `NotQueryable` for a match that holds no rows (a directory, a file of no known format).
   */
  static async resolve(
    root: ReadView,
    name: string,
    glob: string,
    staging: Staging,
    options: SourceOptions = {},
  ): Promise<Source> {
    const found = await root.glob(glob);
    if (found.length === 0) {
      throw new SqlError(
        "NoMatch",
        `${glob} matched nothing; check it with: pond list '${glob}'`,
      );
    }
    return await Source.of(name, glob, found, staging, options);
  }

  /**
   * The source `name` over nodes already matched (`glob` names them in messages), e.g. the
   * inputs a plugin was handed; `NotQueryable` as for {@link resolve}.
   *
   * @example
   * ```ts
   * import { Pond } from "../pond/mod.ts";
   * import { Staging } from "./staging.ts";
   *
   * const root = await (await Pond.open("/data/pond")).root();
   * const node = await root.open("/sites/north/readings.series");
   * const source = await Source.of("r", "r", [{ node, captures: ["north"] }], await Staging.create());
   * ```
   */
  static async of(
    name: string,
    glob: string,
    found: readonly PinnedMatch[],
    staging: Staging,
    options: SourceOptions = {},
  ): Promise<Source> {
    const matches: SourceMatch[] = [];
    for (const match of found) {
      const resolved = await resolveMatch(match, staging, options);
      matches.push(
        match.versions ? { ...resolved, pinned: new Set(match.versions) } : resolved,
      );
    }
    if (options.version !== undefined && matches.some((m) => m.series)) {
      throw new SqlError(
        "NotQueryable",
        `${glob} holds a series, whose versions are read together; use --from/--to or --at, not --version`,
      );
    }
    return new Source(name, glob, matches, options);
  }

  /**
   * The source `name` over Parquet `bodies` the caller holds (e.g. results a plugin host kept),
   * written to `staging`, and `computed` (files the same engine writes before the source is
   * defined), read as one table, combined `UNION ALL BY NAME`.
   *
   * @example
   * ```ts
   * import { Staging } from "./staging.ts";
   *
   * const body = await Deno.readFile("kept.parquet");
   * const source = await Source.ofParquet("p", [body], await Staging.create());
   * ```
   */
  static async ofParquet(
    name: string,
    bodies: readonly Uint8Array[],
    staging: Staging,
    computed: readonly string[] = [],
  ): Promise<Source> {
    const files: VersionFile[] = [];
    for (const body of bodies) {
      files.push({ version: files.length, path: await staging.write("parquet", body) });
    }
    for (const path of computed) files.push({ version: files.length, path });
    const match = {
      path: name,
      key: name,
      captures: [],
      format: "parquet" as const,
      series: false,
    };
    return new Source(name, name, [{ ...match, files }], {});
  }

  /** Every file a query over this source may read. */
  files(): string[] {
    return this.matches.flatMap((m) => m.files.map((f) => f.path));
  }

  /** The time column of its series (the first timestamp column of the newest version), if any. */
  async timeColumn(engine: SqlEngine): Promise<string | undefined> {
    const series = this.matches.find((m) => m.series && m.files.length > 0);
    if (!series) return undefined;
    const rows = await engine.rows(
      `DESCRIBE SELECT * FROM read_parquet(${quoteText(series.files.at(-1)!.path)})`,
    );
    return rows.find((r) => /^TIMESTAMP/.test(String(r[1])))?.[0] as string | undefined;
  }

  /**
   * Defines this source in `engine` as a view over the versions whose recorded event times
   * can hold rows between `from` and `to` (this source's options narrowed by `bounds`, e.g.
   * what a query's WHERE clause says of `time`); returns how many versions it left out.
   */
  async define(
    engine: SqlEngine,
    time: string | undefined,
    bounds: { from?: number; to?: number } = {},
    countRowGroups = false,
  ): Promise<Pruned> {
    const from = Math.max(this.options.from ?? -Infinity, bounds.from ?? -Infinity);
    const to = Math.min(this.options.to ?? Infinity, bounds.to ?? Infinity);
    let pruned = 0, total = 0;
    const read: string[] = [];
    const parts = this.matches.map((match) => {
      const skipped = this.options.skip?.get(match.key);
      const wanted = match.files.filter((f) =>
        !skipped?.has(f.version) && (match.pinned?.has(f.version) ?? true)
      );
      const kept = wanted.filter((f) =>
        !(match.series && f.eventTimes && (f.eventTimes.max < from || f.eventTimes.min > to))
      );
      total += wanted.length;
      pruned += wanted.length - kept.length;
      const files = kept.length > 0 ? kept : match.files.slice(-1);
      if (match.series) read.push(...kept.map((f) => f.path));
      const empty = kept.length === 0 ? " WHERE false" : "";
      const captures = match.captures.map((c, i) => `, ${quoteText(c)} AS capture${i}`).join("");
      const rows = `SELECT *${captures} FROM ${reader(match.format, files.map((f) => f.path))}`;
      if (!match.pinned || kept.length === 0) return rows + empty;
      const columns = `SELECT *${captures} FROM ${
        reader(match.format, match.files.map((f) => f.path))
      } WHERE false`;
      return `(${rows}) UNION ALL BY NAME (${columns})`;
    });
    const filter = time !== undefined && (this.options.from !== undefined ||
        this.options.to !== undefined)
      ? ` WHERE ${rangeCondition(quoteName(time), this.options.from, this.options.to)}`
      : "";
    const union = parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(
      " UNION ALL BY NAME ",
    );
    await engine.define(this.name, `SELECT * FROM (${union})${filter}`);
    const bounded = from > -Infinity || to < Infinity;
    if (!countRowGroups || !bounded || time === undefined || read.length === 0) {
      return { versions: pruned, of: total };
    }
    return {
      versions: pruned,
      of: total,
      rowGroups: await rowGroupsOutside(engine, read, time, from, to),
    };
  }
}

async function resolveMatch(
  match: GlobMatch,
  staging: Staging,
  options: SourceOptions,
): Promise<SourceMatch> {
  const node = match.node;
  const path = node.path;
  if (node.kind === "directory") {
    throw new SqlError(
      "NotQueryable",
      `${path} is a directory; name the files in it, e.g. ${path}/*`,
    );
  }
  const meta = await node.metadata();
  if (meta.kind !== "file") {
    throw new SqlError("NotQueryable", `${path} does not lead to a file`);
  }
  const format = formatOf(path, meta, options.format);
  const series = meta.entryType === "file:series";
  const versions: Metadata[] = series ? await node.versions() : [meta];
  const chosen = !series && options.version !== undefined ? options.version : undefined;
  const files: VersionFile[] = [];
  for (const v of versions) {
    const version = chosen ?? v.version;
    files.push({
      version,
      path: await hostFile(node, version, format, staging),
      ...(v.eventTimes && { eventTimes: v.eventTimes }),
    });
  }
  return { path, key: meta.nodeId ?? path, captures: match.captures, format, series, files };
}

/** A host file holding the version: the blob itself when the store keeps one, else a private copy. */
async function hostFile(
  node: NodePath,
  version: number,
  format: DataFormat,
  staging: Staging,
): Promise<string> {
  const stored = await node.fileOnDisk({ version });
  return stored ?? await staging.write(format, await node.read({ version }));
}

const EXTENSIONS: Record<string, DataFormat> = {
  csv: "csv",
  tsv: "csv",
  json: "json",
  jsonl: "jsonl",
  ndjson: "jsonl",
  parquet: "parquet",
};

function formatOf(path: string, meta: Metadata, format: DataFormat | undefined): DataFormat {
  if (meta.entryType === "file:table" || meta.entryType === "file:series") return "parquet";
  if (format) return format;
  const found = EXTENSIONS[path.slice(path.lastIndexOf(".") + 1).toLowerCase()];
  if (!found) {
    throw new SqlError(
      "NotQueryable",
      `${path} is ${meta.entryType} of no format pond can query; name one with --input-format csv|json|jsonl|parquet`,
    );
  }
  return found;
}

/** The DuckDB reader call for files of one format. */
function reader(format: DataFormat, files: readonly string[]): string {
  const list = `[${files.map(quoteText).join(", ")}]`;
  switch (format) {
    case "parquet":
      return `read_parquet(${list}, union_by_name = true)`;
    case "csv":
      return `read_csv(${list}, union_by_name = true)`;
    case "json":
      return `read_json(${list}, union_by_name = true)`;
    case "jsonl":
      return `read_json(${list}, format = 'newline_delimited', union_by_name = true)`;
  }
}

/** The row groups of Parquet `files` whose statistics for `time` lie outside `from`..`to`. */
async function rowGroupsOutside(
  engine: SqlEngine,
  files: readonly string[],
  time: string,
  from: number,
  to: number,
): Promise<{ skipped: number; of: number }> {
  const outside = [
    ...(from > -Infinity ? [`max < TIMESTAMPTZ '${new Date(from).toISOString()}'`] : []),
    ...(to < Infinity ? [`min > TIMESTAMPTZ '${new Date(to).toISOString()}'`] : []),
  ].join(" OR ");
  const [[skipped, of]] = await engine.rows(
    `SELECT count(*) FILTER (WHERE ${outside}), count(*) FROM (
       SELECT TRY_CAST(stats_min_value AS TIMESTAMPTZ) AS min, TRY_CAST(stats_max_value AS TIMESTAMPTZ) AS max
       FROM parquet_metadata([${files.map(quoteText).join(", ")}]) WHERE path_in_schema = ${
      quoteText(time)
    })`,
  );
  return { skipped: Number(skipped), of: Number(of) };
}

/**
 * A SQL condition keeping `column` between two times (ms since the epoch), either end open.
 *
 * @example
 * ```ts
 * rangeCondition('"ts"', 0, undefined); // `"ts" >= TIMESTAMPTZ '1970-01-01T00:00:00.000Z'`
 * ```
 */
export function rangeCondition(column: string, from?: number, to?: number): string {
  const at = (ms: number) => `TIMESTAMPTZ '${new Date(ms).toISOString()}'`;
  return [
    ...(from !== undefined ? [`${column} >= ${at(from)}`] : []),
    ...(to !== undefined ? [`${column} <= ${at(to)}`] : []),
  ].join(" AND ");
}
