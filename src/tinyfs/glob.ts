/** Glob patterns: `*`, `**`, `?`, `[...]`, `{a,b}` per path segment, matched with captures; dot names hidden. */

import { TinyFsError } from "./errors.ts";

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
  | { readonly kind: "pattern"; readonly source: string; readonly tokens: readonly Token[] };

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
 * `/.pond/*`). Malformed patterns are `InvalidPath`.
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
  const raw = pattern.split("/").filter((s) => s !== "");
  let up = 0;
  let i = 0;
  for (; i < raw.length && (raw[i] === "." || raw[i] === ".."); i++) {
    if (raw[i] === "..") up++;
  }
  const segments = raw.slice(i).map((s) => compileSegment(s, pattern));
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
      return matchTokens(
        segment.tokens,
        0,
        chars,
        0,
        [],
        (at, captures) => at === chars.length ? captures : undefined,
      );
    }
  }
}

type Rest = (at: number, captures: string[]) => string[] | undefined;

function matchTokens(
  tokens: readonly Token[],
  ti: number,
  chars: readonly string[],
  at: number,
  captures: string[],
  rest: Rest,
): string[] | undefined {
  if (ti === tokens.length) return rest(at, captures);
  const token = tokens[ti];
  if (token.t !== "text" && token.t !== "alt" && at === 0 && chars[0] === ".") return undefined;
  const next = (to: number, caps = captures) => matchTokens(tokens, ti + 1, chars, to, caps, rest);
  switch (token.t) {
    case "text": {
      for (let k = 0; k < token.chars.length; k++) {
        if (chars[at + k] !== token.chars[k]) return undefined;
      }
      return next(at + token.chars.length);
    }
    case "one":
      return at < chars.length ? next(at + 1) : undefined;
    case "class": {
      if (at >= chars.length) return undefined;
      const c = chars[at].codePointAt(0)!;
      const inside = token.ranges.some(([lo, hi]) => lo <= c && c <= hi);
      return inside !== token.negate ? next(at + 1) : undefined;
    }
    case "star": {
      for (let end = at; end <= chars.length; end++) {
        const found = next(end, [...captures, chars.slice(at, end).join("")]);
        if (found) return found;
      }
      return undefined;
    }
    case "alt": {
      for (const option of token.options) {
        const found = matchTokens(option, 0, chars, at, captures, (to, caps) => next(to, caps));
        if (found) return found;
      }
      return undefined;
    }
  }
}

function compileSegment(source: string, pattern: string): GlobSegment {
  if (source === "**") return { kind: "any-dirs" };
  if (source === "." || source === "..") {
    throw invalid(pattern, `${source} may only appear at the start of a relative pattern`);
  }
  const parser = new SegmentParser(source, pattern);
  const tokens = parser.sequence(false);
  if (tokens.every((t) => t.t === "text")) {
    return { kind: "literal", name: tokens.map((t) => t.chars.join("")).join("") };
  }
  return { kind: "pattern", source, tokens };
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
    `bad glob pattern ${JSON.stringify(pattern)}: ${why}`,
  );
}
