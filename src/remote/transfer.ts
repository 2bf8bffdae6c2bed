/** Copies what one store's pond has and another's lacks, in an order that keeps the destination a valid pond at every instant: blobs, data files, commits by version, checkpoint hint, marker. */
import { createHash } from "node:crypto";
import { decodePath, DeltaError, type ObjectInfo, parseCommit, type Store } from "../delta/mod.ts";
import { RemoteError } from "./errors.ts";
import { blobHash, listPond, OPLOG, type PondObjects, tipOf } from "./pond_objects.ts";

/** How the two sides are named in messages, and what to tell a user whose destination is ahead. */
export interface TransferNames {
  /** E.g. `this pond`. */
  readonly from: string;
  /** E.g. `remote backup (s3://b/lake)`. */
  readonly to: string;
  /** What to do when the destination holds transactions the source lacks. */
  readonly ahead: string;
}

/** Options of {@link transfer}. */
export interface TransferOptions {
  /** Check every object read against its name or the log before writing it (restore, pull). */
  readonly verify?: boolean;
  /** Copy the pond only up to this transaction. */
  readonly at?: number;
  /** Objects copied at once within one part (default 8). */
  readonly concurrency?: number;
  /** Called for each object as it is sent or found already there. */
  readonly onObject?: (path: string, size: number, sent: boolean) => void;
}

/** Objects and bytes. */
export interface Tally {
  objects: number;
  bytes: number;
}

/** What a transfer did. */
export interface TransferSummary {
  /** The newest transaction the destination holds now (-1: none). */
  readonly tip: number;
  /** The newest transaction it held before. */
  readonly before: number;
  readonly sent: Tally;
  readonly skipped: Tally;
}

/** Objects at most this big are copied in one read and one write; larger ones stream by pieces of it. */
const PIECE = 8 << 20;

/**
 * Copies the pond in `from` to `to`, sending only what `to` lacks (a missing object, or one of
 * another size): first the blobs and data files, then each commit in version order (with the
 * checkpoints of its version), then `_last_checkpoint`, then the marker, so `to` never lists a
 * commit whose files are not all there, and an interrupted transfer resumes with what is
 * missing. A destination whose log has transactions the source lacks (`RemoteAhead`) or that
 * disagrees with it about one (`RemoteDiverged`) is refused before anything is written.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 *
 * const summary = await transfer(new LocalStore("/data/pond"), new LocalStore("/media/usb/pond"), {
 *   from: "this pond", to: "remote usb", ahead: "pull first",
 * });
 * console.log(`${summary.sent.objects} objects sent`);
 * ```
 */
export async function transfer(
  from: Store,
  to: Store,
  names: TransferNames,
  options: TransferOptions = {},
): Promise<TransferSummary> {
  const source = await listPond(from);
  if (!source.marker && source.commits.size === 0) {
    throw new RemoteError("NotAPond", `there is no pond in ${names.from} (${from.locate("")})`);
  }
  const tip = options.at ?? tipOf(source);
  if (!source.commits.has(tip)) {
    throw new DeltaError(
      "VersionNotFound",
      `${names.from} has no transaction ${tip} (its newest is ${tipOf(source)})`,
      { version: tip },
    );
  }
  const dest = await listPond(to);
  if (!source.marker && !dest.marker) {
    throw new RemoteError(
      "NotAPond",
      `${names.from} (${from.locate("")}) holds no whole pond yet: a first push to it did not ` +
        `finish (it has no pond.json); push to it again`,
    );
  }
  const before = tipOf(dest);
  const torn = await refuseDivergence(from, to, source, dest, tip, names);

  const sent: Tally = { objects: 0, bytes: 0 };
  const skipped: Tally = { objects: 0, bytes: 0 };
  const has = new Map<string, number>();
  for (const o of [...dest.blobs, ...dest.dataFiles]) has.set(o.path, o.size);
  const needed = (o: ObjectInfo) => {
    if (has.get(o.path) === o.size) {
      skipped.objects++;
      skipped.bytes += o.size;
      options.onObject?.(o.path, o.size, false);
      return false;
    }
    return true;
  };
  const count = (o: ObjectInfo) => {
    sent.objects++;
    sent.bytes += o.size;
    options.onObject?.(o.path, o.size, true);
  };

  const commits = [...source.commits].filter(([v]) => v <= tip).sort(([a], [b]) => a - b);
  const sending = commits.filter(([v]) => !dest.commits.has(v) || v === torn);
  const bodies = new Map<number, Uint8Array>();
  await inParallel(sending, options.concurrency ?? 8, async ([v, info]) => {
    bodies.set(v, await readWhole(from, info, names.from));
  });
  const recorded = await recordedSizes(from, source, bodies, tip, options.at !== undefined);

  const verify = options.verify ?? false;
  const copyAll = (objects: readonly ObjectInfo[], expect: (o: ObjectInfo) => Expected) =>
    inParallel(objects.filter(needed), options.concurrency ?? 8, async (o) => {
      await copyObject(from, to, o, verify ? expect(o) : {}, names.from);
      count(o);
    });
  await copyAll(source.blobs, (o) => ({ sha256: blobHash(o.path) }));
  const dataFiles = source.dataFiles.filter((o) => !recorded.later.has(o.path));
  await copyAll(dataFiles, (o) => ({ size: recorded.sizes.get(o.path) }));

  const checkpoints = source.checkpoints.filter((c) => c.version <= tip);
  const done = new Set(dest.checkpoints.map((c) => `${c.info.path}:${c.info.size}`));
  let checkpointSent = false;
  for (const [v, info] of commits) {
    const body = bodies.get(v);
    if (body) {
      if (verify) checkCommit(body, info, names.from);
      if (v === torn) await to.put(info.path, body);
      else if (!(await to.putIfAbsent(info.path, body))) {
        throw new RemoteError(
          "RemoteAhead",
          `${names.to} gained transaction ${v} while this copy ran (another pond wrote to it): ` +
            names.ahead,
          { path: info.path },
        );
      }
      count(info);
    } else {
      skipped.objects++;
      skipped.bytes += info.size;
      options.onObject?.(info.path, info.size, false);
    }
    for (const c of checkpoints.filter((c) => c.version === v)) {
      if (done.has(`${c.info.path}:${c.info.size}`)) continue;
      await copyObject(from, to, c.info, {}, names.from);
      count(c.info);
      checkpointSent = true;
    }
  }
  const hint = source.lastCheckpoint;
  if (hint && (options.at === undefined || (await hintVersion(from, hint)) <= tip)) {
    if (checkpointSent || dest.lastCheckpoint?.size !== hint.size) {
      await copyObject(from, to, hint, {}, names.from);
      count(hint);
    }
  }
  if (source.marker && dest.marker?.size !== source.marker.size) {
    await to.put(source.marker.path, await readWhole(from, source.marker, names.from));
    count(source.marker);
  } else if (source.marker) {
    skipped.objects++;
    skipped.bytes += source.marker.size;
  }
  return { tip, before, sent, skipped };
}

/**
 * Refuses a destination that holds a transaction past `tip` (`RemoteAhead`), or whose commits
 * differ from the source's (`RemoteDiverged`): by size for every shared one, by content for
 * the newest shared one. Returns the destination's newest commit when it is a strict prefix of
 * the source's (a write cut short on a server that writes in place, as s3rver does; never on
 * S3), which the transfer then writes again.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 * import { listPond, tipOf } from "./pond_objects.ts";
 *
 * const [here, there] = [new LocalStore("/data/pond"), new LocalStore("/media/usb/pond")];
 * const [mine, theirs] = [await listPond(here), await listPond(there)];
 * await refuseDivergence(here, there, mine, theirs, tipOf(mine), {
 *   from: "this pond", to: "remote usb", ahead: "pull first",
 * });
 * ```
 */
export async function refuseDivergence(
  from: Store,
  to: Store,
  source: PondObjects,
  dest: PondObjects,
  tip: number,
  names: TransferNames,
): Promise<number | undefined> {
  const destTip = tipOf(dest);
  if (destTip > tip) {
    throw new RemoteError(
      "RemoteAhead",
      `${names.to} has transactions up to ${destTip}, ${names.from} only up to ${tip}: ${names.ahead}`,
    );
  }
  const diverged = (v: number) =>
    new RemoteError(
      "RemoteDiverged",
      `${names.to} and ${names.from} disagree about transaction ${v}: they hold different ponds ` +
        "(or one was changed by hand); nothing was copied",
      { path: dest.commits.get(v)?.path },
    );
  let torn: number | undefined;
  if (destTip >= 0 && source.commits.has(destTip)) {
    const [a, b] = await Promise.all([
      from.read(source.commits.get(destTip)!.path),
      to.read(dest.commits.get(destTip)!.path),
    ]);
    if (b.length < a.length && equalBytes(a.subarray(0, b.length), b)) torn = destTip;
    else if (!equalBytes(a, b)) throw diverged(destTip);
  }
  for (const [v, info] of dest.commits) {
    const mine = source.commits.get(v);
    if (mine && mine.size !== info.size && v !== torn) throw diverged(v);
  }
  return torn;
}

/** The sizes the log records for data files, and the files first added after `tip` (with --at). */
async function recordedSizes(
  from: Store,
  source: PondObjects,
  bodies: Map<number, Uint8Array>,
  tip: number,
  cut: boolean,
): Promise<{ sizes: Map<string, number>; later: Set<string> }> {
  const sizes = new Map<string, number>();
  const firstAdded = new Map<string, number>();
  const versions = [...source.commits.keys()].sort((a, b) => a - b);
  for (const v of versions) {
    if (!bodies.has(v) && !(cut && v > tip)) continue;
    const info = source.commits.get(v)!;
    const body = bodies.get(v) ?? await from.read(info.path);
    for (const action of parseCommit(new TextDecoder().decode(body), info.path)) {
      if (!("add" in action)) continue;
      const path = `${OPLOG}/${decodePath(action.add.path)}`;
      sizes.set(path, action.add.size);
      if (!firstAdded.has(path)) firstAdded.set(path, v);
    }
  }
  const later = new Set<string>();
  if (cut) { for (const [path, v] of firstAdded) if (v > tip) later.add(path); }
  return { sizes, later };
}

/** The version `_last_checkpoint` names. */
async function hintVersion(from: Store, hint: ObjectInfo): Promise<number> {
  try {
    return Number(JSON.parse(new TextDecoder().decode(await from.read(hint.path))).version);
  } catch {
    return Infinity;
  }
}

/** What an object read must match: its SHA-256, its size in the log, or another copy's bytes. */
export interface Expected {
  sha256?: string;
  size?: number;
  same?: Uint8Array;
}

/** Reads a small object whole, refusing one whose length is not what its listing said. */
async function readWhole(store: Store, info: ObjectInfo, where: string): Promise<Uint8Array> {
  const body = await store.read(info.path);
  if (body.length !== info.size) {
    throw corrupt(store, info.path, where, `${body.length} bytes, listed as ${info.size}`);
  }
  return body;
}

/**
 * Copies one object from `from` to `to` (or only reads it, without `to`), whole when small
 * and by pieces through an upload when large (memory stays at one piece of 8 MiB), checking
 * it against `expect` before it is published: a mismatch is `CorruptObject` and nothing is written.
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 *
 * const remote = new LocalStore("/media/usb/pond");
 * const info = await remote.head(`blobs/2c/2c${"0".repeat(62)}`);
 * await copyObject(remote, undefined, info, { sha256: `2c${"0".repeat(62)}` }, "remote usb");
 * ```
 */
export async function copyObject(
  from: Store,
  to: Store | undefined,
  info: ObjectInfo,
  expect: Expected,
  where: string,
): Promise<void> {
  const hash = expect.sha256 ? createHash("sha256") : undefined;
  const check = (size: number) => {
    if (expect.size !== undefined && size !== expect.size) {
      throw corrupt(from, info.path, where, `${size} bytes where the log records ${expect.size}`);
    }
    if (size !== info.size) {
      throw corrupt(from, info.path, where, `${size} bytes, listed as ${info.size}`);
    }
    const digest = hash?.digest("hex");
    if (digest !== undefined && digest !== expect.sha256) {
      throw corrupt(from, info.path, where, `its SHA-256 is ${digest}, not the one its name says`);
    }
  };
  if (info.size <= PIECE || expect.same) {
    const body = await from.read(info.path);
    hash?.update(body);
    check(body.length);
    if (expect.same && !equalBytes(body, expect.same)) {
      throw corrupt(from, info.path, where, "its bytes differ from this pond's copy");
    }
    await to?.put(info.path, body);
    return;
  }
  const upload = await to?.upload(info.path.slice(0, info.path.lastIndexOf("/")), info.path);
  try {
    const buffer = new Uint8Array(PIECE);
    for (let at = 0; at < info.size; at += PIECE) {
      const piece = await from.readRange(info.path, at, Math.min(info.size, at + PIECE), buffer);
      hash?.update(piece);
      await upload?.write(piece);
    }
    check(info.size);
    await upload?.put(info.path);
  } finally {
    await upload?.abort();
  }
}

/** Refuses a commit whose lines are not the log's JSON actions. */
function checkCommit(body: Uint8Array, info: ObjectInfo, where: string): void {
  try {
    parseCommit(new TextDecoder().decode(body), info.path);
  } catch (e) {
    throw new RemoteError(
      "CorruptObject",
      `${info.path} in ${where} is not a readable commit (${
        e instanceof Error ? e.message : e
      }); nothing past it was copied`,
      { path: info.path, cause: e },
    );
  }
}

function corrupt(store: Store, path: string, where: string, why: string): RemoteError {
  return new RemoteError(
    "CorruptObject",
    `${store.locate(path)} in ${where} is damaged: ${why}`,
    { path },
  );
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Runs `each` on every item, `limit` at a time. The first failure stops new starts and is
 * thrown once the calls in flight have ended, so nothing is still writing when the caller
 * cleans up.
 *
 * @example
 * ```ts
 * await inParallel(["a", "b", "c"], 2, async (name) => console.log(name));
 * ```
 */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  each: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await each(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
