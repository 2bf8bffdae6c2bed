/** diff(): a directory replaced under the same name, and paths that have no history. */
import assert from "node:assert/strict";
import { diff } from "../../src/pond/diff.ts";
import { Pond } from "../../src/pond/pond.ts";
import type { DynamicFactory } from "../../src/tinyfs/mod.ts";

/** Computes one empty subdirectory, `sub`. */
const withSub: DynamicFactory = {
  open: () => ({
    entries: () =>
      Promise.resolve([{
        kind: "directory" as const,
        name: "sub",
        directory: { entries: () => Promise.resolve([]) },
      }]),
  }),
};

async function withLibraryPond(fn: (pond: Pond) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(await Pond.init(dir, { command: ["init"] }, { factories: { withSub } }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a directory removed and made again under its name: the old contents go, the new come", async () => {
  await withLibraryPond(async (pond) => {
    const { seq: a } = await pond.transact(
      ["t"],
      (r) => r.write("/x/old.txt", "o", { parents: true }),
    );
    await pond.transact(["t"], (r) => r.remove("/x", { recursive: true }));
    const { seq: b } = await pond.transact(
      ["t"],
      (r) => r.write("/x/new.txt", "n", { parents: true }),
    );
    const d = await diff(pond, { seq: a! }, { seq: b! }, "/x");
    assert.deepEqual(d.changes.map((c) => `${c.change} ${c.path}`), [
      "removed /x",
      "added /x",
      "added /x/new.txt",
    ]);
    assert.notEqual(d.changes[0].nodeId, d.changes[1].nodeId);
  });
});

Deno.test("diff of a dynamic directory's contents is NotStored; of the directory itself, fine", async () => {
  await withLibraryPond(async (pond) => {
    const { seq } = await pond.transact(["t"], async (r) => {
      await r.createDynamicDirectory("/dyn", "withSub", "{}");
    });
    await assert.rejects(diff(pond, { seq: 0 }, { seq: seq! }, "/dyn/sub"), {
      code: "NotStored",
      message: /^\/dyn\/sub is computed by a dynamic directory and has no history/,
    });
    const d = await diff(pond, { seq: 0 }, { seq: seq! }, "/dyn");
    assert.deepEqual(d.changes.map((c) => [c.change, c.path, c.entryType]), [
      ["added", "/dyn", "directory:dynamic"],
    ]);
  });
});
