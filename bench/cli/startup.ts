/** Benchmark: how long small pond commands take to start, from source and from the bundle, against `deno run` of an empty script. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/cli/startup.ts [runs=15]
// Builds the bundle (scripts/compile.ts --bundle) into a temporary directory, makes an empty
// pond, then runs each case in turn, RUNS rounds, each a fresh process, and prints each case's
// median wall time and its ratio to the baseline measured in the same rounds.
import { fileURLToPath } from "node:url";

const RUNS = Number(Deno.args[0] ?? 15);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function wallMs(args: string[]): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  if (!out.success) {
    throw new Error(`deno ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return ms;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

const work = await Deno.makeTempDir({ prefix: "pond-startup-" });
try {
  const dist = `${work}/dist`;
  const build = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", `${ROOT}scripts/compile.ts`, "--bundle", "--out", dist],
    stderr: "piped",
  }).output();
  if (!build.success) throw new Error(new TextDecoder().decode(build.stderr));
  const empty = `${work}/empty.ts`;
  await Deno.writeTextFile(empty, "");
  const pond = `${work}/pond`;
  await wallMs(["run", "--no-prompt", "-A", `${ROOT}main.ts`, "init", pond]);
  const small = [["--help"], ["--version"], ["help", "list"], ["list", "/", "--pond", pond]];
  const cases: [string, string[]][] = [["deno run empty.ts (baseline)", ["run", "-A", empty]]];
  for (const [from, entry] of [["source", `${ROOT}main.ts`], ["bundle", `${dist}/pond.js`]]) {
    for (const args of small) {
      cases.push([`pond ${args.join(" ").replace(pond, "POND")} (${from})`, [
        "run",
        "--no-prompt",
        "-A",
        entry,
        ...args,
      ]]);
    }
  }
  for (const [, args] of cases) await wallMs(args); // warm the module caches
  const times = cases.map(() => [] as number[]);
  for (let round = 0; round < RUNS; round++) {
    for (const [i, [, args]] of cases.entries()) times[i].push(await wallMs(args));
  }
  const baseline = median(times[0]);
  console.log(`median wall time of ${RUNS} fresh processes each, ratio to the baseline:`);
  for (const [i, [name]] of cases.entries()) {
    const ms = median(times[i]);
    console.log(
      `  ${name.padEnd(40)} ${ms.toFixed(0).padStart(5)} ms  ${(ms / baseline).toFixed(2)}x`,
    );
  }
} finally {
  await Deno.remove(work, { recursive: true });
}
