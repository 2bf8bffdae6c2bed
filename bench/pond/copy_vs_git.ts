/** Benchmark: `pond copy` of 1,000 files of 4 KiB in one commit, against `git add -A && git commit`. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/pond/copy_vs_git.ts [rounds=5]
// Each round uses fresh directories; times are whole processes, wall clock, same run.
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
  await pond(["init", p], p);
  pondMs.push(await pond(["copy", "-r", `host:${work}/files`, "/files"], p));
  const g = `${work}/git${r}`;
  await Deno.mkdir(g);
  await timed("git", ["init", "-q"], { cwd: g });
  await timed("cp", ["-r", `${work}/files`, g]);
  gitMs.push(
    await timed(
      "sh",
      ["-c", "git add -A && git -c user.name=b -c user.email=b@b commit -qm bench"],
      {
        cwd: g,
      },
    ),
  );
}
await Deno.remove(work, { recursive: true });
const [pm, gm] = [median(pondMs), median(gitMs)];
console.log(
  `pond copy, ${FILES} x 4 KiB, one commit: median ${pm.toFixed(0)} ms (${
    pondMs.map((x) => x.toFixed(0)).join(", ")
  })`,
);
console.log(
  `git add -A && git commit:            median ${gm.toFixed(0)} ms (${
    gitMs.map((x) => x.toFixed(0)).join(", ")
  })`,
);
console.log(`ratio pond/git: ${(pm / gm).toFixed(2)} (below 1 means pond is faster)`);
