/** A throwaway pond for tests: made with the CLI, changed through the library, run through the CLI. */
import assert from "node:assert/strict";
import { Pond } from "../../src/pond/pond.ts";
import { isTinyFsError, type WD } from "../../src/tinyfs/mod.ts";
import { type CliResult, pondInProcess } from "../cli/harness.ts";

/** A pond in a temporary directory. */
export interface TestPond {
  /** The pond's directory. */
  readonly dir: string;
  /** A scratch directory on the host, beside the pond. */
  readonly host: string;
  /** Runs `pond ARGS` in this process against this pond. */
  run(args: string[]): Promise<CliResult>;
  /** Runs `body` as one transaction through a freshly opened pond; returns its seq. */
  change(body: (root: WD) => Promise<unknown>): Promise<number | null>;
  /** A freshly opened pond, as another process would see it. */
  open(): Promise<Pond>;
}

/**
 * Runs `fn` with a new empty pond (made by `pond init`), removed afterwards.
 *
 * @example
 * ```ts
 * await withPond(async (p) => { await p.change((root) => root.write("/a", "x")); });
 * ```
 */
export async function withPond(fn: (p: TestPond) => Promise<void>): Promise<void> {
  const host = await Deno.makeTempDir();
  try {
    const dir = `${host}/pond`;
    const init = await pondInProcess(["init", dir]);
    assert.equal(init.code, 0, init.stderr);
    await fn({
      dir,
      host,
      run: (args) => pondInProcess(args, { POND: dir }),
      async change(body) {
        const pond = await Pond.open(dir);
        return (await pond.transact(["test"], body)).seq;
      },
      open: () => Pond.open(dir),
    });
  } finally {
    await Deno.remove(host, { recursive: true });
  }
}

/**
 * Asserts a command failed with `code` and printed one line on stderr matching `message`.
 *
 * @example
 * ```ts
 * assertFails(await p.run(["rm", "/nope"]), 1, /does not exist/);
 * ```
 */
export function assertFails(r: CliResult, code: number, message: RegExp | string): void {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  if (typeof message === "string") assert.equal(r.stderr, message);
  else assert.match(r.stderr, message);
  assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
}

/**
 * Asserts a command succeeded, and returns what it printed.
 *
 * @example
 * ```ts
 * const out = assertOk(await p.run(["list"])).stdout;
 * ```
 */
export function assertOk(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit code; stderr: ${r.stderr}`);
  return r;
}

/**
 * The file contents at `path` in a fresh view of the pond (as of `seq`), as text.
 *
 * @example
 * ```ts
 * assert.equal(await readText(p, "/a.txt"), "hello");
 * ```
 */
export async function readText(p: TestPond, path: string, seq?: number): Promise<string> {
  const root = await (await p.open()).root(seq === undefined ? undefined : { seq });
  return new TextDecoder().decode(await root.read(path));
}

/**
 * Whether something is at `path` (a dangling symlink counts) in a fresh view of the pond.
 *
 * @example
 * ```ts
 * assert.equal(await present(p, "/gone.txt"), false);
 * ```
 */
export async function present(p: TestPond, path: string): Promise<boolean> {
  const root = await (await p.open()).root();
  try {
    await root.open(path, { follow: false });
    return true;
  } catch (e) {
    if (isTinyFsError(e, "NotFound")) return false;
    throw e;
  }
}

/** The built-in plugins, by name in the order `pond plugin list` shows them: what every pond has. */
export const BUILTIN_PLUGINS = [
  "derived",
  "hydrovu",
  "reverse",
  "sql-derived",
  "temporal-reduce",
  "timeseries-join",
  "timeseries-pivot",
  "visit",
] as const;
