/** Temporary files named after the process that writes them, so one whose writer is gone is known for a leftover at once. */

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const WRITER = new RegExp(`^\\.(?:pond|tmp)-(\\d+)-${UUID}(?:\\.tmp)?$`);

/**
 * A unique temporary file name `.<kind>-<pid>-<uuid><suffix>`: the pid of this process, then a
 * random UUID.
 *
 * @example
 * ```ts
 * tempName("pond", ".tmp"); // ".pond-4242-1b4e28ba-2fa1-11d2-883f-0016d3cca427.tmp"
 * ```
 */
export function tempName(kind: "pond" | "tmp", suffix = ""): string {
  return `.${kind}-${Deno.pid}-${crypto.randomUUID()}${suffix}`;
}

/**
 * True when the temporary file at `path` was named by {@link tempName} in a process that no
 * longer runs on this machine: no command can still be writing it. False when its writer is
 * alive (or its pid now belongs to another process), when the name records no writer, or when
 * this system cannot tell (no `/proc`).
 *
 * @example
 * ```ts
 * if (await writerGone("blobs/.tmp-4242-1b4e28ba-2fa1-11d2-883f-0016d3cca427")) await Deno.remove(file);
 * ```
 */
export async function writerGone(path: string): Promise<boolean> {
  const pid = WRITER.exec(path.slice(path.lastIndexOf("/") + 1))?.[1];
  if (pid === undefined || Number(pid) === Deno.pid) return false;
  if (!(await exists("/proc/self"))) return false;
  return !(await exists(`/proc/${pid}`));
}

function exists(path: string): Promise<boolean> {
  return Deno.stat(path).then(() => true, (e) => {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  });
}
