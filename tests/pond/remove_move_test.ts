/** remove() and move() around dynamic directories: the directory itself can go, what it computes cannot. */
import assert from "node:assert/strict";
import { move } from "../../src/pond/move.ts";
import { Pond } from "../../src/pond/pond.ts";
import { remove } from "../../src/pond/remove.ts";
import type { DynamicFactory } from "../../src/tinyfs/mod.ts";

const hello: DynamicFactory = {
  open: () => ({
    entries: () =>
      Promise.resolve([{
        kind: "file" as const,
        name: "hello.txt",
        read: () => Promise.resolve(new TextEncoder().encode("hi")),
      }]),
  }),
};

async function withDynamic(fn: (pond: Pond) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    const factories = { hello };
    const pond = await Pond.init(dir, { command: ["init"] }, { factories });
    await pond.transact(["test"], async (root) => {
      await root.createDynamicDirectory("/dyn", "hello", "{}");
      await root.createDirectory("/out");
    });
    await fn(await Pond.open(dir, { factories }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a computed file can be neither removed nor moved; the pond stays as it was", async () => {
  await withDynamic(async (pond) => {
    const head = await pond.head();
    await assert.rejects(
      pond.transact(["rm"], (root) => remove(root, ["/dyn/hello.txt"])),
      { code: "ReadOnly", message: /\/dyn is a dynamic directory, computed on read/ },
    );
    await assert.rejects(
      pond.transact(["mv"], (root) => move(root, ["/dyn/hello.txt"], "/out")),
      { code: "ReadOnly" },
    );
    assert.equal(await pond.head(), head);
  });
});

Deno.test("a dynamic directory is removed with -d or -r, not without, and moves like any node", async () => {
  await withDynamic(async (pond) => {
    await assert.rejects(
      pond.transact(["rm"], (root) => remove(root, ["/dyn"])),
      { code: "IsADirectory" },
    );
    await pond.transact(["mv"], (root) => move(root, ["/dyn"], "/out"));
    const root = await pond.root();
    assert.equal(new TextDecoder().decode(await root.read("/out/dyn/hello.txt")), "hi");
    await pond.transact(["rm"], (root) => remove(root, ["/out/dyn"], { emptyDirectories: true }));
    assert.equal(await (await pond.root()).exists("/out/dyn"), false);
  });
});
