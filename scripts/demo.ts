/** The README's main job: build a pond from the sample data, list it, show its log, query it, read a file. */
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const HELP = `Usage: npm run demo [-- POND_DIR]

Builds a pond from the sample water-quality readings in samples/ (in POND_DIR, or a new
temporary directory), then lists it, shows its log and reads a file back, printing each
pond command before its output.`;

const dir = Deno.args[0] ?? `${await Deno.makeTempDir({ prefix: "pond-demo-" })}/pond`;
if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
  console.log(HELP);
  Deno.exit(0);
}

/** Runs one pond command as a user would, echoing it first; stops the demo if it fails. */
async function pond(...args: string[]): Promise<void> {
  console.log(`\n$ pond ${args.map((a) => (/[\s*'"]/.test(a) ? `'${a}'` : a)).join(" ")}`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", `${ROOT}main.ts`, ...args],
    env: { POND: dir },
    cwd: ROOT,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    console.error(`demo: 'pond ${args.join(" ")}' failed with exit code ${code}`);
    Deno.exit(code);
  }
}

console.log(`A pond in ${dir} (POND=${dir})`);
await pond("init");
await pond("mkdir", "-p", "/sites/lake_north", "/sites/lake_south", "/sites/river_inlet");
await pond("copy", "host:samples/lake_north.csv", "/sites/lake_north/readings.csv");
await pond("copy", "host:samples/lake_south.csv", "/sites/lake_south/readings.csv");
await pond("copy", "host:samples/river_inlet.parquet", "/sites/river_inlet/readings.parquet");
await pond("copy", "host:samples/sites.json", "/sites/");
await pond("list", "-l", "/sites/**");
await pond("list", "/sites/*/readings.*", "--json");
await pond("cat", "/sites/sites.json");
const config = await Deno.makeTempFile({ prefix: "pond-demo-", suffix: ".yaml" });
await Deno.writeTextFile(config, 'patterns: ["/sites/*/readings.*"]\nname: "$0.$1"\n');
await pond("mknod", "visit", "/by_site", "--config", config);
await Deno.remove(config);
await pond("list", "-l", "/by_site");
await pond("log", "--limit", "3");
await pond("describe", "/sites/river_inlet/readings.parquet");
await pond(
  "query",
  "SELECT entry_type, COUNT(*) AS n FROM oplog GROUP BY entry_type ORDER BY n DESC",
);
await pond(
  "cat",
  "/sites/*/readings.*",
  "--sql",
  "SELECT capture0 AS site, capture1 AS format, round(avg(ph), 2) AS ph FROM source GROUP BY ALL ORDER BY site",
);
await pond(
  "delta",
  "scan",
  `${dir}/oplog`,
  "--columns",
  "seq,part_id,node_id,version,entry_type,size",
);
console.log(
  `\nThe pond stays in ${dir}: try 'POND=${dir} pond list -l /sites' (bin/pond, on your PATH).`,
);
