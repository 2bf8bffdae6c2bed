/** Benchmark: what plugins cost a pond command that touches no dynamic node. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/plugin_host/startup.ts [runs=21]
// Medians over fresh processes, run in turn:
// - `pond list /` on a small pond (two directories, no dynamic node), wall time;
// - the same process's share for plugins: importing src/plugin_host/mod.ts (after tinyfs, which
//   every command loads anyway) and getting the built-ins.

const RUNS = Number(Deno.args[0] ?? 21);
const ROOT = new URL("../../", import.meta.url);
const MAIN = new URL("main.ts", ROOT).pathname;

const probe = `
await import(${JSON.stringify(new URL("src/tinyfs/mod.ts", ROOT).href)});
const start = performance.now();
const host = await import(${JSON.stringify(new URL("src/plugin_host/mod.ts", ROOT).href)});
await host.builtinPlugins();
console.log(performance.now() - start);
`;

async function run(args: string[]): Promise<{ ms: number; stdout: string }> {
  const start = performance.now();
  const out = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT, stderr: "inherit" })
    .output();
  if (!out.success) throw new Error(`deno ${args.join(" ")} failed`);
  return { ms: performance.now() - start, stdout: new TextDecoder().decode(out.stdout) };
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

const pond = await Deno.makeTempDir({ prefix: "pond-startup-" });
try {
  const pondCmd = (...args: string[]) => ["run", "--no-prompt", "-A", MAIN, ...args];
  await run(pondCmd("init", "--pond", pond));
  await run(pondCmd("mkdir", "--pond", pond, "/a", "/b"));
  const list: number[] = [];
  const plugins: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    list.push((await run(pondCmd("list", "--pond", pond, "/"))).ms);
    plugins.push(Number((await run(["eval", probe])).stdout));
  }
  console.log(`pond list / (no dynamic node): ${median(list).toFixed(0)} ms median of ${RUNS}`);
  console.log(`  plugin host import + built-ins: ${median(plugins).toFixed(1)} ms`);
} finally {
  await Deno.remove(pond, { recursive: true });
}
