/** The read-only face of a tree: what readers, and the computations of dynamic nodes, can do with it. */

import type { NodeId } from "./node_id.ts";
import type { DynamicSpec, EntryType, EventTimes, NodeKind } from "./records.ts";
import type { Registration } from "./registry.ts";

/** Which version to read; the newest when absent. */
export interface ReadOptions {
  readonly version?: number;
}

/**
 * Where a computed file's content comes from, as the directory computing it says, known
 * without computing the file.
 */
export interface Derivation {
  /** The absolute paths of the nodes its content is computed from. */
  readonly inputs: readonly string[];
  /**
   * Equal exactly while computing the file again gives the same bytes (for a plugin: its code,
   * config, call and each input's node id and version); undefined when that cannot be known
   * (an input itself computed, or not committed yet).
   */
  readonly key?: string;
}

/** Whether to describe a symlink's target (the default) or the symlink itself. */
export interface FollowOptions {
  readonly follow?: boolean;
}

/**
 * One version of a node, described. Stored nodes report their own id, version and times
 * (`created` is the first version's time, `modified` this version's); a directory served by a
 * pattern registration reports the registration's node, and its `pattern`. Computed nodes (inside
 * dynamic directories) have no id of their own: they report version 1 and the times of the
 * stored dynamic directory they come from, and a computed file's size costs a read.
 * `size` is bytes for files (for a dynamic file, the bytes that version's config computes now,
 * which costs a read), entries for plain directories, 0 for dynamic directories and the
 * target's length for symlinks.
 */
export interface Metadata {
  readonly kind: NodeKind;
  readonly entryType: EntryType;
  readonly nodeId: NodeId | undefined;
  readonly version: number;
  /** The transaction that wrote this version (for computed nodes, their dynamic directory's). */
  readonly seq: number;
  readonly size: number;
  readonly created: Date;
  readonly modified: Date;
  readonly computed: boolean;
  /** For symlinks: where it points. */
  readonly target?: string;
  /** For stored dynamic directories and files: the factory that computes it. */
  readonly factory?: string;
  /** For directories served by a pattern registration: the registered pattern. */
  readonly pattern?: string;
  /** For series versions whose store records it: the range of their event times. */
  readonly eventTimes?: EventTimes;
  /**
   * True for a version the transaction in progress wrote: not committed, so its id and version
   * may yet name other bytes (it may be written again, or never committed). Nothing computed
   * from it may be kept under them.
   */
  readonly uncommitted?: true;
}

/**
 * A node as found at a path (by `open`, `list`, or a glob), readable without resolving the
 * path again. Reading a symlink reads its target; the node's own kind stays `symlink`. It
 * reads from the state it was found in.
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
export interface NodePath {
  /** The node's name in its directory. */
  readonly name: string;
  /** The absolute path it was found at. */
  readonly path: string;
  /** What this node is (a symlink stays a symlink). */
  readonly kind: NodeKind;
  /**
   * Whether a dynamic directory computes this node, so it has no id or versions of its own
   * (a symlink is not followed); known without computing anything.
   */
  readonly computed: boolean;
  /** This node's entry type. */
  readonly entryType: EntryType;
  /**
   * The file's bytes, following symlinks; `IsADirectory` for directories. A dynamic file is
   * computed now (with `version`'s config), from what this node's state holds.
   */
  read(options?: ReadOptions): Promise<Uint8Array>;
  /** The file's bytes as a stream, following symlinks. */
  stream(options?: ReadOptions): Promise<ReadableStream<Uint8Array>>;
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
  fileOnDisk(options?: ReadOptions): Promise<string | undefined>;
  /** A symlink's target, as stored; `InvalidPath` for anything else. */
  readlink(): Promise<string>;
  /**
   * Describes the newest version (of the symlink's target unless `follow` is false). The size
   * of a dynamic file, or of a file a dynamic directory computes, costs computing it.
   */
  metadata(options?: FollowOptions): Promise<Metadata>;
  /** Describes every version, oldest first (of the symlink's target unless `follow` is false). */
  versions(options?: FollowOptions): Promise<Metadata[]>;
  /**
   * The factory and config of this node if it is a stored dynamic directory or file (a symlink
   * is not followed), read without computing anything; undefined for any other node, including
   * a directory a pattern registration serves (see {@link ReadView.registrations}).
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
  dynamic(): Promise<DynamicSpec | undefined>;
  /**
   * For a file a dynamic directory computes: what it is computed from, as that directory says
   * (a plugin's `compute.inputs`, and the key its result is kept under), known without
   * computing the file; undefined for any other node (a symlink is not followed) and for a
   * computed file whose directory does not say.
   *
   * @example
   * ```ts
   * import { Pond } from "../pond/mod.ts";
   *
   * const root = await (await Pond.open("/data/pond")).root();
   * const d = await (await root.open("/reduce/north/res=1h.series")).derivation();
   * d?.inputs; // ["/sites/north/readings.series"]
   * ```
   */
  derivation(): Promise<Derivation | undefined>;
}

/**
 * What a destination turned out to be (paths are absolute):
 * - `into-directory`: an existing directory (symlinks followed); each source goes in under
 *   its own name;
 * - `new-file`: a missing name in an existing directory, for exactly one source, which takes
 *   that name (a moved directory too: the kinds are named for the common case, copying files);
 * - `existing-file`: an existing non-directory, for exactly one source: a copy becomes its
 *   new version, a move replaces it.
 */
export type Destination =
  | { readonly kind: "into-directory"; readonly path: string }
  | { readonly kind: "new-file"; readonly path: string }
  | { readonly kind: "existing-file"; readonly path: string };

/** One node a glob matched, and the text its wildcards captured. */
export interface GlobMatch {
  readonly node: NodePath;
  /** One entry per `*` (the text it matched) and per name a `**` consumed, in pattern order. */
  readonly captures: readonly string[];
}

/**
 * A read-only working directory: relative paths resolve from it (absolute ones from the root),
 * and it reads one state of the tree (a committed snapshot, or what a transaction has done so
 * far). It has no way to change anything: that takes a `WD` inside `fs.transact()`. Dynamic
 * nodes compute with one, and `fs.root()` returns one.
 *
 * @example
 * ```ts
 * import { FS, MemoryPersistence } from "./mod.ts";
 *
 * async function csvFiles(view: ReadView): Promise<string[]> {
 *   return (await view.glob("/data/**\/*.csv")).map((m) => m.node.path);
 * }
 * const files = await csvFiles(await (await FS.open(new MemoryPersistence())).root());
 * ```
 */
export interface ReadView {
  /** This directory's absolute path. */
  readonly path: string;
  /** The view at `path` (symlinks followed); `NotADirectory` if it is not one. */
  chdir(path: string): Promise<ReadView>;
  /** The node at `path`; with `follow: false` a final symlink is returned itself. */
  open(path: string, options?: FollowOptions): Promise<NodePath>;
  /** The bytes of the file at `path` (of `version`, default the newest). */
  read(path: string, options?: ReadOptions): Promise<Uint8Array>;
  /** The bytes of the file at `path` as a stream. */
  stream(path: string, options?: ReadOptions): Promise<ReadableStream<Uint8Array>>;
  /** The target of the symlink at `path`. */
  readlink(path: string): Promise<string>;
  /** Describes the node at `path` (its target, for a symlink, unless `follow` is false). */
  metadata(path: string, options?: FollowOptions): Promise<Metadata>;
  /** Describes every version of the node at `path`, oldest first. */
  versions(path: string, options?: FollowOptions): Promise<Metadata[]>;
  /** Whether `path` leads to a node (symlinks followed; a dangling symlink does not). */
  exists(path: string): Promise<boolean>;
  /** The entries of the directory at `path` (default here), sorted by name. */
  list(path?: string): Promise<NodePath[]>;
  /**
   * Every node matching the glob `pattern`, in name order, depth-first; see `compileGlob`
   * for the syntax and `visit` for how symlinks and loops are treated.
   */
  visit(pattern: string): AsyncGenerator<GlobMatch>;
  /** All matches of `pattern`, in the order {@link ReadView.visit} yields them. */
  glob(pattern: string): Promise<GlobMatch[]>;
  /** The pattern registrations in this view's state, sorted by pattern. */
  registrations(): Promise<Registration[]>;
  /**
   * Where copies of `sources` files sent to `dest` go (`cp` rules); see `copyDestination`.
   * Each source's path is then `copyTarget(dest, source)`.
   */
  copyDestination(dest: string, sources: number): Promise<Destination>;
  /**
   * Where `sources` nodes moved to `dest` go (`mv` rules: into `dest` if it is a directory);
   * see `moveDestination`. Move each with `rename(source, copyTarget(dest, source))`.
   */
  moveDestination(dest: string, sources: number): Promise<Destination>;
}
