/** Globs over the tree: a name-sorted depth-first walk matching a pattern, with captures. */

import type { CallContext } from "./call_context.ts";
import { isTinyFsError, TinyFsError } from "./errors.ts";
import { compileGlob, type Glob } from "./glob.ts";
import { closure, type MatchState, START, step } from "./glob_states.ts";
import { type Frame, framesPath, type Handle, handleKind, ROOT_FRAME } from "./handle.ts";
import { TreeNode } from "./node_path.ts";
import { compareNames, joinPath } from "./path.ts";
import { framesOf, resolve } from "./resolve.ts";
import type { Tree } from "./tree.ts";
import type { GlobMatch } from "./view.ts";

interface Walk {
  readonly tree: Tree;
  readonly context: CallContext;
  readonly glob: Glob;
}

/**
 * Yields every node matching `pattern` (see {@link compileGlob}), resolved from the
 * directory `start`, each once, in name order depth-first (a directory before what is in
 * it). Symlinks to directories are descended into (dangling ones are matched but not
 * entered); entering a stored directory the walk is already inside is `VisitLoop`, and so is
 * a dynamic directory whose computation reaches itself. Plain names in the pattern are looked
 * up, not listed. A pattern with no segments (`/`, `.`) yields the start directory itself.
 *
 * @example
 * ```ts
 * import type { Tree } from "./tree.ts";
 * import { CallContext } from "./call_context.ts";
 * import { ROOT_FRAME } from "./handle.ts";
 *
 * async function example(tree: Tree) {
 *   for await (const m of visit(tree, CallContext.EMPTY, [ROOT_FRAME], "/in/{a,b}/data-*.csv")) {
 *     console.log(m.node.path, m.captures);
 *   }
 * }
 * ```
 */
export async function* visit(
  tree: Tree,
  context: CallContext,
  start: readonly Frame[],
  pattern: string,
): AsyncGenerator<GlobMatch> {
  const glob = compileGlob(pattern);
  let frames = glob.absolute ? [ROOT_FRAME] : [...start];
  for (let i = 0; i < glob.up && frames.length > 1; i++) frames = frames.slice(0, -1);
  if (glob.segments.length === 0) {
    const top = frames.at(-1)!;
    const node = new TreeNode(
      tree,
      context,
      frames.slice(0, -1),
      top.name,
      top.handle,
      framesPath(frames),
    );
    yield { node, captures: [] };
    return;
  }
  const ancestors = frames.map((f) => storedDirectoryId(f.handle)).filter((id) => id !== undefined);
  yield* walk(
    { tree, context, glob },
    frames,
    framesPath(frames),
    START,
    ancestors,
  );
}

async function* walk(
  w: Walk,
  frames: readonly Frame[],
  path: string,
  states: readonly MatchState[],
  ancestors: readonly string[],
): AsyncGenerator<GlobMatch> {
  const live = closure(w.glob, states);
  for (const [name, handle] of await candidates(w, frames, live)) {
    const { complete, next } = step(w.glob, live, name);
    if (!complete && next.length === 0) continue;
    const childPath = joinPath(path, name);
    const needsDirectory = next.length > 0 || (complete !== undefined && w.glob.directoriesOnly);
    const inside = needsDirectory ? await directoryFrames(w, frames, name, handle) : undefined;
    if (complete && (!w.glob.directoriesOnly || inside)) {
      yield {
        node: new TreeNode(w.tree, w.context, frames, name, handle, childPath),
        captures: complete,
      };
    }
    if (next.length === 0 || !inside) continue;
    const id = storedDirectoryId(inside.at(-1)!.handle);
    if (id !== undefined && ancestors.includes(id)) {
      throw new TinyFsError(
        "VisitLoop",
        childPath,
        `${childPath} leads back to ${
          framesPath(inside)
        }, a directory this walk is already inside; ` +
          "a symlink makes a cycle",
      );
    }
    yield* walk(w, inside, childPath, next, id === undefined ? ancestors : [...ancestors, id]);
  }
}

/** The children worth matching, sorted: looked up by name when every state wants a plain name. */
async function candidates(
  w: Walk,
  frames: readonly Frame[],
  live: readonly MatchState[],
): Promise<[string, Handle][]> {
  const top = frames.at(-1)!.handle;
  const names = new Set<string>();
  for (const state of live) {
    const segment = w.glob.segments[state.at];
    if (segment.kind === "literal") names.add(segment.name);
  }
  const plain = live.every((s) => w.glob.segments[s.at].kind === "literal");
  if (top.tag === "stored" && top.entryType === "directory" && plain) {
    const found: [string, Handle][] = [];
    for (const name of [...names].sort(compareNames)) {
      const handle = await w.tree.lookup(frames, name, w.context);
      if (handle) found.push([name, handle]);
    }
    return found;
  }
  return [...await w.tree.children(frames, w.context)].sort(([a], [b]) => compareNames(a, b));
}

/** The frames to descend into a child: itself if a directory, its target if a symlink to one. */
async function directoryFrames(
  w: Walk,
  frames: readonly Frame[],
  name: string,
  handle: Handle,
): Promise<Frame[] | undefined> {
  const kind = handleKind(handle);
  if (kind === "directory") return [...frames, { name, handle }];
  if (kind === "file") return undefined;
  try {
    const target = await resolve(w.tree, w.context, frames, name, { follow: true });
    return target.handle && handleKind(target.handle) === "directory"
      ? framesOf(target)
      : undefined;
  } catch (e) {
    if (isTinyFsError(e, "NotFound") || isTinyFsError(e, "NotADirectory")) return undefined;
    throw e;
  }
}

function storedDirectoryId(handle: Handle): string | undefined {
  return handle.tag === "stored" && handleKind(handle) === "directory"
    ? handle.key.nodeId
    : undefined;
}
