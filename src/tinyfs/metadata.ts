/** Metadata: what tinyfs can say about a node without reading its body (mostly). */

import { TinyFsError } from "./errors.ts";
import type { CallContext } from "./call_context.ts";
import { handleEntryType, handleKind, type Located } from "./handle.ts";
import { kindOf, type NodeVersion } from "./records.ts";
import type { Tree } from "./tree.ts";
import type { Metadata } from "./view.ts";

/**
 * Describes the newest version of `node`; `context` is the reader's call chain, in which a
 * file is computed to learn its size.
 *
 * @example
 * ```ts
 * import type { Tree } from "./tree.ts";
 * import type { Located } from "./handle.ts";
 * import { CallContext } from "./call_context.ts";
 *
 * async function example(tree: Tree, located: Located) {
 *   const meta = await describe(tree, located, CallContext.EMPTY); // located: "/in/a.csv"
 *   meta.version; // 3
 * }
 * ```
 */
export async function describe(
  tree: Tree,
  node: Located,
  context: CallContext,
): Promise<Metadata> {
  return (await describeVersions(tree, node, context)).at(-1)!;
}

/**
 * Describes every version of `node`, oldest first (see {@link describe}).
 *
 * @example
 * ```ts
 * import type { Tree } from "./tree.ts";
 * import type { Located } from "./handle.ts";
 * import { CallContext } from "./call_context.ts";
 *
 * async function example(tree: Tree, located: Located) {
 *   const versions = await describeVersions(tree, located, CallContext.EMPTY);
 *   versions.map((v) => v.size); // [10, 12, 40]
 * }
 * ```
 */
export async function describeVersions(
  tree: Tree,
  node: Located,
  context: CallContext,
): Promise<Metadata[]> {
  const { handle, path } = node;
  if (handle.tag === "stored" || handle.tag === "pattern") {
    const versions = await tree.state.versions(handle.key);
    if (versions.length === 0) throw new TinyFsError("NotFound", path, `${path} has no version`);
    const created = new Date(versions[0].timestamp);
    const pattern = handle.tag === "pattern" ? { pattern: handle.pattern } : {};
    const described: Metadata[] = [];
    for (const v of versions) {
      const size = v.entryType === "file:dynamic"
        ? (await tree.read(node, v.version, context)).length
        : v.size;
      const uncommitted = tree.state.pending && v.seq === tree.state.seq;
      described.push({
        ...stored(v, created),
        size,
        ...pattern,
        ...(uncommitted && { uncommitted: true as const }),
      });
    }
    return described;
  }
  const origin = await tree.state.versions(handle.origin);
  const size = handle.tag === "computed-file"
    ? (await tree.read(node, undefined, context)).length
    : 0;
  return [{
    kind: handleKind(handle),
    entryType: handleEntryType(handle),
    nodeId: undefined,
    version: 1,
    seq: origin.at(-1)!.seq,
    size,
    created: new Date(origin[0].timestamp),
    modified: new Date(origin.at(-1)!.timestamp),
    computed: true,
  }];
}

function stored(v: NodeVersion, created: Date): Metadata {
  return {
    kind: kindOf(v.entryType),
    entryType: v.entryType,
    nodeId: v.nodeId,
    version: v.version,
    seq: v.seq,
    size: v.size,
    created,
    modified: new Date(v.timestamp),
    computed: false,
    ...(v.target !== undefined && { target: v.target }),
    ...(v.dynamic && { factory: v.dynamic.factory }),
    ...(v.eventTimes && { eventTimes: v.eventTimes }),
  };
}
