/** Files on this computer (`host:` paths, and files read in place): the one module of pond that opens, lists and writes them. */
import { basename, dirname, join } from "node:path";
import type { AsyncBuffer } from "hyparquet";
import { PondError } from "../errors.ts";
import { atProcessEnd } from "../process_end.ts";
import { HOST_PREFIX } from "./endpoint.ts";
import { hostError } from "./host_error.ts";

/**
 * The bytes of the host file `arg` names (`host:` prefix optional: the file is always the
 * host's), and the path it read. `NotFound`, or another refusal of the host as a `HostError`,
 * naming the file.
 *
 * @example
 * ```ts
 * const { bytes, path } = await readHostFile("host:./my_plugin.ts"); // path "./my_plugin.ts"
 * ```
 */
export async function readHostFile(arg: string): Promise<{ bytes: Uint8Array; path: string }> {
  const path = arg.startsWith(HOST_PREFIX) ? arg.slice(HOST_PREFIX.length) : arg;
  try {
    return { bytes: await Deno.readFile(path), path };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new PondError("NotFound", `cannot read ${path}: no such file on this computer`);
    }
    throw hostError(e, "read", path);
  }
}

/**
 * The entries of the host directory `dir`, in the order the host lists them. The host's
 * refusal (`NotFound`, `NotADirectory`, permissions) is thrown as it comes, for the caller to
 * name in its own terms.
 *
 * @example
 * ```ts
 * const names = (await listHostDirectory("samples")).map((e) => e.name);
 * ```
 */
export async function listHostDirectory(dir: string): Promise<Deno.DirEntry[]> {
  return await Array.fromAsync(Deno.readDir(dir));
}

/**
 * True when the host directory `path` holds nothing, or does not exist; a file there, or a
 * refusal of the host, is thrown as it comes.
 *
 * @example
 * ```ts
 * if (!(await isEmptyHostDirectory("/data/new-pond"))) console.log("not empty");
 * ```
 */
export async function isEmptyHostDirectory(path: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(path)) return false;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return true;
}

/**
 * Opens the host file `path` for reading, with a blocking call (a small file is then read
 * whole faster than streamed). The host's refusal is thrown as it comes.
 *
 * @example
 * ```ts
 * using file = openHostFile("/tmp/a.csv");
 * const { size } = file.statSync();
 * ```
 */
export function openHostFile(path: string): Deno.FsFile {
  return Deno.openSync(path, { read: true });
}

/**
 * The host file `path` as a stream of its bytes (the file closes when the stream ends or is
 * cancelled).
 *
 * @example
 * ```ts
 * for await (const chunk of await hostFileStream("/tmp/result.parquet")) console.log(chunk.length);
 * ```
 */
export async function hostFileStream(path: string): Promise<ReadableStream<Uint8Array>> {
  return (await Deno.open(path, { read: true })).readable;
}

/**
 * Creates (or empties) the host file `path` for writing; close it when done.
 *
 * @example
 * ```ts
 * const out = await createHostFile("/tmp/result.csv");
 * await out.write(new TextEncoder().encode("a,b\n"));
 * out.close();
 * ```
 */
export async function createHostFile(path: string): Promise<Deno.FsFile> {
  return await Deno.open(path, { write: true, create: true, truncate: true });
}

/**
 * Writes `body` to the host file `path` through a temporary file beside it, renamed into place
 * once complete, so the file is the old one or the whole new one; the temporary file is
 * removed on failure, and by the process's end (Ctrl-C) if that comes first. The host's
 * refusal is thrown as it comes.
 *
 * @example
 * ```ts
 * await writeHostFile("/tmp/copy.csv", ReadableStream.from([new TextEncoder().encode("t,v\n")]));
 * ```
 */
export async function writeHostFile(path: string, body: ReadableStream<Uint8Array>): Promise<void> {
  const temp = join(dirname(path), `.${basename(path).slice(0, 32)}.pond-${crypto.randomUUID()}`);
  const settled = atProcessEnd(() => Deno.removeSync(temp));
  try {
    const file = await Deno.open(temp, { write: true, createNew: true });
    await body.pipeTo(file.writable);
    await Deno.rename(temp, path);
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    throw e;
  } finally {
    settled();
  }
}

/**
 * The file on this computer at `path` (`size` bytes) as a hyparquet `AsyncBuffer`, opening it
 * for each range read, so that only the ranges asked for are read: a host file to be checked
 * before it is copied, or a stored body a store holds as a local file (see `fileOnDisk`).
 *
 * @example
 * ```ts
 * import { parquetMetadataAsync } from "hyparquet";
 *
 * const { size } = await Deno.stat("/tmp/a.parquet");
 * const metadata = await parquetMetadataAsync(hostFileRanges("/tmp/a.parquet", size));
 * ```
 */
export function hostFileRanges(path: string, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      using file = await Deno.open(path, { read: true });
      await file.seek(start, Deno.SeekMode.Start);
      const buf = new Uint8Array(Math.max(0, Math.min(end, size) - start));
      for (let at = 0; at < buf.length;) {
        const n = await file.read(buf.subarray(at));
        if (n === null) break;
        at += n;
      }
      return buf.buffer;
    },
  };
}

/**
 * Takes an exclusive OS lock on the file at `path` (made, with its directory, if missing), held
 * until the result is disposed, or undefined when another process holds it. The OS drops a lock
 * whose process is gone, so a killed holder never leaves it held.
 *
 * @example
 * ```ts
 * using lock = await tryLockHostFile("/data/pond/locks/collector-01.lock");
 * if (!lock) console.error("already running");
 * ```
 */
export async function tryLockHostFile(path: string): Promise<Disposable | undefined> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const file = await Deno.open(path, { create: true, write: true });
  if (!(await file.tryLock(true))) {
    file.close();
    return undefined;
  }
  return { [Symbol.dispose]: () => file.close() };
}
