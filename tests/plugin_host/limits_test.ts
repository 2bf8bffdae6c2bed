/** Tests for the sandbox's deadline, memory cap and crashes: clear errors, the pond untouched. */

import assert from "node:assert/strict";
import { manifest, plugin, pondWith, rejectsWithPlugin, text, withHost } from "./helpers.ts";

/** A plugin whose entries() runs `body` when its config's `mode` is "bad", else lists one file. */
const misbehaving = (name: string, body: string, extra = "") =>
  plugin(
    manifest(name, { mode: { type: "string", required: true } }) + `
    export async function entries({ config }: { config: { mode: string } }) {
      if (config.mode === "bad") {
        ${body}
      }
      return [{ name: "fine", compute: {} }];
    }
    export function read() { return "fine"; }
    ${extra}`,
  );

/** Long enough for a sandbox to start on a loaded machine (the deadline covers loading too). */
const LOOP_DEADLINE_MS = 3000;

Deno.test("limits: a plugin looping forever is killed at the deadline; the next call starts it afresh", async () => {
  const spinner = await misbehaving("spinner", "while (true) { /* spin */ }");
  await withHost({ deadlineMs: LOOP_DEADLINE_MS }, async (host) => {
    const { fs, store } = await pondWith(host, { "/in/a": "A" }, [["/spin", spinner, {
      mode: "bad",
    }], ["/ok", spinner, { mode: "good" }]]);
    const before = store.commits.length;
    await rejectsWithPlugin(
      fs.transact({ command: ["cp"] }, async (root) => {
        await root.createFile("/in/b", "B");
        await root.list("/spin");
      }),
      "Deadline",
      "spinner",
      /^plugin spinner did not answer entries\(\) within 3000 ms and was stopped; fix the plugin if it loops, or give it a longer deadline$/,
    );
    assert.equal(store.commits.length, before);
    const root = await fs.root();
    assert.deepEqual((await root.list("/in")).map((e) => e.name), ["a"]);
    assert.equal(text(await root.read("/ok/fine")), "fine");
  });
});

Deno.test("limits: every call in flight fails when the sandbox is killed; loops at load are caught too", async () => {
  const slow = await plugin(
    manifest("slow", { src: { type: "glob", required: true } }) + `
    export function entries({ inputs }: { inputs: { src: { path: string; name: string }[] } }) {
      return inputs.src.map((m) => ({ name: m.name, compute: { args: m.name } }));
    }
    export async function read({ args }: { args: string }) {
      if (args === "spin") while (true) { /* spin */ }
      await new Promise(() => {});
    }`,
  );
  const stuck = await plugin(
    manifest("stuck") + "while (true) { /* spin */ }\nexport function entries() { return []; }",
  );
  await withHost({ deadlineMs: LOOP_DEADLINE_MS }, async (host) => {
    const { fs } = await pondWith(host, { "/in/wait": "", "/in/spin": "" }, [["/s", slow, {
      src: "/in/*",
    }], ["/x", stuck, {}]]);
    const root = await fs.root();
    const reads = (await root.list("/s")).map((e) => e.read());
    for (const read of reads) {
      await rejectsWithPlugin(read, "Deadline", "slow", /did not answer read\(\) within 3000 ms/);
    }
    await rejectsWithPlugin(
      root.list("/x"),
      "Deadline",
      "stuck",
      /^plugin stuck did not finish loading within 3000 ms and was stopped/,
    );
  });
});

Deno.test("limits: unbounded allocation is stopped by the memory cap, on the heap or in buffers", async () => {
  const hog = await plugin(
    manifest("hog", { mode: { type: "string", required: true } }) + `
    const keep: unknown[] = [];
    export function entries({ config }: { config: { mode: string } }) {
      if (config.mode === "heap") while (true) keep.push({ n: keep.length, s: "item " + keep.length });
      if (config.mode === "buffers") while (true) keep.push(new Uint8Array(8 << 20).fill(1));
      return [];
    }`,
  );
  await withHost({ deadlineMs: 60_000, memoryLimitMb: 64 }, async (host) => {
    const { fs, store } = await pondWith(host, {}, [["/heap", hog, { mode: "heap" }], [
      "/buffers",
      hog,
      { mode: "buffers" },
    ]]);
    const before = store.commits.length;
    const root = await fs.root();
    const capped =
      /^plugin hog ran out of memory \(its cap is 64 MiB\) and was stopped; make it hold less at once, or give it a larger cap$/;
    await rejectsWithPlugin(root.list("/heap"), "OutOfMemory", "hog", capped);
    await rejectsWithPlugin(root.list("/buffers"), "OutOfMemory", "hog", capped);
    assert.equal(store.commits.length, before);
  });
});

Deno.test("limits: a sandbox that dies on its own is Crashed, with the plugin's last words", async () => {
  const crasher = await misbehaving(
    "crasher",
    'setTimeout(() => { throw new Error("late failure"); }, 0);\n        await new Promise(() => {});',
  );
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, {}, [["/c", crasher, { mode: "bad" }]]);
    await rejectsWithPlugin(
      (async () => (await fs.root()).list("/c"))(),
      "Crashed",
      "crasher",
      /^plugin crasher.s sandbox exited with code 1: error: Uncaught Error: late failure$/,
    );
  });
});
