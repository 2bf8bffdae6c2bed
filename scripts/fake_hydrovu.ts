/** A fake HydroVu API on loopback, serving the documented shapes (token, friendlynames, locations, paged data) and, on demand, its faults. */

/** One parameter of a fake device: its ids and which of the device's timestamps have a reading. */
export interface FakeParameter {
  readonly parameterId: string;
  readonly unitId: string;
  /** Every `gap`-th timestamp has no reading (0: none missing). */
  readonly gap?: number;
}

/** A fake device (a HydroVu location) with readings every `step` seconds from `start`. */
export interface FakeDevice {
  readonly id: number;
  readonly name: string;
  /** Unix seconds of the first reading. */
  readonly start: number;
  readonly step: number;
  readonly count: number;
  readonly parameters: readonly FakeParameter[];
}

/** A fault served instead of an answer, to the next `times` requests whose path matches. */
export interface Fault {
  /** A substring of the request path (`/oauth/token`, `/locations/2/data`); every path when absent. */
  readonly path?: string;
  readonly kind: "401" | "429" | "500" | "drop" | "slow";
  /** How many requests it answers (default 1; Infinity for every one). */
  times?: number;
  /** For 429: the `Retry-After` seconds sent. */
  readonly retryAfter?: number;
  /** For slow: how long before answering, in ms. */
  readonly delayMs?: number;
}

/** What the server saw of one request. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** `performance.now()` when it arrived. */
  readonly at: number;
  /** What was served: a status, `drop`, or `slow` (answered late). */
  served?: string;
}

/** How the fake server behaves. */
export interface FakeOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly devices: readonly FakeDevice[];
  /** Readings per parameter per page (default 500). */
  readonly pageSize?: number;
  /** Data answers start this many seconds before the asked startTime: an overlapping window. */
  readonly overlapS?: number;
  /** Each page's readings newest first, as no client should rely on their order. */
  readonly newestFirst?: boolean;
  /** Listen on this port (default: any free one). */
  readonly port?: number;
}

/** The friendly names the server serves: a non-integer parameter id, a non-ASCII unit, and one id without a name. */
export const FRIENDLY_NAMES = {
  parameters: {
    "1": "Temperature",
    "2": "Actual Conductivity",
    "4": "Depth",
    "density": "Density",
    "9": "Battery Level",
    "17": "DO",
  },
  units: { "1": "C", "2": "µS/cm", "3": "m", "4": "g/cm3", "5": "%", "6": "mg/L" },
};

/** Six parameters as a real sonde reports them: `99` has no friendly name, `4` has gaps. */
export const SONDE_PARAMETERS: readonly FakeParameter[] = [
  { parameterId: "1", unitId: "1" },
  { parameterId: "2", unitId: "2" },
  { parameterId: "4", unitId: "3", gap: 3 },
  { parameterId: "density", unitId: "4" },
  { parameterId: "9", unitId: "5" },
  { parameterId: "99", unitId: "6", gap: 7 },
];

/** A semidiurnal tide's period (the M2 constituent), in seconds. */
const TIDE_S = 44_712;

/**
 * The value a fake device reads for a parameter at a time (Unix seconds): deterministic, so tests
 * can check it, and plausible for a sonde in an estuary — temperature and dissolved oxygen with the
 * day, conductivity, density and depth with the tide, a battery running down — each to the
 * precision a sonde reports.
 */
export function fakeValue(device: number, parameter: string, t: number): number {
  const sea = (device % 11) / 11; // how near the sea the sonde is: saltier, cooler water
  const tide = Math.sin((2 * Math.PI * t) / TIDE_S - sea);
  const day = Math.sin((2 * Math.PI * (t - 50_400)) / 86_400); // warmest about 23:00 UTC
  const noise = (Math.sin(t * 12.9898 + device * 78.233 + parameter.length) * 43_758.5453) % 1;
  const conductivity = 21_000 + 14_000 * tide + 12_000 * sea + 150 * noise;
  switch (parameter) {
    case "1":
      return round(13.2 + 1.1 * day - 0.5 * tide - 0.8 * sea + 0.05 * noise, 2);
    case "2":
      return round(conductivity, 0);
    case "4":
      return round(1.5 + 0.75 * tide + 0.4 * sea + 0.01 * noise, 3);
    case "density":
      return round(0.9994 + conductivity * 5.4e-7, 4);
    case "9":
      return round(100 - ((t / 86_400 + (device % 13) * 23) % 300) * 0.25, 1); // a fresh one every 300 days
    default:
      return round(7.8 + 0.7 * day + 0.4 * tide + 0.3 * sea + 0.05 * noise, 2);
  }
}

function round(x: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(x * scale) / scale;
}

/** Whether the device has a reading of `p` at its `i`-th timestamp. */
function hasReading(p: FakeParameter, i: number): boolean {
  return !p.gap || i % p.gap !== 0;
}

/** The readings a device holds in all: its timestamps, and each parameter's count. */
export function fakeReadings(device: FakeDevice): { times: number[]; cells: number } {
  const times = Array.from({ length: device.count }, (_, i) => device.start + i * device.step);
  const cells = device.parameters.reduce(
    (n, p) => n + times.filter((_, i) => hasReading(p, i)).length,
    0,
  );
  return { times, cells };
}

/**
 * A fake HydroVu server on 127.0.0.1: a raw HTTP/1.1 listener (so it can drop a connection or
 * stall as the real service does), one request per connection.
 *
 * @example
 * ```ts
 * await using server = startFakeHydroVu({ clientId: "id", clientSecret: "s", devices: [] });
 * server.fail({ path: "/data", kind: "500", times: 2 });
 * ```
 */
export class FakeHydroVu implements AsyncDisposable {
  readonly #listener: Deno.Listener;
  readonly #options: FakeOptions;
  readonly #faults: Fault[] = [];
  readonly #serving: Promise<void>;
  readonly #open = new Set<Deno.Conn>();
  readonly requests: SeenRequest[] = [];
  #devices: FakeDevice[];

  constructor(options: FakeOptions) {
    this.#options = options;
    this.#devices = [...options.devices];
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: options.port ?? 0 });
    this.#serving = this.#accept();
  }

  /** The API's base URL, as a collector's `api_url`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/public-api/`;
  }

  get port(): number {
    return (this.#listener.addr as Deno.NetAddr).port;
  }

  /** Serves `fault` to the next matching requests. */
  fail(fault: Fault): void {
    this.#faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Forgets every fault not yet served. */
  heal(): void {
    this.#faults.length = 0;
  }

  /** Replaces the devices (say, with more readings since). */
  setDevices(devices: readonly FakeDevice[]): void {
    this.#devices = [...devices];
  }

  /** The data requests seen for `device`. */
  dataRequests(device: number): SeenRequest[] {
    return this.requests.filter((r) => r.path.includes(`/locations/${device}/data`));
  }

  async close(): Promise<void> {
    this.#listener.close();
    for (const conn of this.#open) {
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    }
    await this.#serving;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #accept(): Promise<void> {
    const handling: Promise<void>[] = [];
    try {
      for await (const conn of this.#listener) {
        this.#open.add(conn);
        handling.push(this.#handle(conn).finally(() => this.#open.delete(conn)));
      }
    } catch {
      // The listener was closed.
    }
    await Promise.allSettled(handling);
  }

  async #handle(conn: Deno.Conn): Promise<void> {
    try {
      const request = await readRequest(conn);
      if (!request) return;
      this.requests.push(request);
      const fault = this.#takeFault(request.path);
      if (fault?.kind === "drop") {
        request.served = "drop";
        return;
      }
      if (fault?.kind === "slow") await new Promise((r) => setTimeout(r, fault.delayMs ?? 5000));
      const { status, body, headers } = fault && fault.kind !== "slow"
        ? faultAnswer(fault)
        : this.#answer(request);
      request.served = fault?.kind === "slow" ? "slow" : String(status);
      await writeResponse(conn, status, body, headers);
    } catch {
      // The client went away.
    } finally {
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    }
  }

  #takeFault(path: string): Fault | undefined {
    const i = this.#faults.findIndex((f) => f.path === undefined || path.includes(f.path));
    if (i < 0) return undefined;
    const fault = this.#faults[i];
    fault.times = fault.times! - 1;
    if (fault.times <= 0) this.#faults.splice(i, 1);
    return fault;
  }

  #answer(request: SeenRequest): Answer {
    const url = new URL(request.path, "http://fake");
    const path = url.pathname.replace(/^\/public-api/, "");
    if (path === "/oauth/token" && request.method === "POST") return this.#token(request);
    if (request.headers.authorization !== "Bearer fake-token") {
      return { status: 401, body: { error: "unauthorized" } };
    }
    if (path === "/v1/sispec/friendlynames") return { status: 200, body: FRIENDLY_NAMES };
    if (path === "/v1/locations/list") {
      return {
        status: 200,
        body: this.#devices.map((d) => ({
          id: d.id,
          name: d.name,
          description: `fake ${d.name}`,
          gps: { latitude: 39.4, longitude: -123.8 },
        })),
      };
    }
    const data = /^\/v1\/locations\/(\d+)\/data$/.exec(path);
    if (data) {
      return this.#data(Number(data[1]), url, request.headers["x-isi-start-page"]);
    }
    return { status: 404, body: { error: "not found" } };
  }

  #token(request: SeenRequest): Answer {
    const form = new URLSearchParams(request.body);
    let id = form.get("client_id"), secret = form.get("client_secret");
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? "");
    if (basic) [id, secret] = atob(basic[1]).split(/:(.*)/s);
    if (id !== this.#options.clientId || secret !== this.#options.clientSecret) {
      return { status: 401, body: { error: "invalid_client" } };
    }
    return {
      status: 200,
      body: { access_token: "fake-token", token_type: "Bearer", expires_in: 3600 },
    };
  }

  #data(id: number, url: URL, page: string | undefined): Answer {
    const device = this.#devices.find((d) => d.id === id);
    if (!device) return { status: 200, body: { locationId: id, parameters: [] } };
    const start = Number(url.searchParams.get("startTime") ?? 0) - (this.#options.overlapS ?? 0);
    const { times } = fakeReadings(device);
    const from = times.findIndex((t) => t >= start);
    const first = from < 0 ? times.length : from;
    const offset = page === undefined ? first : Number(atob(page));
    const size = this.#options.pageSize ?? 500;
    const end = Math.min(times.length, offset + size);
    const parameters = device.parameters.map((p) => {
      const readings = times.slice(offset, end).flatMap((t, j) =>
        hasReading(p, offset + j) ? [{ timestamp: t, value: fakeValue(id, p.parameterId, t) }] : []
      );
      if (this.#options.newestFirst) readings.reverse();
      return { customParameter: false, parameterId: p.parameterId, unitId: p.unitId, readings };
    });
    const headers: Record<string, string> = end < times.length
      ? { "x-isi-next-page": btoa(String(end)) }
      : {};
    return { status: 200, body: { locationId: id, parameters }, headers };
  }
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

function faultAnswer(fault: Fault): Answer {
  switch (fault.kind) {
    case "401":
      return { status: 401, body: { error: "unauthorized" } };
    case "429":
      return {
        status: 429,
        body: { error: "too many requests" },
        headers: { "retry-after": String(fault.retryAfter ?? 1) },
      };
    default:
      return { status: 500, body: { error: "internal error" } };
  }
}

/**
 * Starts a fake HydroVu server (see {@link FakeHydroVu}).
 *
 * @example
 * ```ts
 * const server = startFakeHydroVu({ clientId: "id", clientSecret: "s", devices: [] });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export function startFakeHydroVu(options: FakeOptions): FakeHydroVu {
  return new FakeHydroVu(options);
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  401: "Unauthorized",
  404: "Not Found",
  429: "Too Many Requests",
  500: "Internal Server Error",
};

async function writeResponse(
  conn: Deno.Conn,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const head = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Status"}`,
    "content-type: application/json",
    `content-length: ${bytes.length}`,
    "connection: close",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    "",
    "",
  ].join("\r\n");
  const headBytes = new TextEncoder().encode(head);
  const whole = new Uint8Array(headBytes.length + bytes.length);
  whole.set(headBytes);
  whole.set(bytes, headBytes.length);
  for (let at = 0; at < whole.length;) at += await conn.write(whole.subarray(at));
}

/** One HTTP/1.1 request from `conn` (headers lower-cased), or undefined when it closed first. */
async function readRequest(conn: Deno.Conn): Promise<SeenRequest | undefined> {
  const at = performance.now();
  let buffer = new Uint8Array(0);
  const chunk = new Uint8Array(65536);
  const more = async () => {
    const n = await conn.read(chunk);
    if (n === null) return false;
    const next = new Uint8Array(buffer.length + n);
    next.set(buffer);
    next.set(chunk.subarray(0, n), buffer.length);
    buffer = next;
    return true;
  };
  let end: number;
  while ((end = indexOfHeadEnd(buffer)) < 0) if (!(await more())) return undefined;
  const [line, ...lines] = new TextDecoder().decode(buffer.subarray(0, end)).split("\r\n");
  const [method, path] = line.split(" ");
  const headers: Record<string, string> = {};
  for (const h of lines) {
    const i = h.indexOf(":");
    if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  const length = Number(headers["content-length"] ?? 0);
  while (buffer.length < end + 4 + length) if (!(await more())) break;
  const body = new TextDecoder().decode(buffer.subarray(end + 4, end + 4 + length));
  return { method, path, headers, body, at };
}

function indexOfHeadEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}

/** Three sondes of the Noyo River estuary, three days of 15-minute readings (28 Nov – 1 Dec 2026, UTC): what the demo collects. */
export const DEMO_DEVICES: readonly FakeDevice[] = [
  ["NoyoCenterVulink_1", 4990594334457856],
  ["NoyoCenterAT500_2", 5859376846209024],
  ["NoyoHarborAT500_3", 6210937526468608],
].map(([name, id]) => ({
  id: id as number,
  name: name as string,
  start: Date.UTC(2026, 10, 28) / 1000,
  step: 900,
  count: 3 * 96,
  parameters: SONDE_PARAMETERS,
}));

// npx deno run -A scripts/fake_hydrovu.ts [PORT]: serves DEMO_DEVICES (PORT 0 or none: a free one)
// to $HYDRO_KEY_ID / $HYDRO_KEY_VALUE (default demo-id / demo-secret), and prints its URL.
if (import.meta.main) {
  const server = startFakeHydroVu({
    clientId: Deno.env.get("HYDRO_KEY_ID") ?? "demo-id",
    clientSecret: Deno.env.get("HYDRO_KEY_VALUE") ?? "demo-secret",
    port: Number(Deno.args[0] ?? 0),
    devices: DEMO_DEVICES,
    pageSize: 96,
  });
  console.log(server.url);
}
