/** pond mv: mv's rules (rename, into a directory, replace), one transaction, history kept. */
import assert from "node:assert/strict";
import {
  assertFails,
  assertOk,
  present,
  readText,
  type TestPond,
  withPond,
} from "../pond/fixture.ts";

/** /a.txt, /b.txt, /d/x.txt, /e/ (empty), /link -> /a.txt. */
function sample(p: TestPond) {
  return p.change(async (root) => {
    await root.write("/a.txt", "a");
    await root.write("/b.txt", "b");
    await root.write("/d/x.txt", "x", { parents: true });
    await root.createDirectory("/e");
    await root.createSymlink("/link", "/a.txt");
  });
}

async function nodeId(p: TestPond, path: string, seq?: number): Promise<string> {
  const root = await (await p.open()).root(seq === undefined ? undefined : { seq });
  return (await root.metadata(path, { follow: false })).nodeId!;
}

Deno.test("mv renames a file: a fresh open finds it under the new name, same node, same history", async () => {
  await withPond(async (p) => {
    await sample(p);
    await p.change((root) => root.write("/a.txt", "a2"));
    const id = await nodeId(p, "/a.txt");
    assertOk(await p.run(["mv", "/a.txt", "/renamed.txt"]));
    assert.equal(await present(p, "/a.txt"), false);
    assert.equal(await readText(p, "/renamed.txt"), "a2");
    assert.equal(await nodeId(p, "/renamed.txt"), id);
    const cat = await p.run(["cat", "/renamed.txt", "--version", "1"]);
    assert.equal(assertOk(cat).stdout, "a");
  });
});

Deno.test("mv into an existing directory keeps the name; several sources need a directory", async () => {
  await withPond(async (p) => {
    const seq = await sample(p);
    assertOk(await p.run(["mv", "/a.txt", "/b.txt", "/d"]));
    assert.equal(await readText(p, "/d/a.txt"), "a");
    assert.equal(await readText(p, "/d/b.txt"), "b");
    assert.equal(await (await p.open()).head(), seq! + 1, "one transaction for both");
    assertOk(await p.run(["mv", "/d/a.txt", "/e/"]));
    assert.equal(await readText(p, "/e/a.txt"), "a");
    assertFails(
      await p.run(["mv", "/e/a.txt", "/d/b.txt", "/d/x.txt"]),
      1,
      "pond: moving 2 sources needs an existing directory, but /d/x.txt is not a directory\n",
    );
    assertFails(
      await p.run(["mv", "/e/a.txt", "/d/b.txt", "/nowhere"]),
      1,
      "pond: moving 2 sources needs an existing directory, but /nowhere does not exist\n",
    );
    assert.equal(await present(p, "/e/a.txt"), true);
  });
});

Deno.test("mv onto an existing file replaces it; the replaced file stays readable with --at", async () => {
  await withPond(async (p) => {
    const seq = await sample(p);
    assertOk(await p.run(["mv", "/a.txt", "/b.txt"]));
    assert.equal(await present(p, "/a.txt"), false);
    assert.equal(await readText(p, "/b.txt"), "a");
    const old = await p.run(["cat", "/b.txt", "--at", String(seq)]);
    assert.equal(assertOk(old).stdout, "b");
  });
});

Deno.test("mv a directory: renamed, moved into another, onto itself; never onto a file or into itself", async () => {
  await withPond(async (p) => {
    await sample(p);
    assertOk(await p.run(["mv", "/d", "/dd"]));
    assert.equal(await readText(p, "/dd/x.txt"), "x");
    assertOk(await p.run(["mv", "/dd", "/e"]));
    assert.equal(await readText(p, "/e/dd/x.txt"), "x");
    const head = await (await p.open()).head();
    assertOk(await p.run(["mv", "/e/dd", "/e"]));
    assert.equal(await (await p.open()).head(), head, "moving onto itself changes nothing");
    assertFails(
      await p.run(["mv", "/e/dd", "/a.txt"]),
      1,
      "pond: cannot move directory /e/dd onto /a.txt: it is not a directory\n",
    );
    assertFails(await p.run(["mv", "/e", "/e/dd/"]), 1, /^pond: cannot move \/e into itself/);
    assert.equal(await readText(p, "/e/dd/x.txt"), "x");
  });
});

Deno.test("mv a directory onto a directory's entry of the same name: empty is replaced, non-empty refused", async () => {
  await withPond(async (p) => {
    await p.change(async (root) => {
      await root.write("/src/data/a.csv", "1", { parents: true });
      await root.createDirectory("/dst/data", { parents: true });
      await root.write("/full/data/keep.csv", "k", { parents: true });
    });
    assertOk(await p.run(["mv", "/src/data", "/dst/"]));
    assert.equal(await readText(p, "/dst/data/a.csv"), "1");
    assertFails(
      await p.run(["mv", "/dst/data", "/full/"]),
      1,
      "pond: cannot move /dst/data onto /full/data: it is a directory with entries\n",
    );
    assert.equal(await readText(p, "/full/data/keep.csv"), "k");
  });
});

Deno.test("mv a file onto a directory's path moves it in; a name ending in / must be a directory", async () => {
  await withPond(async (p) => {
    await sample(p);
    assertFails(
      await p.run(["mv", "/a.txt", "/new/"]),
      1,
      "pond: /new/ ends in / but /new does not exist; create the directory first or drop the /\n",
    );
    assertOk(await p.run(["mv", "/a.txt", "/d"]));
    assert.equal(await readText(p, "/d/a.txt"), "a");
  });
});

Deno.test("mv moves a symlink itself, not its target", async () => {
  await withPond(async (p) => {
    await sample(p);
    assertOk(await p.run(["mv", "/link", "/d/link"]));
    assert.equal(await readText(p, "/a.txt"), "a");
    const root = await (await p.open()).root();
    assert.equal(await root.readlink("/d/link"), "/a.txt");
  });
});

Deno.test("a missing source fails the whole mv and changes nothing", async () => {
  await withPond(async (p) => {
    const seq = await sample(p);
    assertFails(
      await p.run(["mv", "/a.txt", "/missing.txt", "/d"]),
      1,
      "pond: cannot move /missing.txt: it does not exist\n",
    );
    assert.equal(await present(p, "/a.txt"), true);
    assert.equal(await present(p, "/d/a.txt"), false);
    assert.equal(await (await p.open()).head(), seq);
  });
});

Deno.test("mv with fewer than two paths is a usage error", async () => {
  await withPond(async (p) => {
    assertFails(
      await p.run(["mv", "/a"]),
      2,
      /^pond mv: missing argument \(usage: pond mv SRC\.\.\. DEST\)/,
    );
  });
});

Deno.test("mv --verbose reports each move and the transaction; quiet otherwise", async () => {
  await withPond(async (p) => {
    const seq = await sample(p);
    const quiet = assertOk(await p.run(["mv", "/b.txt", "/c.txt"]));
    assert.deepEqual([quiet.stdout, quiet.stderr], ["", ""]);
    const r = assertOk(await p.run(["mv", "--verbose", "/a.txt", "/c.txt", "/d"]));
    assert.match(
      r.stderr,
      /^moved \/a\.txt -> \/d\/a\.txt\nmoved \/c\.txt -> \/d\/c\.txt\ntransaction: (\d+)\n/,
    );
    assert.equal(r.stderr.match(/transaction: (\d+)/)![1], String(seq! + 2));
  });
});
