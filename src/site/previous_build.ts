/** The build already in a site directory, as a rebuild's source: the files its marker lists, and the series its manifest records, read back from its partitions. */
import { join } from "node:path";
import { isEmptyHostDirectory } from "../pond/mod.ts";
import { SiteError } from "./errors.ts";
import { type PartitionRows, partitionSeries } from "./partitions.ts";
import {
  type Resolution,
  resolutionOf,
  type SeriesFile,
  type SeriesSource,
} from "./series_data.ts";

/** The file a built site holds at its top: what the build wrote, and its manifest. */
export const SITE_MARKER = "pond-site.json";

/**
 * The version of what the marker records and how partitions hold data. A build reuses only the
 * series of an earlier build of the same version: change it whenever the data a build keeps for
 * a series (its reading, rounding or partition text) changes.
 */
export const MANIFEST_FORMAT = 1;

/** One series as the manifest records it: its directory and its files, each with an identity. */
export interface SeriesRecord {
  readonly path: string;
  readonly files: readonly Required<SeriesFile>[];
}

/** One page as the manifest records it: where its partitions are and the columns they hold. */
export interface PageRecord {
  readonly name: string;
  readonly slug: string;
  readonly columns: readonly string[];
  /** Every series of the page in partition order (index i is `series[i]` in each partition). */
  readonly series: readonly (SeriesRecord | null)[];
}

/** What a build writes into {@link SITE_MARKER}. */
export interface Marker {
  readonly generator: "pond site build";
  readonly format: number;
  readonly seq: number;
  /** Every file of the site but the marker, sorted. */
  readonly files: readonly string[];
  /** The SHA-256 (hex) of every data partition, by file. */
  readonly data: Readonly<Record<string, string>>;
  readonly pages: readonly PageRecord[];
  /** {@link manifestCheck} of the rest: a manifest edited or cut short is not taken. */
  readonly check: string;
}

/**
 * A site directory as a rebuild finds it: the files its marker lists (so the rebuild can
 * remove those it no longer makes) and, when its manifest is whole and of this
 * {@link MANIFEST_FORMAT}, the series it recorded, read back from its partitions when asked (a
 * partition whose bytes are not those recorded, or that is missing, makes its series be read
 * from the pond again). A missing or damaged manifest holds no series: the rebuild reads all.
 *
 * @example
 * ```ts
 * const previous = await PreviousBuild.read("/srv/www/lake");
 * previous.files; // ["assets/site.css", …]
 * ```
 */
export class PreviousBuild implements SeriesSource {
  readonly #dir: string;
  readonly #marker: Marker | undefined;
  readonly #parsed = new Map<string, Promise<PartitionRows[] | undefined>>();

  private constructor(dir: string, readonly files: readonly string[], marker?: Marker) {
    this.#dir = dir;
    this.#marker = marker;
  }

  /**
   * The build in `dir`: none for a missing or empty `dir`; `NotASite` for one holding files
   * but no {@link SITE_MARKER}.
   */
  static async read(dir: string): Promise<PreviousBuild> {
    const text = await readText(join(dir, SITE_MARKER));
    if (text === undefined) {
      if (!await isEmptyHostDirectory(dir)) {
        throw new SiteError(
          "NotASite",
          `${dir} holds files but no ${SITE_MARKER}, so it is not a site pond built; ` +
            "build into a new or empty directory, or an earlier site's",
        );
      }
      return new PreviousBuild(dir, []);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return new PreviousBuild(dir, []); // damaged: build everything, remove nothing
    }
    const listed = (value as { files?: unknown } | null)?.files;
    const files = Array.isArray(listed)
      ? listed.filter((f): f is string => typeof f === "string" && !f.split("/").includes(".."))
      : [];
    const whole = isMarker(value) && value.check === await manifestCheck(value);
    return new PreviousBuild(dir, files, whole ? value as Marker : undefined);
  }

  /** See {@link SeriesSource.recorded}. */
  recorded(
    page: string,
    path: string,
    files: readonly { file: string; identity?: string }[],
  ): readonly SeriesFile[] | undefined {
    const record = this.#series(page, path)?.record;
    if (!record || record.files.length !== files.length) return undefined;
    const same = record.files.every((f, i) =>
      f.file === files[i].file && files[i].identity !== undefined &&
      f.identity === files[i].identity
    );
    return same ? record.files : undefined;
  }

  /** See {@link SeriesSource.series}. */
  async series(
    page: string,
    path: string,
    files: readonly SeriesFile[],
    columns: readonly string[],
  ): Promise<Resolution[] | undefined> {
    const found = this.#series(page, path);
    if (!found) return undefined;
    const { record, index } = found;
    const from = columns.map((c) => record.columns.indexOf(c));
    if (from.some((at, i) => at < 0 && files.some((f) => f.numeric.includes(columns[i])))) {
      return undefined; // a column these files have that the earlier build did not chart
    }
    const resolutions: Resolution[] = [];
    for (const f of files) {
      const { name, ms } = resolutionOf(f.file);
      const prefix = `data/${record.slug}/${name}/`;
      const times: number[] = [];
      const values: number[][] = columns.map(() => []);
      for (const file of this.#marker!.files.filter((p) => p.startsWith(prefix))) {
        const rows = (await this.#partition(file, record.columns.length))?.[index];
        if (!rows) return undefined;
        times.push(...rows.times);
        from.forEach((at, c) => {
          for (let i = 0; i < rows.times.length; i++) {
            values[c].push(at < 0 ? NaN : rows.values[at][i]);
          }
        });
      }
      resolutions.push({
        name,
        ms,
        times: Float64Array.from(times),
        values: values.map((v) => Float64Array.from(v)),
      });
    }
    return resolutions.sort((a, b) => a.ms - b.ms);
  }

  /** The page record holding series `path` of page `page`, and the series' index in it. */
  #series(page: string, path: string) {
    const p = this.#marker?.pages.find((r) => r.name === page);
    const index = p?.series.findIndex((s) => s?.path === path) ?? -1;
    return index < 0 ? undefined : { record: { ...p!, ...p!.series[index]! }, index };
  }

  /** The series of partition `file` if its bytes are those the manifest records. */
  #partition(file: string, columns: number): Promise<PartitionRows[] | undefined> {
    let parsed = this.#parsed.get(file);
    if (!parsed) {
      parsed = (async () => {
        const bytes = await readIfThere(join(this.#dir, file));
        if (!bytes || await sha256(bytes) !== this.#marker!.data[file]) return undefined;
        const key = file.slice("data/".length, -".js".length);
        return partitionSeries(new TextDecoder().decode(bytes), key, columns);
      })();
      this.#parsed.set(file, parsed);
    }
    return parsed;
  }
}

/**
 * The SHA-256 of `bytes` as hex, as the manifest records each partition.
 *
 * @example
 * ```ts
 * await sha256(new TextEncoder().encode("")); // "e3b0c442…b855"
 * ```
 */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The SHA-256 of a marker's fields but `check`, as JSON in the order they were written (and
 * are read back in), which the marker records as its `check`.
 *
 * @example
 * ```ts
 * await manifestCheck({ format: 1, seq: 3 }); // 64 hex digits
 * ```
 */
export function manifestCheck(fields: object): Promise<string> {
  const { check: _, ...rest } = fields as { check?: unknown };
  return sha256(new TextEncoder().encode(JSON.stringify(rest)));
}

/** Whether `value` is a whole marker of this format (anything else is read as damaged). */
function isMarker(value: unknown): value is Marker {
  const m = value as Partial<Marker> | null;
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");
  const file = (f: Partial<SeriesFile> | null) =>
    typeof f?.file === "string" && typeof f.identity === "string" && strings(f.numeric);
  const series = (s: Partial<SeriesRecord> | null) =>
    s === null ||
    (typeof s?.path === "string" && Array.isArray(s.files) && s.files.every(file));
  const page = (p: Partial<PageRecord> | null) =>
    typeof p?.name === "string" && typeof p.slug === "string" && strings(p.columns) &&
    Array.isArray(p.series) && p.series.every(series);
  return m?.format === MANIFEST_FORMAT && typeof m.check === "string" && strings(m.files) &&
    typeof m.data === "object" &&
    m.data !== null && Object.values(m.data).every((d) => typeof d === "string") &&
    Array.isArray(m.pages) && m.pages.every(page);
}

/**
 * The bytes of the host file at `path`; undefined when there is none.
 *
 * @example
 * ```ts
 * await readIfThere("/srv/www/lake/pond-site.json"); // Uint8Array, or undefined
 * ```
 */
export async function readIfThere(path: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

async function readText(path: string): Promise<string | undefined> {
  const bytes = await readIfThere(path);
  return bytes && new TextDecoder().decode(bytes);
}
