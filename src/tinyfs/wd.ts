/** WD: the working directory of a transaction, changing the tree relative to one directory. */

import { type Content, toBytes } from "./bytes.ts";
import { releaseUnread } from "./file_body.ts";
import type { CallContext } from "./call_context.ts";
import { factoryNamed } from "./dynamic.ts";
import { TinyFsError } from "./errors.ts";
import { type Frame, framesPath, type Handle, handleKind } from "./handle.ts";
import { pathProblem, quoted } from "./path.ts";
import type { NodeId } from "./node_id.ts";
import {
  type DynamicSpec,
  type EntryType,
  type FileEntryType,
  type NodeKey,
  REGISTRY_KEY,
} from "./records.ts";
import { Reader } from "./reader.ts";
import { type Registration, registryPattern } from "./registry.ts";
import { framesOf, type Resolved } from "./resolve.ts";
import { latest } from "./state.ts";
import type { NewNode, Transaction } from "./transaction.ts";
import type { Tree } from "./tree.ts";
import type { NodePath } from "./view.ts";

/** Options for creating: `parents` makes missing directories on the way, as `mkdir -p`. */
export interface CreateOptions {
  readonly parents?: boolean;
}

/** Options for creating or writing a file. */
export interface FileOptions extends CreateOptions {
  /** The entry type of the new version; a new file defaults to `file:data`, a rewrite keeps its type. */
  readonly entryType?: FileEntryType;
}

/** Options for removing: `recursive` removes a directory that still has entries. */
export interface RemoveOptions {
  readonly recursive?: boolean;
}

/**
 * A working directory inside a transaction: a {@link Reader} of what the transaction has done so
 * far, and the changes, which become visible to its reads at once and to everyone else when the
 * transaction commits. Get one from `fs.transact()`, then `chdir` around; `fs.root()` gives
 * a read-only {@link Reader}.
 *
 * @example
 * ```ts
 * import { FS, MemoryPersistence } from "./mod.ts";
 *
 * const fs = await FS.open(new MemoryPersistence());
 * await fs.transact({ command: ["example"] }, async (root) => {
 *   const inbox = await root.createDirectory("/data/inbox", { parents: true });
 *   await inbox.createFile("a.csv", "t,v\n1,2\n");
 *   await inbox.write("a.csv", "t,v\n1,3\n"); // same transaction: still one new version
 * });
 * const text = new TextDecoder().decode(await (await fs.root()).read("/data/inbox/a.csv"));
 * ```
 */
export class WD extends Reader {
  readonly #transaction: Transaction;

  /** Made by `FS.transact` and by `chdir`; not meant to be called directly. */
  constructor(
    tree: Tree,
    context: CallContext,
    frames: readonly Frame[],
    transaction: Transaction,
  ) {
    super(tree, context, frames);
    this.#transaction = transaction;
  }

  /** The working directory at `path` (symlinks followed); `NotADirectory` if it is not one. */
  override async chdir(path: string): Promise<WD> {
    return new WD(this.tree, this.context, await this.directoryFrames(path), this.#transaction);
  }

  /**
   * Creates a file; `AlreadyExists` if anything is at `path`. A stream is read only once
   * the path is known to be free, and then staged in the store when it offers staging (never
   * held whole); a stream left unread because the call failed is cancelled.
   */
  async createFile(
    path: string,
    content: Content = new Uint8Array(),
    options: FileOptions = {},
  ): Promise<NodePath> {
    return await this.#consuming(content, async () => {
      const transaction = this.#transaction;
      const found = await this.#resolve(path, false, options.parents);
      return this.#createFile(transaction, found, content, options);
    });
  }

  /**
   * Writes a file: a new version if one exists at `path` (symlinks followed), else a new
   * file. A node gets at most one new version per transaction; writing it again in the
   * same transaction replaces that version's content. Streams are treated as by
   * {@link createFile}.
   */
  write(path: string, content: Content, options: FileOptions = {}): Promise<NodePath> {
    return this.#consuming(content, () => this.#write(path, content, options));
  }

  /** Runs `f`, which writes `content`; if it fails, a stream it never read is cancelled. */
  async #consuming<T>(content: Content, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      await releaseUnread(content, e);
      throw e;
    }
  }

  async #write(path: string, content: Content, options: FileOptions): Promise<NodePath> {
    const transaction = this.#transaction;
    const found = await this.#resolve(path, true, options.parents);
    if (!found.handle) return this.#createFile(transaction, found, content, options);
    if (handleKind(found.handle) === "directory") {
      throw new TinyFsError(
        "IsADirectory",
        found.path,
        `cannot write ${found.path}: it is a directory`,
      );
    }
    if (found.handle.tag !== "stored") {
      throw new TinyFsError(
        "ReadOnly",
        found.path,
        `cannot write ${found.path}: it is computed by a dynamic directory`,
      );
    }
    if (found.handle.entryType === "file:dynamic") {
      throw new TinyFsError(
        "ReadOnly",
        found.path,
        `cannot write ${found.path}: it is a dynamic file, computed on read; remove it first`,
      );
    }
    await transaction.write(found.handle.key, await transaction.body(content), options.entryType);
    return this.node(found.parent, found.name, found.handle, found.path);
  }

  async #createFile(
    transaction: Transaction,
    found: Resolved,
    content: Content,
    options: FileOptions,
  ): Promise<NodePath> {
    const entryType = options.entryType ?? "file:data";
    const parent = this.#creatable(found, entryType);
    const key = await transaction.create(parent, found.name, {
      entryType,
      body: await transaction.body(content),
    }, found.path);
    return this.node(found.parent, found.name, { tag: "stored", key, entryType }, found.path);
  }

  /**
   * Creates a directory and returns it as a working directory. With `parents`, missing
   * directories on the way are made and an existing directory is fine; without, the parent
   * must exist and the name must be free (`AlreadyExists`).
   */
  async createDirectory(path: string, options: CreateOptions = {}): Promise<WD> {
    const transaction = this.#transaction;
    const found = await this.#resolve(path, false, options.parents);
    if (found.handle && options.parents) {
      const target = found.named ? await this.#resolve(path, true) : found;
      if (target.handle && handleKind(target.handle) === "directory") {
        return new WD(this.tree, this.context, framesOf(target), this.#transaction);
      }
    }
    const handle = await this.#create(transaction, found, { entryType: "directory" });
    return new WD(
      this.tree,
      this.context,
      [...found.parent, { name: found.name, handle }],
      this.#transaction,
    );
  }

  /** Creates a symlink at `path` pointing at `target` (stored as given; it may dangle). */
  async createSymlink(
    path: string,
    target: string,
    options: CreateOptions = {},
  ): Promise<NodePath> {
    const transaction = this.#transaction;
    const problem = target === "" || target.includes("\0")
      ? "empty or has a NUL"
      : pathProblem(target);
    if (problem) {
      throw new TinyFsError(
        "InvalidPath",
        path,
        `cannot create symlink ${quoted(path)}: its target is ${problem}`,
      );
    }
    const found = await this.#resolve(path, false, options.parents);
    const handle = await this.#create(transaction, found, { entryType: "symlink", target });
    return this.node(found.parent, found.name, handle, found.path);
  }

  /**
   * Creates a dynamic directory computed by the factory registered as `factory` from
   * `config` (text is stored as UTF-8). The factory checks the config now (it may throw).
   */
  createDynamicDirectory(
    path: string,
    factory: string,
    config: Uint8Array | string,
    options: CreateOptions = {},
  ): Promise<NodePath> {
    return this.#createDynamic(path, "directory:dynamic", factory, config, options);
  }

  /**
   * Creates a dynamic file (`file:dynamic`) whose bytes the file factory registered as
   * `factory` computes from `config` on every read, with a read-only view at the file's
   * directory (see `DynamicFileContent`). The factory checks the config now (it may throw).
   * Writing to the file is `ReadOnly`; it is removed, moved and replaced like any file.
   *
   * @example
   * ```ts
   * import { FS, MemoryPersistence } from "./mod.ts";
   *
   * const fs = await FS.open(new MemoryPersistence());
   * await fs.transact({ command: ["example"] }, async (root) => {
   *   await root.createDynamicFile("/views/all.csv", "derived", "inputs: [/in/*.csv]\n");
   *   await root.read("/views/all.csv"); // computed now, from the CSV files there are now
   * });
   * ```
   */
  createDynamicFile(
    path: string,
    factory: string,
    config: Uint8Array | string,
    options: CreateOptions = {},
  ): Promise<NodePath> {
    return this.#createDynamic(path, "file:dynamic", factory, config, options);
  }

  async #createDynamic(
    path: string,
    entryType: "directory:dynamic" | "file:dynamic",
    factory: string,
    config: Uint8Array | string,
    options: CreateOptions,
  ): Promise<NodePath> {
    const transaction = this.#transaction;
    const found = await this.#resolve(path, false, options.parents);
    const kind = entryType === "file:dynamic" ? "file" : "directory";
    const handle = await this.#create(transaction, found, {
      entryType,
      dynamic: await this.#dynamicSpec(kind, factory, config, found.path),
    });
    return this.node(found.parent, found.name, handle, found.path);
  }

  /**
   * Registers a dynamic directory for every path matching `pattern` (glob syntax, absolute,
   * ending in a plain name; see `registryPattern`), computed by the factory `factory` from
   * `config`, which checks the config now. Each plain stored directory the pattern's
   * directory part matches — now or once it exists — then shows the last name as that dynamic
   * directory, and its factory's `entries` get the pattern's `captures` in that place. An
   * entry of the same name in the directory wins over the registration. Registering a
   * pattern twice is `AlreadyExists`; two different patterns serving one path make that path
   * `AlreadyExists` when read. The registration is a node like any other (time travel sees
   * it as it was), kept in a registry no path reaches.
   *
   * @example
   * ```ts
   * import { FS, MemoryPersistence } from "./mod.ts";
   *
   * const fs = await FS.open(new MemoryPersistence());
   * await fs.transact({ command: ["example"] }, async (root) => {
   *   await root.registerDynamic("/sites/*\u002fsummary", "summary", '{"columns": ["t"]}');
   *   await root.list("/sites/a/summary"); // computed with context.captures = ["a"]
   * });
   * ```
   */
  async registerDynamic(
    pattern: string,
    factory: string,
    config: Uint8Array | string,
  ): Promise<Registration> {
    const transaction = this.#transaction;
    const registered = registryPattern(pattern);
    if ((await this.registrations()).some((r) => r.pattern === registered.pattern)) {
      throw new TinyFsError(
        "AlreadyExists",
        registered.pattern,
        `${registered.pattern} is already registered; unregister it first to change it`,
      );
    }
    const dynamic = await this.#dynamicSpec("directory", factory, config, registered.pattern);
    const key = await transaction.create(REGISTRY_KEY, registered.entryName, {
      entryType: "directory:dynamic",
      dynamic,
    }, registered.pattern);
    return {
      pattern: registered.pattern,
      factory,
      config: dynamic.config.slice(),
      nodeId: key.nodeId,
    };
  }

  /**
   * Removes the registration of `pattern` (spelled as registered, up to slashes); `NotFound`
   * if there is none. Its history stays: older states still show it.
   */
  async unregisterDynamic(pattern: string): Promise<void> {
    const transaction = this.#transaction;
    const registered = registryPattern(pattern);
    if (!(await this.registrations()).some((r) => r.pattern === registered.pattern)) {
      throw new TinyFsError(
        "NotFound",
        registered.pattern,
        `no dynamic directory is registered for ${registered.pattern}`,
      );
    }
    await transaction.unlink(REGISTRY_KEY, registered.entryName, registered.pattern);
  }

  /**
   * Removes the file, symlink (not its target) or directory at `path`. A directory with
   * entries needs `recursive` (`NotEmpty` otherwise); a dynamic directory holds nothing and
   * can always be removed. A trailing `/` follows a symlink and removes the directory it
   * points to. The removed nodes' history stays in the store.
   */
  async remove(path: string, options: RemoveOptions = {}): Promise<void> {
    const transaction = this.#transaction;
    const found = await this.existing(path, false);
    if (!found.named) {
      throw new TinyFsError(
        "InvalidPath",
        found.path,
        `cannot remove ${path}: name the entry itself, not /, . or ..`,
      );
    }
    const parent = this.#storedDirectory(found.parent, found.path);
    const handle = found.handle!;
    this.#storedEntry(handle, found.path);
    if (!options.recursive && handle.tag === "stored" && handle.entryType === "directory") {
      if ((await latest(this.tree.state, handle.key)).size > 0) {
        throw new TinyFsError(
          "NotEmpty",
          found.path,
          `${found.path} is not empty; remove it with recursive to delete its contents`,
        );
      }
    }
    await transaction.unlink(parent, found.name, found.path);
  }

  /**
   * Moves the node at `from` (a symlink itself, not its target) to the path `to`, as
   * `rename(2)` does: `to` names the node's new entry, whose parent must exist (a final
   * symlink at `to` is replaced, not followed). Whatever `to` names is replaced when the
   * kinds agree: a file or symlink replaces a non-directory, a directory replaces an empty
   * directory (`NotEmpty` otherwise); a directory onto a non-directory is `NotADirectory`, a
   * non-directory onto a directory is `IsADirectory`, and a non-directory onto `name/` is
   * `NotADirectory`. Moving a node onto itself changes nothing; moving a directory into
   * itself or below itself is `InvalidPath`. The node keeps its id and history, and so does a
   * replaced node (readable by key and by time travel). To move into a directory by naming
   * it, as `mv a dir/` does, decide the path with {@link moveDestination} first.
   */
  async rename(from: string, to: string): Promise<NodePath> {
    const transaction = this.#transaction;
    const source = await this.existing(from, false);
    if (!source.named) {
      throw new TinyFsError(
        "InvalidPath",
        source.path,
        `cannot move ${from}: name the entry itself, not /, . or ..`,
      );
    }
    const sourceParent = this.#storedDirectory(source.parent, source.path);
    const handle = source.handle!;
    this.#storedEntry(handle, source.path);
    const dest = await this.#resolve(to, false);
    const destParent = dest.named && this.#storedDirectory(dest.parent, dest.path);
    if (
      destParent
        ? destParent.nodeId === sourceParent.nodeId && dest.name === source.name
        : sameNode(dest.handle, handle)
    ) {
      return this.node(source.parent, source.name, handle, source.path);
    }
    if (!destParent) {
      throw new TinyFsError(
        "InvalidPath",
        dest.path,
        `cannot move ${source.path} onto ${to}: name the new entry itself, not /, . or ..`,
      );
    }
    if (dest.parent.some((f) => sameNode(f.handle, handle))) {
      throw new TinyFsError(
        "InvalidPath",
        dest.path,
        `cannot move ${source.path} into itself (${dest.path})`,
      );
    }
    const replacing = await this.#replaceable(source.path, handle, dest);
    await transaction.move(
      { parent: sourceParent, name: source.name, path: source.path },
      { parent: destParent, name: dest.name, path: dest.path },
      replacing,
    );
    return this.node(dest.parent, dest.name, handle, dest.path);
  }

  /**
   * Checks that the node `handle` (at `from`) may take the entry `dest`, and returns the id of
   * the node it replaces there, if any.
   */
  async #replaceable(from: string, handle: Handle, dest: Resolved): Promise<NodeId | undefined> {
    const moving = handleKind(handle) === "directory";
    const there = dest.handle;
    if (!there) {
      if (dest.directoryOnly && !moving) {
        throw new TinyFsError(
          "NotADirectory",
          dest.path,
          `cannot move ${from} to ${dest.path}/: it is not a directory`,
        );
      }
      return undefined;
    }
    const key = this.#storedEntry(there, dest.path);
    const replaced = handleKind(there) === "directory";
    if (moving !== replaced) {
      throw new TinyFsError(
        moving ? "NotADirectory" : "IsADirectory",
        dest.path,
        moving
          ? `cannot move directory ${from} onto ${dest.path}: it is not a directory`
          : `cannot move ${from} onto ${dest.path}: it is a directory`,
      );
    }
    if (there.tag === "stored" && there.entryType === "directory") {
      if ((await latest(this.tree.state, key)).size > 0) {
        throw new TinyFsError(
          "NotEmpty",
          dest.path,
          `cannot move ${from} onto ${dest.path}: it is a directory with entries`,
        );
      }
    }
    return key.nodeId;
  }

  /** Creates `node` where `found` says nothing is yet. */
  async #create(transaction: Transaction, found: Resolved, node: NewNode): Promise<Handle> {
    const parent = this.#creatable(found, node.entryType);
    const key = await transaction.create(parent, found.name, node, found.path);
    return { tag: "stored", key, entryType: node.entryType };
  }

  /**
   * Checks that a node of `entryType` can be created where `found` says nothing is yet, and
   * returns the directory to create it in.
   */
  #creatable(found: Resolved, entryType: EntryType): NodeKey {
    if (!found.named) {
      throw new TinyFsError(
        "InvalidPath",
        found.path,
        `cannot create ${found.path}: /, . and .. name existing directories`,
      );
    }
    if (found.handle) {
      throw new TinyFsError("AlreadyExists", found.path, `${found.path} already exists`);
    }
    if (found.directoryOnly && entryType !== "directory") {
      throw new TinyFsError(
        "InvalidPath",
        found.path,
        `cannot create ${found.path}/ as a ${entryType}: a path ending in / names a directory`,
      );
    }
    return this.#storedDirectory(found.parent, found.path);
  }

  #resolve(path: string, follow: boolean, parents = false): Promise<Resolved> {
    return this.resolve(
      path,
      follow,
      parents ? (parent, name, at) => this.#makeDirectory(parent, name, at) : undefined,
    );
  }

  async #makeDirectory(parent: readonly Frame[], name: string, path: string): Promise<Handle> {
    const key = await this.#transaction.create(this.#storedDirectory(parent, path), name, {
      entryType: "directory",
    }, path);
    return { tag: "stored", key, entryType: "directory" };
  }

  /** The key of the plain stored directory at the end of `parent`; `ReadOnly` if it is dynamic. */
  #storedDirectory(parent: readonly Frame[], path: string): NodeKey {
    const directory = parent.at(-1)!.handle;
    if (directory.tag !== "stored" || directory.entryType !== "directory") {
      throw new TinyFsError(
        "ReadOnly",
        path,
        `cannot change ${path}: ${framesPath(parent)} is a dynamic directory, computed on read`,
      );
    }
    return directory.key;
  }

  /**
   * The key of a node stored as a directory entry; `ReadOnly` for anything computed or served
   * by a pattern registration.
   */
  #storedEntry(handle: Handle, path: string): NodeKey {
    if (handle.tag === "pattern") {
      throw new TinyFsError(
        "ReadOnly",
        path,
        `cannot change ${path}: it is served by the registered pattern ${handle.pattern}; ` +
          "unregister the pattern to remove it",
      );
    }
    if (handle.tag !== "stored") {
      throw new TinyFsError("ReadOnly", path, `cannot change ${path}: it is computed on read`);
    }
    return handle.key;
  }

  /** A dynamic node's spec, once its `kind` factory has accepted the config. */
  async #dynamicSpec(
    kind: "directory" | "file",
    factory: string,
    config: Uint8Array | string,
    path: string,
  ): Promise<DynamicSpec> {
    const bytes = await toBytes(config);
    const factories = kind === "file" ? this.tree.fileFactories : this.tree.factories;
    await factoryNamed<{ open(config: Uint8Array): unknown }>(factories, factory, path, kind)
      .open(bytes.slice());
    return { factory, config: bytes };
  }
}

/** Whether two handles are the same stored node. */
function sameNode(a: Handle | undefined, b: Handle): boolean {
  return a?.tag === "stored" && b.tag === "stored" && a.key.nodeId === b.key.nodeId;
}
