/** What a site charts, read from the pond: each page's series at each of their resolutions, as columns of numbers (DuckDB, as of one transaction). */
import { isPondError } from "../errors.ts";
import { globMatches, type Pond, type PondAt } from "../pond/mod.ts";
import { PondQuery, type ResultStream } from "../sql/mod.ts";
import { expandTemplate, type PageSpec, type SiteConfig } from "./config.ts";
import { SiteError } from "./errors.ts";

/** One resolution of one series: bucket start times and the charted columns, nulls as NaN. */
export interface Resolution {
  /** As the file names it: `1h`. */
  readonly name: string;
  /** The bucket width in ms. */
  readonly ms: number;
  /** Times in ms since the epoch, ascending. */
  readonly times: Float64Array;
  /** One array per column of the page (in {@link PageData.columns} order), NaN where null. */
  readonly values: readonly Float64Array[];
}

/** One series of a page: the directory of its `res=` files, finest resolution first. */
export interface SeriesData {
  /** The series' directory in the pond. */
  readonly path: string;
  readonly resolutions: readonly Resolution[];
}

/** One page: its name and title, the columns it charts and its series. */
export interface PageData {
  readonly name: string;
  readonly title: string;
  readonly spec: PageSpec;
  readonly columns: readonly string[];
  readonly series: readonly SeriesData[];
}

/** The file name of a series at one resolution, and the units of its duration. */
const RES_FILE = /^res=(\d+)([smhdw])\.series$/;
const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1e3,
  m: 60e3,
  h: 3600e3,
  d: 86400e3,
  w: 604800e3,
};

/**
 * Reads every page of `site` from `pond` as of `at` (default: the newest): each page's series
 * glob matched, its `res=<duration>.series` files grouped by directory into series, their
 * numeric columns (those of `columns`, when given) read in DuckDB. A glob that matches no such
 * file is `NoSeries`, a column glob matching no numeric column `SiteConfig`, both naming the
 * field; pages in name order, with the transaction read.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 * import { parseSiteConfig } from "./config.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const site = await parseSiteConfig("title: t\npages: [{ name: $0, series: /reduce/*\u002fres=*.series }]");
 * const { seq, pages } = await readPages(pond, site);
 * for (const page of pages) console.log(seq, page.name, page.series.length);
 * ```
 */
export async function readPages(
  pond: Pond,
  site: SiteConfig,
  at?: PondAt,
): Promise<{ seq: number; pages: PageData[] }> {
  const seq = await pond.seqOf(at);
  const root = await pond.root({ seq });
  const pages = new Map<
    string,
    { spec: PageSpec; field: string; title: string; files: Map<string, string[]> }
  >();
  for (const [i, spec] of site.pages.entries()) {
    const field = `pages[${i}]`;
    const matches = await globMatches(root, spec.series).catch((e) => {
      if (!isPondError(e, "NoMatch")) throw e;
      return [];
    });
    const found = matches.filter((m) => RES_FILE.test(m.node.path.split("/").at(-1)!));
    if (found.length === 0) {
      throw new SiteError(
        "NoSeries",
        `site config: field "${field}.series" (${spec.series}) matches no series at a resolution ` +
          `(…/res=<duration>.series) as of transaction ${seq}; check it with 'pond list'`,
      );
    }
    for (const { node, captures } of found) {
      const name = expandTemplate(spec.name, captures, `${field}.name`);
      const page = pages.get(name) ??
        {
          spec,
          field,
          title: expandTemplate(spec.title, captures, `${field}.title`),
          files: new Map(),
        };
      if (page.spec !== spec) {
        throw new SiteError(
          "NameClash",
          `site config: pages ${page.field} and ${field} both make a page named ${
            JSON.stringify(name)
          }; ` +
            "give them name templates that differ",
        );
      }
      const dir = node.path.slice(0, node.path.lastIndexOf("/")) || "/";
      page.files.set(dir, [...(page.files.get(dir) ?? []), node.path]);
      pages.set(name, page);
    }
  }
  const out: PageData[] = [];
  for (const name of [...pages.keys()].sort()) {
    const { spec, field, title, files } = pages.get(name)!;
    out.push({ name, title, spec, ...await readPage(pond, seq, spec, field, files) });
  }
  return { seq, pages: out };
}

/** The columns and series of one page, from its files grouped by series directory. */
async function readPage(
  pond: Pond,
  seq: number,
  spec: PageSpec,
  field: string,
  files: ReadonlyMap<string, readonly string[]>,
): Promise<{ columns: string[]; series: SeriesData[] }> {
  const dirs = [...files.keys()].sort();
  const paths = dirs.flatMap((d) => [...files.get(d)!].sort());
  const sources = paths.map((path, i) => ({ name: `s${i}`, glob: literalGlob(path) }));
  const query = await PondQuery.open(pond, `SELECT * FROM s0`, { sources, at: { seq } });
  try {
    const described = new Map<string, { name: string; numeric: boolean }[]>();
    for (const { name } of sources) {
      const rows = await query.engine.rows(`DESCRIBE SELECT * FROM ${name}`);
      described.set(
        name,
        rows.map(([n, type]) => ({ name: String(n), numeric: isNumeric(String(type)) })),
      );
    }
    const columns = chartedColumns(spec, field, [...described.values()].flat());
    const series: SeriesData[] = [];
    for (const dir of dirs) {
      const resolutions: Resolution[] = [];
      for (const path of [...files.get(dir)!].sort()) {
        const source = sources[paths.indexOf(path)].name;
        const time = query.report.timeColumns.get(source);
        if (time === undefined) {
          throw new SiteError(
            "NoSeries",
            `${path} has no timestamp column to chart by; field "${field}.series" must match series`,
          );
        }
        const have = new Set(described.get(source)!.map((c) => c.name));
        const select = columns.map((c) =>
          have.has(c) ? `CAST(${quote(c)} AS DOUBLE)` : "NULL::DOUBLE"
        );
        const [, count, unit] = path.split("/").at(-1)!.match(RES_FILE)!;
        resolutions.push({
          name: `${count}${unit}`,
          ms: Number(count) * UNIT_MS[unit],
          ...await columnsOf(
            await query.engine.query(
              `SELECT CAST(epoch_ms(${quote(time)}) AS DOUBLE), ${
                select.join(", ")
              } FROM ${source} ` +
                `WHERE ${quote(time)} IS NOT NULL ORDER BY 1`,
            ),
            columns.length,
          ),
        });
      }
      series.push({ path: dir, resolutions: resolutions.sort((a, b) => a.ms - b.ms) });
    }
    return { columns, series };
  } finally {
    await query.close();
  }
}

/** The page's charted columns in the order the series hold them: numeric ones its globs match. */
function chartedColumns(
  spec: PageSpec,
  field: string,
  described: readonly { name: string; numeric: boolean }[],
): string[] {
  const numeric = [...new Set(described.filter((c) => c.numeric).map((c) => c.name))];
  if (!spec.columns) return numeric;
  const globs = spec.columns.map((g) => ({ glob: g, re: globRegExp(g) }));
  for (const { glob, re } of globs) {
    if (!numeric.some((c) => re.test(c))) {
      throw new SiteError(
        "SiteConfig",
        `site config: field "${field}.columns" glob ${
          JSON.stringify(glob)
        } matches no numeric column ` +
          `of the series (they have ${numeric.join(", ") || "none"})`,
      );
    }
  }
  return numeric.filter((c) => globs.some(({ re }) => re.test(c)));
}

/** The times and values of a result whose first column is the time, NaN where null. */
async function columnsOf(
  result: ResultStream,
  width: number,
): Promise<{ times: Float64Array; values: Float64Array[] }> {
  const parts: number[][][] = [];
  let rows = 0;
  for await (const chunk of result.chunks()) {
    parts.push(Array.from({ length: width + 1 }, (_, c) => chunk.getColumnValues(c) as number[]));
    rows += chunk.rowCount;
  }
  const arrays = Array.from({ length: width + 1 }, () => new Float64Array(rows));
  let at = 0;
  for (const part of parts) {
    for (let c = 0; c <= width; c++) {
      const column = part[c];
      const target = arrays[c];
      for (let r = 0; r < column.length; r++) {
        const v = column[r];
        target[at + r] = typeof v === "number" ? v : NaN;
      }
    }
    at += part[0].length;
  }
  return { times: arrays[0], values: arrays.slice(1) };
}

function isNumeric(type: string): boolean {
  return /^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|FLOAT|DOUBLE|REAL)$|^DECIMAL\b/.test(type);
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A glob matching exactly `path`, its special characters escaped. */
function literalGlob(path: string): string {
  return path.replace(/[\\*?[\]{},]/g, "\\$&");
}

/** A column glob (`*` any run, `?` one character) as an anchored pattern over a whole name. */
function globRegExp(glob: string): RegExp {
  const body = Array.from(
    glob,
    (c) => c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
  ).join("");
  return new RegExp(`^${body}$`, "su");
}
