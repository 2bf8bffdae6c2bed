/** A failure of this computer's filesystem (an OS error such as ENOTDIR) as one line naming the path. */
import { PondError } from "../errors.ts";

/** Deno's wording of an OS error: `Not a directory (os error 20): stat '/a/b'`. */
const OS_MESSAGE = /^(.+?) \(os error \d+\)(?:: (\w+) (.+))?$/s;

/** What a person can do about some OS errors, beyond their name. */
const HINTS: Record<string, string> = {
  ENAMETOOLONG: "; give it a shorter name",
  ENOSPC: "; free some space and run the command again",
  EACCES: "; check its permissions",
  EPERM: "; check its permissions",
};

/**
 * The host filesystem refused an operation: `errno` is the OS's code (`ENOTDIR`,
 * `ENAMETOOLONG`, …), `path` the host path at fault, the message one line saying both.
 *
 * @example
 * ```ts
 * throw new HostError("ENOTDIR", "/tmp/a.txt/x", "cannot create /tmp/a.txt/x: not a directory");
 * ```
 */
export class HostError extends PondError {
  constructor(
    readonly errno: string,
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super("HostFilesystem", message, options);
  }
}

/**
 * `e` as a {@link HostError} when it is an OS error from the filesystem — `cannot ACTION
 * PATH: REASON`, with the action and path given, or else those the OS message names — and
 * `e` itself otherwise.
 *
 * @example
 * ```ts
 * try { await Deno.mkdir("/etc/passwd/x"); } catch (e) { throw hostError(e, "create", "/etc/passwd/x"); }
 * ```
 */
export function hostError(e: unknown, action?: string, path?: string): unknown {
  if (!isOsError(e)) return e;
  const [, reason, op, operands] = OS_MESSAGE.exec(e.message) ?? [, e.message];
  const named = path ?? operands?.replace(/'([^']*)'/g, "$1") ?? "a file";
  const text = `cannot ${action ?? op ?? "use"} ${named}: ${lowerFirst(reason!)}${
    HINTS[e.code] ?? ""
  }`;
  return new HostError(e.code, named, text, { cause: e });
}

/** True when `e` is an error the OS reported, with its errno code (`ENOENT`, `ENOTDIR`, …). */
function isOsError(e: unknown): e is Error & { code: string } {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && !(e instanceof PondError) && typeof code === "string" &&
    /^E[A-Z0-9]+$/.test(code);
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}
