/** The per-call-chain stack of dynamic directories being expanded, for loop detection. */

import { TinyFsError } from "./errors.ts";

/** One dynamic directory being expanded: its identity and its path (for the error). */
interface Expanding {
  readonly key: string;
  readonly path: string;
}

/**
 * An immutable record of which dynamic directories the current call chain is expanding.
 * It is passed explicitly (never global), so concurrent reads never see each other's
 * stacks: entering returns a new context and leaves the old one untouched.
 *
 * @example
 * ```ts
 * const inner = CallContext.EMPTY.enter("0190…", "/views/all");
 * inner.enter("0190…", "/views/all"); // throws VisitLoop
 * ```
 */
export class CallContext {
  static readonly EMPTY = new CallContext([]);

  private constructor(readonly expanding: readonly Expanding[]) {}

  /** A context that is also expanding `key`; `VisitLoop` if it already is. */
  enter(key: string, path: string): CallContext {
    const again = this.expanding.find((e) => e.key === key);
    if (again) {
      const chain = [...this.expanding.map((e) => e.path), path].join(" -> ");
      throw new TinyFsError(
        "VisitLoop",
        path,
        `dynamic directory ${path} reaches itself while computing its entries (${chain}); ` +
          "change its configuration so it does not read its own contents",
      );
    }
    return new CallContext([...this.expanding, { key, path }]);
  }
}
