/** The site YAML: a title, the index page's Markdown and the pages, each charting the series a glob matches — parsed and checked, errors naming the field. */
import { SiteError } from "./errors.ts";

/** One page template of a site: one page per distinct expansion of `name`. */
export interface PageSpec {
  /** The page's name from the glob's captures (`$0`, `$1`…; `$$` is `$`). */
  readonly name: string;
  /** The page's heading, a template like `name` (default: the name). */
  readonly title: string;
  /** Which series to chart: `…/res=<duration>.series` files, those of one directory one series. */
  readonly series: string;
  /** Globs (`*`, `?`) of the columns to chart; absent: every numeric column. */
  readonly columns?: readonly string[];
  /** A label per parameter (the column name before its `.<aggregate>`). */
  readonly labels: Readonly<Record<string, string>>;
  /** A unit per parameter. */
  readonly units: Readonly<Record<string, string>>;
}

/** A site as its YAML describes it. */
export interface SiteConfig {
  readonly title: string;
  /** Markdown shown on the index page. */
  readonly index: string;
  readonly pages: readonly PageSpec[];
  /** The most buckets per series a view shows (the page picks the finest resolution under it). */
  readonly viewPoints: number;
}

/** The most buckets per series a view shows by default; the page picks the finest resolution under it. */
export const VIEW_POINTS = 3000;

const SITE_FIELDS = ["title", "index", "labels", "units", "view_points", "pages"];
const PAGE_FIELDS = ["name", "title", "series", "columns", "labels", "units"];

/**
 * Parses and checks the text of a site YAML (JSON is YAML too). Site-wide `labels` and `units`
 * apply to every page unless a page names its own for the parameter; `view_points` (default
 * {@link VIEW_POINTS}) bounds the buckets per series a view shows. Anything wrong is a
 * `SiteConfig` error naming the field, as `site config: field "pages[0].series" is missing`.
 *
 * @example
 * ```ts
 * const site = await parseSiteConfig(`
 * title: Lake monitoring
 * pages:
 *   - name: "$0"
 *     series: "/reduce/*\u002fres=*.series"
 *     columns: ["temperature_c.*"]
 * `);
 * site.pages[0].series; // "/reduce/*\u002fres=*.series"
 * ```
 */
export async function parseSiteConfig(text: string): Promise<SiteConfig> {
  const { parse } = await import("yaml");
  let value: unknown;
  try {
    value = parse(text, { uniqueKeys: true });
  } catch (e) {
    throw new SiteError(
      "SiteConfig",
      `site config is not valid YAML: ${(e as Error).message.split("\n")[0]}`,
      { cause: e },
    );
  }
  const site = mapping(value, "", SITE_FIELDS);
  const labels = names(site.labels, "labels");
  const units = names(site.units, "units");
  const pages = site.pages;
  if (pages === undefined) fail("pages", "is missing; list at least one page");
  if (!Array.isArray(pages) || pages.length === 0) {
    fail("pages", "must be a non-empty list of pages (each with name and series)");
  }
  const points = site.view_points ?? VIEW_POINTS;
  if (!Number.isInteger(points) || (points as number) < 10 || (points as number) > 1_000_000) {
    fail("view_points", `must be a whole number from 10 to 1000000 (default ${VIEW_POINTS})`);
  }
  return {
    viewPoints: points as number,
    title: text1(site.title, "title", true)!,
    index: text1(site.index, "index", false) ?? "",
    pages: pages.map((p, i) => page(p, `pages[${i}]`, labels, units)),
  };
}

function page(
  value: unknown,
  at: string,
  labels: Record<string, string>,
  units: Record<string, string>,
): PageSpec {
  const p = mapping(value, at, PAGE_FIELDS);
  const name = text1(p.name, `${at}.name`, true)!;
  const series = text1(p.series, `${at}.series`, true)!;
  let columns: string[] | undefined;
  if (p.columns !== undefined) {
    const list = typeof p.columns === "string" ? [p.columns] : p.columns;
    if (
      !Array.isArray(list) || list.length === 0 ||
      list.some((c) => typeof c !== "string" || c === "")
    ) {
      fail(
        `${at}.columns`,
        'must be a glob or a non-empty list of globs, e.g. ["temperature_c.*"]',
      );
    }
    columns = list as string[];
  }
  return {
    name,
    title: text1(p.title, `${at}.title`, false) ?? name,
    series,
    ...(columns && { columns }),
    labels: { ...labels, ...names(p.labels, `${at}.labels`) },
    units: { ...units, ...names(p.units, `${at}.units`) },
  };
}

/** `value` as a mapping with only `fields`; `at` names it (empty: the top level). */
function mapping(value: unknown, at: string, fields: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    if (at === "") {
      throw new SiteError("SiteConfig", "site config must be a mapping (title, pages…)");
    }
    fail(at, `must be a mapping with ${fields.join(", ")}`);
  }
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) {
      fail(at ? `${at}.${key}` : key, `is not known; the fields are ${fields.join(", ")}`);
    }
  }
  return value as Record<string, unknown>;
}

function text1(value: unknown, at: string, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) fail(at, "is missing");
    return undefined;
  }
  if (typeof value !== "string" || (required && value.trim() === "")) {
    fail(at, "must be a non-empty string");
  }
  return value;
}

/** A mapping of parameter names to text (labels, units). */
function names(value: unknown, at: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(at, "must be a mapping of parameter names to text, e.g. { temperature_c: °C }");
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") fail(`${at}.${k}`, "must be a string");
    out[k] = v;
  }
  return out;
}

function fail(field: string, what: string): never {
  throw new SiteError("SiteConfig", `site config: field "${field}" ${what}`);
}

/**
 * `template` with `$0`, `$1`… replaced by `captures` (`$$` is `$`); a capture it names that
 * is not there is a `SiteConfig` error naming `field`.
 *
 * @example
 * ```ts
 * expandTemplate("$0 ($$)", ["north"], "pages[0].name"); // "north ($)"
 * ```
 */
export function expandTemplate(
  template: string,
  captures: readonly string[],
  field: string,
): string {
  return template.replace(/\$(\$|\d+)/g, (_, m: string) => {
    if (m === "$") return "$";
    const value = captures[Number(m)];
    if (value === undefined) {
      fail(field, `names $${m}, but the series glob captures ${captures.length} value(s)`);
    }
    return value;
  });
}
