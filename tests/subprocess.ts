/** Subprocesses for tests, each killed once it outlives a deadline, so a hang fails its own test instead of stalling the whole run. */

/**
 * How long a test's subprocess may run (POND_TEST_PROCESS_DEADLINE_S seconds, default 300): far
 * over what any needs on a loaded machine, far under CI's limit for the whole run.
 */
const DEADLINE_MS = 1000 * Number(Deno.env.get("POND_TEST_PROCESS_DEADLINE_S") ?? 300);

/**
 * `new Deno.Command(program, options)`, killed (SIGTERM) at the deadline unless `options`
 * brings a signal of its own.
 *
 * @example
 * ```ts
 * const out = await command("sh", { args: ["-c", "echo hi"] }).output();
 * ```
 */
export function command(program: string | URL, options: Deno.CommandOptions = {}): Deno.Command {
  return new Deno.Command(program, { signal: AbortSignal.timeout(DEADLINE_MS), ...options });
}
