/** Matching a compiled glob one name at a time: the pattern positions a walk carries, and whole paths. */

import { type Glob, matchSegment } from "./glob.ts";

/** A position in the pattern: the next segment to match, and what was captured so far. */
export interface MatchState {
  readonly at: number;
  readonly captures: readonly string[];
}

/** Where every match starts: the first segment, nothing captured. */
export const START: readonly MatchState[] = [{ at: 0, captures: [] }];

/**
 * The states plus, for each non-final `**`, the state where it has matched no directory.
 *
 * @example
 * ```ts
 * import { compileGlob } from "./mod.ts";
 *
 * closure(compileGlob("/a/**\u002fb"), START).map((s) => s.at); // [0]
 * ```
 */
export function closure(glob: Glob, states: readonly MatchState[]): MatchState[] {
  const out: MatchState[] = [];
  const seen = new Set<number>();
  const add = (state: MatchState) => {
    if (seen.has(state.at)) return;
    seen.add(state.at);
    out.push(state);
    if (glob.segments[state.at].kind === "any-dirs" && state.at < glob.segments.length - 1) {
      add({ at: state.at + 1, captures: state.captures });
    }
  };
  states.forEach(add);
  return out;
}

/**
 * Matches one child name from the `live` states (already closed over `**`): its captures if
 * the pattern ends here (`complete`), and the states continuing below it (`next`).
 *
 * @example
 * ```ts
 * import { compileGlob } from "./mod.ts";
 *
 * const glob = compileGlob("/in/*");
 * step(glob, closure(glob, START), "in").next; // [{ at: 1, captures: [] }]
 * ```
 */
export function step(
  glob: Glob,
  live: readonly MatchState[],
  name: string,
): { complete: readonly string[] | undefined; next: MatchState[] } {
  let complete: readonly string[] | undefined;
  const next: MatchState[] = [];
  const push = (state: MatchState) => {
    if (!next.some((s) => s.at === state.at)) next.push(state);
  };
  for (const state of live) {
    const segment = glob.segments[state.at];
    const matched = matchSegment(segment, name);
    if (!matched) continue;
    const captures = [...state.captures, ...matched];
    const last = state.at === glob.segments.length - 1;
    if (segment.kind === "any-dirs") push({ at: state.at, captures });
    else if (!last) push({ at: state.at + 1, captures });
    if (last) complete ??= captures;
  }
  return { complete, next };
}

/**
 * Matches a whole absolute path, given as its names from the root, against `glob`; returns
 * the captures as a walk would report them, or `undefined` when it does not match.
 *
 * @example
 * ```ts
 * import { compileGlob } from "./mod.ts";
 *
 * matchPath(compileGlob("/sites/*\u002fsummary"), ["sites", "a", "summary"]); // ["a"]
 * matchPath(compileGlob("/sites/*\u002fsummary"), ["sites", "summary"]);      // undefined
 * ```
 */
export function matchPath(glob: Glob, names: readonly string[]): readonly string[] | undefined {
  let states: readonly MatchState[] = START;
  for (let i = 0; i < names.length && states.length > 0; i++) {
    const { complete, next } = step(glob, closure(glob, states), names[i]);
    if (i === names.length - 1) return complete;
    states = next;
  }
  return undefined;
}
