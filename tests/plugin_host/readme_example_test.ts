/** Tests that the plugin written from scratch in plugins/README.md is short, loads, and works as described. */

import assert from "node:assert/strict";
import { plugin, pondWith, text, withHost } from "./helpers.ts";

const readme = await Deno.readTextFile(new URL("../../plugins/README.md", import.meta.url));
const example = readme.split("## Writing a plugin")[1].match(/```ts\n([\s\S]*?)```/)![1];

Deno.test("readme: the from-scratch example is under 30 lines and shows text files in capitals", async () => {
  assert.ok(example.trimEnd().split("\n").length < 30, "the example grew past 30 lines");
  const shout = await plugin(example);
  assert.equal(shout.manifest.name, "shout");
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, {
      "/notes/todo.txt": "water the sondes\n",
      "/notes/x.md": "no",
    }, [
      ["/loud", shout, { files: "/notes/*.txt" }],
    ]);
    const root = await fs.root();
    assert.deepEqual((await root.list("/loud")).map((e) => e.name), ["todo.TXT"]);
    assert.equal(text(await root.read("/loud/todo.TXT")), "WATER THE SONDES\n");
  });
});
