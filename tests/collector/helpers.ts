/** What the collector tests share: a pond with a HydroVu collector pointed at a fake server, and reading its series back. */
import { parquetMetadata } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { Pond } from "../../src/pond/mod.ts";
import { tableFromParquet } from "../../src/table/mod.ts";
import { type CliResult, pondInProcess, pondProcess } from "../cli/harness.ts";
import {
  type FakeDevice,
  FakeHydroVu,
  SONDE_PARAMETERS,
  startFakeHydroVu,
} from "../../scripts/fake_hydrovu.ts";

/** The credentials the fake server accepts; the secret is what no output or pond file may hold. */
export const CLIENT_ID = "pond-test-client";
export const SECRET = "Zq8-very-secret-4f1c9e";
/** The environment a collector run gets: the secret, named by the config. */
export const RUN_ENV = { HYDRO_KEY_VALUE: SECRET };

/** A device of the fake server, with the six sonde parameters. */
export function device(id: number, name: string, count: number, start = 1_700_000_000): FakeDevice {
  return { id, name, start, step: 60, count, parameters: SONDE_PARAMETERS };
}

/** A collector's config for `server`, with `devices` and any further YAML lines. */
export function hydrovuConfig(
  server: FakeHydroVu,
  devices: readonly FakeDevice[],
  extra = "",
  retries = 3,
): string {
  return [
    `api_url: ${server.url}`,
    `client_id: ${CLIENT_ID}`,
    "client_secret: ${env:HYDRO_KEY_VALUE}",
    "hydrovu_path: /hydrovu",
    `retries: ${retries}`,
    "backoff_s: 0.05",
    "timeout_s: 2",
    "devices:",
    ...devices.map((d) => `  - { name: ${d.name}, id: ${d.id} }`),
    extra,
  ].join("\n") + "\n";
}

/** A fresh pond with a HydroVu collector at /etc/hydrovu, a fake server and how to run it. */
export interface CollectorSetup extends AsyncDisposable {
  readonly dir: string;
  readonly pond: string;
  readonly server: FakeHydroVu;
  /** `pond ARGS` as a real process, with the secret in its environment. */
  pond$(...args: string[]): Promise<CliResult>;
  /** `pond run /etc/hydrovu ARGS…`, as a real process. */
  run(...args: string[]): Promise<CliResult>;
}

/**
 * Starts a fake server with `devices`, makes a pond in a temporary directory and the
 * collector node (in process), and removes it all when disposed.
 */
export async function collectorSetup(
  devices: readonly FakeDevice[],
  options: {
    pageSize?: number;
    overlapS?: number;
    newestFirst?: boolean;
    extra?: string;
    retries?: number;
  } = {},
): Promise<CollectorSetup> {
  const server = startFakeHydroVu({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    devices,
    pageSize: options.pageSize ?? 100,
    overlapS: options.overlapS,
    newestFirst: options.newestFirst,
  });
  const dir = await Deno.makeTempDir({ prefix: "pond-collector-" });
  const pond = `${dir}/pond`;
  const config = `${dir}/hydrovu.yaml`;
  await Deno.writeTextFile(config, hydrovuConfig(server, devices, options.extra, options.retries));
  await must(pondInProcess(["init", pond]));
  await must(
    pondInProcess(["mknod", "hydrovu", "/etc/hydrovu", "-p", "--config", config, "--yes"], {
      POND: pond,
    }),
  );
  const pond$ = (...args: string[]) => pondProcess(args, { POND: pond, ...RUN_ENV });
  return {
    dir,
    pond,
    server,
    pond$,
    run: (...args) => pond$("run", "/etc/hydrovu", ...args),
    async [Symbol.asyncDispose]() {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Fails with what it printed unless `result` exited 0. */
export async function must(result: Promise<CliResult> | CliResult): Promise<CliResult> {
  const r = await result;
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r;
}

/** One series as stored: its versions' row counts, and every row (oldest version first) by column. */
export interface StoredSeries {
  readonly versions: number[];
  readonly columns: Map<string, { type: string | undefined; values: unknown[] }>;
  readonly times: bigint[];
}

/** Series `path` of the pond in `pondDir`, read back through the library. */
export async function readSeries(pondDir: string, path: string): Promise<StoredSeries> {
  await using pond = await Pond.open(pondDir);
  const root = await pond.root();
  const versions: number[] = [];
  const columns = new Map<string, { type: string | undefined; values: unknown[] }>();
  for (const v of await root.versions(path)) {
    const file = (await root.read(path, { version: v.version })).slice().buffer;
    const table = await tableFromParquet(file, parquetMetadata(file), { compressors });
    versions.push(table[0].values.length);
    for (const column of table) {
      const entry = columns.get(column.name) ?? { type: column.type, values: [] };
      entry.values.push(...Array.from(column.values));
      columns.set(column.name, entry);
    }
  }
  return { versions, columns, times: columns.get("timestamp")!.values as bigint[] };
}

/** Whether the pond holds anything at `path`. */
export async function exists(pondDir: string, path: string): Promise<boolean> {
  await using pond = await Pond.open(pondDir);
  return (await pond.root()).exists(path);
}

/** The newest transaction of the pond in `pondDir`. */
export async function head(pondDir: string): Promise<number> {
  await using pond = await Pond.open(pondDir);
  return pond.head();
}
