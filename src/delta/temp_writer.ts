/** Temporary files named after the process that writes them and locked while it writes, so one whose writer is gone is known for a leftover at once. */

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** A writer's temp file: `.pond-<pid>-<uuid>.tmp`, or `.tmp-<pid>-<uuid>` as blob writes named them before. */
const WRITER = new RegExp(`^\\.(?:pond|tmp)-(\\d+)-${UUID}(?:\\.tmp)?$`);

/**
 * Creates a temporary file in `dir` named `.pond-<pid>-<uuid>.tmp` (this process's pid, then
 * a random UUID) for writing, and locks it (exclusively) until it is closed.
 *
 * @example
 * ```ts
 * const { path, file } = await createTemp("/data/pond/blobs");
 * ```
 */
export async function createTemp(dir: string): Promise<{ path: string; file: Deno.FsFile }> {
  const path = `${dir}/.pond-${Deno.pid}-${crypto.randomUUID()}.tmp`;
  const file = await Deno.open(path, { write: true, createNew: true });
  try {
    await file.lock(true);
  } catch (e) {
    file.close();
    await Deno.remove(path).catch(() => {});
    throw e;
  }
  return { path, file };
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
