/** Reading through handles: directory children (stored or computed), symlink targets, file bodies. */

import { streamOf, toBytes } from "./bytes.ts";
import type { CallContext } from "./call_context.ts";
import {
  type DynamicDirectory,
  type Factories,
  factoryNamed,
  type FileFactories,
} from "./dynamic.ts";
import { TinyFsError } from "./errors.ts";
import {
  type ComputedFileHandle,
  type Frame,
  framesPath,
  type Handle,
  handleKind,
  type Located,
  type StoredHandle,
} from "./handle.ts";
import { joinPath, nameProblem, pathProblem, quoted } from "./path.ts";
import type { NodeId } from "./node_id.ts";
import type { DynamicSpec, NodeKey, NodeVersion } from "./records.ts";
import { servedIn } from "./registry.ts";
import { latest, type TreeState } from "./state.ts";
import type { ReadView } from "./view.ts";

/** Makes the read-only working directory a dynamic directory computes with. */
export type ReaderFactory = (
  tree: Tree,
  context: CallContext,
  frames: readonly Frame[],
) => ReadView;

/**
 * One state of the tree together with the factories that compute its dynamic directories and
 * files: everything needed to go from a handle to its children or its bytes. Holds no tree
 * data of its own; every answer comes from `state` or from a factory, each time. A plain
 * stored directory's children are its entries plus the names pattern registrations serve in
 * it (an entry wins over a registration of the same name).
 *
 * @example
 * ```ts
 * import type { Snapshot } from "./state.ts";
 * import { CallContext } from "./call_context.ts";
 * import { ROOT_FRAME } from "./handle.ts";
 *
 * async function example(snapshot: Snapshot, readerFor: ReaderFactory) {
 *   const tree = new Tree(snapshot, {}, {}, readerFor);
 *   const children = await tree.children([ROOT_FRAME], CallContext.EMPTY);
 * }
 * ```
 */
export class Tree {
  constructor(
    readonly state: TreeState,
    readonly factories: Factories,
    readonly fileFactories: FileFactories,
    readonly readerFor: ReaderFactory,
  ) {}

  /** The child `name` of the directory at the end of `frames`, if there is one. */
  async lookup(
    frames: readonly Frame[],
    name: string,
    context: CallContext,
  ): Promise<Handle | undefined> {
    const directory = frames.at(-1)!.handle;
    if (directory.tag === "stored" && directory.entryType === "directory") {
      const entry = await this.state.lookup(directory.key, name);
      if (entry) return { tag: "stored", key: entry, entryType: entry.entryType };
      const served = (await servedIn(this.state, namesOf(frames), (n) => n === name)).get(name);
      return served && { tag: "pattern", ...served };
    }
    return (await this.children(frames, context)).get(name);
  }

  /** All children of the directory at the end of `frames`, computing them if it is dynamic. */
  async children(frames: readonly Frame[], context: CallContext): Promise<Map<string, Handle>> {
    const directory = frames.at(-1)!.handle;
    if (directory.tag === "stored" && directory.entryType === "directory") {
      const entries = await this.state.entries(directory.key);
      const served = await servedIn(this.state, namesOf(frames), (name) => !entries.has(name));
      const children = new Map<string, Handle>();
      for (const e of entries.values()) {
        children.set(e.name, { tag: "stored", key: e, entryType: e.entryType });
      }
      for (const [name, s] of served) children.set(name, { tag: "pattern", ...s });
      return children;
    }
    return this.#expand(frames, context);
  }

  /** Instantiates the stored dynamic directory `key` through its factory. */
  async #openDynamic(key: NodeKey, path: string): Promise<DynamicDirectory> {
    const spec = (await latest(this.state, key)).dynamic;
    if (!spec) throw new TinyFsError("NotADirectory", path, `${path} is not a dynamic directory`);
    return await factoryNamed(this.factories, spec.factory, path, "directory")
      .open(spec.config.slice());
  }

  /** The target of a stored symlink. */
  async readlink(handle: Handle, path: string): Promise<string> {
    if (handle.tag !== "stored" || handle.entryType !== "symlink") {
      throw new TinyFsError("InvalidPath", path, `${path} is not a symlink`);
    }
    return (await latest(this.state, handle.key)).target!;
  }

  /**
   * The bytes of a file (of `version`, default the newest). A dynamic file is computed with
   * that version's config, in `context` (the reader's call chain).
   */
  async read(
    node: Located,
    version: number | undefined,
    context: CallContext,
  ): Promise<Uint8Array> {
    const file = await this.#file(node, version);
    if (file.tag === "stored") return this.state.content(file.version, file.version.version);
    return toBytes(await this.#compute(file, node, context));
  }

  /** The bytes of a file (of `version`, default the newest) as a stream; see {@link read}. */
  async stream(
    node: Located,
    version: number | undefined,
    context: CallContext,
  ): Promise<ReadableStream<Uint8Array>> {
    const file = await this.#file(node, version);
    if (file.tag === "stored") return this.state.stream(file.version, file.version.version);
    const body = await this.#compute(file, node, context);
    return body instanceof Uint8Array ? streamOf(body) : body;
  }

  /**
   * A host file holding a stored file's version (default the newest) whole, when the store
   * keeps one; undefined for computed files and bodies the store keeps otherwise.
   */
  async fileOnDisk(node: Located, version: number | undefined): Promise<string | undefined> {
    const file = await this.#file(node, version);
    if (file.tag !== "stored") return undefined;
    return this.state.fileOnDisk(file.version, file.version.version);
  }

  async #expand(frames: readonly Frame[], context: CallContext): Promise<Map<string, Handle>> {
    const directory = frames.at(-1)!.handle;
    const path = framesPath(frames);
    let computing: {
      directory: DynamicDirectory;
      origin: NodeKey;
      loopKey: string;
      inner: CallContext;
      captures: readonly string[];
    };
    if (directory.tag === "stored" || directory.tag === "pattern") {
      const loopKey = directory.tag === "stored"
        ? directory.key.nodeId
        : `${directory.key.nodeId}@${path}`;
      const inner = context.enter(loopKey, path, "directory");
      computing = {
        directory: await this.#openDynamic(directory.key, path),
        origin: directory.key,
        loopKey,
        inner,
        captures: directory.tag === "pattern" ? directory.captures : [],
      };
    } else if (directory.tag === "computed-directory") {
      computing = {
        ...directory,
        inner: directory.context.enter(directory.loopKey, path, "directory"),
      };
    } else {
      throw new TinyFsError("NotADirectory", path, `${path} is not a directory`);
    }
    const produced = await computing.directory.entries({
      fs: this.readerFor(this, computing.inner, frames.slice(0, -1)),
      path,
      captures: computing.captures,
      committed: this.#committed(),
    });
    const children = new Map<string, Handle>();
    for (const entry of produced) {
      const at = joinPath(path, entry.name);
      const problem = nameProblem(entry.name) ?? pathProblem(at) ??
        (children.has(entry.name) ? "a name it already produced" : undefined);
      if (problem) {
        throw new TinyFsError(
          "InvalidPath",
          at,
          `dynamic directory ${quoted(path)} produced ${quoted(entry.name)}, ${problem}`,
        );
      }
      children.set(
        entry.name,
        entry.kind === "file" ? { tag: "computed-file", file: entry, origin: computing.origin } : {
          tag: "computed-directory",
          directory: entry.directory,
          loopKey: `${computing.loopKey}/${entry.name}`,
          origin: computing.origin,
          context: computing.inner,
          captures: computing.captures,
        },
      );
    }
    return children;
  }

  /**
   * Which body a read of `node` (at `version`) wants: a stored version's content, a stored
   * dynamic file's version (computed with its spec), or a file a dynamic directory computes
   * (version 1 only). `IsADirectory` for directories, `InvalidPath` for a symlink itself.
   */
  async #file(node: Located, version: number | undefined): Promise<FileToRead> {
    const { handle, path } = node;
    const kind = handleKind(handle);
    if (kind === "directory") {
      throw new TinyFsError("IsADirectory", path, `${path} is a directory, not a file`);
    }
    if (kind === "symlink") {
      throw new TinyFsError("InvalidPath", path, `${path} is a symlink; read its target`);
    }
    if (handle.tag === "computed-file") {
      if (version !== undefined && version !== 1) {
        throw new TinyFsError(
          "NotFound",
          path,
          `${path} is computed and has only version 1, not ${version}`,
        );
      }
      return handle;
    }
    const { key } = handle as StoredHandle;
    const versions = await this.state.versions(key);
    const chosen = version ?? versions.length;
    if (!Number.isInteger(chosen) || chosen < 1 || chosen > versions.length) {
      throw new TinyFsError(
        "NotFound",
        path,
        `${path} has no version ${version}; its versions are 1 to ${versions.length}`,
      );
    }
    const found = versions[chosen - 1];
    return found.dynamic
      ? { tag: "dynamic", nodeId: found.nodeId, spec: found.dynamic }
      : { tag: "stored", version: found };
  }

  /**
   * Computes a file: a dynamic directory's entry reads itself; a stored dynamic file is
   * opened by its factory and computed with a reader at its parent, its node entered into the
   * call chain so that reaching itself is a `VisitLoop`.
   */
  async #compute(
    file: Exclude<FileToRead, { tag: "stored" }>,
    node: Located,
    context: CallContext,
  ): Promise<Uint8Array | ReadableStream<Uint8Array>> {
    if (file.tag === "computed-file") return file.file.read();
    const inner = context.enter(file.nodeId, node.path, "file");
    const content = await factoryNamed(this.fileFactories, file.spec.factory, node.path, "file")
      .open(file.spec.config.slice());
    return content.read({
      fs: this.readerFor(this, inner, node.parent),
      path: node.path,
      captures: [],
      committed: this.#committed(),
    });
  }

  /** The token of the committed state read (see `DynamicContext.committed`), if it is one. */
  #committed(): object | undefined {
    return this.state.pending ? undefined : this.state;
  }
}

/** What {@link Tree} reads a file from: a stored version, a dynamic file's spec, or a computed entry. */
type FileToRead =
  | { readonly tag: "stored"; readonly version: NodeVersion }
  | { readonly tag: "dynamic"; readonly nodeId: NodeId; readonly spec: DynamicSpec }
  | ComputedFileHandle;

/** The names of the directories `frames` lead through, from the root. */
function namesOf(frames: readonly Frame[]): string[] {
  return frames.slice(1).map((f) => f.name);
}
