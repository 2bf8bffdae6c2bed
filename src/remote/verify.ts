/** `pond remote verify`: a remote's listing checked against the pond's, and with read-data its objects downloaded and checked (restic's `check --read-data`). */
import { LocalStore, type ObjectInfo } from "../delta/mod.ts";
import { isRemoteError, RemoteError } from "./errors.ts";
import { blobHash, listPond, type PondObjects, tipOf } from "./pond_objects.ts";
import { openRemote } from "./remote_url.ts";
import { remoteNamed } from "./remotes_file.ts";
import { copyObject, inParallel, refuseDivergence } from "./transfer.ts";

/** One thing verify found: an `error` is damage on the remote, a `note` is only news. */
export interface VerifyFinding {
  readonly severity: "error" | "note";
  readonly path: string;
  readonly message: string;
}

/** What verify checked and found. */
export interface VerifyReport {
  readonly url: string;
  /** The newest transaction on the remote and in the pond. */
  readonly remoteTip: number;
  readonly localTip: number;
  /** Objects of the pond the remote lacks (not pushed yet). */
  readonly unpushed: number;
  /** Objects downloaded and checked (with read-data). */
  readonly read: { objects: number; bytes: number };
  readonly findings: readonly VerifyFinding[];
}

/** Options of {@link verifyRemote}. */
export interface VerifyOptions {
  /** Download objects and check them: blobs against their hash, the rest against the pond's copy. */
  readonly readData?: boolean;
  /** Only the `n`th of `m` slices of the remote's objects (1-based), for checks spread over runs. */
  readonly subset?: { n: number; m: number };
}

function all(objects: PondObjects): ObjectInfo[] {
  return [
    ...objects.blobs,
    ...objects.dataFiles,
    ...objects.commits.values(),
    ...objects.checkpoints.map((c) => c.info),
    ...(objects.lastCheckpoint ? [objects.lastCheckpoint] : []),
    ...(objects.marker ? [objects.marker] : []),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Checks remote `name` of the pond in `root`: its log against the pond's (ahead or diverged),
 * every remote object the pond also has by size, and with `readData` the objects of the
 * chosen subset downloaded: blobs re-hashed against their names, others compared with the
 * pond's copies byte for byte.
 *
 * @example
 * ```ts
 * const report = await verifyRemote("/data/pond", "backup", Deno.env.toObject(), { readData: true });
 * const damaged = report.findings.some((f) => f.severity === "error");
 * ```
 */
export async function verifyRemote(
  root: string,
  name: string,
  env: Record<string, string | undefined>,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const spec = await remoteNamed(root, name);
  const remote = await openRemote(spec, env);
  const here = new LocalStore(root);
  const [mine, theirs] = [await listPond(here), await listPond(remote)];
  const findings: VerifyFinding[] = [];
  try {
    await refuseDivergence(here, remote, mine, theirs, tipOf(mine), {
      from: "this pond",
      to: `remote ${name}`,
      ahead: `pull them ('pond pull ${name}')`,
    });
  } catch (e) {
    if (!isRemoteError(e, "RemoteAhead") && !isRemoteError(e, "RemoteDiverged")) throw e;
    findings.push({
      severity: e.code === "RemoteAhead" ? "note" : "error",
      path: e.path ?? "oplog/_delta_log",
      message: e.message,
    });
  }
  const local = new Map(all(mine).map((o) => [o.path, o]));
  const remoteObjects = all(theirs);
  const onRemote = new Set(remoteObjects.map((o) => o.path));
  const unpushed = [...local.keys()].filter((p) => !onRemote.has(p)).length;
  for (const o of remoteObjects) {
    const size = local.get(o.path)?.size;
    const mutable = o.path === theirs.lastCheckpoint?.path || o.path === theirs.marker?.path;
    if (size !== undefined && size !== o.size && !mutable) {
      findings.push({
        severity: "error",
        path: o.path,
        message: `${remote.locate(o.path)} is ${o.size} bytes, this pond's copy ${size}`,
      });
    }
  }
  const read = { objects: 0, bytes: 0 };
  if (options.readData) {
    const { n, m } = options.subset ?? { n: 1, m: 1 };
    const chosen = remoteObjects.filter((_, i) => i % m === n - 1);
    await inParallel(chosen, 8, async (o) => {
      const hash = blobHash(o.path);
      const mine = local.get(o.path);
      const same = !hash && mine && mine.size === o.size ? await here.read(o.path) : undefined;
      try {
        await copyObject(remote, undefined, o, {
          ...(hash && { sha256: hash }),
          ...(same && { same }),
        }, `remote ${name}`);
      } catch (e) {
        if (!(e instanceof RemoteError) || e.code !== "CorruptObject") throw e;
        findings.push({ severity: "error", path: o.path, message: e.message });
      }
      read.objects++;
      read.bytes += o.size;
    });
  }
  findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    url: spec.url,
    remoteTip: tipOf(theirs),
    localTip: tipOf(mine),
    unpushed,
    read,
    findings,
  };
}
