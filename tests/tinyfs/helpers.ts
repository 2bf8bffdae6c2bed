/** Shared test helpers for tinyfs: a fresh pond with a pinned clock, text decoding, error checks. */

import assert from "node:assert/strict";
import {
  type EntryChange,
  type Factories,
  type FileFactories,
  FS,
  isTinyFsError,
  MemoryPersistence,
  type TinyFsErrorCode,
} from "../../src/tinyfs/mod.ts";

/** The pinned start time of every test pond (ms since the epoch). */
export const T0 = Date.UTC(2024, 0, 1);

/** A new in-memory pond whose clock only moves when `tick` is called. */
export async function newPond(factories: Factories = {}, fileFactories: FileFactories = {}) {
  const store = new MemoryPersistence();
  let now = T0;
  const fs = await FS.init(store, { factories, fileFactories, now: () => now });
  return { fs, store, tick: (ms: number) => (now += ms) };
}

/** Creates files (with their parent directories) in one transaction. */
export async function build(fs: FS, files: Record<string, string>): Promise<void> {
  await fs.transact({ command: ["build"] }, async (root) => {
    for (const [path, content] of Object.entries(files)) {
      await root.createFile(path, content, { parents: true });
    }
  });
}

/** A directory version's changes in short: `+name` for a put, `-name` for a del. */
export function changeList(changes: readonly EntryChange[] | undefined): string[] {
  assert.ok(changes, "a plain directory version carries its changes");
  return changes.map((c) => (c.op === "put" ? `+${c.entry.name}` : `-${c.name}`));
}

/** UTF-8 text of bytes. */
/** The changing methods of a `WD`, none of which a read-only view has. */
export const CHANGES = [
  "createFile",
  "write",
  "createDirectory",
  "createSymlink",
  "createDynamicDirectory",
  "createDynamicFile",
  "registerDynamic",
  "unregisterDynamic",
  "remove",
  "rename",
] as const;

/** The names of `CHANGES` that `view` has (none, for a read-only view). */
export function changesOf(view: object): string[] {
  return CHANGES.filter((method) => method in view);
}

export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** Asserts that `promise` rejects with a TinyFsError of `code` (and `path`, when given). */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: TinyFsErrorCode,
  path?: string,
): Promise<void> {
  await assert.rejects(promise, (e) => {
    assert.ok(isTinyFsError(e), `expected a TinyFsError ${code}, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (path !== undefined) assert.equal(e.path, path, e.message);
    return true;
  });
}
