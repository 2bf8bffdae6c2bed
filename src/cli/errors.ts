/** Errors of the command line itself: a usage error is the user's wrong words, exit code 2. */
import { PondError } from "../errors.ts";

/**
 * The command line was malformed: an unknown option, a missing argument, too many
 * arguments. The CLI prints the message and a hint to `--help`, and exits with code 2.
 *
 * @example
 * ```ts
 * throw new UsageError("mkdir needs at least one PATH");
 * ```
 */
export class UsageError extends PondError {
  constructor(message: string) {
    super("Usage", message);
  }
}
