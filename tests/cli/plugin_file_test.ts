/** pond mknod of dynamic files across real processes: computed by cat, listed, described, time travel, loops. */
import assert from "node:assert/strict";
import { assertFails, assertOk, type TestPond, withPond } from "../pond/fixture.ts";
import { commits, hostFile, pond } from "./plugin_helpers.ts";

/** Two sites' readings: /sites/north/r.csv and /sites/south/r.csv. */
function sites(p: TestPond) {
  return p.change(async (root) => {
    await root.write("/sites/north/r.csv", "t,v\n1,2\n", { parents: true });
    await root.write("/sites/south/r.csv", "t,v\n3,4\n", { parents: true });
  });
}

/** A config for derived concatenating the CSV files `inputs` matches. */
function concat(p: TestPond, inputs: string) {
  return hostFile(p, "concat.yaml", `inputs: [${inputs}]\ntransform: concat-csv\n`);
}

Deno.test("mknod derived --file makes one CSV of every match, computed by cat from the inputs of the time", async () => {
  await withPond(async (p) => {
    await sites(p);
    const config = await concat(p, "/sites/*/r.csv");
    assertOk(await pond(p, ["mknod", "derived", "/all.csv", "--file", "--config", config]));
    const made = String((await commits(p)) - 1);
    assert.equal(assertOk(await pond(p, ["cat", "/all.csv"])).stdout, "t,v\n1,2\n3,4\n");
    await p.change((root) => root.write("/sites/east/r.csv", "t,v\n5,6\n", { parents: true }));
    assert.equal(assertOk(await pond(p, ["cat", "/all.csv"])).stdout, "t,v\n5,6\n1,2\n3,4\n");
    assert.equal(
      assertOk(await pond(p, ["cat", "/all.csv", "--at", made])).stdout,
      "t,v\n1,2\n3,4\n",
      "--at computes from the inputs as they were",
    );
    assertFails(
      await pond(p, ["cat", "/all.csv", "--at", String(Number(made) - 1)]),
      1,
      "pond: /all.csv does not exist\n",
    );
  });
});

Deno.test("a dynamic file is listed with its plugin, described, and counted among the plugin's uses", async () => {
  await withPond(async (p) => {
    await sites(p);
    const config = await concat(p, "/sites/*/r.csv");
    assertOk(await pond(p, ["mknod", "derived", "/all.csv", "--file", "--config", config]));
    assert.equal(assertOk(await pond(p, ["list", "/"])).stdout, "/all.csv\n/sites\n");
    assert.match(
      assertOk(await pond(p, ["list", "-l", "/"])).stdout,
      /^file:dynamic +12 +v1 +\S+ +\/all\.csv \[derived\]\n/,
    );
    const [listed] = JSON.parse(assertOk(await pond(p, ["list", "/all.csv", "--json"])).stdout);
    assert.deepEqual([listed.type, listed.plugin, listed.size], ["file:dynamic", "derived", 12]);
    const described = assertOk(await pond(p, ["describe", "/all.csv"])).stdout;
    assert.match(described, /^ {2}type +file:dynamic$/m);
    assert.match(described, /^ {2}plugin +derived$/m);
    assert.match(described, /^ {4}v1 +\S+ +transaction \d+ +12 B/m);
    assert.match(
      assertOk(await pond(p, ["plugin", "info", "derived"])).stdout,
      /^ {2}used by\n {4}\/all\.csv \(file\)\n$/m,
    );
    const [use] = JSON.parse(
      assertOk(await pond(p, ["plugin", "info", "derived", "--json"])).stdout,
    ).uses;
    assert.deepEqual(use, { plugin: "derived", kind: "file", path: "/all.csv" });
    assert.match(assertOk(await pond(p, ["check"])).stdout, / 0 errors, 0 warnings /);
  });
});

Deno.test("a dynamic file moves and goes like a file, is copied as its bytes, and refuses writes", async () => {
  await withPond(async (p) => {
    await sites(p);
    const config = await concat(p, "/sites/*/r.csv");
    assertOk(await pond(p, ["mknod", "derived", "/all.csv", "--file", "--config", config]));
    const head = await commits(p);
    assertFails(
      await pond(p, ["copy", `host:${config}`, "/all.csv"]),
      1,
      "pond: cannot write /all.csv: it is a dynamic file, computed on read; remove it first\n",
    );
    assert.equal(await commits(p), head, "the refused write changed nothing");
    assertOk(await pond(p, ["mkdir", "/views"]));
    assertOk(await pond(p, ["mv", "/all.csv", "/views/"]));
    assert.equal(assertOk(await pond(p, ["cat", "/views/all.csv"])).stdout, "t,v\n1,2\n3,4\n");
    assertOk(await pond(p, ["copy", "/views/all.csv", "/snapshot.csv"]));
    assert.match(
      assertOk(await pond(p, ["list", "-l", "/snapshot.csv"])).stdout,
      /^file:data +12 +v1 .* \/snapshot\.csv\n$/,
    );
    await p.change((root) => root.remove("/sites/south/r.csv"));
    assert.equal(assertOk(await pond(p, ["cat", "/views/all.csv"])).stdout, "t,v\n1,2\n");
    assert.equal(assertOk(await pond(p, ["cat", "/snapshot.csv"])).stdout, "t,v\n1,2\n3,4\n");
    assertOk(await pond(p, ["rm", "/views/all.csv"]));
    assert.equal(assertOk(await pond(p, ["list", "/views"])).stdout, "");
  });
});

Deno.test("a dynamic file that reads itself fails with VisitLoop naming it, exit 1, pond unchanged", async () => {
  await withPond(async (p) => {
    await sites(p);
    const config = await concat(p, "/sites/north/*.csv");
    assertOk(
      await pond(p, ["mknod", "derived", "/sites/north/all.csv", "--file", "--config", config]),
    );
    const head = await commits(p);
    const loop = "pond: dynamic file /sites/north/all.csv reaches itself while it is computed " +
      "(/sites/north/all.csv -> /sites/north/all.csv); " +
      "change its configuration so it does not read itself\n";
    assertFails(await pond(p, ["cat", "/sites/north/all.csv"]), 1, loop);
    assertFails(await pond(p, ["copy", "/sites/north/all.csv", "/copy.csv"]), 1, loop);
    assert.equal(await commits(p), head, "nothing was written");
    assert.equal(
      assertOk(await pond(p, ["list", "/sites/north"])).stdout,
      "/sites/north/all.csv\n/sites/north/r.csv\n",
      "listing does not compute it",
    );
    assert.equal(assertOk(await pond(p, ["cat", "/sites/north/r.csv"])).stdout, "t,v\n1,2\n");
    const fixed = await concat(p, "/sites/north/r.csv");
    assertOk(
      await pond(p, [
        "mknod",
        "derived",
        "/sites/north/all.csv",
        "--file",
        "--config",
        fixed,
        "-y",
      ]),
    );
    assert.equal(assertOk(await pond(p, ["cat", "/sites/north/all.csv"])).stdout, "t,v\n1,2\n");
  });
});

Deno.test("mknod makes what a plugin provides; for both it needs --file or --directory", async () => {
  await withPond(async (p) => {
    await sites(p);
    const head = await commits(p);
    const config = await concat(p, "/sites/*/r.csv");
    assertFails(
      await pond(p, ["mknod", "derived", "/all.csv", "--config", config]),
      2,
      "pond mknod: plugin derived provides both a dynamic directory and a dynamic file; " +
        "choose one with --directory or --file\n",
    );
    assertFails(
      await pond(p, ["mknod", "derived", "/all.csv", "--file", "--directory", "--config", config]),
      2,
      "pond mknod: --file and --directory exclude each other; choose one\n",
    );
    assertFails(
      await pond(p, ["mknod", "derived", "/sites/*/all.csv", "--file", "--config", config]),
      2,
      "pond mknod: /sites/*/all.csv is a pattern, and patterns serve dynamic directories only; " +
        "make a dynamic file at a path without *, ?, [ or {\n",
    );
    const visit = await hostFile(p, "v.yaml", "patterns: [/sites/*/r.csv]\n");
    assertFails(
      await pond(p, ["mknod", "visit", "/v", "--file", "--config", visit]),
      1,
      "pond: plugin visit provides only a dynamic directory, not a dynamic file; drop --file\n",
    );
    assert.equal(await commits(p), head, "nothing was written");

    const count = await hostFile(
      p,
      "count.ts",
      `export const manifest = { name: "count", version: "1.0.0", provides: ["file"],
  config: { files: { type: "glob[]", required: true } } };
export function read({ inputs }: { inputs: unknown[] }) { return inputs.length + " files\\n"; }
`,
    );
    assertOk(await pond(p, ["plugin", "add", count, "--yes"]));
    const files = await hostFile(p, "count.yaml", "files: [/sites/*/*.csv]\n");
    assertOk(await pond(p, ["mknod", "count", "/count.txt", "--config", files]));
    assert.equal(assertOk(await pond(p, ["cat", "/count.txt"])).stdout, "2 files\n");
    assertFails(
      await pond(p, ["mknod", "count", "/sites/*/n", "--config", files]),
      1,
      "pond: plugin count provides only a dynamic file, and /sites/*/n is a pattern, which " +
        "serves dynamic directories only; make the file at a path without *, ?, [ or {\n",
    );
    assertFails(
      await pond(p, ["mknod", "count", "/count.txt", "--config", files]),
      2,
      "pond mknod: cannot ask whether to replace it (/count.txt is a dynamic file of plugin " +
        "count): stdin is not a terminal; pass --yes to go ahead\n",
    );
    assertOk(
      await pond(p, ["mknod", "derived", "/count.txt", "--directory", "--config", config, "-y"]),
    );
    assert.equal(assertOk(await pond(p, ["cat", "/count.txt/all.csv"])).stdout, "t,v\n1,2\n3,4\n");
  });
});
