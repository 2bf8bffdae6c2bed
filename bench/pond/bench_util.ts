/** Shared by the pond benchmarks: run the real CLI as a process, time it, measure disk use. */
import { fileURLToPath } from "node:url";
import { Pond } from "../../src/pond/mod.ts";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The median of some numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs a command (stdout discarded) and returns its wall time in ms; throws if it fails. */
export async function timed(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
) {
  const start = performance.now();
  const out = await new Deno.Command(cmd, { args, ...opts, stdout: "null", stderr: "piped" })
    .output();
  const ms = performance.now() - start;
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return ms;
}

/** `pond ARGS` as a user runs it: a new Deno process on main.ts. */
export function pond(args: string[], pondDir: string, cwd?: string): Promise<number> {
  return timed(Deno.execPath(), ["run", "--no-prompt", "-A", `${ROOT}main.ts`, ...args], {
    cwd,
    env: { POND: pondDir },
  });
}

/** One GNU time figure (its `-f` format, e.g. `%M`) of a command, stdout discarded. */
async function gnuTime(format: string, cmd: string, args: string[], env: Record<string, string>) {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", format, cmd, ...args],
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stderr).trim().split("\n").at(-1)!;
}

/** Peak resident memory (KiB) of a command, via GNU time. */
export async function peakRssKiB(cmd: string, args: string[], env: Record<string, string> = {}) {
  return Number(await gnuTime("%M", cmd, args, env));
}

/**
 * CPU seconds (user + system) of a command, via GNU time: on a shared machine a fairer
 * comparison than wall time, which also counts waiting for a core.
 */
export async function cpuSeconds(cmd: string, args: string[], env: Record<string, string> = {}) {
  const [user, system] = (await gnuTime("%U %S", cmd, args, env)).split(" ").map(Number);
  return user + system;
}

/** What one process took: wall time (ms) and CPU seconds (user + system, via GNU time). */
export interface Measured {
  ms: number;
  cpu: number;
}

/**
 * Runs a command (stdout discarded) under GNU time and returns its wall time and CPU
 * seconds; throws if it fails.
 */
export async function measured(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Measured> {
  const start = performance.now();
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%U %S", cmd, ...args],
    ...opts,
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed: ${lines.join("\n")}`);
  const [user, system] = lines.at(-1)!.split(" ").map(Number);
  return { ms, cpu: user + system };
}

/** The sum of several processes' figures (a sequence of commands as one). */
export function summed(runs: Measured[]): Measured {
  return runs.reduce((a, b) => ({ ms: a.ms + b.ms, cpu: a.cpu + b.cpu }), { ms: 0, cpu: 0 });
}

/** Total bytes of the files under `dir`. */
export async function diskBytes(dir: string): Promise<number> {
  let total = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) total += await diskBytes(p);
    else if (e.isFile) total += (await Deno.stat(p)).size;
  }
  return total;
}

/**
 * A pond in `dir` of `n` transactions after one that makes ten directories, each writing one
 * small file into one of them: a long history of small commits.
 */
export async function historyPond(dir: string, n: number): Promise<string> {
  const pond = await Pond.init(dir);
  await pond.transact(["mkdir"], async (root) => {
    for (let d = 0; d < 10; d++) await root.createDirectory(`/dir${d}`);
  });
  for (let t = 0; t < n; t++) {
    await pond.transact(
      ["add"],
      (root) => root.write(`/dir${t % 10}/f${t}.txt`, `transaction ${t}\n`),
    );
  }
  return dir;
}

/**
 * Runs each measure `runs` times after a warm-up, interleaved A B A B, and prints their medians
 * and the median of the pairs' ratios.
 */
export async function compare(
  runs: number,
  label: string,
  a: () => Promise<number>,
  b: () => Promise<number>,
  names: [string, string],
): Promise<void> {
  await a();
  await b();
  const as: number[] = [], bs: number[] = [], ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    const x = await a(), y = await b();
    as.push(x);
    bs.push(y);
    ratios.push(x / y);
  }
  console.log(
    `${label}: ${names[0]} ${median(as).toFixed(1)} ms, ${names[1]} ${median(bs).toFixed(1)} ms, ` +
      `ratio (median of pairs) ${median(ratios).toFixed(2)}`,
  );
}
