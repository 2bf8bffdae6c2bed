/** Benchmark: `pond init` + `pond copy -r` of 1,000 files of 4 KiB, against `git init` + `git add -A` + `git commit`. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/pond/copy_vs_git.ts [rounds=5]
// Each round uses fresh directories; times are whole processes (two for pond, three for
// git, summed), wall clock, interleaved in the same run.
import { median, pond, timed } from "./bench_util.ts";

const ROUNDS = Number(Deno.args[0] ?? 5);
const FILES = 1000;
const work = await Deno.makeTempDir({ prefix: "pond-bench-copy-" });
await Deno.mkdir(`${work}/files`);
for (let i = 0; i < FILES; i++) {
  await Deno.writeFile(`${work}/files/f${i}.bin`, crypto.getRandomValues(new Uint8Array(4096)));
}
const pondMs: number[] = [];
const gitMs: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const p = `${work}/pond${r}`;
  pondMs.push(
    await pond(["init", p], p) + await pond(["copy", "-r", `host:${work}/files`, "/files"], p),
  );
  const g = `${work}/git${r}`;
  await Deno.mkdir(g);
  await timed("cp", ["-r", `${work}/files`, g]);
  const commit = ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "bench"];
  gitMs.push(
    await timed("git", ["init", "-q"], { cwd: g }) + await timed("git", ["add", "-A"], { cwd: g }) +
      await timed("git", commit, { cwd: g }),
  );
}
await Deno.remove(work, { recursive: true });
const [pm, gm] = [median(pondMs), median(gitMs)];
console.log(
  `pond init + copy -r, ${FILES} x 4 KiB: median ${pm.toFixed(0)} ms (${
    pondMs.map((x) => x.toFixed(0)).join(", ")
  })`,
);
console.log(
  `git init + add -A + commit:       median ${gm.toFixed(0)} ms (${
    gitMs.map((x) => x.toFixed(0)).join(", ")
  })`,
);
console.log(`ratio pond/git: ${(pm / gm).toFixed(2)} (below 1 means pond is faster)`);
