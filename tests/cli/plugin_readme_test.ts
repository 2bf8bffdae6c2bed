/** The README's Plugins section, kept true: its plugin is plugins/README.md's, and its commands run as written. */
import assert from "node:assert/strict";
import { withPond } from "../pond/fixture.ts";
import { REPO_ROOT } from "./harness.ts";

const readme = await Deno.readTextFile(`${REPO_ROOT}README.md`);
const section = readme.split("### Plugins\n")[1]?.split("\n### ")[0] ?? "";
const plugin = section.match(/```ts\n([\s\S]*?)```/)?.[1];
const commands = section.match(/```sh\n([\s\S]*?)```/)?.[1];
const guide = await Deno.readTextFile(`${REPO_ROOT}plugins/README.md`);
const guidePlugin = guide.split("## Writing a plugin")[1].match(/```ts\n([\s\S]*?)```/)![1];

Deno.test("readme: the Plugins section's plugin is the tested one from plugins/README.md, under 30 lines", () => {
  assert.ok(plugin, "README.md has a Plugins section with a ts block");
  assert.equal(plugin, guidePlugin);
  assert.ok(plugin.trimEnd().split("\n").length < 30, "the example grew past 30 lines");
});

Deno.test("readme: the Plugins section's commands add the plugin from a file and use it", async () => {
  assert.ok(plugin && commands, "README.md has the plugin and its commands");
  await withPond(async (p) => {
    await p.change((root) =>
      root.write("/sites/north/readings.csv", "t,v\n1,2.5\n", { parents: true })
    );
    await Deno.writeTextFile(`${p.host}/my_plugin.ts`, plugin);
    await Deno.writeTextFile(`${p.host}/todo.txt`, "water the sondes\n");
    // Nobody is at a terminal to answer plugin add's question, so the test answers with --yes.
    const script = `set -euo pipefail
pond() {
  if [ "$1 \${2:-}" = "plugin add" ]; then set -- "$@" --yes; fi
  "$DENO" run --no-prompt -A "$MAIN" "$@"
}
${commands}`;
    const run = await new Deno.Command("bash", {
      args: ["-c", script],
      cwd: p.host,
      env: { DENO: Deno.execPath(), MAIN: `${REPO_ROOT}main.ts`, POND: p.dir, NO_COLOR: "1" },
    }).output();
    const out = new TextDecoder().decode(run.stdout);
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
    assert.match(out, /^WATER THE SONDES$/m, "pond cat shows the file in capitals");
    assert.match(
      out,
      /^\/sites\/north\/tables\/readings\.parquet$/m,
      "the pattern serves each site",
    );
    assert.match(out, /^t,v\n1,2\.5$/m, "the dynamic file concatenates the sites' CSVs");
    assert.match(out, /^shout 1\.0\.0 \(installed\)$/m);
    assert.match(out, /^ {2}used by\n {4}\/loud\n$/m);
  });
});
