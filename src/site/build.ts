/** Building a site into a host directory: every file computed from one pond version, only the series changed since the build already there read, only the files whose bytes changed written, those no longer built removed. */
import { join } from "node:path";
import { type Pond, type PondAt, writeHostFile } from "../pond/mod.ts";
import UPLOT_CSS from "../../node_modules/uplot/dist/uPlot.min.css" with { type: "text" };
import UPLOT_JS from "../../node_modules/uplot/dist/uPlot.iife.min.js" with { type: "text" };
import SITE_CSS from "./assets/site.css" with { type: "text" };
import SITE_JS from "./assets/site.js" with { type: "text" };
import type { SiteConfig } from "./config.ts";
import { SiteError } from "./errors.ts";
import { indexHtml, pageManifest, seriesPageHtml } from "./pages.ts";
import { pagePartitions } from "./partitions.ts";
import {
  MANIFEST_FORMAT,
  manifestCheck,
  type Marker,
  type PageRecord,
  PreviousBuild,
  readIfThere,
  type SeriesRecord,
  sha256,
  SITE_MARKER,
} from "./previous_build.ts";
import { readPages, type SeriesCounts, type SeriesData, type SeriesSource } from "./series_data.ts";

/** Counts of one kind of file in a build. */
export interface FileCounts {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

/** What a build did. */
export interface BuildReport {
  /** The pond transaction the site shows. */
  readonly seq: number;
  readonly pages: readonly {
    readonly name: string;
    readonly file: string;
    readonly series: number;
  }[];
  /** Series read from the pond, and those taken from the build already in the directory. */
  readonly series: SeriesCounts;
  /** Data partitions (`data/…`). */
  readonly partitions: FileCounts;
  /** Every other file: pages, assets, the marker. */
  readonly files: FileCounts;
  /** The bytes of every file of the site. */
  readonly bytes: number;
}

/**
 * The files of the site `site` over `pond` as of `at`, by path in the site, each computed only
 * from that pond version (no build time in any of them): `index.html`, `<page>.html` per page,
 * `assets/` (uPlot's build from node_modules, the page script and style), `data/` (see
 * `pagePartitions`) and the marker listing them all, with the manifest a rebuild takes series
 * by. The series `previous` holds as they are now are taken from it, not read: the same bytes
 * either way.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 * import { parseSiteConfig } from "./config.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const site = await parseSiteConfig("title: t\npages: [{ name: $0, series: /reduce/*\u002fres=*.series }]");
 * const { files } = await siteFiles(pond, site);
 * files.get("index.html"); // "<!doctype html>…"
 * ```
 */
export async function siteFiles(
  pond: Pond,
  site: SiteConfig,
  at?: PondAt,
  previous?: SeriesSource,
): Promise<
  { seq: number; files: Map<string, string>; pages: BuildReport["pages"]; series: SeriesCounts }
> {
  const { seq, pages, series } = await readPages(pond, site, at, previous);
  const files = new Map<string, string>([
    ["assets/uPlot.iife.min.js", UPLOT_JS],
    ["assets/uPlot.min.css", UPLOT_CSS],
    ["assets/site.js", SITE_JS],
    ["assets/site.css", SITE_CSS],
  ]);
  const slugs = new Map<string, string>();
  const listed = [];
  const records: PageRecord[] = [];
  const data: Record<string, string> = {};
  for (const page of pages) {
    const slug = slugOf(page.name);
    if (slug === "index" || slugs.has(slug)) {
      throw new SiteError(
        "NameClash",
        `the pages ${JSON.stringify(slugs.get(slug) ?? "index")} and ${
          JSON.stringify(page.name)
        } ` +
          `would both be ${slug}.html; give the pages names that differ`,
      );
    }
    slugs.set(slug, page.name);
    const partitions = pagePartitions(page, slug, site.viewPoints);
    for (const p of partitions) {
      files.set(p.file, p.text);
      data[p.file] = await sha256(new TextEncoder().encode(p.text));
    }
    files.set(
      `${slug}.html`,
      seriesPageHtml(site.title, page, pageManifest(page, partitions, site.viewPoints)),
    );
    listed.push({ page, slug });
    records.push({ name: page.name, slug, columns: page.columns, series: page.series.map(record) });
  }
  files.set("index.html", indexHtml(site.title, site.index, listed));
  const manifest = {
    generator: "pond site build" as const,
    format: MANIFEST_FORMAT,
    seq,
    files: [...files.keys()].sort(),
    data,
    pages: records,
  };
  const marker: Marker = { ...manifest, check: await manifestCheck(manifest) };
  files.set(SITE_MARKER, JSON.stringify(marker, null, 1) + "\n");
  return {
    seq,
    files,
    series,
    pages: listed.map(({ page, slug }) => ({
      name: page.name,
      file: `${slug}.html`,
      series: page.series.length,
    })),
  };
}

/** A series as the manifest records it; null when a file of it has no identity (never taken). */
function record(series: SeriesData): SeriesRecord | null {
  const files = series.files.flatMap((f) =>
    f.identity === undefined ? [] : [{ ...f, identity: f.identity }]
  );
  return files.length === series.files.length ? { path: series.path, files } : null;
}

/**
 * Builds `site` into the host directory `dir` (made if missing): reads from the pond only the
 * series whose files changed since the build already in `dir` (see `PreviousBuild`; the others
 * come from its partitions), writes each file of {@link siteFiles} whose bytes differ from what
 * `dir` holds, leaves the others untouched, and removes the files an earlier build listed that
 * this one no longer makes. A `dir` that holds files but no {@link SITE_MARKER} is
 * `NotASite`, left as it is.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 * import { parseSiteConfig } from "./config.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const site = await parseSiteConfig(await Deno.readTextFile("site.yaml"));
 * const report = await buildSite(pond, site, "/srv/www/lake");
 * console.log(report.series.read, report.partitions.written, report.partitions.unchanged);
 * ```
 */
export async function buildSite(
  pond: Pond,
  site: SiteConfig,
  dir: string,
  at?: PondAt,
): Promise<BuildReport> {
  const previous = await PreviousBuild.read(dir);
  const { seq, files, pages, series } = await siteFiles(pond, site, at, previous);
  const counts = {
    partitions: { written: 0, unchanged: 0, removed: 0 },
    files: { written: 0, unchanged: 0, removed: 0 },
  };
  const kind = (path: string) => path.startsWith("data/") ? counts.partitions : counts.files;
  let bytes = 0;
  const encoder = new TextEncoder();
  for (const [path, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const data = encoder.encode(text);
    bytes += data.byteLength;
    const target = join(dir, path);
    if (sameBytes(await readIfThere(target), data)) {
      kind(path).unchanged++;
      continue;
    }
    await Deno.mkdir(join(target, ".."), { recursive: true });
    await writeHostFile(target, ReadableStream.from([data]));
    kind(path).written++;
  }
  for (const path of previous.files) {
    if (files.has(path)) continue;
    await Deno.remove(join(dir, path)).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    kind(path).removed++;
    await removeEmptyParents(dir, path);
  }
  return { seq, pages, series, ...counts, bytes };
}

async function removeEmptyParents(dir: string, path: string): Promise<void> {
  const parts = path.split("/").slice(0, -1);
  for (let n = parts.length; n > 0; n--) {
    try {
      await Deno.remove(join(dir, ...parts.slice(0, n)));
    } catch {
      return; // not empty (or gone): its parents are not empty either
    }
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A page name as a file name: letters, digits, `-`, `_` and `.` kept (not a leading `.`),
 * anything else as `~` and its UTF-8 bytes in hex, so distinct names stay distinct.
 *
 * @example
 * ```ts
 * slugOf("lake north"); // "lake~20north"
 * ```
 */
export function slugOf(name: string): string {
  return Array.from(new TextEncoder().encode(name), (b, i) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9_-]/.test(c) || (c === "." && i > 0)
      ? c
      : `~${b.toString(16).padStart(2, "0")}`;
  }).join("");
}
