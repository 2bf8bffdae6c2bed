/** Copying with UNIX `cp` semantics between the host and the pond (`host:` marks a host path). */
import { basename, dirname, join, resolve as resolveHost } from "node:path";
import { PondError } from "../errors.ts";
import type { FileEntryType, WD } from "../tinyfs/mod.ts";
import { copyTarget } from "../tinyfs/mod.ts";
import { fileByteRanges } from "../oplog/file_ranges.ts";
import { parquetFooter } from "../oplog/parquet_body.ts";
import { seriesEventTimes } from "../oplog/series_times.ts";

/** The prefix that marks a path as the host's, e.g. `host:./data.csv`. */
export const HOST_PREFIX = "host:";

/** One side of a copy: a path on the host or in the pond. */
export interface Endpoint {
  readonly side: "host" | "pond";
  readonly path: string;
}

/**
 * Reads a command-line path: `host:PATH` is on the host (relative to the working
 * directory), anything else is in the pond.
 *
 * @example
 * ```ts
 * endpoint("host:./a.csv"); // { side: "host", path: "./a.csv" }
 * endpoint("/raw/a.csv");   // { side: "pond", path: "/raw/a.csv" }
 * ```
 */
export function endpoint(arg: string): Endpoint {
  return arg.startsWith(HOST_PREFIX)
    ? { side: "host", path: arg.slice(HOST_PREFIX.length) || "." }
    : { side: "pond", path: arg };
}

/** How to copy. */
export interface CopyOptions {
  /** Copy directories and what they hold (`cp -r`); symlinks inside are copied as symlinks. */
  readonly recursive?: boolean;
  /** The entry type of files copied into the pond; by default Parquet files are `file:table`. */
  readonly entryType?: FileEntryType;
  /** Called after each file with the bytes copied so far. */
  readonly onProgress?: (done: { files: number; bytes: number }) => void;
}

/** What a copy did. */
export interface CopyResult {
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
}

/** A node kind as the copy needs it. */
type Kind = "file" | "directory" | "symlink" | "missing";

/** The operations a copy needs from one side, so one algorithm serves every direction. */
interface Side {
  kind(path: string, follow: boolean): Promise<Kind>;
  list(dir: string): Promise<string[]>;
  /**
   * The body, the entry type it has (pond) or looks like (host), and for host files checks
   * that it can be a table or a series (so the error names the host file, before anything is
   * written).
   */
  read(path: string): Promise<{
    body: ReadableStream<Uint8Array>;
    entryType: FileEntryType;
    check?: Partial<Record<FileEntryType, (path: string) => Promise<unknown>>>;
  }>;
  readlink(path: string): Promise<string>;
  mkdir(path: string): Promise<void>;
  write(path: string, body: ReadableStream<Uint8Array>, entryType: FileEntryType): Promise<void>;
  symlink(path: string, target: string): Promise<void>;
  join(dir: string, name: string): string;
  /** Where copies of `sources` go when sent to `dest`: cp's rules. */
  destination(dest: string, sources: number): Promise<Destination>;
}

type Destination = { kind: "into-directory" | "new-file" | "existing-file"; path: string };

/**
 * Copies `sources` to `dest` with `cp` semantics: one file to a new name or over an existing
 * file (a new version in the pond); any number of sources into an existing directory; more
 * than one source into anything else is an error; directories only with `recursive`. Every
 * source is checked before anything is written, and inside the pond the whole copy is the
 * caller's one transaction (`root`), so a failure leaves the pond as it was.
 *
 * @example
 * ```ts
 * await pond.transact(argv, (root) =>
 *   copy(root, [endpoint("host:./a.csv"), endpoint("host:./b.csv")], endpoint("/raw/")));
 * ```
 */
export async function copy(
  root: WD,
  sources: readonly Endpoint[],
  dest: Endpoint,
  options: CopyOptions = {},
): Promise<CopyResult> {
  if (sources.length === 0) throw new PondError("InvalidArgument", "copy needs a source");
  if (dest.side === "host" && sources.some((s) => s.side === "host")) {
    throw new PondError(
      "InvalidArgument",
      "copy from the host to the host is not pond's job; use cp (one side must be the pond)",
    );
  }
  const to = sideOf(dest.side, root);
  const checked: { from: Side; path: string; kind: Kind }[] = [];
  for (const s of sources) {
    const from = sideOf(s.side, root);
    const kind = await from.kind(s.path, true);
    const where = s.side === "host" ? `${HOST_PREFIX}${s.path}` : s.path;
    if (kind === "missing") {
      throw new PondError("NotFound", `cannot copy ${where}: no such file or directory`);
    }
    if (kind === "directory" && !options.recursive) {
      throw new PondError(
        "IsADirectory",
        `cannot copy ${where}: it is a directory; pass -r to copy directories`,
      );
    }
    checked.push({ from, path: s.path, kind });
  }
  const target = await to.destination(dest.path, sources.length);
  const result: CopyResult = { files: 0, directories: 0, symlinks: 0, bytes: 0 };
  const job = { to, options, result };
  for (const { from, path, kind } of checked) {
    const at = copyTarget(target, path);
    if (kind === "directory") {
      if (target.kind === "existing-file") {
        throw new PondError(
          "NotADirectory",
          `cannot overwrite the file ${target.path} with the directory ${path}`,
        );
      }
      await copyTree(job, from, path, at);
    } else {
      await copyFile(job, from, path, at);
    }
  }
  return result;
}

interface Job {
  to: Side;
  options: CopyOptions;
  result: CopyResult;
}

async function copyTree(job: Job, from: Side, path: string, at: string): Promise<void> {
  if (await job.to.kind(at, true) !== "directory") {
    await job.to.mkdir(at);
    job.result.directories++;
  }
  for (const name of await from.list(path)) {
    const child = from.join(path, name);
    const dest = job.to.join(at, name);
    const kind = await from.kind(child, false);
    if (kind === "directory") await copyTree(job, from, child, dest);
    else if (kind === "symlink") {
      await job.to.symlink(dest, await from.readlink(child));
      job.result.symlinks++;
    } else await copyFile(job, from, child, dest);
  }
}

async function copyFile(job: Job, from: Side, path: string, at: string): Promise<void> {
  let bytes = 0;
  const { body, entryType, check } = await from.read(path);
  let type = job.options.entryType ?? entryType;
  try {
    await check?.[type]?.(path);
  } catch (e) {
    if (job.options.entryType === undefined && type === "file:table") type = "file:data";
    else {
      await body.cancel();
      throw e;
    }
  }
  const counted = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.length;
        controller.enqueue(chunk);
      },
    }),
  );
  await job.to.write(at, counted, type);
  job.result.files++;
  job.result.bytes += bytes;
  job.options.onProgress?.({ files: job.result.files, bytes: job.result.bytes });
}

function sideOf(side: Endpoint["side"], root: WD): Side {
  return side === "host" ? HOST : pondSide(root);
}

const PARQUET_MAGIC = new TextEncoder().encode("PAR1");

/** `file:table` when a host file is Parquet (the magic at both ends), else `file:data`. */
async function sniffHostFile(file: Deno.FsFile, size: number): Promise<FileEntryType> {
  if (size < 2 * PARQUET_MAGIC.length) return "file:data";
  const head = new Uint8Array(4);
  const tail = new Uint8Array(4);
  await readExactly(file, head);
  await file.seek(-4, Deno.SeekMode.End);
  await readExactly(file, tail);
  await file.seek(0, Deno.SeekMode.Start);
  const isMagic = (b: Uint8Array) => b.every((x, i) => x === PARQUET_MAGIC[i]);
  return isMagic(head) && isMagic(tail) ? "file:table" : "file:data";
}

async function readExactly(file: Deno.FsFile, buf: Uint8Array): Promise<void> {
  for (let at = 0; at < buf.length;) {
    const n = await file.read(buf.subarray(at));
    if (n === null) throw new Deno.errors.UnexpectedEof();
    at += n;
  }
}

function pondSide(root: WD): Side {
  return {
    async kind(path, follow) {
      if (!(await root.exists(path))) return "missing";
      return (await root.open(path, { follow })).kind;
    },
    async list(dir) {
      return (await root.list(dir)).map((n) => n.name);
    },
    async read(path) {
      const { entryType } = await root.open(path);
      return {
        body: await root.stream(path),
        entryType: entryType === "file:table" || entryType === "file:series"
          ? entryType
          : "file:data",
      };
    },
    readlink: (path) => root.readlink(path),
    async mkdir(path) {
      await root.createDirectory(path);
    },
    async write(path, body, entryType) {
      await root.write(path, body, { entryType });
    },
    async symlink(path, target) {
      await root.createSymlink(path, target);
    },
    join: (dir, name) => `${dir.replace(/\/+$/, "")}/${name}`,
    destination: (dest, sources) => root.copyDestination(dest, sources),
  };
}

async function hostKind(path: string, follow: boolean): Promise<Kind> {
  try {
    const info = follow ? await Deno.stat(path) : await Deno.lstat(path);
    return info.isSymlink ? "symlink" : info.isDirectory ? "directory" : "file";
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "missing";
    if (e instanceof Deno.errors.NotADirectory) return "missing";
    throw e;
  }
}

const HOST: Side = {
  kind: hostKind,
  async list(dir) {
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    return names.sort();
  },
  async read(path) {
    const file = await Deno.open(path, { read: true });
    try {
      const size = (await file.stat()).size;
      const entryType = await sniffHostFile(file, size);
      const ranges = () => fileByteRanges(path, size);
      const check = {
        "file:series": (what: string) => seriesEventTimes(ranges(), `${HOST_PREFIX}${what}`),
        "file:table": (what: string) => parquetFooter(ranges(), `${HOST_PREFIX}${what}`, "table"),
      };
      return { body: file.readable, entryType, check };
    } catch (e) {
      file.close();
      throw e;
    }
  },
  readlink: (path) => Deno.readLink(path),
  mkdir: (path) => Deno.mkdir(path),
  async write(path, body) {
    const temp = join(dirname(path), `.${basename(path)}.pond-${crypto.randomUUID()}`);
    try {
      const file = await Deno.open(temp, { write: true, createNew: true });
      await body.pipeTo(file.writable);
      await Deno.rename(temp, path);
    } catch (e) {
      await Deno.remove(temp).catch(() => {});
      throw e;
    }
  },
  symlink: (path, target) => Deno.symlink(target, path),
  join,
  async destination(dest, sources) {
    const kind = await hostKind(dest, true);
    const path = resolveHost(dest);
    if (kind === "directory") return { kind: "into-directory", path };
    if (dest.endsWith("/")) {
      throw new PondError(
        kind === "missing" ? "NotFound" : "NotADirectory",
        `${HOST_PREFIX}${dest} ends in / but is not a directory; create it first or drop the /`,
      );
    }
    if (sources > 1) {
      throw new PondError(
        kind === "missing" ? "NotFound" : "NotADirectory",
        `copying ${sources} sources needs an existing directory, but ${HOST_PREFIX}${dest} ${
          kind === "missing" ? "does not exist" : "is a file"
        }`,
      );
    }
    if (await hostKind(dirname(path), true) !== "directory") {
      throw new PondError("NotFound", `${HOST_PREFIX}${dirname(dest)} is not a directory`);
    }
    return { kind: kind === "missing" ? "new-file" : "existing-file", path };
  },
};
