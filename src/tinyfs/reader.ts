/** Reader: the read-only working directory, reading the tree relative to one directory. */

import type { CallContext } from "./call_context.ts";
import { isTinyFsError, TinyFsError } from "./errors.ts";
import { type Frame, framesPath, type Handle, handleKind } from "./handle.ts";
import { TreeNode } from "./node_path.ts";
import { copyDestination, moveDestination } from "./destination.ts";
import { compareNames, joinPath } from "./path.ts";
import { type Registration, registrations } from "./registry.ts";
import { framesOf, resolve, type Resolved, type ResolveOptions } from "./resolve.ts";
import type { Tree } from "./tree.ts";
import type {
  Destination,
  FollowOptions,
  GlobMatch,
  Metadata,
  NodePath,
  ReadOptions,
  ReadView,
} from "./view.ts";
import { visit } from "./visit.ts";

/**
 * The {@link ReadView} of one state of the tree at one directory. Like a shell's cwd it stays
 * bound to its directory's node. `FS.root()` returns one; `WD` extends it with changes.
 *
 * @example
 * ```ts
 * import { FS, MemoryPersistence } from "./mod.ts";
 *
 * const fs = await FS.open(new MemoryPersistence());
 * const inbox = await (await fs.root()).chdir("/data/inbox");
 * const names = (await inbox.list()).map((node) => node.name);
 * ```
 */
export class Reader implements ReadView {
  /** Made by `FS`, by dynamic nodes' computations and by `chdir`; not meant to be called directly. */
  constructor(
    protected readonly tree: Tree,
    protected readonly context: CallContext,
    protected readonly frames: readonly Frame[],
  ) {}

  get path(): string {
    return framesPath(this.frames);
  }

  async chdir(path: string): Promise<Reader> {
    return new Reader(this.tree, this.context, await this.directoryFrames(path));
  }

  async open(path: string, options: FollowOptions = {}): Promise<NodePath> {
    const found = await this.existing(path, options.follow !== false);
    return this.node(found.parent, found.name, found.handle!, found.path);
  }

  async read(path: string, options: ReadOptions = {}): Promise<Uint8Array> {
    return (await this.open(path)).read(options);
  }

  async stream(path: string, options: ReadOptions = {}): Promise<ReadableStream<Uint8Array>> {
    return (await this.open(path)).stream(options);
  }

  async readlink(path: string): Promise<string> {
    return (await this.open(path, { follow: false })).readlink();
  }

  async metadata(path: string, options: FollowOptions = {}): Promise<Metadata> {
    return (await this.open(path, { follow: false })).metadata(options);
  }

  async versions(path: string, options: FollowOptions = {}): Promise<Metadata[]> {
    return (await this.open(path, { follow: false })).versions(options);
  }

  async exists(path: string): Promise<boolean> {
    try {
      return (await this.resolve(path, true)).handle !== undefined;
    } catch (e) {
      if (isTinyFsError(e, "NotFound") || isTinyFsError(e, "NotADirectory")) return false;
      throw e;
    }
  }

  async list(path = "."): Promise<NodePath[]> {
    const frames = await this.directoryFrames(path);
    const at = framesPath(frames);
    const children = await this.tree.children(frames, this.context);
    return [...children]
      .sort(([a], [b]) => compareNames(a, b))
      .map(([name, handle]) => this.node(frames, name, handle, joinPath(at, name)));
  }

  visit(pattern: string): AsyncGenerator<GlobMatch> {
    return visit(this.tree, this.context, this.frames, pattern);
  }

  glob(pattern: string): Promise<GlobMatch[]> {
    return Array.fromAsync(this.visit(pattern));
  }

  registrations(): Promise<Registration[]> {
    return registrations(this.tree.state);
  }

  copyDestination(dest: string, sources: number): Promise<Destination> {
    return copyDestination(this.tree, this.context, this.frames, dest, sources);
  }

  moveDestination(dest: string, sources: number): Promise<Destination> {
    return moveDestination(this.tree, this.context, this.frames, dest, sources);
  }

  /** The frames of the directory at `path` (symlinks followed); `NotADirectory` if it is not one. */
  protected async directoryFrames(path: string): Promise<readonly Frame[]> {
    const found = await this.existing(path, true);
    if (handleKind(found.handle!) !== "directory") {
      throw new TinyFsError(
        "NotADirectory",
        found.path,
        `cannot chdir to ${found.path}: it is not a directory`,
      );
    }
    return framesOf(found);
  }

  /** Resolves `path` from here; `makeDirectory` makes missing directories on the way. */
  protected resolve(
    path: string,
    follow: boolean,
    makeDirectory?: ResolveOptions["makeDirectory"],
  ): Promise<Resolved> {
    return resolve(this.tree, this.context, this.frames, path, { follow, makeDirectory });
  }

  /** Resolves `path`, which must lead to a node (`NotFound` otherwise). */
  protected async existing(path: string, follow: boolean): Promise<Resolved> {
    const found = await this.resolve(path, follow);
    if (!found.handle) {
      throw new TinyFsError("NotFound", found.path, `${found.path} does not exist`);
    }
    return found;
  }

  /** The node `handle`, found as `name` in the directory `parent` ends at. */
  protected node(parent: readonly Frame[], name: string, handle: Handle, path: string): NodePath {
    return new TreeNode(this.tree, this.context, parent, name, handle, path);
  }
}
