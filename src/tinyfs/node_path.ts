/** NodePath: a node reached by a path, readable without resolving the path again. */

import type { CallContext } from "./call_context.ts";
import { TinyFsError } from "./errors.ts";
import { type Frame, type Handle, handleEntryType, handleKind } from "./handle.ts";
import { describe, describeVersions, type Metadata } from "./metadata.ts";
import type { EntryType, NodeKind } from "./records.ts";
import { resolve } from "./resolve.ts";
import type { Tree } from "./tree.ts";

/** Which version to read; the newest when absent. */
export interface ReadOptions {
  readonly version?: number;
}

/** Whether to describe a symlink's target (the default) or the symlink itself. */
export interface FollowOptions {
  readonly follow?: boolean;
}

/**
 * A node as found at a path (by `open`, `list`, or a glob). Reading a symlink reads its
 * target; the node's own kind stays `symlink`. It reads from the state it was found in.
 *
 * @example
 * ```ts
 * for (const entry of await root.list("/in")) {
 *   if (entry.kind === "file") console.log(entry.path, (await entry.read()).length);
 * }
 * ```
 */
export class NodePath {
  readonly #tree: Tree;
  readonly #context: CallContext;
  readonly #parent: readonly Frame[];
  readonly #handle: Handle;

  /** Made by working directories and globs; not meant to be called directly. */
  constructor(
    tree: Tree,
    context: CallContext,
    parent: readonly Frame[],
    readonly name: string,
    handle: Handle,
    readonly path: string,
  ) {
    this.#tree = tree;
    this.#context = context;
    this.#parent = parent;
    this.#handle = handle;
  }

  /** What this node is (a symlink stays a symlink). */
  get kind(): NodeKind {
    return handleKind(this.#handle);
  }

  /** This node's entry type. */
  get entryType(): EntryType {
    return handleEntryType(this.#handle);
  }

  /** The file's bytes, following symlinks; `IsADirectory` for directories. */
  async read(options: ReadOptions = {}): Promise<Uint8Array> {
    const target = await this.#target();
    return this.#tree.read(target.handle, options.version, target.path);
  }

  /** The file's bytes as a stream, following symlinks. */
  async stream(options: ReadOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const target = await this.#target();
    return this.#tree.stream(target.handle, options.version, target.path);
  }

  /** A symlink's target, as stored; `InvalidPath` for anything else. */
  readlink(): Promise<string> {
    return this.#tree.readlink(this.#handle, this.path);
  }

  /** Describes the newest version (of the symlink's target unless `follow` is false). */
  async metadata(options: FollowOptions = {}): Promise<Metadata> {
    const target = await this.#target(options.follow);
    return describe(this.#tree, target.handle, target.path);
  }

  /** Describes every version, oldest first (of the symlink's target unless `follow` is false). */
  async versions(options: FollowOptions = {}): Promise<Metadata[]> {
    const target = await this.#target(options.follow);
    return describeVersions(this.#tree, target.handle, target.path);
  }

  async #target(follow = true): Promise<{ handle: Handle; path: string }> {
    if (!follow || this.kind !== "symlink") return { handle: this.#handle, path: this.path };
    const found = await resolve(this.#tree, this.#context, this.#parent, this.name, {
      follow: true,
    });
    if (!found.handle) {
      throw new TinyFsError(
        "NotFound",
        found.path,
        `${this.path} points to ${found.path}, which does not exist`,
      );
    }
    return { handle: found.handle, path: found.path };
  }
}
