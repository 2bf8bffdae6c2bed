/** A page's data cut into time partitions per resolution, each a small script the page loads with a `<script>` tag (file:// forbids fetch). */
import type { PageData } from "./series_data.ts";

/**
 * Buckets per partition for views of at most `viewPoints` buckets: the power of two at or
 * above it, so a view spans at most two partitions of its resolution.
 *
 * @example
 * ```ts
 * partitionPoints(3000); // 4096
 * ```
 */
export function partitionPoints(viewPoints: number): number {
  return 2 ** Math.ceil(Math.log2(viewPoints));
}

/** One partition file: where it goes, what it covers, and its bytes. */
export interface Partition {
  /** Its path in the site: `data/<page>/<resolution>/<start>.js`. */
  readonly file: string;
  /** Its key, as the script announces itself: the file without `data/` and `.js`. */
  readonly key: string;
  readonly resolution: string;
  /** The time range it may cover, [start, end) in ms. */
  readonly start: number;
  readonly end: number;
  /** Rows it holds, over all series. */
  readonly rows: number;
  readonly text: string;
}

/**
 * The partitions of one page (`slug` names its folder): for every resolution, one file per
 * span of {@link partitionPoints}`(viewPoints)` buckets (aligned to multiples since the epoch, so new readings
 * change only the spans they fall in) that holds rows of any series. The text is
 * `pondSite.data("KEY", {"series":[{"t":[…],"v":[[…]…]}…]})`: per series, the times as the
 * first in ms and then differences (regular buckets compress to almost nothing), and per
 * column its values, `null` where missing, as the page data holds them (integers exact and
 * fractions to 7 significant digits, see `siteNumber`). Same data, same bytes.
 *
 * @example
 * ```ts
 * import type { PageData } from "./series_data.ts";
 *
 * function example(page: PageData) {
 *   for (const p of pagePartitions(page, "lake_north", 3000)) console.log(p.file, p.rows);
 * }
 * ```
 */
export function pagePartitions(page: PageData, slug: string, viewPoints: number): Partition[] {
  const out: Partition[] = [];
  const names = new Map<string, number>();
  for (const s of page.series) for (const r of s.resolutions) names.set(r.name, r.ms);
  for (const [name, ms] of [...names].sort((a, b) => a[1] - b[1])) {
    const span = ms * partitionPoints(viewPoints);
    const starts = new Set<number>();
    for (const s of page.series) {
      const times = s.resolutions.find((r) => r.name === name)?.times ?? [];
      for (const t of times) starts.add(Math.floor(t / span) * span);
    }
    for (const start of [...starts].sort((a, b) => a - b)) {
      const end = start + span;
      let rows = 0;
      const series = page.series.map((s) => {
        const r = s.resolutions.find((r) => r.name === name);
        if (!r) return `{"t":[],"v":[]}`;
        const from = lowerBound(r.times, start);
        const to = lowerBound(r.times, end);
        rows += to - from;
        const times: string[] = [];
        for (let i = from; i < to; i++) {
          times.push(String(i === from ? r.times[i] : r.times[i] - r.times[i - 1]));
        }
        const values = r.values.map((v) =>
          `[${Array.from(v.subarray(from, to), number).join(",")}]`
        );
        return `{"t":[${times.join(",")}],"v":[${values.join(",")}]}`;
      });
      const key = `${slug}/${name}/${stamp(start)}`;
      out.push({
        file: `data/${key}.js`,
        key,
        resolution: name,
        start,
        end,
        rows,
        text: `pondSite.data(${JSON.stringify(key)},{"series":[${series.join(",")}]});\n`,
      });
    }
  }
  return out;
}

/** A value as the partition writes it: `null` for NaN; page data is rounded when read. */
function number(v: number): string {
  return Number.isNaN(v) ? "null" : String(v);
}

/** The rows of one series in a partition, as {@link partitionSeries} reads them back. */
export interface PartitionRows {
  readonly times: number[];
  /** Per column of the page it was written for, NaN where null. */
  readonly values: number[][];
}

/**
 * The series of a partition's text, as {@link pagePartitions} wrote them for the page's
 * `columns` columns: times in ms, values as written (so writing them again gives the same
 * text); undefined when the text is not such a partition of `key`.
 *
 * @example
 * ```ts
 * const text = 'pondSite.data("n/1h/x",{"series":[{"t":[3600000,3600000],"v":[[1.5,null]]}]});\n';
 * partitionSeries(text, "n/1h/x", 1); // [{ times: [3600000, 7200000], values: [[1.5, NaN]] }]
 * ```
 */
export function partitionSeries(
  text: string,
  key: string,
  columns: number,
): PartitionRows[] | undefined {
  const head = `pondSite.data(${JSON.stringify(key)},`;
  const tail = ");\n";
  if (!text.startsWith(head) || !text.endsWith(tail)) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text.slice(head.length, -tail.length));
  } catch {
    return undefined;
  }
  const series = (body as { series?: unknown } | null)?.series;
  if (!Array.isArray(series)) return undefined;
  const out: PartitionRows[] = [];
  for (const s of series) {
    const { t, v } = s ?? {};
    if (!Array.isArray(t) || !t.every((d) => typeof d === "number")) return undefined;
    if (!Array.isArray(v) || v.length !== (t.length ? columns : v.length)) return undefined;
    const times: number[] = [];
    for (const [i, d] of t.entries()) times.push(i === 0 ? d : times[i - 1] + d);
    const values = v.map((c) =>
      Array.isArray(c) && c.length === t.length &&
        c.every((x) => x === null || typeof x === "number")
        ? c.map((x) => x === null ? NaN : x)
        : undefined
    );
    if (values.some((c) => c === undefined)) return undefined;
    out.push({ times, values: values as number[][] });
  }
  return out;
}

/** A time as a partition's file name: `20260601T000000Z`. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d+/g, "");
}

/** The first index of sorted `times` at or after `t`. */
function lowerBound(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
