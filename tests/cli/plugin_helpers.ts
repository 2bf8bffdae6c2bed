/** Helpers for the plugin tests across real processes: run pond on a test pond, host files, count commits. */
import type { TestPond } from "../pond/fixture.ts";
import { type CliResult, pondProcess } from "./harness.ts";

/**
 * Runs `pond ARGS` as a separate process against `p`'s pond.
 *
 * @example
 * ```ts
 * assertOk(await pond(p, ["cat", "/all.csv"]));
 * ```
 */
export function pond(
  p: TestPond,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return pondProcess(args, { POND: p.dir, ...env });
}

/**
 * Writes `text` to `name` in the host scratch directory; returns its path.
 *
 * @example
 * ```ts
 * const config = await hostFile(p, "v.yaml", "patterns: [/in/*]\n");
 * ```
 */
export async function hostFile(p: TestPond, name: string, text: string): Promise<string> {
  await Deno.writeTextFile(`${p.host}/${name}`, text);
  return `${p.host}/${name}`;
}

/**
 * The number of transactions committed, from the Delta log on disk.
 *
 * @example
 * ```ts
 * const head = await commits(p); // later: assert.equal(await commits(p), head)
 * ```
 */
export async function commits(p: TestPond): Promise<number> {
  return (await Array.fromAsync(Deno.readDir(`${p.dir}/oplog/_delta_log`)))
    .filter((e) => e.name.endsWith(".json")).length;
}
