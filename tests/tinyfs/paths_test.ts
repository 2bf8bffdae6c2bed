/** Tests for path resolution: `.`, `..`, the root, trailing slashes and symlinks. */

import assert from "node:assert/strict";
import { MAX_SYMLINKS } from "../../src/tinyfs/mod.ts";
import { build, newPond, rejectsWith, text } from "./helpers.ts";

Deno.test("paths: . and .. and repeated slashes resolve, and .. at the root stays at the root", async () => {
  const { fs } = await newPond();
  await build(fs, { "/a/b/f": "F" });
  const root = await fs.root();
  assert.equal(text(await root.read("/a/./b//f")), "F");
  assert.equal(text(await root.read("/a/b/../b/f")), "F");
  assert.equal(text(await root.read("/../../a/b/f")), "F");
  assert.equal(text(await root.read("../a/b/f")), "F");
  assert.equal((await root.open("/a/b/../..")).path, "/");
  assert.equal((await root.open("/..")).path, "/");
  assert.equal((await root.open("/a/b/f")).path, "/a/b/f");
});

Deno.test("paths: a trailing slash must name a directory", async () => {
  const { fs } = await newPond();
  await build(fs, { "/d/f": "F" });
  const root = await fs.root();
  assert.equal((await root.open("/d/")).path, "/d");
  assert.equal((await root.list("/d/")).length, 1);
  await rejectsWith(root.open("/d/f/"), "NotADirectory", "/d/f");
  await rejectsWith(root.read("/d/f/"), "NotADirectory", "/d/f");
  await rejectsWith(root.open("/d/missing/"), "NotFound", "/d/missing");
});

Deno.test("paths: a file in the middle of a path is NotADirectory", async () => {
  const { fs } = await newPond();
  await build(fs, { "/d/f": "F" });
  await rejectsWith((await fs.root()).read("/d/f/g"), "NotADirectory", "/d/f");
});

Deno.test("paths: absolute symlinks resolve from the root", async () => {
  const { fs } = await newPond();
  await build(fs, { "/data/x/f": "F" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createSymlink("/other/link", "/data/x", { parents: true });
  });
  const root = await fs.root();
  assert.equal(text(await root.read("/other/link/f")), "F");
  assert.equal((await root.chdir("/other/link")).path, "/data/x");
});

Deno.test("paths: relative symlinks resolve from the symlink's own directory", async () => {
  const { fs } = await newPond();
  await build(fs, { "/a/123456/b.txt": "B", "/a/sibling.txt": "S", "/top.txt": "T" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createSymlink("/a/name", "123456");
    await root.createSymlink("/a/123456/up", "../sibling.txt");
    await root.createSymlink("/a/123456/top", "../../top.txt");
    await root.createSymlink("/a/123456/dot", "./b.txt");
  });
  const root = await fs.root();
  assert.equal(text(await root.read("/a/name/b.txt")), "B");
  assert.equal(text(await root.read("/a/123456/up")), "S");
  assert.equal(text(await root.read("/a/name/up")), "S", "resolved where the symlink lives");
  assert.equal(text(await root.read("/a/123456/top")), "T");
  assert.equal(text(await root.read("/a/name/dot")), "B");
  const a = await root.chdir("/a");
  assert.equal(text(await a.read("name/b.txt")), "B");
});

Deno.test("paths: .. after a symlinked directory goes to the target's parent", async () => {
  const { fs } = await newPond();
  await build(fs, { "/real/dir/f": "F", "/real/g": "G" });
  await fs.transact({ command: ["t"] }, (root) => root.createSymlink("/link", "/real/dir"));
  assert.equal(text(await (await fs.root()).read("/link/../g")), "G");
});

Deno.test("paths: chains of symlinks are followed; cycles are SymlinkLoop", async () => {
  const { fs } = await newPond();
  await build(fs, { "/f": "F" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createSymlink("/l1", "/f");
    await root.createSymlink("/l2", "l1");
    await root.createSymlink("/l3", "/l2");
    await root.createSymlink("/self", "self");
    await root.createSymlink("/ping", "pong");
    await root.createSymlink("/pong", "/ping");
    await root.createSymlink("/dirloop", "dirloop/x");
  });
  const root = await fs.root();
  assert.equal(text(await root.read("/l3")), "F");
  await rejectsWith(root.read("/self"), "SymlinkLoop");
  await rejectsWith(root.read("/ping"), "SymlinkLoop");
  await rejectsWith(root.read("/ping/x"), "SymlinkLoop");
  await rejectsWith(root.read("/dirloop"), "SymlinkLoop");
  assert.equal((await root.metadata("/self", { follow: false })).kind, "symlink");
});

Deno.test("paths: the symlink depth cap allows exactly MAX_SYMLINKS hops", async () => {
  const { fs } = await newPond();
  await build(fs, { "/f": "F" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createSymlink("/l0", "/f");
    for (let i = 1; i <= MAX_SYMLINKS; i++) await root.createSymlink(`/l${i}`, `/l${i - 1}`);
  });
  const root = await fs.root();
  assert.equal(text(await root.read(`/l${MAX_SYMLINKS - 1}`)), "F");
  await rejectsWith(root.read(`/l${MAX_SYMLINKS}`), "SymlinkLoop");
});

Deno.test("paths: a dangling symlink is NotFound when followed, and can be written through", async () => {
  const { fs } = await newPond();
  await build(fs, { "/d/.keep": "" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createSymlink("/l", "/d/new.txt");
    await rejectsWith(root.read("/l"), "NotFound", "/d/new.txt");
    await root.write("/l", "made through the link");
  });
  const root = await fs.root();
  assert.equal(text(await root.read("/d/new.txt")), "made through the link");
  assert.equal((await root.metadata("/l", { follow: false })).kind, "symlink");
});

Deno.test("paths: a symlink target ending in / must be a directory", async () => {
  const { fs } = await newPond();
  await build(fs, { "/d/f": "F" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createSymlink("/todir", "/d/");
    await root.createSymlink("/tofile", "/d/f/");
  });
  const root = await fs.root();
  assert.equal((await root.chdir("/todir")).path, "/d");
  await rejectsWith(root.read("/tofile"), "NotADirectory", "/d/f");
});
