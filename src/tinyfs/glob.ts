/** Glob patterns: `*`, `**`, `?`, `[...]`, `{a,b}` per path segment, matched with captures; dot names hidden. */

import { TinyFsError } from "./errors.ts";
import { pathProblem, quoted } from "./path.ts";

/** One piece of a segment pattern. */
type Token =
  | { readonly t: "text"; readonly chars: readonly string[] }
  | { readonly t: "star" }
  | { readonly t: "one" }
  | {
    readonly t: "class";
    readonly negate: boolean;
    readonly ranges: readonly (readonly [number, number])[];
  }
  | { readonly t: "alt"; readonly options: readonly (readonly Token[])[] };

/**
 * One `/`-separated part of a pattern: a plain name (looked up, never listed), `**` (zero or
 * more directories, or everything beneath when last), or a wildcard pattern.
 */
export type GlobSegment =
  | { readonly kind: "literal"; readonly name: string }
  | { readonly kind: "any-dirs" }
  | { readonly kind: "pattern"; readonly source: string; readonly program: readonly Op[] };

/**
 * A wildcard segment compiled to steps that name their successor, alternatives as branches
 * that rejoin, so whether the rest of a name matches from a step depends only on the step and
 * the position: a matcher can remember the failures and never retry them. The segment starts
 * at its last step.
 */
type Op =
  | { readonly op: "end" }
  | { readonly op: "text"; readonly chars: readonly string[]; readonly next: number }
  | { readonly op: "one" | "star"; readonly next: number }
  | {
    readonly op: "class";
    readonly negate: boolean;
    readonly ranges: readonly (readonly [number, number])[];
    readonly next: number;
  }
  | { readonly op: "alt"; readonly starts: readonly number[] };

/**
 * How many plain patterns a glob's braces may stand for (`{a,b}{c,d}` stands for 4), and how
 * many wildcards (`*`, `?`, `[...]`, `**`) it may hold. Checked before anything is matched,
 * so a pattern's cost is bounded whoever wrote it.
 */
export const GLOB_LIMITS = { alternatives: 1024, wildcards: 64 } as const;

/** A compiled glob pattern. */
export interface Glob {
  readonly absolute: boolean;
  /** How many leading `..` the pattern starts with (leading `.` are dropped). */
  readonly up: number;
  readonly segments: readonly GlobSegment[];
  /** The pattern ends in `/`: only directories match. */
  readonly directoriesOnly: boolean;
}

/**
 * Compiles a glob pattern. Syntax, per segment: `*` any run of characters (captured), `?` one
 * character, `[abc]` `[a-z]` `[!a]` (or `[^a]`) one character of a class, `{a,b}` one of the
 * alternatives (which may hold wildcards; braces cannot span `/`), `\x` a literal `x`. A
 * segment that is exactly `**` matches zero or more directories and captures each one's name;
 * as the last segment it matches everything beneath, capturing each name down to the match.
 * `.` and `..` may only lead a relative pattern. Names starting with `.` are hidden, as in a
 * shell: `*`, `?`, `[...]` and `**` never match a leading `.`, only a literal `.` does (`.*`,
 * `/.pond/*`). Malformed patterns, patterns longer than a path may be, and patterns over
 * {@link GLOB_LIMITS} are `InvalidPath`.
 *
 * @example
 * ```ts
 * const glob = compileGlob("/in/{a,b}/data-?.csv");
 * glob.segments.length; // 3
 * ```
 */
export function compileGlob(pattern: string): Glob {
  if (pattern === "") throw invalid(pattern, "an empty pattern matches nothing");
  if (pattern.includes("\0")) throw invalid(pattern, "it contains a NUL character");
  const problem = pathProblem(pattern);
  if (problem) throw invalid(pattern, `it is ${problem}`);
  const raw = pattern.split("/").filter((s) => s !== "");
  let up = 0;
  let i = 0;
  for (; i < raw.length && (raw[i] === "." || raw[i] === ".."); i++) {
    if (raw[i] === "..") up++;
  }
  const cost = { alternatives: 1, wildcards: 0 };
  const segments = raw.slice(i).map((s) => compileSegment(s, pattern, cost));
  return {
    absolute: pattern.startsWith("/"),
    up,
    segments,
    directoriesOnly: pattern.endsWith("/") && raw.length > 0,
  };
}

/**
 * Matches one name against one segment; returns the captures (one per `*`, in order; the
 * name itself for `**`), or `undefined` when the name does not match. Where several `*` could
 * split a name differently, earlier stars take the shortest text. A name starting with `.`
 * matches only where the segment spells that `.` out.
 *
 * @example
 * ```ts
 * const [seg] = compileGlob("*-*.csv").segments;
 * matchSegment(seg, "a-b-c.csv"); // ["a", "b-c"]
 * matchSegment(seg, "a.txt");     // undefined
 * matchSegment(compileGlob("*").segments[0], ".hidden"); // undefined
 * ```
 */
export function matchSegment(segment: GlobSegment, name: string): string[] | undefined {
  switch (segment.kind) {
    case "literal":
      return name === segment.name ? [] : undefined;
    case "any-dirs":
      return name.startsWith(".") ? undefined : [name];
    case "pattern": {
      const chars = Array.from(name);
      const failed = new Uint8Array(segment.program.length * (chars.length + 1));
      const run: Run = (pc, at, captured) => {
        const key = pc * (chars.length + 1) + at;
        if (failed[key]) return undefined;
        const found = runOp(segment.program[pc], chars, at, captured, run);
        if (!found) failed[key] = 1;
        return found;
      };
      const found = run(segment.program.length - 1, 0, undefined);
      if (!found) return undefined;
      const captures: string[] = [];
      for (let c = found.captured; c; c = c.previous) {
        captures.push(chars.slice(c.start, c.end).join(""));
      }
      return captures.reverse();
    }
  }
}

/** What the stars took so far, last first: a list shared between the tries that extend it. */
type Captured = { readonly start: number; readonly end: number; readonly previous?: Captured };
type Run = (pc: number, at: number, captured?: Captured) => { captured?: Captured } | undefined;

/**
 * One step of a segment's program at `at`, continuing with `run`. Whether it matches depends
 * only on the step and `at`, so `run` remembers failures.
 */
function runOp(
  op: Op,
  chars: readonly string[],
  at: number,
  captured: Captured | undefined,
  run: Run,
): { captured?: Captured } | undefined {
  if (op.op !== "text" && op.op !== "alt" && op.op !== "end" && at === 0 && chars[0] === ".") {
    return undefined;
  }
  switch (op.op) {
    case "end":
      return at === chars.length ? { captured } : undefined;
    case "text": {
      for (let k = 0; k < op.chars.length; k++) {
        if (chars[at + k] !== op.chars[k]) return undefined;
      }
      return run(op.next, at + op.chars.length, captured);
    }
    case "one":
      return at < chars.length ? run(op.next, at + 1, captured) : undefined;
    case "class": {
      if (at >= chars.length) return undefined;
      const c = chars[at].codePointAt(0)!;
      const inside = op.ranges.some(([lo, hi]) => lo <= c && c <= hi);
      return inside !== op.negate ? run(op.next, at + 1, captured) : undefined;
    }
    case "star": {
      for (let end = at; end <= chars.length; end++) {
        const found = run(op.next, end, { start: at, end, previous: captured });
        if (found) return found;
      }
      return undefined;
    }
    case "alt": {
      for (const start of op.starts) {
        const found = run(start, at, captured);
        if (found) return found;
      }
      return undefined;
    }
  }
}

/** Lays `tokens` out as steps ending in `next`; returns where they start. */
function compileTokens(tokens: readonly Token[], next: number, program: Op[]): number {
  let pc = next;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i];
    program.push(
      token.t === "alt"
        ? { op: "alt", starts: token.options.map((option) => compileTokens(option, pc, program)) }
        : token.t === "text"
        ? { op: "text", chars: token.chars, next: pc }
        : token.t === "class"
        ? { op: "class", negate: token.negate, ranges: token.ranges, next: pc }
        : { op: token.t, next: pc },
    );
    pc = program.length - 1;
  }
  return pc;
}

/** How many plain sequences `tokens` stand for, and how many wildcards they hold. */
function tokenCost(tokens: readonly Token[]): { alternatives: number; wildcards: number } {
  let alternatives = 1;
  let wildcards = 0;
  for (const token of tokens) {
    if (token.t === "alt") {
      const options = token.options.map(tokenCost);
      alternatives *= options.reduce((n, o) => n + o.alternatives, 0);
      wildcards += options.reduce((n, o) => n + o.wildcards, 0);
    } else if (token.t !== "text") wildcards++;
  }
  return { alternatives, wildcards };
}

function compileSegment(
  source: string,
  pattern: string,
  cost: { alternatives: number; wildcards: number },
): GlobSegment {
  if (source === "**") {
    charge(cost, { alternatives: 1, wildcards: 1 }, pattern);
    return { kind: "any-dirs" };
  }
  if (source === "." || source === "..") {
    throw invalid(pattern, `${source} may only appear at the start of a relative pattern`);
  }
  const parser = new SegmentParser(source, pattern);
  const tokens = parser.sequence(false);
  if (tokens.every((t) => t.t === "text")) {
    return { kind: "literal", name: tokens.map((t) => t.chars.join("")).join("") };
  }
  charge(cost, tokenCost(tokens), pattern);
  const program: Op[] = [{ op: "end" }];
  compileTokens(tokens, 0, program);
  return { kind: "pattern", source, program };
}

/** Adds a segment's cost to the pattern's; over {@link GLOB_LIMITS} is `InvalidPath`. */
function charge(
  cost: { alternatives: number; wildcards: number },
  segment: { alternatives: number; wildcards: number },
  pattern: string,
): void {
  cost.alternatives *= segment.alternatives;
  cost.wildcards += segment.wildcards;
  for (const limit of ["alternatives", "wildcards"] as const) {
    if (cost[limit] > GLOB_LIMITS[limit]) {
      throw invalid(
        pattern,
        limit === "alternatives"
          ? `its braces stand for more than ${GLOB_LIMITS.alternatives} patterns; ` +
            "match with fewer alternatives"
          : `it has more than ${GLOB_LIMITS.wildcards} wildcards; use fewer`,
      );
    }
  }
}

/** Recursive-descent parser for one segment's tokens. */
class SegmentParser {
  readonly #chars: string[];
  #at = 0;

  constructor(source: string, readonly pattern: string) {
    this.#chars = Array.from(source);
  }

  /** Parses tokens up to the end, or (inside braces) up to an unconsumed `,` or `}`. */
  sequence(inBraces: boolean): Token[] {
    const tokens: Token[] = [];
    const text = (c: string) => {
      const last = tokens.at(-1);
      if (last?.t === "text") tokens[tokens.length - 1] = { t: "text", chars: [...last.chars, c] };
      else tokens.push({ t: "text", chars: [c] });
    };
    while (this.#at < this.#chars.length) {
      const c = this.#chars[this.#at];
      if (inBraces && (c === "," || c === "}")) return tokens;
      this.#at++;
      if (c === "\\") text(this.#escaped());
      else if (c === "*") {
        if (this.#chars[this.#at] === "*") {
          throw invalid(this.pattern, "** must be a whole path segment, as in a/**/b");
        }
        tokens.push({ t: "star" });
      } else if (c === "?") tokens.push({ t: "one" });
      else if (c === "[") tokens.push(this.#charClass());
      else if (c === "{") tokens.push(this.#alternatives());
      else text(c);
    }
    if (inBraces) throw invalid(this.pattern, "a { is not closed by } within its segment");
    return tokens;
  }

  #escaped(): string {
    const c = this.#chars[this.#at++];
    if (c === undefined) throw invalid(this.pattern, "it ends with a lone \\");
    return c;
  }

  #charClass(): Token {
    const negate = this.#chars[this.#at] === "!" || this.#chars[this.#at] === "^";
    if (negate) this.#at++;
    const ranges: [number, number][] = [];
    let first = true;
    while (true) {
      let c = this.#chars[this.#at++];
      if (c === undefined) throw invalid(this.pattern, "a [ is not closed by ]");
      if (c === "]" && !first) return { t: "class", negate, ranges };
      first = false;
      if (c === "\\") c = this.#escaped();
      const lo = c.codePointAt(0)!;
      if (
        this.#chars[this.#at] === "-" && this.#chars[this.#at + 1] !== undefined &&
        this.#chars[this.#at + 1] !== "]"
      ) {
        this.#at++;
        let h = this.#chars[this.#at++];
        if (h === "\\") h = this.#escaped();
        const hi = h.codePointAt(0)!;
        if (hi < lo) throw invalid(this.pattern, `the range ${c}-${h} is backwards`);
        ranges.push([lo, hi]);
      } else ranges.push([lo, lo]);
    }
  }

  #alternatives(): Token {
    const options: Token[][] = [];
    while (true) {
      options.push(this.sequence(true));
      const c = this.#chars[this.#at++];
      if (c === "}") return { t: "alt", options };
    }
  }
}

function invalid(pattern: string, why: string): TinyFsError {
  return new TinyFsError(
    "InvalidPath",
    pattern,
    `bad glob pattern ${quoted(pattern)}: ${why}`,
  );
}
