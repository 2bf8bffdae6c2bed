/** The README's Plugins section, kept true: its plugin is plugins/README.md's (tests/readme_test.ts runs its commands). */
import assert from "node:assert/strict";
import { REPO_ROOT } from "./harness.ts";

const readme = await Deno.readTextFile(`${REPO_ROOT}README.md`);
const section = readme.split("### Plugins\n")[1]?.split("\n### ")[0] ?? "";
const plugin = section.match(/```ts\n([\s\S]*?)```/)?.[1];
const guide = await Deno.readTextFile(`${REPO_ROOT}plugins/README.md`);
const guidePlugin = guide.split("## Writing a plugin")[1].match(/```ts\n([\s\S]*?)```/)![1];

Deno.test("readme: the Plugins section's plugin is the tested one from plugins/README.md, under 30 lines", () => {
  assert.ok(plugin, "README.md has a Plugins section with a ts block");
  assert.equal(plugin, guidePlugin);
  assert.ok(plugin.trimEnd().split("\n").length < 30, "the example grew past 30 lines");
});
