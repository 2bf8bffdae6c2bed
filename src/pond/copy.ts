/** Copying with UNIX `cp` semantics between the host and the pond (`host:` marks a host path). */
import { dirname, join, resolve as resolveHost } from "node:path";
import { PondError } from "../errors.ts";
import { copyTarget, type FileEntryType, type WD } from "../tinyfs/mod.ts";
import { INLINE_LIMIT, parquetFooter, seriesEventTimes } from "../oplog/mod.ts";
import { type Endpoint, HOST_PREFIX, STANDARD_STREAM } from "./endpoint.ts";
import { hostError } from "./host_error.ts";
import { hostFileRanges, listHostDirectory, openHostFile, writeHostFile } from "./host_files.ts";

/** How to copy. */
export interface CopyOptions {
  /** Copy directories and what they hold (`cp -r`); symlinks inside are copied as symlinks. */
  readonly recursive?: boolean;
  /** The entry type of files copied into the pond; by default Parquet files are `file:table`. */
  readonly entryType?: FileEntryType;
  /** Called after each file with the bytes copied so far. */
  readonly onProgress?: (done: { files: number; bytes: number }) => void;
  /** What `host:-` reads as a source (the process's standard input by default). */
  readonly stdin?: ReadableStream<Uint8Array>;
  /** Where `host:-` writes as a destination (the process's standard output by default). */
  readonly stdout?: WritableStream<Uint8Array>;
}

/** What a copy did. */
export interface CopyResult {
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
}

/** A node kind as the copy needs it; `special` is a host FIFO, socket or device, never copied. */
type Kind = "file" | "directory" | "symlink" | "special" | "missing";

/** The operations a copy needs from one side, so one algorithm serves every direction. */
interface Side {
  kind(path: string, follow: boolean): Promise<Kind>;
  /** The entries of a directory, sorted by name, each with its kind (symlinks not followed). */
  list(dir: string): Promise<{ name: string; kind: Kind }[]>;
  /**
   * The body, the entry type it has (pond) or looks like (host), and for host files checks
   * that it can be a table or a series (so the error names the host file, before anything is
   * written).
   */
  read(path: string): Promise<{
    body: ReadableStream<Uint8Array> | Uint8Array;
    entryType: FileEntryType;
    check?: Partial<Record<FileEntryType, (path: string) => Promise<unknown>>>;
  }>;
  readlink(path: string): Promise<string>;
  mkdir(path: string): Promise<void>;
  write(
    path: string,
    body: ReadableStream<Uint8Array> | Uint8Array,
    entryType: FileEntryType,
  ): Promise<void>;
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
 * caller's one transaction (`root`), so a failure leaves the pond as it was. `host:-` is
 * standard input as a source and standard output as the destination of one file. A host
 * FIFO, socket or device (`SpecialFile`) or a host name that is not UTF-8 (`InvalidName`),
 * anywhere in a host tree copied with `recursive`, is refused before anything is read; the
 * host's own failures are `HostError`s naming the path.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 * import { endpoint } from "./endpoint.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const argv = Deno.args;
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
  const to = sideOf(dest.side, root, options);
  const checked: { from: Side; path: string; kind: Kind }[] = [];
  for (const s of sources) {
    const from = sideOf(s.side, root, options);
    const kind = await from.kind(s.path, true);
    const where = s.side === "host" ? `${HOST_PREFIX}${s.path}` : s.path;
    if (kind === "missing") throw await missingSource(s);
    if (kind === "special") throw specialFile(where);
    if (kind === "directory" && !options.recursive) {
      throw new PondError(
        "IsADirectory",
        `cannot copy ${where}: it is a directory; pass -r to copy directories`,
      );
    }
    if (kind === "directory" && isStandardStream(dest)) {
      throw new PondError(
        "NotADirectory",
        `cannot copy the directory ${where} to standard output (${HOST_PREFIX}-): it takes one file`,
      );
    }
    if (kind === "directory" && s.side === "host") await checkHostTree(s.path);
    checked.push({ from, path: s.path, kind });
  }
  const target = await to.destination(dest.path, sources.length);
  if (target.kind === "into-directory" && sources.some(isStandardStream)) {
    throw new PondError(
      "InvalidArgument",
      `standard input (${HOST_PREFIX}-) has no name to copy into ${dest.path}; name the file, e.g. ${
        dest.path.replace(/\/*$/, "/")
      }data.csv`,
    );
  }
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
  for (const { name, kind } of await from.list(path)) {
    const child = from.join(path, name);
    const dest = job.to.join(at, name);
    if (kind === "special") throw specialFile(`${HOST_PREFIX}${child}`);
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
      if (body instanceof ReadableStream) await body.cancel();
      throw e;
    }
  }
  if (body instanceof Uint8Array) {
    await job.to.write(at, body, type);
    bytes = body.length;
  } else {
    await job.to.write(at, countBytes(body, (n) => bytes += n), type);
  }
  job.result.files++;
  job.result.bytes += bytes;
  job.options.onProgress?.({ files: job.result.files, bytes: job.result.bytes });
}

function countBytes(body: ReadableStream<Uint8Array>, count: (n: number) => void) {
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        count(chunk.length);
        controller.enqueue(chunk);
      },
    }),
  );
}

function sideOf(side: Endpoint["side"], root: WD, options: CopyOptions): Side {
  return side === "host" ? hostSide(options) : pondSide(root);
}

function isStandardStream(e: Endpoint): boolean {
  return e.side === "host" && e.path === STANDARD_STREAM;
}

/** A source that is not there; when it names a pond path that is a host file, what to type. */
async function missingSource(source: Endpoint): Promise<PondError> {
  if (source.side === "host") {
    return new PondError(
      "NotFound",
      `cannot copy ${HOST_PREFIX}${source.path}: no such file or directory`,
    );
  }
  const onHost = await hostKind(source.path, true).catch(() => "missing" as const);
  if (onHost === "missing") {
    return new PondError("NotFound", `cannot copy ${source.path}: no such file or directory`);
  }
  const what = onHost === "directory" ? "a directory" : "a file";
  return new PondError(
    "NotFound",
    `cannot copy ${source.path}: it is not in the pond, but is ${what} on this computer; ` +
      `write ${HOST_PREFIX}${source.path} to copy it in`,
  );
}

function specialFile(where: string): PondError {
  return new PondError(
    "SpecialFile",
    `cannot copy ${where}: it is a FIFO, socket or device, not a regular file; ` +
      `pond copies files, directories and symlinks (${HOST_PREFIX}- reads standard input)`,
  );
}

const PARQUET_MAGIC = new TextEncoder().encode("PAR1");

/** `file:table` when bytes are Parquet (the magic at both ends), else `file:data`. */
function sniffBytes(bytes: Uint8Array): FileEntryType {
  const isMagic = (at: number) => PARQUET_MAGIC.every((x, i) => bytes[at + i] === x);
  return bytes.length >= 2 * PARQUET_MAGIC.length && isMagic(0) &&
      isMagic(bytes.length - PARQUET_MAGIC.length)
    ? "file:table"
    : "file:data";
}

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

/**
 * Host files below this size are read whole, with blocking calls, rather than streamed: they
 * go inline into the oplog row anyway, and many small files copy several times faster.
 */
const SMALL_HOST_FILE = INLINE_LIMIT;

/** Reads a small file whole; a file that grew meanwhile is read as far as it has grown. */
function readSmall(file: Deno.FsFile, size: number): Uint8Array {
  const buf = new Uint8Array(size);
  let at = 0;
  while (at < size) {
    const n = file.readSync(buf.subarray(at));
    if (n === null) break;
    at += n;
  }
  return buf.subarray(0, at);
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
      return (await root.list(dir)).map(({ name, kind }) => ({ name, kind }));
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
  if (path === STANDARD_STREAM) return "file";
  try {
    const info = follow ? await Deno.stat(path) : await Deno.lstat(path);
    if (info.isSymlink) return "symlink";
    return info.isDirectory ? "directory" : info.isFile ? "file" : "special";
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "missing";
    if (e instanceof Deno.errors.NotADirectory) return "missing";
    throw hostError(e, "read", `${HOST_PREFIX}${path}`);
  }
}

/**
 * The entries of a host directory, sorted by name. A name that is not UTF-8 reaches pond with
 * its bad bytes replaced (U+FFFD), so it names nothing on the host: `InvalidName`.
 */
async function hostEntries(dir: string): Promise<Deno.DirEntry[]> {
  let entries: Deno.DirEntry[];
  try {
    entries = await listHostDirectory(dir);
  } catch (e) {
    throw hostError(e, "list", `${HOST_PREFIX}${dir}`);
  }
  for (const { name } of entries.filter((e) => e.name.includes("\uFFFD"))) {
    if (await hostKind(join(dir, name), false) === "missing") {
      throw new PondError(
        "InvalidName",
        `cannot copy ${HOST_PREFIX}${join(dir, name)}: its name is not valid UTF-8, which ` +
          `pond cannot store; rename it on this computer first`,
      );
    }
  }
  return entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * Refuses a host tree holding what pond cannot copy — a FIFO, socket or device, a name that
 * is not UTF-8 — before any of it is read, so the refusal stores nothing.
 */
async function checkHostTree(dir: string): Promise<void> {
  for (const e of await hostEntries(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) await checkHostTree(path);
    else if (!e.isFile && !e.isSymlink) throw specialFile(`${HOST_PREFIX}${path}`);
  }
}

/**
 * The standard input streams copies have read. A transaction re-run after another process
 * committed first cannot read them again (a second read would store an empty file).
 */
const consumedInputs = new WeakSet<ReadableStream<Uint8Array>>();

function hostSide(options: CopyOptions): Side {
  return {
    kind: hostKind,
    async list(dir) {
      const entries: { name: string; kind: Kind }[] = [];
      for (const e of await hostEntries(dir)) {
        const kind = e.isFile
          ? "file"
          : e.isDirectory
          ? "directory"
          : e.isSymlink
          ? "symlink"
          : await hostKind(join(dir, e.name), false);
        entries.push({ name: e.name, kind });
      }
      return entries;
    },
    async read(path) {
      if (path === STANDARD_STREAM) {
        const refuse = () =>
          Promise.reject(
            new PondError(
              "InvalidArgument",
              `cannot copy standard input (${HOST_PREFIX}-) as a series: it must be checked ` +
                "before it is stored; save it to a file and copy that",
            ),
          );
        const body = options.stdin ?? Deno.stdin.readable;
        if (consumedInputs.has(body)) {
          throw new PondError(
            "InputConsumed",
            `standard input (${HOST_PREFIX}-) was read by a try that another process's commit ` +
              "overtook, and cannot be read again; run the command again",
          );
        }
        consumedInputs.add(body);
        return { body, entryType: "file:data", check: { "file:series": refuse } };
      }
      let file;
      try {
        file = openHostFile(path);
      } catch (e) {
        throw hostError(e, "read", `${HOST_PREFIX}${path}`);
      }
      try {
        const size = file.statSync().size;
        const ranges = () => hostFileRanges(path, size);
        const check = {
          "file:series": (what: string) => seriesEventTimes(ranges(), `${HOST_PREFIX}${what}`),
          "file:table": (what: string) => parquetFooter(ranges(), `${HOST_PREFIX}${what}`, "table"),
        };
        if (size < SMALL_HOST_FILE) {
          const bytes = readSmall(file, size);
          file.close();
          return { body: bytes, entryType: sniffBytes(bytes), check };
        }
        const entryType = await sniffHostFile(file, size);
        return { body: file.readable, entryType, check };
      } catch (e) {
        file.close();
        throw hostError(e, "read", `${HOST_PREFIX}${path}`);
      }
    },
    async readlink(path) {
      try {
        return await Deno.readLink(path);
      } catch (e) {
        throw hostError(e, "read", `${HOST_PREFIX}${path}`);
      }
    },
    async mkdir(path) {
      try {
        await Deno.mkdir(path);
      } catch (e) {
        throw hostError(e, "create", `${HOST_PREFIX}${path}`);
      }
    },
    async write(path, bytes) {
      const body = bytes instanceof Uint8Array ? ReadableStream.from([bytes]) : bytes;
      if (path === STANDARD_STREAM) {
        return await body.pipeTo(options.stdout ?? Deno.stdout.writable, { preventClose: true });
      }
      try {
        await writeHostFile(path, body); // through a temp file: Ctrl-C leaves no temp behind
      } catch (e) {
        throw hostError(e, "write", `${HOST_PREFIX}${path}`);
      }
    },
    async symlink(path, target) {
      try {
        await Deno.symlink(target, path);
      } catch (e) {
        throw hostError(e, "create", `${HOST_PREFIX}${path}`);
      }
    },
    join,
    async destination(dest, sources) {
      if (dest === STANDARD_STREAM) {
        if (sources > 1) {
          throw new PondError(
            "NotADirectory",
            `copying ${sources} sources needs a directory, but ${HOST_PREFIX}- (standard output) takes one file`,
          );
        }
        return { kind: "new-file", path: dest };
      }
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
}
