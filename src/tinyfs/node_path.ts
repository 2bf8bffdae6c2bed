/** NodePath: a node reached by a path, readable without resolving the path again. */

import type { CallContext } from "./call_context.ts";
import { TinyFsError } from "./errors.ts";
import { type Frame, type Handle, handleEntryType, handleKind, type Located } from "./handle.ts";
import { describe, describeVersions, type Metadata } from "./metadata.ts";
import { type DynamicSpec, type EntryType, isDynamic, type NodeKind } from "./records.ts";
import { resolve } from "./resolve.ts";
import { latest } from "./state.ts";
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
 * import { FS, MemoryPersistence } from "./mod.ts";
 *
 * const fs = await FS.open(new MemoryPersistence());
 * const root = await fs.root();
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

  /**
   * The path of a host file holding this file's version (default the newest) whole, following
   * symlinks, when the store keeps one (large bodies in the pond's blob store); undefined
   * otherwise (read the bytes instead). For readers that open files themselves.
   *
   * @example
   * ```ts
   * import { Pond } from "../pond/mod.ts";
   *
   * const root = await (await Pond.open("/data/pond")).root();
   * const path = await (await root.open("/sensors/north.series")).fileOnDisk({ version: 2 });
   * ```
   */
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

  /**
   * The factory and config of this node if it is a stored dynamic directory or file (a symlink
   * is not followed), read without computing anything; undefined for any other node, including
   * a directory a pattern registration serves (see `WD.registrations`).
   *
   * @example
   * ```ts
   * import { FS, MemoryPersistence } from "./mod.ts";
   *
   * const fs = await FS.open(new MemoryPersistence());
   * const root = await fs.root();
   * const spec = await (await root.open("/views/all.csv")).dynamic();
   * spec?.factory; // "derived"
   * ```
   */
  async dynamic(): Promise<DynamicSpec | undefined> {
    const handle = this.#handle;
    if (handle.tag !== "stored" || !isDynamic(handle.entryType)) return undefined;
    const { factory, config } = (await latest(this.#tree.state, handle.key)).dynamic!;
    return { factory, config: config.slice() };
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
