/** Push, pull and restore of a pond: the transfer between the pond's directory and a remote, with each direction's names, checks and clean-up. */
import { LocalStore, type Store, Table } from "../delta/mod.ts";
import { blobsReferenced, BlobStore, collectBlobGarbage } from "../oplog/mod.ts";
import { checkPond, isDamaged, listHostDirectory, localPond } from "../pond/mod.ts";
import { RemoteError } from "./errors.ts";
import { openRemote, type RemoteSpec } from "./remote_url.ts";
import { remoteNamed } from "./remotes_file.ts";
import { type RequestCounts, S3Store } from "./s3_store.ts";
import { transfer, type TransferOptions, type TransferSummary } from "./transfer.ts";

/** What a push, pull or restore did, with the remote's request counts when it is on S3. */
export interface SyncReport extends TransferSummary {
  /** The remote's URL. */
  readonly url: string;
  readonly requests?: RequestCounts;
}

/** Options of a push, pull or restore. */
export type SyncOptions = Pick<TransferOptions, "onObject" | "concurrency">;

/**
 * Uploads what remote `name` of the pond in `root` lacks (see `transfer`), refusing a remote
 * that another pond has pushed to.
 *
 * @example
 * ```ts
 * const report = await pushPond("/data/pond", "backup", Deno.env.toObject());
 * console.log(`${report.sent.objects} objects uploaded, ${report.skipped.objects} already there`);
 * ```
 */
export async function pushPond(
  root: string,
  name: string,
  env: Record<string, string | undefined>,
  options: SyncOptions = {},
): Promise<SyncReport> {
  const spec = await remoteNamed(root, name);
  const remote = await openRemote(spec, env);
  const summary = await transfer(new LocalStore(root), remote, {
    from: "this pond",
    to: `remote ${name} (${spec.url})`,
    ahead:
      `another pond pushed there; pull it first ('pond pull ${name}') or push to another remote`,
  }, options);
  return report(spec, remote, summary);
}

/**
 * Downloads what the pond in `root` lacks from remote `name`, checking every object against
 * its name or the log, and refusing when the pond has transactions the remote lacks.
 *
 * @example
 * ```ts
 * const report = await pullPond("/data/copy", "backup", Deno.env.toObject());
 * ```
 */
export async function pullPond(
  root: string,
  name: string,
  env: Record<string, string | undefined>,
  options: SyncOptions = {},
): Promise<SyncReport> {
  const spec = await remoteNamed(root, name);
  const remote = await openRemote(spec, env);
  const summary = await transfer(remote, new LocalStore(root), {
    from: `remote ${name} (${spec.url})`,
    to: "this pond",
    ahead: `push it first ('pond push ${name}'), or restore the remote into a new directory`,
  }, { ...options, verify: true });
  return report(spec, remote, summary);
}

/**
 * Makes a new pond in `dir` (absent or empty) from the remote `spec` names, up to transaction
 * `at` if given (the blobs only later transactions wrote are then dropped again): every blob
 * re-hashed against its name, every data file checked against the size the log records, and the
 * result checked whole by `checkPond`. On any failure what was
 * written is removed again and `dir` is left as it was.
 *
 * @example
 * ```ts
 * await restorePond({ url: "s3://backups/lake", endpoint: "http://127.0.0.1:9000" }, "/data/lake", Deno.env.toObject());
 * ```
 */
export async function restorePond(
  spec: RemoteSpec,
  dir: string,
  env: Record<string, string | undefined>,
  options: SyncOptions & { at?: number } = {},
): Promise<SyncReport> {
  const made = await emptyTarget(dir);
  const remote = await openRemote(spec, env);
  try {
    const summary = await transfer(remote, new LocalStore(dir), {
      from: spec.url,
      to: dir,
      ahead: "restore into an empty directory",
    }, { ...options, verify: true });
    if (options.at !== undefined) await dropLaterBlobs(dir);
    const check = await checkPond(dir);
    if (isDamaged(check)) {
      const first = check.findings.find((f) => f.severity === "error")!;
      throw new RemoteError(
        "CorruptObject",
        `the pond restored from ${spec.url} does not pass 'pond check' (${first.subject}: ${first.message}); nothing was kept`,
      );
    }
    return report(spec, remote, summary);
  } catch (e) {
    await clear(dir, made);
    throw e;
  }
}

/**
 * Deletes the blobs a pond restored up to an earlier transaction holds but no row of its log
 * names (those only later transactions wrote), so it holds what the pond held then.
 */
async function dropLaterBlobs(dir: string): Promise<void> {
  const stores = localPond(dir);
  const snapshot = await new Table(stores.oplog).snapshot();
  const inUse = await blobsReferenced(stores.oplog, snapshot, snapshot.files());
  await collectBlobGarbage(new BlobStore(stores.blobs), inUse, {
    cutoff: Infinity,
    apply: true,
  });
}

/** Refuses a `dir` that holds anything; makes it when absent. True when it was made here. */
async function emptyTarget(dir: string): Promise<boolean> {
  try {
    for (const entry of await listHostDirectory(dir)) {
      throw new RemoteError(
        "NotEmpty",
        `${dir} is not empty (it holds ${entry.name}): restore into a new or empty directory`,
      );
    }
    return false;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    await Deno.mkdir(dir, { recursive: true });
    return true;
  }
}

/** Removes what a failed restore wrote: `dir` itself if it made it, else what is in it. */
async function clear(dir: string, made: boolean): Promise<void> {
  if (made) return await Deno.remove(dir, { recursive: true }).catch(() => {});
  for (const entry of await listHostDirectory(dir)) {
    await Deno.remove(`${dir}/${entry.name}`, { recursive: true }).catch(() => {});
  }
}

function report(spec: RemoteSpec, remote: Store, summary: TransferSummary): SyncReport {
  return {
    ...summary,
    url: spec.url,
    ...(remote instanceof S3Store && { requests: { ...remote.requests } }),
  };
}
