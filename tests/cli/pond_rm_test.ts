/** pond rm: rm's rules, one transaction for all paths, and history that stays readable. */
import assert from "node:assert/strict";
import { pondInProcess } from "./harness.ts";
import {
  assertFails,
  assertOk,
  present,
  readText,
  type TestPond,
  withPond,
} from "../pond/fixture.ts";

/** /a.txt, /b.txt, /d/x.txt, /empty/, /link -> /d. */
function sample(p: TestPond) {
  return p.change(async (root) => {
    await root.write("/a.txt", "a");
    await root.write("/b.txt", "b");
    await root.write("/d/x.txt", "x", { parents: true });
    await root.createDirectory("/empty");
    await root.createSymlink("/link", "/d");
  });
}

Deno.test("rm removes files in one transaction; a fresh open no longer sees them, --at still does", async () => {
  await withPond(async (p) => {
    const before = await sample(p);
    assertOk(await p.run(["rm", "/a.txt", "/b.txt"]));
    assert.equal(await present(p, "/a.txt"), false);
    assert.equal(await present(p, "/b.txt"), false);
    const pond = await p.open();
    assert.equal(await pond.head(), before! + 1, "both removals are one transaction");
    assert.equal(assertOk(await p.run(["cat", "/a.txt", "--at", String(before)])).stdout, "a");
    assertFails(await p.run(["cat", "/a.txt"]), 1, /\/a\.txt does not exist/);
  });
});

Deno.test("rm on a directory needs -r; -r removes it with its contents", async () => {
  await withPond(async (p) => {
    const seq = await sample(p);
    assertFails(
      await p.run(["rm", "/d"]),
      1,
      "pond: cannot remove /d: it is a directory; pass -r to remove it with everything in it\n",
    );
    assert.equal(await present(p, "/d/x.txt"), true);
    assertOk(await p.run(["rm", "-r", "/d"]));
    assert.equal(await present(p, "/d"), false);
    assert.equal(await readText(p, "/d/x.txt", seq!), "x");
  });
});

Deno.test("rm -d removes an empty directory and refuses one with entries", async () => {
  await withPond(async (p) => {
    await sample(p);
    assertFails(
      await p.run(["rm", "-d", "/d"]),
      1,
      "pond: cannot remove /d: the directory is not empty; pass -r to remove it with everything in it\n",
    );
    assertOk(await p.run(["rm", "-d", "/empty"]));
    assert.equal(await present(p, "/empty"), false);
    assert.equal(await present(p, "/d"), true);
  });
});

Deno.test("a missing path fails the whole rm and changes nothing; -f ignores it", async () => {
  await withPond(async (p) => {
    const seq = await sample(p);
    assertFails(
      await p.run(["rm", "/a.txt", "/missing.txt"]),
      1,
      "pond: cannot remove /missing.txt: it does not exist (pass -f to ignore missing paths)\n",
    );
    assert.equal(await present(p, "/a.txt"), true);
    assert.equal(await (await p.open()).head(), seq);
    assertOk(await p.run(["rm", "-f", "/a.txt", "/missing.txt"]));
    assert.equal(await present(p, "/a.txt"), false);
    const head = await (await p.open()).head();
    assert.equal(assertOk(await p.run(["rm", "-f", "/missing.txt"])).stderr, "");
    assert.equal(await (await p.open()).head(), head, "nothing removed: no transaction");
  });
});

Deno.test("rm through a file in the middle of a path fails; -f treats it as missing", async () => {
  await withPond(async (p) => {
    await sample(p);
    assertFails(await p.run(["rm", "/a.txt/x"]), 1, /^pond: \/a\.txt is not a directory/);
    assertOk(await p.run(["rm", "-f", "/a.txt/x"]));
  });
});

Deno.test("rm removes a symlink, never its target; a trailing / removes the directory it points to", async () => {
  await withPond(async (p) => {
    await sample(p);
    assertOk(await p.run(["rm", "/link"]));
    assert.equal(await present(p, "/link"), false);
    assert.equal(await readText(p, "/d/x.txt"), "x");
    await p.change((root) => root.createSymlink("/link", "/d"));
    assertFails(await p.run(["rm", "/link/"]), 1, /cannot remove \/d: it is a directory/);
    assertOk(await p.run(["rm", "-r", "/link/"]));
    assert.equal(await present(p, "/d"), false);
    assert.equal(await present(p, "/link"), true, "the symlink now dangles");
  });
});

Deno.test("rm refuses the root, and a failure after a successful removal undoes it", async () => {
  await withPond(async (p) => {
    const seq = await sample(p);
    assertFails(
      await p.run(["rm", "-r", "/a.txt", "/"]),
      1,
      /^pond: cannot remove \/: name the entry itself/,
    );
    assert.equal(await present(p, "/a.txt"), true);
    assert.equal(await (await p.open()).head(), seq);
  });
});

Deno.test("rm without a path or a pond is a usage error", async () => {
  await withPond(async (p) => {
    assertFails(await p.run(["rm"]), 2, /^pond rm: missing argument \(usage: pond rm /);
    assertFails(await p.run(["rm", "--bogus", "/a"]), 2, /^pond rm: unknown option '--bogus'/);
  });
  assertFails(await pondInProcess(["rm", "/a"], {}), 2, /^pond rm: which pond\?/);
  assertFails(
    await pondInProcess(["rm", "/a"], { POND: "/nonexistent/pond" }),
    1,
    /^pond: \/nonexistent\/pond is not a pond/,
  );
});

Deno.test("rm --verbose reports what it removed and the transaction; quiet otherwise", async () => {
  await withPond(async (p) => {
    const seq = await sample(p);
    const quiet = assertOk(await p.run(["rm", "/a.txt"]));
    assert.deepEqual([quiet.stdout, quiet.stderr], ["", ""]);
    const r = assertOk(await p.run(["rm", "-v", "-r", "/b.txt", "/d"]));
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^removed \/b\.txt\nremoved \/d\ntransaction: (\d+)\n/);
    assert.equal(r.stderr.match(/transaction: (\d+)/)![1], String(seq! + 2));
  });
});
