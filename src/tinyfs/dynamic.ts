/** The seam for nodes computed on read: factories, dynamic directories and their entries, dynamic files. */

import { TinyFsError } from "./errors.ts";
import type { FileEntryType } from "./records.ts";
import type { Derivation, ReadView } from "./view.ts";

/** What a dynamic directory or file is given each time it is computed. */
export interface DynamicContext {
  /**
   * A read-only working directory at the directory that holds the dynamic node, seeing what
   * the reader sees (the committed state, or the reader's transaction). Reads through it
   * carry the computation's call chain, so reaching the node itself is a `VisitLoop`.
   */
  readonly fs: ReadView;
  /** The absolute path of the node being computed. */
  readonly path: string;
  /**
   * For a directory served by a pattern registration (and the subdirectories it computes):
   * what the pattern's wildcards captured in `path`, as a glob reports them (one per `*`, one
   * per name a `**` consumed). Empty for stored dynamic directories and files.
   */
  readonly captures: readonly string[];
  /**
   * The committed state `fs` reads, as a token: the same object for every computation over that
   * state (while it is the one read), absent when reading inside a transaction. What a
   * computation finds among stored nodes through `fs` never changes for one token, so it may be
   * kept under it.
   */
  readonly committed?: object;
}

/** A computed file: its content is produced when read. */
export interface DynamicFile {
  readonly kind: "file";
  readonly name: string;
  /** Defaults to `file:data`. */
  readonly entryType?: FileEntryType;
  read(): Promise<Uint8Array | ReadableStream<Uint8Array>>;
  /** What it is computed from, when its directory can say (see `NodePath.derivation`). */
  derivation?(): Promise<Derivation>;
}

/** A computed subdirectory. */
export interface DynamicSubdirectory {
  readonly kind: "directory";
  readonly name: string;
  readonly directory: DynamicDirectory;
}

/** One entry of a dynamic directory. */
export type DynamicEntry = DynamicFile | DynamicSubdirectory;

/**
 * A directory whose entries are computed on every read and never stored; writes into it
 * are `ReadOnly`. Names must be valid and distinct, else `InvalidPath`.
 *
 * @example
 * ```ts
 * const hello: DynamicDirectory = {
 *   entries: () => Promise.resolve([
 *     { kind: "file", name: "hello.txt", read: () => Promise.resolve(new TextEncoder().encode("hi")) },
 *   ]),
 * };
 * ```
 */
export interface DynamicDirectory {
  entries(context: DynamicContext): Promise<readonly DynamicEntry[]>;
}

/**
 * Makes dynamic directories of one kind from their stored configuration. `open` runs when
 * such a node is created (to refuse a bad config by throwing) and whenever one is read.
 *
 * @example
 * ```ts
 * import { MemoryPersistence, FS } from "./mod.ts";
 *
 * const store = new MemoryPersistence();
 * const constant: DynamicFactory = {
 *   open: (config) => ({ entries: () => Promise.resolve([
 *     { kind: "file", name: "config", read: () => Promise.resolve(config) },
 *   ]) }),
 * };
 * const fs = await FS.open(store, { factories: { constant } });
 * ```
 */
export interface DynamicFactory {
  open(config: Uint8Array): DynamicDirectory | Promise<DynamicDirectory>;
}

/** The factories a pond is opened with, by the name stored in dynamic directory nodes. */
export type Factories = Readonly<Record<string, DynamicFactory>>;

/**
 * The bytes of a stored dynamic file (`file:dynamic`), computed on every read and never
 * stored; writing to the file is `ReadOnly`. `read` gets the same context as a dynamic
 * directory's `entries` (no captures), so a file whose computation reads itself, directly or
 * through other dynamic nodes, is a `VisitLoop`.
 *
 * @example
 * ```ts
 * const count: DynamicFileContent = {
 *   read: async (context) => new TextEncoder().encode(`${(await context.fs.list()).length}\n`),
 * };
 * ```
 */
export interface DynamicFileContent {
  read(context: DynamicContext): Promise<Uint8Array | ReadableStream<Uint8Array>>;
}

/**
 * Makes dynamic files of one kind from their stored configuration, as {@link DynamicFactory}
 * does directories. `open` runs when such a file is created (to refuse a bad config by
 * throwing) and whenever one is read.
 *
 * @example
 * ```ts
 * import { MemoryPersistence, FS } from "./mod.ts";
 *
 * const store = new MemoryPersistence();
 * const echo: DynamicFileFactory = { open: (config) => ({ read: () => Promise.resolve(config) }) };
 * const fs = await FS.open(store, { fileFactories: { echo } });
 * ```
 */
export interface DynamicFileFactory {
  open(config: Uint8Array): DynamicFileContent | Promise<DynamicFileContent>;
}

/** The factories a pond is opened with, by the name stored in dynamic file nodes. */
export type FileFactories = Readonly<Record<string, DynamicFileFactory>>;

/**
 * The factory registered as `name` among the `kind` factories, or `UnknownFactory` naming
 * `path` (the node wanting it), the factory and those there are. The message names no way to
 * provide a factory: what opens the tree (the pond, with its plugins) knows that, and can add it.
 *
 * @example
 * ```ts
 * import type { DynamicFactory } from "./mod.ts";
 *
 * async function example(reverse: DynamicFactory) {
 *   const factory = factoryNamed({ reverse }, "reverse", "/views/r", "directory");
 * }
 * ```
 */
export function factoryNamed<F>(
  factories: Readonly<Record<string, F>>,
  name: string,
  path: string,
  kind: "directory" | "file",
): F {
  const factory = Object.hasOwn(factories, name) ? factories[name] : undefined;
  if (!factory) {
    const known = Object.keys(factories).sort().join(", ") || "none";
    throw new TinyFsError(
      "UnknownFactory",
      path,
      `${path} needs the dynamic ${kind} factory ${JSON.stringify(name)}, but the pond was ` +
        `opened without it (available: ${known}); make ${JSON.stringify(name)} available, ` +
        "then read it again",
    );
  }
  return factory;
}
