/** Temporary files named after the process that writes them and locked while it writes, so one whose writer is gone is known for a leftover at once; removed by the writer itself if it is ended (Ctrl-C). */
import { atProcessEnd } from "../process_end.ts";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** A writer's temp file: `.pond-<pid>-<uuid>.tmp`, or `.tmp-<pid>-<uuid>` as blob writes named them before. */
const WRITER = new RegExp(`^\\.(?:pond|tmp)-(\\d+)-${UUID}(?:\\.tmp)?$`);

/** A temporary file being written: its path, the open file, and what to call once it is settled. */
export interface TempFile {
  path: string;
  file: Deno.FsFile;
  /**
   * Call once the file is renamed into place or removed: until then, the process removes it
   * if it ends first (its exit, or a signal such as Ctrl-C; see `atProcessEnd`).
   */
  settled: () => void;
}

/**
 * Creates a temporary file in `dir` named `.pond-<pid>-<uuid>.tmp` (this process's pid, then
 * a random UUID) for writing, and locks it (exclusively) until it is closed. If this process
 * ends before the file is {@link TempFile.settled}, it removes the file on its way out; if it is
 * killed outright, the name and the lock tell the next writer that the file is a leftover.
 *
 * @example
 * ```ts
 * const { path, file, settled } = await createTemp("/data/pond/blobs");
 * try {
 *   await file.write(new TextEncoder().encode("body"));
 *   file.close();
 *   await Deno.rename(path, "/data/pond/blobs/body");
 * } finally {
 *   settled();
 * }
 * ```
 */
export async function createTemp(dir: string): Promise<TempFile> {
  const path = `${dir}/.pond-${Deno.pid}-${crypto.randomUUID()}.tmp`;
  const file = await Deno.open(path, { write: true, createNew: true });
  const settled = atProcessEnd(() => Deno.removeSync(path));
  try {
    await file.lock(true);
  } catch (e) {
    file.close();
    await Deno.remove(path).catch(() => {});
    settled();
    throw e;
  }
  return { path, file, settled };
}

/**
 * True when the temporary file at `path` was made by {@link createTemp} in a process that no
 * longer runs: its pid is not running on this machine, and the file's lock is free (a writer
 * in another pid namespace still holds it). False when its writer may be alive (or its pid now
 * belongs to another process), when the name records no writer, or when this system cannot
 * tell (no `/proc`).
 *
 * @example
 * ```ts
 * const leftover = "/data/pond/blobs/.tmp-4242-1b4e28ba-2fa1-11d2-883f-0016d3cca427";
 * if (await writerGone(leftover)) await Deno.remove(leftover);
 * ```
 */
export async function writerGone(path: string): Promise<boolean> {
  const pid = WRITER.exec(path.slice(path.lastIndexOf("/") + 1))?.[1];
  if (pid === undefined || Number(pid) === Deno.pid) return false;
  if (!(await exists("/proc/self")) || await exists(`/proc/${pid}`)) return false;
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
  try {
    return await file.tryLock(true);
  } finally {
    file.close();
  }
}

function exists(path: string): Promise<boolean> {
  return Deno.stat(path).then(() => true, (e) => {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  });
}
