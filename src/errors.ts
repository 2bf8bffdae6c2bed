/** The root of pond's typed errors: every failure a user can cause carries a stable code. */

/**
 * An error pond expects and can explain: it has a stable `code` (for scripts and tests)
 * and a message that names the thing at fault and, where possible, what to do next.
 * The CLI prints such errors as one line, without a stack trace.
 *
 * @example
 * ```ts
 * throw new PondError("NotAPond", "/tmp/x is not a pond: run `pond init /tmp/x` first");
 * ```
 */
export class PondError extends Error {
  constructor(readonly code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** True when `e` is a {@link PondError}, optionally with the given code. */
export function isPondError(e: unknown, code?: string): e is PondError {
  return e instanceof PondError && (code === undefined || e.code === code);
}
