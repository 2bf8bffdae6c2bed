/** The HydroVu collector: water-quality readings of sondes from the HydroVu cloud API, one series per device. */

export const manifest = {
  name: "hydrovu",
  version: "1.0.0",
  description:
    "Collects sonde readings from the HydroVu API: a series per device, resumed from its newest reading",
  provides: ["collector"],
  config: {
    api_url: {
      type: "url",
      default: "https://www.hydrovu.com/public-api/",
      description: "the API's base URL",
    },
    client_id: {
      type: "string",
      required: true,
      description: "OAuth2 client id, e.g. ${env:HYDRO_KEY_ID}",
    },
    client_secret: {
      type: "string",
      required: true,
      description: "OAuth2 client secret, e.g. ${env:HYDRO_KEY_VALUE}",
    },
    hydrovu_path: {
      type: "output",
      required: true,
      description: "where the series go, e.g. /hydrovu",
    },
    max_points_per_run: {
      type: "integer",
      default: 10000,
      description: "readings fetched per device and run, at most (one page more)",
    },
    devices: {
      type: "mapping[]",
      required: true,
      description: "the devices (HydroVu locations) to collect",
      fields: {
        name: { type: "string", required: true, description: "the series' name" },
        id: { type: "integer", required: true, description: "the location id" },
        active: { type: "boolean", default: true, description: "false: not collected" },
      },
    },
    timeout_s: { type: "number", default: 60, description: "seconds one request may take" },
    retries: {
      type: "integer",
      default: 4,
      description: "retries of a failing request (500s, 429s, timeouts, dropped connections)",
    },
    backoff_s: {
      type: "number",
      default: 1,
      description: "the first retry's delay; each retry doubles it, with jitter",
    },
  },
};

interface Device {
  readonly name: string;
  readonly id: number;
  readonly active: boolean;
}

interface Config {
  readonly api_url: string;
  readonly client_id: string;
  readonly client_secret: string;
  readonly max_points_per_run: number;
  readonly devices: readonly Device[];
  readonly timeout_s: number;
  readonly retries: number;
  readonly backoff_s: number;
}

interface Request {
  readonly config: Config;
  readonly state: { readonly series: Readonly<Record<string, { readonly newest: number | null }>> };
}

interface Names {
  readonly parameters: Readonly<Record<string, string>>;
  readonly units: Readonly<Record<string, string>>;
}

interface Reading {
  readonly timestamp: number;
  readonly value: number | null;
}

interface DataPage {
  readonly parameters?: readonly {
    readonly parameterId: string | number;
    readonly unitId: string | number;
    readonly readings?: readonly Reading[];
  }[];
}

/** The longest `Retry-After` honoured, in seconds; a server asking for more fails the request. */
const MAX_RETRY_AFTER_S = 300;
/** Retries one run may spend in all, across requests, per retry a request may make. */
const BUDGET_PER_RETRY = 8;

/** A failure that retrying cannot fix: the run (or the device) stops at once. */
class Permanent extends Error {}

/** The credentials were refused: said once, and the whole run stops. */
class Refused extends Error {}

/** One run's HTTP client: a token, timeouts, retries with backoff and jitter, a retry budget. */
class Client {
  #token = "";
  #budget: number;

  constructor(readonly config: Config) {
    this.#budget = config.retries * BUDGET_PER_RETRY;
  }

  url(path: string): string {
    return new URL(
      path,
      this.config.api_url.endsWith("/") ? this.config.api_url : `${this.config.api_url}/`,
    )
      .href;
  }

  async login(): Promise<void> {
    const { client_id, client_secret } = this.config;
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      scope: "read:locations read:data",
    });
    const response = await this.fetch(this.url("oauth/token"), {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`${client_id}:${client_secret}`)}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: body.toString(),
    });
    const token = (response.json as { access_token?: unknown }).access_token;
    if (typeof token !== "string" || token === "") {
      throw new Permanent("HydroVu's token response holds no access_token");
    }
    this.#token = token;
  }

  /** GET `url` as JSON, with the token; `page` is the paging token from the previous page. */
  get(url: string, page?: string): Promise<{ json: unknown; next: string | null }> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    if (page !== undefined) headers["x-isi-start-page"] = page;
    return this.fetch(url, { headers });
  }

  async fetch(url: string, init: RequestInit): Promise<{ json: unknown; next: string | null }> {
    for (let attempt = 0;; attempt++) {
      let wait: number;
      let why: string;
      try {
        const response = await fetch(url, {
          ...init,
          signal: AbortSignal.timeout(this.config.timeout_s * 1000),
        });
        if (response.ok) {
          const json = await response.json();
          return { json, next: response.headers.get("x-isi-next-page") };
        }
        await response.body?.cancel();
        if (response.status === 401 || response.status === 403) {
          throw new Refused(
            `HydroVu refused the credentials (HTTP ${response.status}); check client_id and client_secret`,
          );
        }
        why = `HTTP ${response.status}`;
        if (response.status === 429) {
          const after = retryAfter(response.headers.get("retry-after"));
          if (!(after >= 0 && after <= MAX_RETRY_AFTER_S)) {
            throw new Permanent(
              `HTTP 429 asking to wait ${after} s, longer than ${MAX_RETRY_AFTER_S} s`,
            );
          }
          wait = after * 1000;
        } else if (response.status >= 500) {
          wait = this.#backoff(attempt);
        } else {
          throw new Permanent(`HTTP ${response.status} from ${new URL(url).pathname}`);
        }
      } catch (e) {
        if (e instanceof Permanent || e instanceof Refused) throw e;
        const error = e as Error;
        if (error.name === "NotCapable" || error.name === "PermissionDenied") {
          throw new Permanent(`the network refused ${new URL(url).host}: ${error.message}`);
        }
        why = error.name === "TimeoutError"
          ? `no answer within ${this.config.timeout_s} s`
          : `${error.name}: ${error.message}`;
        wait = this.#backoff(attempt);
      }
      if (attempt >= this.config.retries || this.#budget <= 0) {
        throw new Error(
          `${why} from ${new URL(url).pathname}, after ${attempt + 1} ${
            attempt === 0 ? "try" : "tries"
          }`,
        );
      }
      this.#budget--;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  #backoff(attempt: number): number {
    return this.config.backoff_s * 1000 * 2 ** attempt * (0.5 + Math.random());
  }
}

/**
 * The seconds a `Retry-After` header asks to wait: a number of seconds or an HTTP date; 60 when
 * there is none, as other clients of the API assume.
 */
function retryAfter(header: string | null): number {
  if (header === null || header.trim() === "") return 60;
  const seconds = Number(header);
  return Number.isFinite(seconds) ? seconds : Math.max(0, (Date.parse(header) - Date.now()) / 1000);
}

/** One parameter's readings in the order they came: times (Unix seconds) and values (null: none). */
interface Readings {
  readonly times: number[];
  readonly values: (number | null)[];
}

/** One device's readings since `after` (ms; exclusive), page after page, up to `max` readings. */
async function readings(
  client: Client,
  device: Device,
  after: number | null,
  max: number,
): Promise<Map<string, Readings>> {
  const start = after === null ? 0 : Math.floor(after / 1000) + 1;
  const url = client.url(`v1/locations/${device.id}/data?startTime=${start}`);
  const byColumn = new Map<string, Readings>();
  let page: string | undefined;
  let count = 0;
  do {
    const { json, next } = await client.get(url, page);
    for (const parameter of (json as DataPage).parameters ?? []) {
      const key = `${parameter.parameterId}\u0000${parameter.unitId}`;
      const column = byColumn.get(key) ?? { times: [], values: [] };
      byColumn.set(key, column);
      for (const reading of parameter.readings ?? []) {
        const t = reading.timestamp;
        if (!Number.isSafeInteger(t) || (after !== null && t * 1000 <= after)) continue;
        column.times.push(t);
        column.values.push(typeof reading.value === "number" ? reading.value : null);
        count++;
      }
    }
    page = next ?? undefined;
  } while (page !== undefined && count < max);
  return byColumn;
}

/**
 * A device's readings as a table: `timestamp` (UTC), the union of every parameter's times, and
 * a Float64 column per `Name.Unit`, sorted by name (parameters sharing a name are one column; a
 * time read twice keeps the later value). Typed arrays and sorted merges, not maps: the sandbox
 * runs without a JIT.
 */
function table(byColumn: Map<string, Readings>, names: Names) {
  const columns = new Map<string, Readings>();
  for (const [key, readings] of byColumn) {
    const [parameter, unit] = key.split("\u0000");
    const name = `${names.parameters[parameter] ?? parameter}.${names.units[unit] ?? unit}`;
    const same = columns.get(name);
    if (!same) columns.set(name, readings);
    else {
      for (let i = 0; i < readings.times.length; i++) {
        same.times.push(readings.times[i]);
        same.values.push(readings.values[i]);
      }
    }
  }
  let total = 0;
  for (const c of columns.values()) total += c.times.length;
  const all = new Float64Array(total);
  let at = 0;
  for (const c of columns.values()) for (const t of c.times) all[at++] = t;
  all.sort();
  const union = new Float64Array(total);
  let n = 0;
  for (let i = 0; i < total; i++) if (i === 0 || all[i] !== all[i - 1]) union[n++] = all[i];
  const times = union.subarray(0, n);
  return [
    { name: "timestamp", type: "timestamp[s, UTC]", values: BigInt64Array.from(times, BigInt) },
    ...[...columns.keys()].sort().map((name) => ({
      name,
      type: "float64",
      values: aligned(columns.get(name)!, times),
    })),
  ];
}

/** `readings`' values at each of `times` (sorted, distinct, holding all of theirs), null where none. */
function aligned(readings: Readings, times: Float64Array): (number | null)[] | Float64Array {
  const order = Array.from(readings.times.keys());
  const sorted = readings.times.every((t, i) => i === 0 || readings.times[i - 1] <= t);
  if (!sorted) order.sort((a, b) => readings.times[a] - readings.times[b]);
  const out: (number | null)[] = new Array(times.length).fill(null);
  let j = 0;
  for (const k of order) {
    while (times[j] < readings.times[k]) j++;
    out[j] = readings.values[k];
  }
  return out.includes(null) ? out : Float64Array.from(out as number[]);
}

export async function run({ config, state }: Request) {
  const client = new Client(config);
  await client.login();
  const { json } = await client.get(client.url("v1/sispec/friendlynames"));
  const names = json as Names;
  const series = [];
  const failed = [];
  for (const device of config.devices.filter((d) => d.active)) {
    const path = `devices/${device.id}/${device.name}.series`;
    try {
      if (device.name === "" || device.name.includes("/")) {
        throw new Permanent("its name must be non-empty, without /");
      }
      const byColumn = await readings(
        client,
        device,
        state.series[path]?.newest ?? null,
        config.max_points_per_run,
      );
      series.push({ path, table: table(byColumn, names) });
    } catch (e) {
      if (e instanceof Refused) throw e;
      failed.push({ what: `device ${device.name} (${device.id})`, message: (e as Error).message });
    }
  }
  return { series, failed };
}
