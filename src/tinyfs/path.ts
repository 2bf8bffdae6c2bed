/** Path syntax: splitting paths into components, checking names and their limits, joining absolute paths. */

import { TinyFsError } from "./errors.ts";

/** The longest name an entry may have, in UTF-8 bytes (as on most filesystems). */
export const MAX_NAME_BYTES = 255;
/** The longest path tinyfs takes or creates, in UTF-8 bytes (as Linux's PATH_MAX). */
export const MAX_PATH_BYTES = 4096;
/** How much of an offending name or path an error message shows. */
const SHOWN_CHARS = 60;

/** A path split into its parts; empty parts (from `//`) are dropped. */
export interface ParsedPath {
  readonly absolute: boolean;
  readonly parts: readonly string[];
  /** The path ends in `/` (and is not just `/`): it must name a directory. */
  readonly trailingSlash: boolean;
}

/**
 * Splits a path. Empty paths, paths containing NUL, paths that are not well-formed Unicode (a
 * lone surrogate) and paths over {@link MAX_PATH_BYTES} are `InvalidPath`.
 *
 * @example
 * ```ts
 * parsePath("/a//b/"); // { absolute: true, parts: ["a", "b"], trailingSlash: true }
 * ```
 */
export function parsePath(path: string): ParsedPath {
  if (path === "") {
    throw new TinyFsError("InvalidPath", path, "an empty path names nothing; use . for here");
  }
  const problem = path.includes("\0") ? "a NUL character" : pathProblem(path);
  if (problem) throw new TinyFsError("InvalidPath", path, `path ${quoted(path)} has ${problem}`);
  const parts = path.split("/").filter((p) => p !== "");
  return {
    absolute: path.startsWith("/"),
    parts,
    trailingSlash: path.endsWith("/") && parts.length > 0,
  };
}

/**
 * Why `name` cannot name an entry (empty, `.` or `..`, containing `/` or NUL, not
 * well-formed Unicode, over {@link MAX_NAME_BYTES} bytes of UTF-8), or `undefined` when it
 * can. Well-formed names are distinct exactly when their UTF-8 bytes are, which is how they
 * are stored.
 *
 * @example
 * ```ts
 * nameProblem("a.csv");    // undefined
 * nameProblem("..");       // "the reserved name .."
 * nameProblem("a\uD800"); // "a name that is not well-formed Unicode (a lone surrogate)"
 * ```
 */
export function nameProblem(name: string): string | undefined {
  return name === ""
    ? "an empty name"
    : name === "." || name === ".."
    ? `the reserved name ${name}`
    : name.includes("/")
    ? "a name containing /"
    : name.includes("\0")
    ? "a name containing a NUL character"
    : !name.isWellFormed()
    ? "a name that is not well-formed Unicode (a lone surrogate)"
    : overLimit(name, MAX_NAME_BYTES, "name");
}

/**
 * Why `path` cannot be taken (not well-formed Unicode, over {@link MAX_PATH_BYTES} bytes of
 * UTF-8), or `undefined` when it can.
 *
 * @example
 * ```ts
 * pathProblem("/in/a.csv");          // undefined
 * pathProblem("/" + "a/".repeat(3000)); // "a path of 6001 bytes, over the limit of 4096 bytes"
 * ```
 */
export function pathProblem(path: string): string | undefined {
  return !path.isWellFormed()
    ? "a path that is not well-formed Unicode (a lone surrogate)"
    : overLimit(path, MAX_PATH_BYTES, "path");
}

/**
 * Checks that `name` can name a new entry at `path` (the full path being created), else
 * `InvalidPath` naming both (escaped, shortened) and the limit broken. Every route by which
 * a name enters a pond's stored tree passes through here.
 *
 * @example
 * ```ts
 * validateName("data.csv", "/in/data.csv"); // ok
 * validateName("..", "/in/..");             // throws InvalidPath
 * ```
 */
export function validateName(name: string, path: string): void {
  const why = nameProblem(name) ?? pathProblem(path);
  if (why) {
    throw new TinyFsError("InvalidPath", path, `cannot create ${quoted(path)}: it has ${why}`);
  }
}

/**
 * `text` quoted for a message: past {@link SHOWN_CHARS} characters, its start and end, with control
 * characters, lone surrogates and quotes escaped, so a hostile name prints as one visible line.
 *
 * @example
 * ```ts
 * quoted("a\nb"); // '"a\\nb"'
 * ```
 */
export function quoted(text: string): string {
  const half = SHOWN_CHARS / 2;
  const short = text.length > SHOWN_CHARS ? `${text.slice(0, half)}…${text.slice(-half)}` : text;
  return JSON.stringify(short).replace(
    /[\x7f-\x9f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** `text`'s size as an over-the-limit problem, or `undefined` when it has at most `max` bytes. */
function overLimit(text: string, max: number, what: string): string | undefined {
  if (text.length * 3 <= max) return undefined;
  const bytes = new TextEncoder().encode(text).length;
  return bytes > max ? `a ${what} of ${bytes} bytes, over the limit of ${max} bytes` : undefined;
}

/**
 * Joins an absolute directory path and one name.
 *
 * @example
 * ```ts
 * joinPath("/", "a");  // "/a"
 * joinPath("/a", "b"); // "/a/b"
 * ```
 */
export function joinPath(directory: string, name: string): string {
  return directory === "/" ? `/${name}` : `${directory}/${name}`;
}

/**
 * The last component of a path, ignoring a trailing `/`; `""` for the root.
 *
 * @example
 * ```ts
 * basename("/in/a.csv"); // "a.csv"
 * basename("dir/");      // "dir"
 * ```
 */
export function basename(path: string): string {
  return parsePath(path).parts.at(-1) ?? "";
}

/**
 * The order tinyfs lists names in: by UTF-16 code units, the same on every platform.
 *
 * @example
 * ```ts
 * ["b", "B", "a"].sort(compareNames); // ["B", "a", "b"]
 * ```
 */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
