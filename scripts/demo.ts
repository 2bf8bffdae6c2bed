/** The README's tour of the real pipeline: a fake HydroVu server, a pond set up with `pond apply`, collected with `pond run`, queried, downsampled and published. */
import { fileURLToPath } from "node:url";
import { DEMO_DEVICES, FakeHydroVu, startFakeHydroVu } from "./fake_hydrovu.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const HELP = `Usage: npm run demo [-- DIR]

Starts a fake HydroVu server on 127.0.0.1 serving three sondes' readings (three days,
every 15 minutes), then in DIR (made if missing; default a new temporary directory) sets
up a pond with 'pond apply' (a hydrovu collector and a temporal-reduce view), collects
with 'pond run' (twice: the second finds nothing new), queries the series with SQL, reads
a downsampled resolution and builds a static site into DIR/site, printing each pond
command before its output. The server stops when the demo ends; the pond stays.`;

if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
  console.log(HELP);
  Deno.exit(0);
}
const dir = Deno.args[0]?.replace(/(.)\/+$/, "$1") ??
  await Deno.makeTempDir({ prefix: "pond-demo-" });
await Deno.mkdir(dir, { recursive: true });
const pondDir = `${dir}/pond`;

/** What the collector logs in with: a secret of this run, handed only to `pond run` processes. */
const CREDENTIALS = { HYDRO_KEY_ID: "pond-demo", HYDRO_KEY_VALUE: crypto.randomUUID() };

/** A pond command that failed: the demo stops, naming it. */
class DemoStop extends Error {}

/** Runs one pond command in `dir` as a user would, echoing it first; stops the demo if it fails. */
async function pond(args: string[], env: Record<string, string> = {}): Promise<void> {
  const shown = args.map((a) => (/[\s*'"$()]/.test(a) ? `'${a}'` : a)).join(" ");
  console.log(`\n$ pond ${shown}`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", `${ROOT}main.ts`, ...args],
    env: { POND: pondDir, ...env },
    cwd: dir,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new DemoStop(`demo: 'pond ${shown}' failed with exit code ${code}`);
}

/** Writes `name` into `dir` and shows it, as `cat` would. */
async function file(name: string, text: string): Promise<void> {
  await Deno.writeTextFile(`${dir}/${name}`, text);
  console.log(`\n$ cat ${name}\n${text.trimEnd()}`);
}

/** The setup: where the readings go, the collector reaching `server`, and their downsampling. */
function setup(server: FakeHydroVu): string {
  return `kind: mkdir
path: /etc
---
kind: mknod
plugin: hydrovu
path: /etc/hydrovu
config:
  api_url: ${server.url}
  client_id: \${env:HYDRO_KEY_ID}
  client_secret: \${env:HYDRO_KEY_VALUE}
  hydrovu_path: /hydrovu
  devices:
${DEMO_DEVICES.map((d) => `    - { name: ${d.name}, id: ${d.id} }`).join("\n")}
---
kind: mknod
plugin: temporal-reduce
path: /reduce
config:
  in_pattern: /hydrovu/devices/*/*.series
  out_pattern: $1
  resolutions: [1h, 6h, 1d]
  aggregations:
    - { type: avg, columns: ["*"] }
    - { type: min, columns: [Temperature.C, Depth.m] }
    - { type: max, columns: [Temperature.C, Depth.m] }
`;
}

const SITE = `title: Noyo River estuary
index: |
  Three days of readings from three **HydroVu** sondes, collected by \`pond run\`.
pages:
  - name: $0
    series: /reduce/*/res=*.series
    columns: [Temperature.C.*, Depth.m.*, "Actual Conductivity.*"]
`;

/** Per sonde: its readings, temperature range, mean conductivity, and depths (a third are gaps). */
const QUERY =
  'SELECT capture1 AS device, count(*) AS readings, min("Temperature.C") AS temp_min, ' +
  'max("Temperature.C") AS temp_max, round(avg("Actual Conductivity.µS/cm")) AS cond_avg, ' +
  'count("Depth.m") AS depths FROM source GROUP BY ALL ORDER BY device';

/** One sonde's six-hourly buckets: temperature with the day, depth with the tide. */
const BUCKETS = 'SELECT timestamp, round("Temperature.C.avg", 2) AS temp_avg, ' +
  '"Temperature.C.min" AS temp_min, "Temperature.C.max" AS temp_max, ' +
  'round("Depth.m.avg", 3) AS depth_avg FROM source ORDER BY timestamp';

const server = startFakeHydroVu({
  clientId: CREDENTIALS.HYDRO_KEY_ID,
  clientSecret: CREDENTIALS.HYDRO_KEY_VALUE,
  devices: DEMO_DEVICES,
  pageSize: 96,
});
try {
  console.log(
    `A fake HydroVu server at ${server.url} serves ${DEMO_DEVICES.length} sondes; ` +
      `the pond is ${pondDir}, the commands run in ${dir}.`,
  );
  await pond(["init"]);
  await file("setup.yaml", setup(server));
  await pond(["apply", "-f", "setup.yaml", "--yes"]);
  await pond(["cat", "/etc/hydrovu"]);
  await pond(["run", "/etc/hydrovu", "--json"], CREDENTIALS);
  await pond(["run", "/etc/hydrovu", "--json"], CREDENTIALS);
  await pond(["cat", "/hydrovu/devices/*/*.series", "--sql", QUERY]);
  await pond(["cat", `/reduce/${DEMO_DEVICES[2].name}/res=6h.series`, "--sql", BUCKETS]);
  await file("site.yaml", SITE);
  await pond(["site", "build", "host:site.yaml", "host:site"]);
  await pond(["log", "--limit", "2"]);
  console.log(
    `\nThe pond stays in ${pondDir} ('POND=${pondDir} pond list /reduce', bin/pond on your ` +
      `PATH), the site in ${dir}/site/index.html. The fake server has stopped.`,
  );
} catch (e) {
  if (!(e instanceof DemoStop)) throw e;
  console.error(e.message);
  Deno.exitCode = 1;
} finally {
  await server.close();
}
