/** Benchmark: `pond init` + `pond copy -r` of 1,000 files of 4 KiB, against `git init` + `git add -A` + `git commit`. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/pond/copy_vs_git.ts [rounds=5]
// Each round uses fresh directories and runs pond then git, so each round is a pair measured
// under the same load; times are whole processes (two for pond, three for git, summed). Prints
// the medians and the median of the rounds' ratios, of wall time and of CPU seconds. git
// writes no fsync here (its default), pond makes its commit durable (a few fsyncs).
import { type Measured, measured, median, ROOT, summed } from "./bench_util.ts";

const ROUNDS = Number(Deno.args[0] ?? 5);
const FILES = 1000;
const work = await Deno.makeTempDir({ prefix: "pond-bench-copy-" });
await Deno.mkdir(`${work}/files`);
for (let i = 0; i < FILES; i++) {
  await Deno.writeFile(`${work}/files/f${i}.bin`, crypto.getRandomValues(new Uint8Array(4096)));
}
const pondRun = (p: string, args: string[]) =>
  measured(Deno.execPath(), ["run", "--no-prompt", "-A", `${ROOT}main.ts`, ...args], {
    env: { POND: p },
  });
const pondRuns: Measured[] = [];
const gitRuns: Measured[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const p = `${work}/pond${r}`;
  pondRuns.push(summed([
    await pondRun(p, ["init", p]),
    await pondRun(p, ["copy", "-r", `host:${work}/files`, "/files"]),
  ]));
  const g = `${work}/git${r}`;
  await Deno.mkdir(g);
  await new Deno.Command("cp", { args: ["-r", `${work}/files`, g] }).output();
  const commit = ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "bench"];
  gitRuns.push(summed([
    await measured("git", ["init", "-q"], { cwd: g }),
    await measured("git", ["add", "-A"], { cwd: g }),
    await measured("git", commit, { cwd: g }),
  ]));
}
await Deno.remove(work, { recursive: true });
const show = (runs: Measured[]) =>
  `wall median ${median(runs.map((m) => m.ms)).toFixed(0)} ms (${
    runs.map((m) => m.ms.toFixed(0)).join(", ")
  }), CPU median ${median(runs.map((m) => m.cpu)).toFixed(2)} s`;
const ratio = (key: keyof Measured) =>
  median(pondRuns.map((m, i) => m[key] / gitRuns[i][key])).toFixed(2);
console.log(`pond init + copy -r, ${FILES} x 4 KiB: ${show(pondRuns)}`);
console.log(`git init + add -A + commit:       ${show(gitRuns)}`);
console.log(
  `ratio pond/git, median of ${ROUNDS} rounds: wall ${ratio("ms")}, CPU ${ratio("cpu")} ` +
    "(below 1 means pond is faster)",
);
