/** TreeNode: the node a path led to, readable without resolving the path again. */

import type { CallContext } from "./call_context.ts";
import { TinyFsError } from "./errors.ts";
import { type Frame, type Handle, handleEntryType, handleKind, type Located } from "./handle.ts";
import { describe, describeVersions } from "./metadata.ts";
import { type DynamicSpec, type EntryType, isDynamic, type NodeKind } from "./records.ts";
import { resolve } from "./resolve.ts";
import { latest } from "./state.ts";
import type { Tree } from "./tree.ts";
import type { Derivation, FollowOptions, Metadata, NodePath, ReadOptions } from "./view.ts";

/**
 * The {@link NodePath} working directories and globs hand out: a node found at a path, with
 * the frames it was found through, reading from the tree state it was found in.
 */
export class TreeNode implements NodePath {
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

  /**
   * Whether a dynamic directory computes this node, so it has no id or versions of its own
   * (a symlink is not followed); known without computing anything.
   */
  get computed(): boolean {
    return this.#handle.tag === "computed-file" || this.#handle.tag === "computed-directory";
  }

  /** This node's entry type. */
  get entryType(): EntryType {
    return handleEntryType(this.#handle);
  }

  /**
   * The file's bytes, following symlinks; `IsADirectory` for directories. A dynamic file is
   * computed now (with `version`'s config), from what this node's state holds.
   */
  async read(options: ReadOptions = {}): Promise<Uint8Array> {
    return this.#tree.read(await this.#target(), options.version, this.#context);
  }

  /** The file's bytes as a stream, following symlinks. */
  async stream(options: ReadOptions = {}): Promise<ReadableStream<Uint8Array>> {
    return this.#tree.stream(await this.#target(), options.version, this.#context);
  }

  /** See {@link NodePath.fileOnDisk}. */
  async fileOnDisk(options: ReadOptions = {}): Promise<string | undefined> {
    return this.#tree.fileOnDisk(await this.#target(), options.version);
  }

  /** A symlink's target, as stored; `InvalidPath` for anything else. */
  readlink(): Promise<string> {
    return this.#tree.readlink(this.#handle, this.path);
  }

  /**
   * Describes the newest version (of the symlink's target unless `follow` is false). The size
   * of a dynamic file, or of a file a dynamic directory computes, costs computing it.
   */
  async metadata(options: FollowOptions = {}): Promise<Metadata> {
    return describe(this.#tree, await this.#target(options.follow), this.#context);
  }

  /** Describes every version, oldest first (of the symlink's target unless `follow` is false). */
  async versions(options: FollowOptions = {}): Promise<Metadata[]> {
    return describeVersions(this.#tree, await this.#target(options.follow), this.#context);
  }

  /** See {@link NodePath.dynamic}. */
  async dynamic(): Promise<DynamicSpec | undefined> {
    const handle = this.#handle;
    if (handle.tag !== "stored" || !isDynamic(handle.entryType)) return undefined;
    const { factory, config } = (await latest(this.#tree.state, handle.key)).dynamic!;
    return { factory, config: config.slice() };
  }

  /** See {@link NodePath.derivation}. */
  async derivation(): Promise<Derivation | undefined> {
    const handle = this.#handle;
    return handle.tag === "computed-file" ? await handle.file.derivation?.() : undefined;
  }

  async #target(follow = true): Promise<Located> {
    if (!follow || this.kind !== "symlink") {
      return { parent: this.#parent, handle: this.#handle, path: this.path };
    }
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
    return { parent: found.parent, handle: found.handle, path: found.path };
  }
}
