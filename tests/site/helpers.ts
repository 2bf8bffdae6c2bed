/** A pond for the site tests: two sondes' hourly readings (with nulls and a gap), downsampled by temporal-reduce, and a site YAML over them. */
import assert from "node:assert/strict";
import { parquetWriteBuffer } from "hyparquet-writer";
import { type CliResult, pondProcess } from "../cli/harness.ts";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** The first reading: 2025-01-01T00:00Z. */
export const START = Date.UTC(2025, 0, 1);
/** Days of hourly readings per sonde. */
export const DAYS = 400;
/** North has no readings for these three days (a gap), and null oxygen readings on GAP_DAY - 10. */
export const GAP_DAY = 200;

/** The site YAML the tests build: small views (100 buckets) so each range button needs its own resolution. */
export const SITE_YAML = `title: Lake monitoring
index: |
  Readings from **two** sondes, downsampled hourly to weekly.
view_points: 100
units: { temperature_c: °C, oxygen_mg_l: mg/L }
pages:
  - name: "$0"
    series: "/reduce/*/res=*.series"
    columns: ["temperature_c.*", "oxygen_mg_l.*"]
    labels: { temperature_c: Water temperature }
`;

/** A pond made for a test. */
export interface SitePond {
  readonly dir: string;
  /** A scratch directory on the host (the site YAML is `${host}/site.yaml`). */
  readonly host: string;
  /** `pond ARGS` as a real process. */
  pond(args: string[]): Promise<CliResult>;
}

/**
 * The readings of one sonde from `start`, `hours` of them: `timestamp`, `temperature_c` and
 * `oxygen_mg_l`; for `gap`, north's missing days and null oxygen readings.
 */
export function readings(start: number, hours: number, site: number, gap = false): Uint8Array {
  const times: Date[] = [];
  for (let i = 0; i < hours; i++) {
    const t = start + i * HOUR;
    const day = Math.floor((t - START) / DAY);
    if (gap && day >= GAP_DAY && day < GAP_DAY + 3) continue;
    times.push(new Date(t));
  }
  const hourOf = (d: Date) => (d.getTime() - START) / HOUR;
  return new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: "timestamp", data: times, type: "TIMESTAMP" },
      {
        name: "temperature_c",
        data: times.map((d) =>
          10 + site + 8 * Math.sin(hourOf(d) / (24 * 58)) + Math.sin(hourOf(d) / 4)
        ),
        type: "DOUBLE",
      },
      {
        name: "oxygen_mg_l",
        data: times.map((d) =>
          gap && Math.floor((d.getTime() - START) / DAY) === GAP_DAY - 10
            ? null
            : 8 + Math.cos(hourOf(d) / 30)
        ),
        type: "DOUBLE",
      },
    ],
  }));
}

/** Fails with the command's stderr unless it succeeded; its stdout. */
export function ok(r: CliResult): string {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Copies `parquet` in as a new version of site `name`'s readings series. */
export function addReadings(
  p: Pick<SitePond, "host" | "pond">,
  name: string,
  parquet: Uint8Array,
): Promise<void> {
  return copySeries(p, `/sites/${name}/readings.series`, parquet);
}

/** Copies `parquet` in as a new version of the series at `path` (through a host file). */
export async function copySeries(
  p: Pick<SitePond, "host" | "pond">,
  path: string,
  parquet: Uint8Array,
): Promise<void> {
  const file = `${p.host}/${path.replaceAll("/", "_")}.parquet`;
  await Deno.writeFile(file, parquet);
  ok(await p.pond(["copy", "--type", "series", `host:${file}`, path]));
}

/**
 * Runs `fn` with a pond holding `/sites/{north,south}/readings.series` (DAYS of hourly
 * readings; north with a gap and nulls), `/reduce` (temporal-reduce at 1h, 6h, 1d, 7d: avg,
 * min, max) and `${host}/site.yaml` ({@link SITE_YAML}); all removed afterwards.
 */
export async function withSitePond(fn: (p: SitePond) => Promise<void>): Promise<void> {
  const host = await Deno.makeTempDir({ prefix: "pond-site-" });
  const dir = `${host}/pond`;
  const pond = (args: string[]) => pondProcess(args, { POND: dir });
  try {
    ok(await pond(["init"]));
    ok(await pond(["mkdir", "-p", "/sites/north", "/sites/south"]));
    for (const [i, name] of ["north", "south"].entries()) {
      await addReadings({ host, pond }, name, readings(START, DAYS * 24, i, name === "north"));
    }
    await Deno.writeTextFile(
      `${host}/reduce.yaml`,
      `in_pattern: /sites/*/readings.series
out_pattern: $0
resolutions: [1h, 6h, 1d, 7d]
aggregations:
  - { type: avg, columns: ["*"] }
  - { type: min, columns: ["*"] }
  - { type: max, columns: ["*"] }
`,
    );
    ok(await pond(["mknod", "temporal-reduce", "/reduce", "--config", `${host}/reduce.yaml`]));
    await Deno.writeTextFile(`${host}/site.yaml`, SITE_YAML);
    await fn({ dir, host, pond });
  } finally {
    await Deno.remove(host, { recursive: true });
  }
}

/** Every file under `dir` (paths from it, sorted) with its bytes. */
export async function siteTree(dir: string, under = ""): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const entries = [];
  for await (const e of Deno.readDir(`${dir}/${under}`)) entries.push(e);
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = under ? `${under}/${e.name}` : e.name;
    if (e.isDirectory) { for (const [p, b] of await siteTree(dir, path)) out.set(p, b); }
    else out.set(path, await Deno.readFile(`${dir}/${path}`));
  }
  return out;
}
