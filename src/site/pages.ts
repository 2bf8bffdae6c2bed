/** The site's HTML: the index (pages with their newest values) and one page per series page, each carrying the manifest its script charts from. */
import { escapeHtml, markdownToHtml } from "./markdown.ts";
import type { Partition } from "./partitions.ts";
import type { PageData, SeriesData } from "./series_data.ts";

/** One chart's parameter: the column before `.<aggregate>`, and where its aggregates are. */
export interface Parameter {
  readonly name: string;
  readonly label: string;
  readonly unit: string;
  /** Index (into the page's columns) of the line: `.avg`, else the parameter's first column. */
  readonly line: number;
  /** Indices of `.min` and `.max`, drawn as a band when both are there. */
  readonly band?: readonly [number, number];
  /** Indices of its other aggregates, drawn as thin lines. */
  readonly others: readonly number[];
}

/** The newest value of one parameter of one series. */
interface Newest {
  readonly time: number;
  readonly value: number;
}

/**
 * The parameters of `columns` in first-seen order: `temperature_c.avg`, `.min` and `.max` are
 * one parameter `temperature_c` (a column without a dot is a parameter of its own).
 *
 * @example
 * ```ts
 * parameters(["t.avg", "t.min", "t.max"], {}, {}); // [{ name: "t", label: "t", unit: "", line: 0, band: [1, 2], others: [] }]
 * ```
 */
export function parameters(
  columns: readonly string[],
  labels: Readonly<Record<string, string>>,
  units: Readonly<Record<string, string>>,
): Parameter[] {
  const groups = new Map<string, Map<string, number>>();
  columns.forEach((c, i) => {
    const dot = c.lastIndexOf(".");
    const [name, agg] = dot > 0 ? [c.slice(0, dot), c.slice(dot + 1)] : [c, ""];
    if (!groups.has(name)) groups.set(name, new Map());
    groups.get(name)!.set(agg, i);
  });
  return [...groups].map(([name, aggs]) => {
    const line = aggs.get("avg") ?? aggs.get("") ?? [...aggs.values()][0];
    const min = aggs.get("min");
    const max = aggs.get("max");
    const band = min !== undefined && max !== undefined && min !== line && max !== line
      ? [min, max] as const
      : undefined;
    return {
      name,
      label: labels[name] ?? name,
      unit: units[name] ?? "",
      line,
      ...(band && { band }),
      others: [...aggs.values()].filter((i) => i !== line && !band?.includes(i)),
    };
  });
}

/** What a page's script needs: its columns, charts, series and every partition by resolution. */
export function pageManifest(page: PageData, partitions: readonly Partition[], viewPoints: number) {
  const params = parameters(page.columns, page.spec.labels, page.spec.units);
  const resolutions = [
    ...new Map(page.series.flatMap((s) => s.resolutions.map((r) => [r.name, r.ms]))),
  ]
    .sort((a, b) => a[1] - b[1])
    .map(([name, ms]) => ({
      name,
      ms,
      parts: partitions.filter((p) => p.resolution === name).map((p) => ({
        key: p.key,
        file: p.file,
        start: p.start,
        end: p.end,
      })),
    }));
  const all = page.series.flatMap((s) => s.resolutions.map((r) => r.times)).filter((t) => t.length);
  return {
    name: page.name,
    title: page.title,
    columns: page.columns,
    params,
    series: page.series.map((s) => s.path),
    resolutions,
    first: Math.min(...all.map((t) => t[0])),
    /** The start of the newest bucket: where the range buttons' views end. */
    newest: Math.max(...all.map((t) => t[t.length - 1])),
    /** The time of the newest reading, when every series says (see `SeriesData.newestReading`). */
    newestReading: newestReading(page.series),
    viewPoints,
  };
}

/** The newest reading of `series`, when each of them knows its own; else null. */
function newestReading(series: readonly SeriesData[]): number | null {
  const times = series.map((s) => s.newestReading);
  return times.every((t) => t !== undefined) ? Math.max(...times as number[]) : null;
}

/**
 * When the newest data of `series` is, as honestly as the files tell: the time of the newest
 * reading, or, when the files do not say (stored `res=` files hold bucket starts only), the
 * start of the newest bucket, labelled as such.
 */
function newestHtml(reading: number | null, bucket: number): string {
  return reading !== null
    ? `<span class="newest-reading">${timeHtml(reading)}</span>`
    : `<span class="newest-bucket">bucket from ${timeHtml(bucket)}</span>`;
}

/** The newest non-null line value of each parameter of each series, at its finest resolution. */
function newestValues(page: PageData, params: readonly Parameter[]): (Newest | undefined)[][] {
  return page.series.map((s) => {
    const r = s.resolutions[0];
    return params.map((p) => {
      const values = r.values[p.line];
      for (let i = values.length - 1; i >= 0; i--) {
        if (!Number.isNaN(values[i])) return { time: r.times[i], value: values[i] };
      }
      return undefined;
    });
  });
}

/** The index page: the title, the Markdown, and a table of the pages with their newest values. */
export function indexHtml(
  title: string,
  markdown: string,
  pages: readonly { page: PageData; slug: string }[],
): string {
  const rows = pages.flatMap(({ page, slug }) => {
    const params = parameters(page.columns, page.spec.labels, page.spec.units);
    return newestValues(page, params).map((values, s) => {
      const times = values.filter((v) => v).map((v) => v!.time);
      const cells = values.map((v, i) =>
        `<li><span class="param">${escapeHtml(params[i].label)}</span> ${
          v ? `<span class="value">${formatValue(v.value)}</span>${unit(params[i].unit)}` : "—"
        }</li>`
      );
      const series = page.series[s];
      const name = page.series.length > 1 ? `${page.title} · ${series.path}` : page.title;
      const newest = times.length ? newestHtml(newestReading([series]), Math.max(...times)) : "—";
      return `<tr><th scope="row"><a href="${escapeHtml(slug)}.html">${escapeHtml(name)}</a></th>` +
        `<td>${newest}</td><td><ul class="newest">${cells.join("")}</ul></td></tr>`;
    });
  });
  return document(
    title,
    `<header><h1>${escapeHtml(title)}</h1></header>
<main>
<section class="intro">${markdownToHtml(markdown)}</section>
<table class="pages">
<caption>Pages, with their newest values</caption>
<thead><tr><th scope="col">Page</th><th scope="col">Newest</th><th scope="col">Values</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</main>`,
    "",
  );
}

/** One series page: its heading, controls, a chart per series and parameter, and its manifest. */
export function seriesPageHtml(
  siteTitle: string,
  page: PageData,
  manifest: ReturnType<typeof pageManifest>,
): string {
  const figures = page.series.flatMap((s, si) =>
    manifest.params.map((p, pi) =>
      `<figure class="chart" data-series="${si}" data-param="${pi}">` +
      `<figcaption>${escapeHtml(p.label)}${p.unit ? ` (${escapeHtml(p.unit)})` : ""}${
        page.series.length > 1 ? ` · ${escapeHtml(s.path)}` : ""
      }</figcaption><div class="plot" role="img" aria-label="${
        escapeHtml(`${p.label} over time`)
      }"></div></figure>`
    )
  );
  const buttons = ["day", "week", "month", "year", "all"].map((r) =>
    `<button type="button" data-range="${r}" aria-pressed="false">${r[0].toUpperCase()}${
      r.slice(1)
    }</button>`
  );
  const json = JSON.stringify(manifest).replace(/</g, "\\u003c");
  return document(
    `${page.title} · ${siteTitle}`,
    `<header><p><a href="index.html">${escapeHtml(siteTitle)}</a></p><h1>${
      escapeHtml(page.title)
    }</h1>
<p id="newest">${manifest.newestReading !== null ? "Newest reading" : "Newest data"}: ${
      newestHtml(manifest.newestReading, manifest.newest)
    }</p></header>
<main>
<div class="controls">
<div role="group" aria-label="Time range">${buttons.join("")}</div>
<button type="button" id="csv">Download CSV</button>
</div>
<p id="view" aria-live="polite">Loading…</p>
<p class="hint">Drag across a chart to zoom in; double-click to zoom out.</p>
${figures.join("\n")}
</main>
<script type="application/json" id="pond-manifest">${json}</script>`,
    `<script src="assets/uPlot.iife.min.js"></script>
<script src="assets/site.js"></script>`,
  );
}

function document(title: string, body: string, scripts: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/uPlot.min.css">
<link rel="stylesheet" href="assets/site.css">
</head>
<body>
${body}
${scripts}
</body>
</html>
`;
}

function timeHtml(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 16).replace("T", " ")} UTC</time>`;
}

function formatValue(v: number): string {
  return escapeHtml(String(Number(v.toPrecision(4))));
}

function unit(u: string): string {
  return u ? ` <span class="unit">${escapeHtml(u)}</span>` : "";
}
