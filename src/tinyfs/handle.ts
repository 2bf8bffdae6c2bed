/** Node handles and frames: how tinyfs refers to stored and computed nodes along a path. */

import type { CallContext } from "./call_context.ts";
import type { DynamicDirectory, DynamicFile } from "./dynamic.ts";
import { type EntryType, kindOf, type NodeKey, type NodeKind, ROOT_KEY } from "./records.ts";
import type { Served } from "./registry.ts";

/** A node stored in the pond (a plain or dynamic directory, a plain or dynamic file, a symlink). */
export interface StoredHandle {
  readonly tag: "stored";
  readonly key: NodeKey;
  readonly entryType: EntryType;
}

/** A file computed by a dynamic directory; `origin` is the stored dynamic directory behind it. */
export interface ComputedFileHandle {
  readonly tag: "computed-file";
  readonly file: DynamicFile;
  readonly origin: NodeKey;
}

/**
 * A subdirectory computed by a dynamic directory. It remembers the call chain it was
 * computed in (`context`) and its identity within that chain (`loopKey`), so expanding it
 * again inside its own computation is caught, and the captures of the pattern registration
 * it comes from (empty for stored dynamic directories).
 */
export interface ComputedDirectoryHandle {
  readonly tag: "computed-directory";
  readonly directory: DynamicDirectory;
  readonly loopKey: string;
  readonly origin: NodeKey;
  readonly context: CallContext;
  readonly captures: readonly string[];
}

/**
 * A dynamic directory a pattern registration serves at a path (in a plain stored directory
 * without an entry of that name): `key` is the registration's node.
 */
export interface PatternHandle extends Served {
  readonly tag: "pattern";
}

/** Any node a path can reach. */
export type Handle = StoredHandle | PatternHandle | ComputedFileHandle | ComputedDirectoryHandle;

/** One directory on a resolved path: the name it was reached by and its handle. */
export interface Frame {
  readonly name: string;
  readonly handle: Handle;
}

/**
 * A node where a path reached it: the directories from the root down to the one holding it
 * (where a dynamic file computes from), its handle and its absolute path.
 */
export interface Located {
  readonly parent: readonly Frame[];
  readonly handle: Handle;
  readonly path: string;
}

/** The root directory's frame; every absolute path starts here. */
export const ROOT_FRAME: Frame = {
  name: "",
  handle: { tag: "stored", key: ROOT_KEY, entryType: "directory" },
};

/**
 * The entry type of the node a handle refers to.
 *
 * @example
 * ```ts
 * handleEntryType(ROOT_FRAME.handle); // "directory"
 * ```
 */
export function handleEntryType(handle: Handle): EntryType {
  switch (handle.tag) {
    case "stored":
      return handle.entryType;
    case "computed-file":
      return handle.file.entryType ?? "file:data";
    case "pattern":
    case "computed-directory":
      return "directory:dynamic";
  }
}

/**
 * The kind of node a handle refers to.
 *
 * @example
 * ```ts
 * handleKind(ROOT_FRAME.handle); // "directory"
 * ```
 */
export function handleKind(handle: Handle): NodeKind {
  return kindOf(handleEntryType(handle));
}

/**
 * The absolute path of the last of `frames` (which start at the root).
 *
 * @example
 * ```ts
 * framesPath([ROOT_FRAME]); // "/"
 * ```
 */
export function framesPath(frames: readonly Frame[]): string {
  return "/" + frames.slice(1).map((f) => f.name).join("/");
}
