/** A plain script that opens a pond reads its dynamic nodes: `Pond.open` runs the built-in plugins itself. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../cli/harness.ts";
import { assertOk, withPond } from "./fixture.ts";
import { command } from "../subprocess.ts";

/** Runs `text` as a script with `deno run` and the repository's configuration (its npm packages). */
async function runScript(dir: string, text: string, args: string[]) {
  const path = join(dir, "list_views.ts");
  await Deno.writeTextFile(path, text);
  const out = await command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", "--config", join(REPO_ROOT, "deno.json"), path, ...args],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("a script's Pond.open lists a visit directory with no plugin host of its own; closing the pond ends it", async () => {
  await withPond(async (p) => {
    await p.change(async (root) => {
      await root.write("/sites/north/r.csv", "t,v\n1,2\n", { parents: true });
      await root.write("/sites/south/r.csv", "t,v\n3,4\n", { parents: true });
    });
    const config = join(p.host, "v.yaml");
    await Deno.writeTextFile(config, 'patterns: [/sites/*/r.csv]\nname: "$0.csv"\n');
    assertOk(await p.run(["mknod", "visit", "/views/by-site", "--config", config, "-p"]));
    const face = new URL("src/pond/mod.ts", `file://${REPO_ROOT}`).href;
    const script = `import { Pond } from "${face}";

await using pond = await Pond.open(Deno.args[0]);
const root = await pond.root();
for (const entry of await root.list("/views/by-site")) console.log(entry.name);
console.log(new TextDecoder().decode(await root.read("/views/by-site/south.csv")).trim());
`;
    const run = await runScript(p.host, script, [p.dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "north.csv\nsouth.csv\nt,v\n3,4\n");
  });
});
