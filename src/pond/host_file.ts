/** Reading a small file from the host named on the command line, where the `host:` prefix is optional. */
import { PondError } from "../errors.ts";
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
