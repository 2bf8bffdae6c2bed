/** Shared pieces of the reliability tests: temp dirs, pond processes, and whole trees (pond or host) as comparable values. */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { LOG_DIR } from "../../src/delta/mod.ts";
import { Pond, type PondAt } from "../../src/pond/pond.ts";
import type { ReadView } from "../../src/tinyfs/mod.ts";
import { type CliResult, pondProcess } from "../cli/harness.ts";

/** True when the long modes are asked for (`POND_LONG_TESTS=1`). */
export const LONG = Deno.env.get("POND_LONG_TESTS") === "1";

/**
 * Runs `fn` with a fresh temp directory, removed afterwards.
 *
 * @example
 * ```ts
 * await withTempDir(async (dir) => await Deno.writeTextFile(`${dir}/a`, "x"));
 * ```
 */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "pond-reliability-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs `pond ARGS` as a real process on the pond in `pond`.
 *
 * @example
 * ```ts
 * const r = await pond(dir, ["copy", "host:a.csv", "/a.csv"]);
 * ```
 */
export function pond(path: string, args: string[]): Promise<CliResult> {
  return pondProcess(args, { POND: path });
}

/**
 * Like {@link pond}, but fails the test (with what pond printed) unless the command succeeds.
 *
 * @example
 * ```ts
 * await pondOk(dir, ["init", dir]);
 * ```
 */
export async function pondOk(path: string, args: string[]): Promise<CliResult> {
  const r = await pond(path, args);
  if (r.code !== 0) {
    throw new Error(`pond ${args.join(" ")} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  }
  return r;
}

/** A tree as a value: path → `dir`, `link → TARGET`, or `file SHA256` (plus type and version in the pond). */
export type Tree = Record<string, string>;

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * Every node under `path` in the pond as seen from `root`: directories, symlinks (not
 * followed) and files with the hash of their bytes, entry type and version.
 *
 * @example
 * ```ts
 * const tree = await pondTree(await pond.root({ seq: 3 }));
 * ```
 */
export async function pondTree(root: ReadView, path = "/"): Promise<Tree> {
  const out: Tree = {};
  for (const node of await root.list(path)) {
    const meta = await node.metadata({ follow: false });
    if (meta.kind === "directory") {
      out[node.path] = "dir";
      Object.assign(out, await pondTree(root, node.path));
    } else if (meta.kind === "symlink") {
      out[node.path] = `link → ${meta.target}`;
    } else {
      out[node.path] = `file ${sha(await node.read())} ${meta.entryType} v${meta.version}`;
    }
  }
  return out;
}

/**
 * The pond's tree at every transaction, oldest first (index = seq).
 *
 * @example
 * ```ts
 * assert.deepEqual(await everySeq(path), before);
 * ```
 */
export async function everySeq(path: string): Promise<Tree[]> {
  const opened = await Pond.open(path);
  const trees: Tree[] = [];
  for (let seq = 0; seq <= await opened.head(); seq++) {
    trees.push(await pondTree(await opened.root({ seq })));
  }
  return trees;
}

/**
 * The pond's tree now (or at `at`), read by a fresh open.
 *
 * @example
 * ```ts
 * const now = await treeOf(path);
 * ```
 */
export async function treeOf(path: string, at?: PondAt): Promise<Tree> {
  return await pondTree(await (await Pond.open(path)).root(at));
}

/**
 * Every entry under a host directory: `dir`, `link → TARGET` or `file SHA256`.
 *
 * @example
 * ```ts
 * assert.deepEqual(await hostTree(got), await hostTree(expected));
 * ```
 */
export async function hostTree(dir: string, prefix = ""): Promise<Tree> {
  const out: Tree = {};
  const entries = await Array.fromAsync(Deno.readDir(dir));
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, e.name);
    const key = `${prefix}/${e.name}`;
    if (e.isSymlink) out[key] = `link → ${await Deno.readLink(path)}`;
    else if (e.isDirectory) {
      out[key] = "dir";
      Object.assign(out, await hostTree(path, key));
    } else out[key] = `file ${sha(await Deno.readFile(path))}`;
  }
  return out;
}

/**
 * The part of a pond tree under `prefix`, keyed relative to it and showing only what a host
 * tree shows (no entry types or versions), to compare with {@link hostTree}.
 *
 * @example
 * ```ts
 * assert.deepEqual(asHostTree(await treeOf(path), "/copy"), await hostTree(source));
 * ```
 */
export function asHostTree(tree: Tree, prefix: string): Tree {
  const out: Tree = {};
  for (const [path, what] of Object.entries(tree)) {
    if (!path.startsWith(`${prefix}/`)) continue;
    out[path.slice(prefix.length)] = what.startsWith("file ")
      ? what.split(" ").slice(0, 2).join(" ")
      : what;
  }
  return out;
}

/**
 * Writes files on the host: path → content (`null` makes a directory).
 *
 * @example
 * ```ts
 * await writeHostFiles(dir, { "a.txt": "A", "sub": null, "sub/b.txt": "B" });
 * ```
 */
export async function writeHostFiles(
  dir: string,
  files: Record<string, string | Uint8Array | null>,
): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    if (content === null) await Deno.mkdir(full, { recursive: true });
    else {
      await Deno.mkdir(join(full, ".."), { recursive: true });
      await Deno.writeFile(
        full,
        typeof content === "string" ? new TextEncoder().encode(content) : content,
      );
    }
  }
}

/**
 * The commit versions in the oplog's log, sorted.
 *
 * @example
 * ```ts
 * assert.deepEqual(await commitVersions(path), [0, 1, 2]);
 * ```
 */
export async function commitVersions(path: string): Promise<number[]> {
  const versions: number[] = [];
  for await (const e of Deno.readDir(`${path}/oplog/${LOG_DIR}`)) {
    const m = /^(\d{20})\.json$/.exec(e.name);
    if (m) versions.push(Number(m[1]));
  }
  return versions.sort((a, b) => a - b);
}

/**
 * Bytes that do not compress: a deterministic pseudo-random fill.
 *
 * @example
 * ```ts
 * const body = noise(200_000, 7);
 * ```
 */
export function noise(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed * 2654435761 >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 255;
  }
  return out;
}
