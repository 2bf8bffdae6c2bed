/** The seam pond apply stands on: a transact inside another's body joins it, and a transaction computes with the plugins it adds. */
import assert from "node:assert/strict";
import { addPlugin, makeDynamic, Pond } from "../../src/pond/mod.ts";
import { loadPlugin } from "../../src/plugin_host/mod.ts";
import { withPond } from "../pond/fixture.ts";

const ECHO = `export const manifest = { name: "echo", version: "1.0.0", provides: ["directory"],
  config: { files: { type: "glob", required: true } } };
export function entries({ inputs }: { inputs: { files: { path: string; name: string }[] } }) {
  return inputs.files.map((f) => ({ name: "echo-" + f.name, compute: { inputs: [f.path] } }));
}
export function read({ inputs }: { inputs: { bytes: Uint8Array }[] }) {
  return inputs[0].bytes;
}
`;

Deno.test("operations inside a transaction's body join it: one commit, or none when it fails", async () => {
  await withPond(async (p) => {
    await using pond = await Pond.open(p.dir);
    const head = await pond.head();
    const source = new TextEncoder().encode(ECHO);
    const echo = await loadPlugin(source, { grants: { net: [] }, label: "echo.ts" });
    const command = ["test"];
    const { result, seq } = await pond.transact(command, async (root) => {
      await root.write("/in/a.txt", "hello", { parents: true });
      const added = await addPlugin(pond, source, {
        label: "echo.ts",
        grants: { net: [] },
        command,
      });
      const made = await makeDynamic(pond, "echo", "/echo", "files: /in/*\n", { command });
      return [added.seq, made.seq];
    }, { plugins: [echo] });
    assert.deepEqual(result, [null, null], "the joined operations commit nothing themselves");
    assert.equal(seq, head + 1, "one commit for all three");
    const root = await pond.root();
    assert.equal(new TextDecoder().decode(await root.read("/echo/echo-a.txt")), "hello");

    await assert.rejects(
      pond.transact(command, async (root) => {
        await makeDynamic(pond, "visit", "/views", "patterns: [/in/*]\n", { command });
        await root.createDirectory("/in"); // already there: the whole transaction fails
      }),
      /already exists/,
    );
    assert.equal(await pond.head(), head + 1, "nothing committed, the joined mknod included");
    assert.equal(await (await pond.root()).exists("/views"), false);
  });
});
