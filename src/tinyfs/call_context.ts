/** The per-call-chain stack of dynamic nodes being computed, for loop detection. */

import { TinyFsError } from "./errors.ts";

/** One dynamic node being computed: its identity and its path (for the error). */
interface Expanding {
  readonly key: string;
  readonly path: string;
}

/**
 * An immutable record of which dynamic nodes (directories being expanded, files being
 * computed) the current call chain is inside. It is passed explicitly (never global), so
 * concurrent reads never see each other's stacks: entering returns a new context and leaves
 * the old one untouched.
 *
 * @example
 * ```ts
 * const inner = CallContext.EMPTY.enter("0190…", "/views/all", "directory");
 * inner.enter("0190…", "/views/all", "directory"); // throws VisitLoop
 * ```
 */
export class CallContext {
  static readonly EMPTY = new CallContext([]);

  private constructor(readonly expanding: readonly Expanding[]) {}

  /** A context that is also computing the dynamic `kind` `key`; `VisitLoop` if it already is. */
  enter(key: string, path: string, kind: "directory" | "file"): CallContext {
    const again = this.expanding.find((e) => e.key === key);
    if (again) {
      const chain = [...this.expanding.map((e) => e.path), path].join(" -> ");
      throw new TinyFsError(
        "VisitLoop",
        path,
        `dynamic ${kind} ${path} reaches itself while it is computed (${chain}); ` +
          "change its configuration so it does not read itself",
      );
    }
    return new CallContext([...this.expanding, { key, path }]);
  }
}
