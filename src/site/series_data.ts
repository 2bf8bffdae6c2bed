/** What a site charts, read from the pond: each page's series at each of their resolutions, as columns of numbers (DuckDB, as of one transaction). */
import { isPondError } from "../errors.ts";
import { globMatches, type Pond, type PondAt, provenance } from "../pond/mod.ts";
import { PondQuery, type ResultStream } from "../sql/mod.ts";
import { expandTemplate, type PageSpec, type SiteConfig } from "./config.ts";
import type { ReadView } from "../tinyfs/mod.ts";
import { SiteError } from "./errors.ts";

/** One resolution of one series: bucket start times and the charted columns, nulls as NaN. */
export interface Resolution {
  /** As the file names it: `1h`. */
  readonly name: string;
  /** The bucket width in ms. */
  readonly ms: number;
  /** Times in ms since the epoch, ascending. */
  readonly times: Float64Array;
  /**
   * One array per column of the page (in {@link PageData.columns} order), NaN where null, each
   * value as a partition writes it ({@link siteNumber}), so data read back from a build is the
   * data read from the pond.
   */
  readonly values: readonly Float64Array[];
}

/** One file of a series as the build knows it without reading it. */
export interface SeriesFile {
  /** Its path in the pond (`…/res=1h.series`). */
  readonly file: string;
  /** See `Provenance.identity`: equal exactly while its content is; absent when unknown. */
  readonly identity?: string;
  /** Its numeric columns, in its order. */
  readonly numeric: readonly string[];
}

/** One series of a page: the directory of its `res=` files, finest resolution first. */
export interface SeriesData {
  /** The series' directory in the pond. */
  readonly path: string;
  readonly resolutions: readonly Resolution[];
  /** Its files, in path order. */
  readonly files: readonly SeriesFile[];
  /**
   * The time of its newest reading: the latest event time of the stored series its files are
   * computed from (see `provenance`); absent when its files do not say (stored `res=` files
   * hold bucket starts only), so its newest bucket's start is all that is known.
   */
  readonly newestReading?: number;
}

/** One page: its name and title, the columns it charts and its series. */
export interface PageData {
  readonly name: string;
  readonly title: string;
  readonly spec: PageSpec;
  readonly columns: readonly string[];
  readonly series: readonly SeriesData[];
}

/**
 * Where series an earlier build read can be had again without reading the pond (see
 * `PreviousBuild`).
 */
export interface SeriesSource {
  /**
   * The files of series `path` of page `page` as the earlier build recorded them, if it read
   * exactly `files` (the same paths, each with the same identity); undefined otherwise.
   */
  recorded(
    page: string,
    path: string,
    files: readonly { file: string; identity?: string }[],
  ): readonly SeriesFile[] | undefined;
  /**
   * The data of that series at `columns`, one resolution per file of `files`; undefined when
   * the earlier build did not chart a column of `columns` these files have, or its data is
   * not whole.
   */
  series(
    page: string,
    path: string,
    files: readonly SeriesFile[],
    columns: readonly string[],
  ): Promise<Resolution[] | undefined>;
}

/** How many series a build read from the pond and how many it took from the previous build. */
export interface SeriesCounts {
  readonly read: number;
  readonly reused: number;
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
 * numeric columns (those of `columns`, when given) read in DuckDB — except the series
 * `previous` holds as they are now (the same files with the same identities), taken from it. A
 * glob that matches no such file is `NoSeries`, a column glob matching no numeric column
 * `SiteConfig`, both naming the field; pages in name order, with the transaction read and how
 * many series were read and taken.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 * import { parseSiteConfig } from "./config.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const site = await parseSiteConfig("title: t\npages: [{ name: $0, series: /reduce/*\u002fres=*.series }]");
 * const { seq, pages, series } = await readPages(pond, site);
 * for (const page of pages) console.log(seq, page.name, page.series.length, series.read);
 * ```
 */
export async function readPages(
  pond: Pond,
  site: SiteConfig,
  at?: PondAt,
  previous?: SeriesSource,
): Promise<{ seq: number; pages: PageData[]; series: SeriesCounts }> {
  const seq = await pond.seqOf(at);
  const root = await pond.root({ seq });
  const pages = new Map<string, PageFiles & { title: string; files: Map<string, string[]> }>();
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
          name,
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
  const counts = { read: 0, reused: 0 };
  for (const name of [...pages.keys()].sort()) {
    const page = pages.get(name)!;
    const data = await readPage(pond, root, seq, page, counts, previous);
    out.push({ name, title: page.title, spec: page.spec, ...data });
  }
  return { seq, pages: out, series: counts };
}

/** One page to read: its name, spec, the spec's field, and its files by series directory. */
interface PageFiles {
  readonly name: string;
  readonly spec: PageSpec;
  readonly field: string;
  readonly files: ReadonlyMap<string, readonly string[]>;
}

/** A series found: its files with their identities, and the time of its newest reading. */
interface Found {
  readonly files: readonly { file: string; identity?: string }[];
  readonly newestReading?: number;
}

/**
 * The columns and series of one page: each series whose files `previous` holds as they are
 * taken from it, the others read in DuckDB (`counts` counts both). The page's columns come
 * from every file's numeric columns (the recorded ones for a series taken), so they are what a
 * build reading everything finds; a series taken whose files have a column of them that its
 * earlier build did not chart is read after all.
 */
async function readPage(
  pond: Pond,
  root: ReadView,
  seq: number,
  page: PageFiles,
  counts: { read: number; reused: number },
  previous: SeriesSource | undefined,
): Promise<{ columns: string[]; series: SeriesData[] }> {
  const dirs = [...page.files.keys()].sort();
  const found = new Map<string, Found>();
  for (const dir of dirs) found.set(dir, await findSeries(root, page.files.get(dir)!));
  const taken = new Map<string, readonly SeriesFile[]>();
  for (const dir of dirs) {
    const recorded = previous?.recorded(page.name, dir, found.get(dir)!.files);
    if (recorded) taken.set(dir, recorded);
  }
  const series = new Map<string, Pick<SeriesData, "files" | "resolutions">>();
  const unread = dirs.filter((d) => !taken.has(d));
  const columns = await withFiles(pond, seq, page.field, unread, found, async (open) => {
    const numeric = dirs.flatMap((d) =>
      (taken.get(d) ?? found.get(d)!.files.map((f) => open.file(f.file))).flatMap((f) => f.numeric)
    );
    const columns = chartedColumns(page.spec, page.field, numeric);
    for (const dir of unread) series.set(dir, await open.series(dir, columns));
    return columns;
  });
  const again: string[] = [];
  for (const [dir, files] of taken) {
    const resolutions = await previous!.series(page.name, dir, files, columns);
    if (resolutions) series.set(dir, { files, resolutions });
    else again.push(dir);
  }
  await withFiles(pond, seq, page.field, again, found, async (open) => {
    for (const dir of again) series.set(dir, await open.series(dir, columns));
  });
  counts.read += unread.length + again.length;
  counts.reused += taken.size - again.length;
  return {
    columns,
    series: dirs.map((path) => {
      const { newestReading } = found.get(path)!;
      return { path, ...series.get(path)!, ...(newestReading !== undefined && { newestReading }) };
    }),
  };
}

/**
 * The files of one series (sorted) with their identities, and its newest reading: the latest
 * newest event of the stored series they are computed from, known only when every file says.
 */
async function findSeries(root: ReadView, paths: readonly string[]): Promise<Found> {
  const files = [];
  const newest = [];
  for (const file of [...paths].sort()) {
    const { identity, newestEvent } = await provenance(root, file);
    files.push({ file, ...(identity !== undefined && { identity }) });
    newest.push(newestEvent);
  }
  const known = newest.every((t) => t !== undefined);
  return { files, ...(known && { newestReading: Math.max(...newest as number[]) }) };
}

/** Series open in DuckDB: what each file holds, and their rows. */
interface OpenSeries {
  /** A file with its identity and numeric columns. */
  file(path: string): SeriesFile;
  /** Series `dir`'s files and their rows at `columns`, a resolution per file, finest first. */
  series(
    dir: string,
    columns: readonly string[],
  ): Promise<Pick<SeriesData, "files" | "resolutions">>;
}

/**
 * Runs `fn` with the files of the series `dirs` open in DuckDB as of `seq`; nothing is opened
 * when `dirs` is empty (opening a computed file computes it). A file without a time column is
 * `NoSeries`, naming `field`.
 */
async function withFiles<T>(
  pond: Pond,
  seq: number,
  field: string,
  dirs: readonly string[],
  found: ReadonlyMap<string, Found>,
  fn: (open: OpenSeries) => Promise<T>,
): Promise<T> {
  const files = dirs.flatMap((d) => found.get(d)!.files);
  const sources = files.map(({ file }, i) => ({ name: `s${i}`, glob: literalGlob(file) }));
  if (sources.length === 0) {
    return await fn({
      file: (path) => {
        throw new Error(`${path} was not opened`);
      },
      series: (dir) => Promise.reject(new Error(`${dir} was not opened`)),
    });
  }
  const query = await PondQuery.open(pond, `SELECT * FROM s0`, { sources, at: { seq } });
  try {
    const opened = new Map<string, SeriesFile & { source: string; time: string }>();
    for (const [i, { file, identity }] of files.entries()) {
      const source = sources[i].name;
      const time = query.report.timeColumns.get(source);
      if (time === undefined) {
        throw new SiteError(
          "NoSeries",
          `${file} has no timestamp column to chart by; field "${field}.series" must match series`,
        );
      }
      const rows = await query.engine.rows(`DESCRIBE SELECT * FROM ${source}`);
      const numeric = rows.filter(([, type]) => isNumeric(String(type))).map(([n]) => String(n));
      opened.set(file, {
        file,
        ...(identity !== undefined && { identity }),
        numeric,
        source,
        time,
      });
    }
    const file = (path: string): SeriesFile => {
      const { source: _, time: __, ...f } = opened.get(path)!;
      return f;
    };
    return await fn({
      file,
      series: async (dir, columns) => {
        const resolutions: Resolution[] = [];
        for (const { file: path } of found.get(dir)!.files) {
          const { source, time, numeric } = opened.get(path)!;
          const have = new Set(numeric);
          const select = columns.map((c) =>
            have.has(c) ? `CAST(${quote(c)} AS DOUBLE)` : "NULL::DOUBLE"
          );
          resolutions.push({
            ...resolutionOf(path),
            ...await columnsOf(
              await query.engine.query(
                `SELECT CAST(epoch_ms(${quote(time)}) AS DOUBLE), ${select.join(", ")} ` +
                  `FROM ${source} WHERE ${quote(time)} IS NOT NULL ORDER BY 1`,
              ),
              columns.length,
            ),
          });
        }
        return {
          files: found.get(dir)!.files.map((f) => file(f.file)),
          resolutions: resolutions.sort((a, b) => a.ms - b.ms),
        };
      },
    });
  } finally {
    await query.close();
  }
}

/**
 * The resolution a `res=<duration>.series` file holds: its name and width in ms.
 *
 * @example
 * ```ts
 * resolutionOf("/reduce/north/res=6h.series"); // { name: "6h", ms: 21600000 }
 * ```
 */
export function resolutionOf(path: string): { name: string; ms: number } {
  const [, count, unit] = path.split("/").at(-1)!.match(RES_FILE)!;
  return { name: `${count}${unit}`, ms: Number(count) * UNIT_MS[unit] };
}

/**
 * A value as the site keeps and writes it: NaN for a missing one, integers exact, others to 7
 * significant digits (float32 precision, finer than a chart shows). Rounding again changes
 * nothing, so data read back from a partition is the data written.
 *
 * @example
 * ```ts
 * siteNumber(12.3456789); // 12.34568
 * ```
 */
export function siteNumber(v: unknown): number {
  if (typeof v !== "number" || Number.isNaN(v)) return NaN;
  return Number.isSafeInteger(v) ? v : Number(v.toPrecision(7));
}

/** The page's charted columns in the order the series hold them: numeric ones its globs match. */
function chartedColumns(
  spec: PageSpec,
  field: string,
  numericColumns: readonly string[],
): string[] {
  const numeric = [...new Set(numericColumns)];
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
        target[at + r] = siteNumber(v);
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
