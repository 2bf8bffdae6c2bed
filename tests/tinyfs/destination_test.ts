/** Tests for the destination rules `pond copy` and `pond mv` rely on. */

import assert from "node:assert/strict";
import { copyTarget } from "../../src/tinyfs/mod.ts";
import { build, newPond, rejectsWith } from "./helpers.ts";

async function root() {
  const { fs } = await newPond();
  await build(fs, { "/dir/.keep": "", "/dir/sub/.keep": "", "/file.txt": "x" });
  await fs.transact({ command: ["t"] }, (w) => w.createSymlink("/dirlink", "dir"));
  return fs.root();
}

Deno.test("copy destination: an existing directory receives the copies, with or without /", async () => {
  const wd = await root();
  for (const dest of ["/dir", "/dir/", "dir", "/dir/sub/..", "/dirlink", "/dirlink/"]) {
    assert.deepEqual(
      await wd.copyDestination(dest, 1),
      { kind: "into-directory", path: "/dir" },
      dest,
    );
    assert.deepEqual(
      await wd.copyDestination(dest, 3),
      { kind: "into-directory", path: "/dir" },
      dest,
    );
  }
  assert.deepEqual(await wd.copyDestination("/", 2), { kind: "into-directory", path: "/" });
  assert.deepEqual(await (await wd.chdir("/dir")).copyDestination("sub/", 2), {
    kind: "into-directory",
    path: "/dir/sub",
  });
});

Deno.test("copy destination: dest/ must exist and be a directory", async () => {
  const wd = await root();
  await rejectsWith(wd.copyDestination("/missing/", 1), "NotFound", "/missing");
  await rejectsWith(wd.copyDestination("/file.txt/", 1), "NotADirectory", "/file.txt");
  await rejectsWith(wd.copyDestination("/dir/missing/", 2), "NotFound", "/dir/missing");
});

Deno.test("copy destination: a missing name with one source is the new file's path", async () => {
  const wd = await root();
  assert.deepEqual(await wd.copyDestination("/dir/new.csv", 1), {
    kind: "new-file",
    path: "/dir/new.csv",
  });
  assert.deepEqual(await wd.copyDestination("new.csv", 1), { kind: "new-file", path: "/new.csv" });
  await rejectsWith(wd.copyDestination("/nodir/new.csv", 1), "NotFound", "/nodir");
  await rejectsWith(wd.copyDestination("/file.txt/new.csv", 1), "NotADirectory", "/file.txt");
});

Deno.test("copy destination: an existing file with one source gets a new version", async () => {
  const wd = await root();
  assert.deepEqual(await wd.copyDestination("/file.txt", 1), {
    kind: "existing-file",
    path: "/file.txt",
  });
});

Deno.test("copy destination: several sources need an existing directory", async () => {
  const wd = await root();
  await rejectsWith(wd.copyDestination("/missing", 2), "NotFound", "/missing");
  await rejectsWith(wd.copyDestination("/file.txt", 2), "NotADirectory", "/file.txt");
  await assert.rejects(wd.copyDestination("/dir", 0), RangeError);
});

Deno.test("destination: each source's path", () => {
  assert.equal(
    copyTarget({ kind: "into-directory", path: "/dir" }, "local/data/a.csv"),
    "/dir/a.csv",
  );
  assert.equal(copyTarget({ kind: "into-directory", path: "/" }, "a.csv"), "/a.csv");
  assert.equal(copyTarget({ kind: "new-file", path: "/dir/b.csv" }, "a.csv"), "/dir/b.csv");
  assert.equal(
    copyTarget({ kind: "existing-file", path: "/file.txt" }, "a.csv"),
    "/file.txt",
  );
});
