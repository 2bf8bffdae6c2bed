/** The storage interface the Delta protocol code does all its I/O through, and its local-filesystem implementation. */

import { dirname } from "node:path";
import type { AsyncBuffer } from "hyparquet";
import { DeltaError } from "./errors.ts";
import { createTemp, writerGone } from "./temp_writer.ts";

/** What storage knows about one stored object. */
export interface ObjectInfo {
  /** Path relative to the table root, `/`-separated (e.g. `_delta_log/00000000000000000000.json`). */
  path: string;
  /** Size in bytes. */
  size: number;
  /** Last modification time, milliseconds since the Unix epoch. */
  mtime: number;
}

const TEMP_PREFIX = ".pond-";
const TEMP_SUFFIX = ".tmp";

/**
 * True for the temporary files `LocalStore` writes before publishing an object; a writer
 * killed mid-write leaves one behind, which vacuum removes once it is older than the retention.
 *
 * @example
 * ```ts
 * isTempFile("_delta_log/.pond-1b4e28ba-2fa1-11d2-883f-0016d3cca427.tmp"); // true
 * ```
 */
export function isTempFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX);
}

/** Options of {@link Store.list}. */
export interface ListOptions {
  /** List objects in every subdirectory too (default: only the directory's own objects). */
  recursive?: boolean;
  /**
   * Only objects whose path sorts at or after this one (as object stores list from a key):
   * the log can be listed from a checkpoint on without touching older entries.
   */
  from?: string;
}

/**
 * A table's storage: objects addressed by `/`-separated paths relative to the table root.
 * Empty and `.` segments are ignored (`./a//b` is `a/b`); an absolute path or one with `..`
 * is `InvalidArgument`. Reading a missing object (or a directory) throws a `DeltaError` with
 * code `MissingFile`. Every implementation passes the contract suite in
 * `tests/delta/store_contract.ts`.
 *
 * @example
 * ```ts
 * const store: Store = new LocalStore("/data/my_table");
 * const commits = await store.list("_delta_log");
 * ```
 */
export interface Store {
  /** A human-readable location of `path` (for error messages), e.g. an absolute file path. */
  locate(path: string): string;
  /** The whole content of an object, in a fresh array the caller may change. */
  read(path: string): Promise<Uint8Array>;
  /**
   * Bytes `[start, end)` of an object. Throws `CorruptData` if the object is shorter than
   * `end` (an empty range past the end too: never a short read), `InvalidArgument` unless
   * `0 <= start <= end`, and `MissingFile` for a missing object, whatever the range. Given
   * `into` (of at least `end - start` bytes), the bytes are read into it and the filled
   * view of it returned, so a reader can reuse one buffer.
   */
  readRange(path: string, start: number, end: number, into?: Uint8Array): Promise<Uint8Array>;
  /** Size and modification time of an object, with its path normalized. */
  head(path: string): Promise<ObjectInfo>;
  /**
   * The objects under directory `dir` ("" for the root), sorted by path (by UTF-16 code
   * unit, so `B` before `a`). `dir` names a directory, not a string prefix: `list("d")`
   * lists `d/x` but neither `dd/x` nor `d.txt`. Directories are not objects: they are never
   * listed themselves. A missing directory, or an object's own path, lists as empty. A write
   * in progress is never listed under its own path; a store that writes through temporary
   * objects lists those under names {@link isTempFile} knows (so vacuum can remove a dead
   * writer's), and none remains once the write has resolved.
   */
  list(dir: string, options?: ListOptions): Promise<ObjectInfo[]>;
  /**
   * Atomically create or replace an object, copying `data`; readers see the old content or
   * the new, never a mix. Durable when the promise resolves.
   */
  put(path: string, data: Uint8Array): Promise<void>;
  /**
   * Create an object only if none exists at `path`; durable when it resolves `true`.
   * Resolves `false` (and writes nothing) when the object already exists. Of concurrent
   * calls on one path exactly one resolves `true`. Readers never see it half-written.
   */
  putIfAbsent(path: string, data: Uint8Array): Promise<boolean>;
  /**
   * Starts a streaming write whose path is chosen once it is written (e.g. its content
   * hash); a store that writes through a temporary object puts it in directory `dir`. A
   * caller that knows the path already passes it as `path` and must publish there: a store
   * may then write straight to it (an S3 multipart upload), still invisible until published.
   */
  upload(dir: string, path?: string): Promise<Upload>;
  /** Sets an object's modification time to now; resolves `false` when it is missing. */
  touch(path: string): Promise<boolean>;
  /**
   * Removes the temporary objects in directory `dir` (not below) of writes whose writer is
   * known to be gone (killed mid-write); those of live writers, and all others, stay.
   */
  sweep(dir: string): Promise<void>;
  /** Delete an object; deleting a missing object is not an error. */
  delete(path: string): Promise<void>;
  /**
   * The file on this computer that holds the object at `path`, for what must read a file in
   * place (DuckDB scanning a stored body, the liveness check of a temporary object's writer).
   * Absent, or undefined, for a store whose objects are not local files: callers then go
   * through the other methods.
   */
  localPath?(path: string): string | undefined;
}

/**
 * A streaming write of one object (from {@link Store.upload}): bytes are appended, then
 * published at a path. Call {@link Upload.abort} when done with it (in a `finally`): it drops
 * what was written unless it was published, and is harmless after.
 *
 * @example
 * ```ts
 * const store = new LocalStore("/data/pond");
 * const upload = await store.upload("blobs");
 * try {
 *   await upload.write(new TextEncoder().encode("hello"));
 *   await upload.putIfAbsent("blobs/2c/2cf24dba");
 * } finally {
 *   await upload.abort();
 * }
 * ```
 */
export interface Upload {
  /** Appends `data` (copied: the caller may reuse the array once this resolves). */
  write(data: Uint8Array): Promise<void>;
  /**
   * Publishes what was written at `path` unless an object exists there, like
   * {@link Store.putIfAbsent}: `true` when created (durable), `false` when one exists, and
   * the upload can then still be published (e.g. over a damaged object with `put`).
   */
  putIfAbsent(path: string): Promise<boolean>;
  /** Publishes what was written at `path`, replacing any object there, like {@link Store.put}. */
  put(path: string): Promise<void>;
  /** Drops what was written unless it was published. */
  abort(): Promise<void>;
}

/**
 * Splits a store path into its segments, dropping empty and `.` ones and refusing absolute
 * paths and `..` (`InvalidArgument`): the normalization every {@link Store} applies.
 *
 * @example
 * ```ts
 * segments("./a//b/c.json"); // ["a", "b", "c.json"]
 * ```
 */
export function segments(path: string): string[] {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (path.startsWith("/") || parts.includes("..")) {
    throw new DeltaError(
      "InvalidArgument",
      `storage path ${JSON.stringify(path)} must be relative to the table root`,
      {
        path,
      },
    );
  }
  return parts;
}

/** Maps a Deno filesystem error on `path` to a `DeltaError` when it means "no such object". */
function missing(e: unknown, path: string, where: string): unknown {
  if (e instanceof Deno.errors.NotFound) {
    return new DeltaError("MissingFile", `${where} does not exist`, { path, cause: e });
  }
  if (e instanceof Deno.errors.IsADirectory) {
    return new DeltaError("MissingFile", `${where} is not a file`, { path, cause: e });
  }
  return e;
}

/** The error of a range `[start, end)` that reaches past the end (`size`) of an object. */
/**
 * The error of a {@link Store.readRange} whose object ends at byte `size`, before `end`.
 *
 * @example
 * ```ts
 * truncatedRange(new LocalStore("/data/t"), "a.bin", 10, 8, 16).code; // "CorruptData"
 * ```
 */
export function truncatedRange(
  store: Store,
  path: string,
  size: number,
  start: number,
  end: number,
): DeltaError {
  return new DeltaError(
    "CorruptData",
    `${
      store.locate(path)
    } is truncated: it ends at byte ${size}, before the requested range [${start}, ${end})`,
    { path },
  );
}

/**
 * What every {@link Store.readRange} checks before it reads: `InvalidArgument` unless
 * `0 <= start <= end` and `into`, if given, holds the range. An empty range is answered here
 * (empty, or `CorruptData` past the object's end, `MissingFile` for a missing one); for any
 * other it returns undefined at once (no promise, so a read of a range waits for nothing more)
 * and the store reads.
 *
 * @example
 * ```ts
 * const store = new LocalStore("/data/t");
 * await checkRange(store, "a.bin", 4, 4); // an empty array (a.bin has 4 bytes or more)
 * ```
 */
export function checkRange(
  store: Store,
  path: string,
  start: number,
  end: number,
  into?: Uint8Array,
): Promise<Uint8Array> | undefined {
  if (!(start >= 0 && end >= start) || (into && into.length < end - start)) {
    throw new DeltaError(
      "InvalidArgument",
      `bad byte range [${start}, ${end}) of ${store.locate(path)}`,
      { path },
    );
  }
  if (start !== end) return undefined;
  return store.head(path).then(({ size }) => {
    if (size < end) throw truncatedRange(store, path, size, start, end);
    return new Uint8Array();
  });
}

/**
 * A {@link Store} on the local filesystem, rooted at a directory.
 *
 * @example
 * ```ts
 * const line = JSON.stringify({ commitInfo: { timestamp: Date.now() } });
 * const store = new LocalStore("/data/my_table");
 * await store.putIfAbsent("_delta_log/00000000000000000000.json", new TextEncoder().encode(line));
 * ```
 */
export class LocalStore implements Store {
  /** The absolute (or as given) directory the table lives in, without a trailing `/`. */
  readonly root: string;

  constructor(root: string) {
    this.root = root.length > 1 ? root.replace(/\/+$/, "") : root;
  }

  /** The filesystem path of a table-relative path. */
  locate(path: string): string {
    const parts = segments(path);
    return parts.length === 0 ? this.root : `${this.root}/${parts.join("/")}`;
  }

  /** The filesystem path of a table-relative path: every object is a local file. */
  localPath(path: string): string {
    return this.locate(path);
  }

  async read(path: string): Promise<Uint8Array> {
    const file = this.locate(path);
    try {
      return await Deno.readFile(file);
    } catch (e) {
      throw missing(e, path, file);
    }
  }

  /** Reads with blocking calls: one range of a local file is short, and cheaper read so. */
  async readRange(
    path: string,
    start: number,
    end: number,
    into?: Uint8Array,
  ): Promise<Uint8Array> {
    const empty = checkRange(this, path, start, end, into);
    if (empty) return await empty;
    const file = this.locate(path);
    let handle: Deno.FsFile;
    try {
      handle = Deno.openSync(file, { read: true });
    } catch (e) {
      throw missing(e, path, file);
    }
    try {
      handle.seekSync(start, Deno.SeekMode.Start);
      const out = into ? into.subarray(0, end - start) : new Uint8Array(end - start);
      let filled = 0;
      while (filled < out.length) {
        let n: number | null;
        try {
          n = handle.readSync(out.subarray(filled));
        } catch (e) {
          throw missing(e, path, file);
        }
        if (n === null) throw truncatedRange(this, path, start + filled, start, end);
        filled += n;
      }
      return out;
    } finally {
      handle.close();
    }
  }

  async head(path: string): Promise<ObjectInfo> {
    const file = this.locate(path);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(file);
    } catch (e) {
      throw missing(e, path, file);
    }
    if (!info.isFile) {
      throw new DeltaError("MissingFile", `${file} is not a file`, { path });
    }
    return { path: segments(path).join("/"), size: info.size, mtime: info.mtime?.getTime() ?? 0 };
  }

  async list(dir: string, options: ListOptions = {}): Promise<ObjectInfo[]> {
    const prefix = segments(dir).join("/");
    const out: ObjectInfo[] = [];
    await this.#walk(prefix, options.recursive ?? false, options.from ?? "", out);
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async #walk(dir: string, recursive: boolean, from: string, out: ObjectInfo[]): Promise<void> {
    const base = dir === "" ? this.root : `${this.root}/${dir}`;
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(base));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return;
      throw e;
    }
    for (const entry of entries) {
      const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory) {
        if (recursive) await this.#walk(path, recursive, from, out);
        continue;
      }
      if (path < from) continue;
      let info: Deno.FileInfo;
      try {
        info = await Deno.stat(`${this.root}/${path}`);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) continue; // deleted while listing
        throw e;
      }
      if (info.isFile) out.push({ path, size: info.size, mtime: info.mtime?.getTime() ?? 0 });
    }
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    await this.#written(path, data, (upload) => upload.put(path));
  }

  putIfAbsent(path: string, data: Uint8Array): Promise<boolean> {
    return this.#written(path, data, (upload) => upload.putIfAbsent(path));
  }

  /** Writes `data` through an upload next to `path`, publishes it with `publish`, and cleans up. */
  async #written<T>(
    path: string,
    data: Uint8Array,
    publish: (upload: Upload) => Promise<T>,
  ): Promise<T> {
    const upload = await this.upload(this.#parentOf(path));
    try {
      await upload.write(data);
      return await publish(upload);
    } finally {
      await upload.abort();
    }
  }

  async upload(dir: string): Promise<Upload> {
    const at = this.locate(dir);
    await makeDirectory(at);
    const { path, file, settled } = await createTemp(at);
    return new LocalUpload(path, file, settled, async (target) => {
      const dir = this.locate(this.#parentOf(target));
      await makeDirectory(dir);
      return { file: this.locate(target), dir };
    });
  }

  async touch(path: string): Promise<boolean> {
    const now = new Date();
    try {
      await Deno.utime(this.locate(path), now, now);
      return true;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      throw e;
    }
  }

  async sweep(dir: string): Promise<void> {
    const at = this.locate(dir);
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(at));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return;
      throw e;
    }
    for (const entry of entries) {
      if (!entry.isFile || !(await writerGone(`${at}/${entry.name}`))) continue;
      await Deno.remove(`${at}/${entry.name}`).catch(() => {});
    }
  }

  async delete(path: string): Promise<void> {
    try {
      await Deno.remove(this.locate(path));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }

  /** The table-relative directory holding `path`, refusing the table root itself. */
  #parentOf(path: string): string {
    const parts = segments(path);
    if (parts.length === 0) {
      throw new DeltaError(
        "InvalidArgument",
        `cannot write the table root ${this.root} as an object`,
        { path },
      );
    }
    return parts.slice(0, -1).join("/");
  }
}

/** A {@link LocalStore} upload: a locked temp file, fsynced and then linked or renamed into place. */
class LocalUpload implements Upload {
  /** The temp file while it is written; closed (and fsynced) once publishing starts. */
  #file: Deno.FsFile | undefined;
  #published = false;

  constructor(
    readonly temp: string,
    file: Deno.FsFile,
    /** Tells the process the temp file is gone, so its end need not remove it (see `createTemp`). */
    readonly settled: () => void,
    readonly target: (path: string) => Promise<{ file: string; dir: string }>,
  ) {
    this.#file = file;
  }

  async write(data: Uint8Array): Promise<void> {
    if (!this.#file) {
      throw new DeltaError("InvalidArgument", `upload ${this.temp} is no longer being written`);
    }
    for (let written = 0; written < data.length;) {
      written += await this.#file.write(data.subarray(written));
    }
  }

  async putIfAbsent(path: string): Promise<boolean> {
    const target = await this.#finish(path);
    try {
      await Deno.link(this.temp, target.file);
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) return false;
      throw e;
    }
    this.#published = true;
    await Deno.remove(this.temp);
    await syncDirectory(target.dir);
    return true;
  }

  async put(path: string): Promise<void> {
    const target = await this.#finish(path);
    await Deno.rename(this.temp, target.file);
    this.#published = true;
    await syncDirectory(target.dir);
  }

  async abort(): Promise<void> {
    this.#file?.close();
    this.#file = undefined;
    if (!this.#published) {
      await Deno.remove(this.temp).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      });
    }
    this.settled();
  }

  /** fsyncs and closes the temp file (the first time), and makes the directory of `path`. */
  async #finish(path: string): Promise<{ file: string; dir: string }> {
    if (this.#published) {
      throw new DeltaError("InvalidArgument", `upload ${this.temp} was already published`);
    }
    if (this.#file) {
      await this.#file.sync();
      this.#file.close();
      this.#file = undefined;
    }
    return await this.target(path);
  }
}

/**
 * Makes directory `dir` and any missing directory above it, and fsyncs the parent of each one
 * it made, top down, so that none of the new entries is lost in a crash (fsyncing a file and
 * its own directory does not make that directory's entry in its parent durable).
 */
async function makeDirectory(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = dir; at !== dirname(at) && !(await isDirectory(at)); at = dirname(at)) {
    missing.unshift(at);
  }
  for (const made of missing) {
    try {
      await Deno.mkdir(made);
    } catch (e) {
      // made meanwhile by another writer, unless a file is in the way
      if (!(e instanceof Deno.errors.AlreadyExists) || !(await isDirectory(made))) throw e;
    }
    await syncDirectory(dirname(made));
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * fsyncs a directory so that a new or renamed entry in it survives a crash.
 *
 * @example
 * ```ts
 * import { dirname } from "node:path";
 *
 * const temp = "/data/table/.tmp-1";
 * const target = "/data/table/_delta_log/00000000000000000004.json";
 * await Deno.link(temp, target);
 * await syncDirectory(dirname(target));
 * ```
 */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}

/**
 * Presents a stored object as a hyparquet `AsyncBuffer`, so Parquet footers and column
 * chunks are fetched by byte range instead of reading the whole file. Pass `size` when it is
 * already known (e.g. from the log's `add.size`) to save a `head` call.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 * import { parquetMetadataAsync } from "hyparquet";
 *
 * const store = new LocalStore("/data/table");
 * const file = await asyncBufferFrom(store, "part-0000.parquet");
 * const meta = await parquetMetadataAsync(file);
 * ```
 */
export async function asyncBufferFrom(
  store: Store,
  path: string,
  size?: number,
): Promise<AsyncBuffer> {
  return byteRangesOf(store, path, size ?? (await store.head(path)).size);
}

/**
 * {@link asyncBufferFrom} for an object whose size is known: a range past the end of the
 * stored object is `CorruptData`.
 *
 * @example
 * ```ts
 * import { parquetMetadataAsync } from "hyparquet";
 *
 * const store = new LocalStore("/data/table");
 * const { size } = await store.head("part-0000.parquet");
 * const meta = await parquetMetadataAsync(byteRangesOf(store, "part-0000.parquet", size));
 * ```
 */
export function byteRangesOf(store: Store, path: string, byteLength: number): AsyncBuffer {
  return {
    byteLength,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const from = start < 0 ? Math.max(0, byteLength + start) : start;
      const to = end === undefined
        ? byteLength
        : end < 0
        ? byteLength + end
        : Math.min(end, byteLength);
      const bytes = await store.readRange(path, from, Math.max(from, to));
      return bytes.buffer.slice(
        bytes.byteOffset,
        bytes.byteOffset + bytes.byteLength,
      ) as ArrayBuffer;
    },
  };
}
