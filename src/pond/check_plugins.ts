/** Checking the installed plugins: each one's source is there and is the source that was added (its recorded hash). */
import { BlobStore, OplogStore } from "../oplog/mod.ts";
import { sourceHash } from "../plugin_host/mod.ts";
import { FS, type ReadView } from "../tinyfs/mod.ts";
import { error, type Finding, reason } from "./check_findings.ts";
import type { PondStores } from "./layout.ts";
import { installedFiles, type PluginRecord } from "./plugin_store.ts";

/**
 * Checks every plugin installed in the pond as of `seq`: its record reads and names a hash, its
 * source is there and hashes to it. Adds a `PluginCorrupt` error for each that does not, and
 * returns how many plugins were checked (none when the tree itself does not read: the row
 * and data file checks report why). A source damaged in its row is the row check's finding;
 * a source replaced by a valid row — written over with `pond copy` — is this one's.
 *
 * @example
 * ```ts
 * import type { Finding } from "./check_findings.ts";
 * import { localPond } from "./layout.ts";
 *
 * const findings: Finding[] = [];
 * const plugins = await checkPlugins(localPond("/data/pond"), 12, findings); // 2, findings []
 * ```
 */
export async function checkPlugins(
  stores: PondStores,
  seq: number,
  findings: Finding[],
): Promise<number> {
  let root: ReadView;
  let installed;
  try {
    const store = await OplogStore.open(stores.oplog, new BlobStore(stores.blobs));
    root = await (await FS.open(store)).root({ asOf: seq });
    installed = await installedFiles(root);
  } catch {
    return 0; // the tree does not read: the row and data file checks say why
  }
  for (const { name, record, source } of installed) {
    const subject = source?.path ?? record.path;
    const problem = await sourceProblem(root, record.path, source?.path);
    if (problem === undefined) continue;
    findings.push(error(
      "PluginCorrupt",
      subject,
      `installed plugin ${name} ${problem}, so its dynamic nodes do not read; add it again with \`pond plugin add FILE\``,
    ));
  }
  return installed.length;
}

/** What is wrong with one installed plugin's files, or undefined. */
async function sourceProblem(
  root: ReadView,
  recordPath: string,
  sourcePath: string | undefined,
): Promise<string | undefined> {
  let record: PluginRecord;
  try {
    record = JSON.parse(new TextDecoder().decode(await root.read(recordPath)));
  } catch (e) {
    return `has a record ${recordPath} that does not read (${reason(e)})`;
  }
  if (typeof record?.hash !== "string") return `has a record ${recordPath} without a hash`;
  if (sourcePath === undefined) return "has no source beside its record";
  let hash: string;
  try {
    hash = await sourceHash(await root.read(sourcePath));
  } catch {
    return undefined; // its row's damage, which the row check reports
  }
  return hash === record.hash
    ? undefined
    : `is not the source that was added: ${sourcePath} hashes to ${
      hash.slice(0, 12)
    }…, its record says ${record.hash.slice(0, 12)}…`;
}
