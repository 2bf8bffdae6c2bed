/** The README's promises, kept true: its script example runs against a real pond. */
import assert from "node:assert/strict";
import { pondInProcess, REPO_ROOT } from "./cli/harness.ts";

Deno.test("the README's script example runs with deno run against a pond", async () => {
  const readme = await Deno.readTextFile(`${REPO_ROOT}README.md`);
  const script = readme.match(/```ts\n(\/\/ count_rows\.ts[\s\S]*?)```/)?.[1];
  assert.ok(script, "the README has the count_rows.ts example");
  const host = await Deno.makeTempDir();
  const file = `${REPO_ROOT}.readme-example-${crypto.randomUUID()}.ts`;
  try {
    const pond = `${host}/lake`;
    await pondInProcess(["init", pond]);
    await pondInProcess(["mkdir", "-p", "/sites/lake_north"], { POND: pond });
    await pondInProcess(
      ["copy", `host:${REPO_ROOT}samples/lake_north.csv`, "/sites/lake_north/readings.csv"],
      { POND: pond },
    );
    await Deno.writeTextFile(file, script);
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "-A", file, pond],
      cwd: REPO_ROOT,
    }).output();
    const out = new TextDecoder().decode(run.stdout);
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
    assert.equal(out, "lake_north 336 readings\n");
    const cat = await pondInProcess(["cat", "/notes/counted.txt"], { POND: pond });
    assert.equal(cat.stdout, "done\n");
  } finally {
    await Deno.remove(file).catch(() => {});
    await Deno.remove(host, { recursive: true });
  }
});
