/** A `Store` held in memory, no file behind any object: what tests use to show code reaches its bytes through a Store alone. */
import { DeltaError } from "../../src/delta/errors.ts";
import {
  checkRange,
  type ListOptions,
  type ObjectInfo,
  segments,
  type Store,
  truncatedRange,
  type Upload,
} from "../../src/delta/storage.ts";

interface StoredObject {
  readonly bytes: Uint8Array;
  mtime: number;
}

/**
 * A {@link Store} in a map: each object's bytes, copied in and out; a put is atomic and
 * put-if-absent exclusive because nothing awaits between looking and writing. Uploads are
 * buffered until published, so no temporary object is ever listed. It passes the Store
 * contract suite (`store_contract_memory_test.ts`).
 *
 * @example
 * ```ts
 * const store = new MemoryStore("oplog");
 * await store.put("_delta_log/00000000000000000000.json", new TextEncoder().encode("{}"));
 * store.locate("_delta_log"); // "memory:oplog/_delta_log"
 * ```
 */
export class MemoryStore implements Store {
  readonly #objects = new Map<string, StoredObject>();

  /** `name` is what {@link locate} puts before paths, for messages. */
  constructor(readonly name: string) {}

  locate(path: string): string {
    return `memory:${[this.name, ...segments(path)].join("/")}`;
  }

  read(path: string): Promise<Uint8Array> {
    return settled(() => this.#get(path).bytes.slice());
  }

  async readRange(
    path: string,
    start: number,
    end: number,
    into?: Uint8Array,
  ): Promise<Uint8Array> {
    const empty = checkRange(this, path, start, end, into);
    if (empty) return await empty;
    const { bytes } = this.#get(path);
    if (bytes.length < end) throw truncatedRange(this, path, bytes.length, start, end);
    const out = into ? into.subarray(0, end - start) : new Uint8Array(end - start);
    out.set(bytes.subarray(start, end));
    return out;
  }

  head(path: string): Promise<ObjectInfo> {
    return settled(() => {
      const { bytes, mtime } = this.#get(path);
      return { path: segments(path).join("/"), size: bytes.length, mtime };
    });
  }

  list(dir: string, options: ListOptions = {}): Promise<ObjectInfo[]> {
    return settled(() => {
      const prefix = segments(dir).join("/");
      const under = prefix === "" ? "" : `${prefix}/`;
      const out: ObjectInfo[] = [];
      for (const [path, { bytes, mtime }] of this.#objects) {
        if (!path.startsWith(under) || path < (options.from ?? "")) continue;
        if (!options.recursive && path.slice(under.length).includes("/")) continue;
        out.push({ path, size: bytes.length, mtime });
      }
      return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    });
  }

  put(path: string, data: Uint8Array): Promise<void> {
    return settled(() => {
      this.#objects.set(this.#key(path), { bytes: data.slice(), mtime: Date.now() });
    });
  }

  putIfAbsent(path: string, data: Uint8Array): Promise<boolean> {
    return settled(() => {
      const key = this.#key(path);
      if (this.#objects.has(key)) return false;
      this.#objects.set(key, { bytes: data.slice(), mtime: Date.now() });
      return true;
    });
  }

  upload(_dir: string, _path?: string): Promise<Upload> {
    return Promise.resolve(new MemoryUpload(this));
  }

  touch(path: string): Promise<boolean> {
    return settled(() => {
      const object = this.#objects.get(segments(path).join("/"));
      if (object) object.mtime = Date.now();
      return object !== undefined;
    });
  }

  /** Nothing to sweep: an upload is never an object until it is published. */
  sweep(dir: string): Promise<void> {
    return settled(() => void segments(dir));
  }

  delete(path: string): Promise<void> {
    return settled(() => void this.#objects.delete(segments(path).join("/")));
  }

  /** The object at `path`, or `MissingFile`. */
  #get(path: string): StoredObject {
    const object = this.#objects.get(segments(path).join("/"));
    if (!object) {
      throw new DeltaError("MissingFile", `${this.locate(path)} does not exist`, { path });
    }
    return object;
  }

  /** The normalized path of an object to write, refusing the store's root. */
  #key(path: string): string {
    const key = segments(path).join("/");
    if (key === "") {
      throw new DeltaError("InvalidArgument", `cannot write ${this.locate(path)} as an object`, {
        path,
      });
    }
    return key;
  }
}

/** A {@link MemoryStore} upload: pieces buffered, published as one object. */
class MemoryUpload implements Upload {
  readonly #store: MemoryStore;
  #pieces: Uint8Array[] | undefined = [];

  constructor(store: MemoryStore) {
    this.#store = store;
  }

  write(data: Uint8Array): Promise<void> {
    return settled(() => {
      if (!this.#pieces) {
        throw new DeltaError("InvalidArgument", "this upload is no longer being written");
      }
      this.#pieces.push(data.slice());
    });
  }

  async putIfAbsent(path: string): Promise<boolean> {
    const created = await this.#store.putIfAbsent(path, this.#bytes());
    if (created) this.#pieces = undefined;
    return created;
  }

  async put(path: string): Promise<void> {
    await this.#store.put(path, this.#bytes());
    this.#pieces = undefined;
  }

  abort(): Promise<void> {
    this.#pieces = undefined;
    return Promise.resolve();
  }

  /** What was written, as one array; `InvalidArgument` once published or aborted. */
  #bytes(): Uint8Array {
    if (!this.#pieces) {
      throw new DeltaError("InvalidArgument", "this upload was already published or aborted");
    }
    const out = new Uint8Array(this.#pieces.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const piece of this.#pieces) {
      out.set(piece, at);
      at += piece.length;
    }
    return out;
  }
}

/** The result of `f` as a promise: what it throws is a rejection, as from any async store. */
function settled<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e);
  }
}
