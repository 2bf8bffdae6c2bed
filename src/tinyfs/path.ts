/** Path syntax: splitting paths into components, checking names, joining absolute paths. */

import { TinyFsError } from "./errors.ts";

/** A path split into its parts; empty parts (from `//`) are dropped. */
export interface ParsedPath {
  readonly absolute: boolean;
  readonly parts: readonly string[];
  /** The path ends in `/` (and is not just `/`): it must name a directory. */
  readonly trailingSlash: boolean;
}

/**
 * Splits a path. Empty paths and paths containing NUL are `InvalidPath`.
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
  if (path.includes("\0")) {
    throw new TinyFsError(
      "InvalidPath",
      path,
      `path ${JSON.stringify(path)} contains a NUL character`,
    );
  }
  const parts = path.split("/").filter((p) => p !== "");
  return {
    absolute: path.startsWith("/"),
    parts,
    trailingSlash: path.endsWith("/") && parts.length > 0,
  };
}

/**
 * Why `name` cannot name an entry (empty, `.` or `..`, containing `/` or NUL), or
 * `undefined` when it can.
 *
 * @example
 * ```ts
 * nameProblem("a.csv"); // undefined
 * nameProblem("..");    // "the reserved name .."
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
    : undefined;
}

/**
 * Checks that `name` can name a new entry, else `InvalidPath`. `path` is the full path
 * being created, for the error.
 *
 * @example
 * ```ts
 * validateName("data.csv", "/in/data.csv"); // ok
 * validateName("..", "/in/..");             // throws InvalidPath
 * ```
 */
export function validateName(name: string, path: string): void {
  const why = nameProblem(name);
  if (why) throw new TinyFsError("InvalidPath", path, `cannot create ${path}: it has ${why}`);
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
