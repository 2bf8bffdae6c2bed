/** Glob patterns wherever a command takes several paths, expanded as a shell would; a pattern that matches nothing is an error. */
import assert from "node:assert/strict";
import { assertOk, withPond } from "../pond/fixture.ts";
import { type CliResult, oplogListing, pondProcess } from "./harness.ts";

async function refused(pond: string, r: CliResult, message: string, before: string[]) {
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stderr, message);
  assert.deepEqual(await oplogListing(pond), before, "the pond is unchanged");
}

Deno.test("cat, describe, copy, mv and rm expand globs in name order; no match is an error that changes nothing", async () => {
  await withPond(async (p) => {
    await p.change(async (root) => {
      await root.write("/a/2.csv", "two\n", { parents: true });
      await root.write("/a/1.csv", "one\n");
      await root.write("/a/x.txt", "x\n");
      await root.write("/b/3.csv", "three\n", { parents: true });
      await root.write("/lit[1].csv", "literal\n");
      await root.createDirectory("/c");
    });
    const run = (args: string[]) => pondProcess(args, { POND: p.dir });
    assert.equal(assertOk(await run(["cat", "/a/*.csv", "/b/3.csv"])).stdout, "one\ntwo\nthree\n");
    assert.equal(
      assertOk(await run(["cat", "/lit[1].csv"])).stdout,
      "literal\n",
      "a name as typed",
    );
    const described = JSON.parse(assertOk(await run(["describe", "--json", "/a/*"])).stdout);
    assert.deepEqual(described.map((d: { path: string }) => d.path), [
      "/a/1.csv",
      "/a/2.csv",
      "/a/x.txt",
    ]);

    const none = (pattern: string) =>
      `pond: no path in the pond matches ${pattern}; check it with 'pond list'\n`;
    const before = await oplogListing(p.dir);
    for (
      const args of [
        ["cat", "/a/*.json"],
        ["describe", "/z*"],
        ["list", "/a/*.json"],
        ["copy", "/a/*.json", "/c/"],
        ["mv", "/a/1.csv", "/q*", "/c/"],
        ["rm", "/a/1.csv", "/a/*.json"],
      ]
    ) {
      const pattern = args.find((a) => a.includes("*"))!;
      await refused(p.dir, await run(args), none(pattern), before);
    }
    const forced = assertOk(await run(["rm", "-f", "/a/*.json"]));
    assert.equal(forced.stderr, "");
    assert.deepEqual(await oplogListing(p.dir), before, "rm -f of no match commits nothing");

    assertOk(await run(["copy", "/a/*.csv", "/c/"]));
    assert.equal(assertOk(await run(["list", "/c"])).stdout, "/c/1.csv\n/c/2.csv\n");
    assertOk(await run(["mv", "/b/*", "/c/"]));
    assertOk(await run(["rm", "/a/*.csv"]));
    assert.equal(
      assertOk(await run(["list", "/a", "/b", "/c"])).stdout,
      [
        "/a/x.txt",
        "/c/1.csv",
        "/c/2.csv",
        "/c/3.csv",
        "",
      ].join("\n"),
    );
  });
});

Deno.test("copy expands host: globs on this computer, sorted, skipping dot names; no match is an error", async () => {
  await withPond(async (p) => {
    await Deno.mkdir(`${p.host}/in/sub/deep`, { recursive: true });
    await Deno.mkdir(`${p.host}/in/.hidden`);
    for (
      const [path, text] of Object.entries({ b: "B", a: "A", "sub/c": "C", "sub/deep/d": "D" })
    ) {
      await Deno.writeTextFile(`${p.host}/in/${path}.csv`, text);
    }
    await Deno.writeTextFile(`${p.host}/in/.dot.csv`, "hidden");
    await Deno.writeTextFile(`${p.host}/in/.hidden/e.csv`, "hidden");
    await Deno.writeTextFile(`${p.host}/in/[x].csv`, "bracket");
    await p.change((root) => root.createDirectory("/out"));
    const run = (args: string[]) => pondProcess(args, { POND: p.dir }, undefined, { cwd: p.host });
    const before = await oplogListing(p.dir);
    await refused(
      p.dir,
      await run(["copy", "host:in/*.parquet", "/out/"]),
      "pond: no path on this computer matches host:in/*.parquet\n",
      before,
    );
    assertOk(await run(["copy", "host:in/*.csv", "host:in/**/d.csv", "/out/"]));
    assert.equal(
      assertOk(await run(["cat", "/out/*"])).stdout,
      "bracketABD",
      "[x].csv a.csv b.csv d.csv in name order, no dot names",
    );
    assertOk(await run(["copy", `host:${p.host}/in/[x].csv`, "/literal.csv"]));
    assert.equal(assertOk(await run(["cat", "/literal.csv"])).stdout, "bracket");
  });
});
