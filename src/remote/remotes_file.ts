/** A pond's remotes, kept in `remotes.json` in the pond's directory beside (not inside) its versioned tree, like git's config: names and URLs, never credentials. */
import { RemoteError } from "./errors.ts";
import { parseRemoteUrl, type RemoteSpec } from "./remote_url.ts";

/** The file, in the pond's directory, that holds its remotes. */
export const REMOTES_FILE = "remotes.json";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The remotes of the pond in directory `root`, by name (none when the file is absent).
 *
 * @example
 * ```ts
 * const remotes = await readRemotes("/data/pond"); // { usb: { url: "file:///media/usb/pond" } }
 * ```
 */
export async function readRemotes(root: string): Promise<Record<string, RemoteSpec>> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${root}/${REMOTES_FILE}`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return {};
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === "object" && parsed !== null) {
    return (parsed as { remotes?: Record<string, RemoteSpec> }).remotes ?? {};
  }
  throw new RemoteError(
    "BadRemotesFile",
    `${root}/${REMOTES_FILE} is not a list of remotes: fix it by hand, or remove it and add them again`,
  );
}

/**
 * The remote called `name` of the pond in `root`; `UnknownRemote` (naming the ones there are) if none.
 *
 * @example
 * ```ts
 * const spec = await remoteNamed("/data/pond", "usb");
 * ```
 */
export async function remoteNamed(root: string, name: string): Promise<RemoteSpec> {
  const remotes = await readRemotes(root);
  const spec = remotes[name];
  if (!spec) {
    const known = Object.keys(remotes);
    throw new RemoteError(
      "UnknownRemote",
      `no remote '${name}' in ${root}: ${
        known.length ? `it has ${known.join(", ")}` : "it has none"
      } (add one with 'pond remote add NAME URL')`,
    );
  }
  return spec;
}

/**
 * Adds remote `name` to the pond in `root` (its URL checked); `RemoteExists` if it is taken.
 *
 * @example
 * ```ts
 * await addRemote("/data/pond", "usb", { url: "file:///media/usb/pond" });
 * ```
 */
export async function addRemote(root: string, name: string, spec: RemoteSpec): Promise<void> {
  if (!NAME.test(name)) {
    throw new RemoteError(
      "BadRemoteUrl",
      `'${name}' is not a remote name: use letters, digits, '.', '_' and '-' (at most 64)`,
    );
  }
  parseRemoteUrl(spec.url);
  const remotes = await readRemotes(root);
  if (remotes[name]) {
    throw new RemoteError(
      "RemoteExists",
      `remote '${name}' is already ${
        remotes[name].url
      }: remove it first ('pond remote remove ${name}')`,
    );
  }
  await writeRemotes(root, { ...remotes, [name]: spec });
}

/**
 * Removes remote `name` from the pond in `root` (the remote's objects stay); `UnknownRemote` if none.
 *
 * @example
 * ```ts
 * await removeRemote("/data/pond", "usb");
 * ```
 */
export async function removeRemote(root: string, name: string): Promise<void> {
  await remoteNamed(root, name);
  const { [name]: _, ...rest } = await readRemotes(root);
  await writeRemotes(root, rest);
}

/** Writes the remotes through a temporary file renamed into place, so the file is whole or old. */
async function writeRemotes(root: string, remotes: Record<string, RemoteSpec>): Promise<void> {
  const file = `${root}/${REMOTES_FILE}`;
  const temp = `${file}.pond-${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(temp, JSON.stringify({ remotes }, null, 2) + "\n");
    await Deno.rename(temp, file);
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    throw e;
  }
}
