/** Where a file's content comes from, told without reading it: its identity as of a pond version, and the stored series it is computed from with their newest event time. */
import { isDynamic, type NodePath, type ReadView } from "../tinyfs/mod.ts";

/** What {@link provenance} says of one file. */
export interface Provenance {
  /**
   * Equal exactly while the file's content is: for a stored file its node id and newest version
   * (a series reads every version, and a new one always has a higher number); for a file a
   * dynamic directory computes, the key its directory gives (its plugin's code, config and
   * call, and its inputs' ids and versions). Undefined when it cannot be known: a stored
   * dynamic file, a version not committed yet, a computed file whose directory does not say or
   * whose inputs are themselves computed.
   */
  readonly identity?: string;
  /**
   * The stored series a computed file is computed from, by path, sorted: its inputs, and the
   * inputs of those that are computed too, down to stored files. Empty for a stored file.
   */
  readonly series: readonly string[];
  /**
   * The latest event time of any version of those series (ms since the epoch), from their
   * metadata (no row is read); undefined when none records one.
   */
  readonly newestEvent?: number;
}

/**
 * Says where the file at `path` in `root` comes from, without computing or reading it: its
 * identity and, for a computed file, the stored series it is computed from and their newest
 * event time. That is how a downsampled series (temporal-reduce's `res=1h.series`, whose time
 * column holds bucket starts) tells the time of the newest reading behind it.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const root = await (await Pond.open("/data/pond")).root();
 * const p = await provenance(root, "/reduce/north/res=1h.series");
 * p.series;      // ["/sites/north/readings.series"]
 * p.newestEvent; // 1767225540000: the newest reading, not the newest bucket's start
 * ```
 */
export async function provenance(root: ReadView, path: string): Promise<Provenance> {
  const node = await root.open(path);
  if (!node.computed) return { ...await storedIdentity(node), series: [] };
  const derivation = await node.derivation();
  if (!derivation) return { series: [] };
  const series = new Set<string>();
  let newestEvent: number | undefined;
  for (const input of derivation.inputs) {
    const found = await provenance(root, input);
    const own = found.series.length === 0 && await storedSeries(root, input);
    for (const s of own ? [input] : found.series) series.add(s);
    const event = own ? own.newestEvent : found.newestEvent;
    if (event !== undefined) newestEvent = Math.max(newestEvent ?? event, event);
  }
  return {
    ...(derivation.key !== undefined && { identity: `computed:${derivation.key}` }),
    series: [...series].sort(),
    ...(newestEvent !== undefined && { newestEvent }),
  };
}

/** A stored file's id and newest version; none for a stored dynamic file or an uncommitted version. */
async function storedIdentity(node: NodePath): Promise<{ identity?: string }> {
  if (isDynamic(node.entryType)) return {};
  const meta = await node.metadata(); // a symlink's target: what reading it gives
  if (meta.computed || isDynamic(meta.entryType) || meta.uncommitted) return {};
  if (meta.nodeId === undefined) return {};
  return { identity: `stored:${meta.nodeId}@${meta.version}` };
}

/** For a stored series at `path`: the latest event time of its versions; false for anything else. */
async function storedSeries(
  root: ReadView,
  path: string,
): Promise<{ newestEvent?: number } | false> {
  const node = await root.open(path);
  if (node.computed || node.entryType !== "file:series") return false;
  const times = (await node.versions()).flatMap((v) => v.eventTimes ? [v.eventTimes.max] : []);
  return times.length ? { newestEvent: Math.max(...times) } : {};
}
