/** Tests for working directories: creating, reading, writing, versions, listing, removing, moving. */

import assert from "node:assert/strict";
import { copyTarget, isNodeId, ROOT_ID } from "../../src/tinyfs/mod.ts";
import { build, CHANGES, changesOf, newPond, rejectsWith, T0, text } from "./helpers.ts";

Deno.test("wd: files are created, read as bytes and as a stream, and listed in name order", async () => {
  const { fs } = await newPond();
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createDirectory("/in");
    await root.createFile("/in/b.csv", "B");
    await root.createFile("/in/a.csv", new Uint8Array([65]));
    await root.createFile(
      "/in/c.csv",
      ReadableStream.from([new Uint8Array([67]), new Uint8Array([68])]),
    );
  });
  const root = await fs.root();
  assert.equal(text(await root.read("/in/a.csv")), "A");
  assert.equal(text(await root.read("/in/c.csv")), "CD");
  const chunks = await Array.fromAsync(await root.stream("/in/b.csv"));
  assert.equal(text(new Uint8Array(chunks.flatMap((c) => [...c]))), "B");
  const listing = await root.list("/in");
  assert.deepEqual(listing.map((e) => [e.name, e.kind, e.path]), [
    ["a.csv", "file", "/in/a.csv"],
    ["b.csv", "file", "/in/b.csv"],
    ["c.csv", "file", "/in/c.csv"],
  ]);
  assert.deepEqual((await root.list()).map((e) => e.name), ["in"]);
});

Deno.test("wd: a large file streams in chunks and reads back intact", async () => {
  const { fs } = await newPond();
  const big = new Uint8Array(300_000).map((_, i) => i % 251);
  await fs.transact({ command: ["t"] }, (root) => root.createFile("/big", big));
  const chunks = await Array.fromAsync(await (await fs.root()).stream("/big"));
  assert.ok(chunks.length > 1, "streamed in more than one chunk");
  const joined = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) (joined.set(c, at), at += c.length);
  assert.deepEqual(joined, big);
});

Deno.test("wd: writing an existing path makes a new version of the same node", async () => {
  const { fs, tick } = await newPond();
  await build(fs, { "/a.txt": "one" });
  const first = await (await fs.root()).metadata("/a.txt");
  tick(1000);
  await fs.transact({ command: ["t"] }, (root) => root.write("/a.txt", "two!"));
  tick(1000);
  await fs.transact(
    { command: ["t"] },
    (root) => root.write("a.txt", "three", { entryType: "file:table" }),
  );
  const root = await fs.root();
  const meta = await root.metadata("/a.txt");
  assert.equal(meta.nodeId, first.nodeId);
  assert.equal(meta.version, 3);
  assert.equal(meta.size, 5);
  assert.equal(meta.entryType, "file:table");
  assert.equal(meta.created.getTime(), T0);
  assert.equal(meta.modified.getTime(), T0 + 2000);
  assert.equal(text(await root.read("/a.txt")), "three");
  assert.equal(text(await root.read("/a.txt", { version: 1 })), "one");
  assert.equal(text(await root.read("/a.txt", { version: 2 })), "two!");
  const versions = await root.versions("/a.txt");
  assert.deepEqual(versions.map((v) => [v.version, v.size, v.entryType, v.modified.getTime()]), [
    [1, 3, "file:data", T0],
    [2, 4, "file:data", T0 + 1000],
    [3, 5, "file:table", T0 + 2000],
  ]);
  await rejectsWith(root.read("/a.txt", { version: 4 }), "NotFound", "/a.txt");
  await rejectsWith(root.read("/a.txt", { version: 0 }), "NotFound", "/a.txt");
});

Deno.test("wd: metadata reports kind, type, size, version, times and a printable node id", async () => {
  const { fs } = await newPond();
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createDirectory("/d");
    await root.createFile("/d/f", "12345", { entryType: "file:series" });
    await root.createSymlink("/d/l", "f");
  });
  const root = await fs.root();
  const dir = await root.metadata("/d");
  assert.equal(dir.kind, "directory");
  assert.equal(dir.size, 2, "a directory's size is its number of entries");
  assert.ok(isNodeId(dir.nodeId!));
  const file = await root.metadata("/d/f");
  assert.deepEqual(
    [file.kind, file.entryType, file.size, file.version, file.computed],
    ["file", "file:series", 5, 1, false],
  );
  assert.equal(file.created.getTime(), T0);
  const link = await root.metadata("/d/l", { follow: false });
  assert.deepEqual([link.kind, link.target], ["symlink", "f"]);
  assert.equal((await root.metadata("/d/l")).nodeId, file.nodeId, "followed by default");
  assert.equal((await root.metadata("/")).nodeId, ROOT_ID);
  assert.equal(await root.readlink("/d/l"), "f");
  await rejectsWith(root.readlink("/d/f"), "InvalidPath", "/d/f");
});

Deno.test("wd: createDirectory with and without parents", async () => {
  const { fs } = await newPond();
  await fs.transact({ command: ["t"] }, async (root) => {
    const deep = await root.createDirectory("/a/b/c", { parents: true });
    assert.equal(deep.path, "/a/b/c");
    await rejectsWith(root.createDirectory("/x/y"), "NotFound", "/x");
    await rejectsWith(root.createDirectory("/a"), "AlreadyExists", "/a");
    assert.equal((await root.createDirectory("/a/b", { parents: true })).path, "/a/b");
    await root.createFile("/a/f", "x");
    await rejectsWith(root.createDirectory("/a/f", { parents: true }), "AlreadyExists", "/a/f");
    await rejectsWith(root.createDirectory("/a/f/g", { parents: true }), "NotADirectory", "/a/f");
    await root.createFile("/p/q/r.txt", "r", { parents: true });
    await root.createSymlink("/link", "/a");
    assert.equal((await root.createDirectory("/link", { parents: true })).path, "/a");
  });
  const root = await fs.root();
  assert.equal((await root.metadata("/a/b/c")).kind, "directory");
  assert.equal(text(await root.read("/p/q/r.txt")), "r");
});

Deno.test("wd: creating where something exists is AlreadyExists; bad names are InvalidPath", async () => {
  const { fs } = await newPond();
  await build(fs, { "/d/f": "x" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await rejectsWith(root.createFile("/d/f"), "AlreadyExists", "/d/f");
    await rejectsWith(root.createSymlink("/d/f", "x"), "AlreadyExists", "/d/f");
    await rejectsWith(root.createFile("/d/.."), "InvalidPath", "/");
    await rejectsWith(root.createFile("/d/."), "InvalidPath", "/d");
    await rejectsWith(root.createDirectory("."), "InvalidPath", "/");
    await rejectsWith(root.createFile(""), "InvalidPath");
    await rejectsWith(root.createFile("/d/a\0b"), "InvalidPath");
    await rejectsWith(root.createFile("/d/new/"), "InvalidPath", "/d/new");
    await rejectsWith(root.createSymlink("/d/s", ""), "InvalidPath", "/d/s");
  });
});

Deno.test("wd: reading a directory is IsADirectory; missing paths are NotFound", async () => {
  const { fs } = await newPond();
  await build(fs, { "/d/f": "x" });
  const root = await fs.root();
  await rejectsWith(root.read("/d"), "IsADirectory", "/d");
  await rejectsWith(root.read("/d/missing"), "NotFound", "/d/missing");
  await rejectsWith(root.read("/missing/f"), "NotFound", "/missing");
  await rejectsWith(root.list("/d/f"), "NotADirectory", "/d/f");
  await fs.transact({ command: ["t"] }, async (w) => {
    await rejectsWith(w.write("/d", "x"), "IsADirectory", "/d");
  });
});

Deno.test("wd: exists follows symlinks and answers false for missing and dangling paths", async () => {
  const { fs } = await newPond();
  await build(fs, { "/d/f": "x" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createSymlink("/good", "/d/f");
    await root.createSymlink("/dangling", "/nowhere");
  });
  const root = await fs.root();
  assert.equal(await root.exists("/d/f"), true);
  assert.equal(await root.exists("/d"), true);
  assert.equal(await root.exists("/good"), true);
  assert.equal(await root.exists("/dangling"), false);
  assert.equal(await root.exists("/d/missing"), false);
  assert.equal(await root.exists("/d/f/x"), false);
  assert.equal(await root.exists("/d/f/"), false);
});

Deno.test("wd: chdir navigates and relative paths resolve from the working directory", async () => {
  const { fs } = await newPond();
  await build(fs, { "/a/b/f.txt": "F", "/a/g.txt": "G" });
  const root = await fs.root();
  const b = await root.chdir("a/b");
  assert.equal(b.path, "/a/b");
  assert.equal(text(await b.read("f.txt")), "F");
  assert.equal(text(await b.read("../g.txt")), "G");
  assert.equal(text(await b.read("/a/g.txt")), "G");
  assert.equal((await b.chdir("..")).path, "/a");
  assert.equal((await b.chdir("../../../..")).path, "/");
  await rejectsWith(root.chdir("/a/g.txt"), "NotADirectory", "/a/g.txt");
  await rejectsWith(root.chdir("/nope"), "NotFound", "/nope");
});

Deno.test("wd: remove deletes files, symlinks and empty directories; recursive for the rest", async () => {
  const { fs } = await newPond();
  await build(fs, { "/d/sub/f": "x", "/d/g": "y", "/e/.keep": "" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createSymlink("/l", "/d");
    await root.createDirectory("/empty");
  });
  await fs.transact({ command: ["rm"] }, async (root) => {
    await rejectsWith(root.remove("/d"), "NotEmpty", "/d");
    await root.remove("/d/g");
    await root.remove("/l");
    await root.remove("/empty");
    await root.remove("/d", { recursive: true });
    await rejectsWith(root.remove("/d"), "NotFound", "/d");
    await rejectsWith(root.remove("/"), "InvalidPath", "/");
    await rejectsWith(root.remove("/e/.."), "InvalidPath", "/");
  });
  const root = await fs.root();
  assert.deepEqual((await root.list("/")).map((e) => e.name), ["e"]);
});

Deno.test("wd: removing a symlink leaves its target", async () => {
  const { fs } = await newPond();
  await build(fs, { "/d/f": "x" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createSymlink("/l", "/d/f");
    await root.remove("/l");
  });
  assert.equal(text(await (await fs.root()).read("/d/f")), "x");
});

Deno.test("wd: rename moves within a directory and into another, keeping the node", async () => {
  const { fs } = await newPond();
  await build(fs, { "/a/f": "F", "/b/.keep": "" });
  const before = await (await fs.root()).metadata("/a/f");
  await fs.transact({ command: ["mv"] }, async (root) => {
    assert.equal((await root.rename("/a/f", "/a/g")).path, "/a/g");
    assert.equal((await root.rename("/a/g", "/b/g")).path, "/b/g", "into another directory");
    assert.equal((await root.rename("/b/g", "/b/h")).path, "/b/h");
    assert.equal((await root.rename("/a", "/b/a2")).path, "/b/a2", "directories move too");
  });
  const root = await fs.root();
  assert.deepEqual((await root.list("/")).map((e) => e.name), ["b"]);
  assert.deepEqual((await root.list("/b")).map((e) => e.name), [".keep", "a2", "h"]);
  const after = await root.metadata("/b/h");
  assert.equal(after.nodeId, before.nodeId);
  assert.equal(after.version, 1, "moving does not make a new version of the file");
  assert.equal(text(await root.read("/b/h")), "F");
});

Deno.test("wd: rename onto an existing file replaces it; the replaced node's history stays", async () => {
  const { fs, store } = await newPond();
  await build(fs, { "/d/old": "OLD", "/new": "NEW" });
  await fs.transact({ command: ["t"] }, (root) => root.createSymlink("/d/link", "old"));
  const replaced = await (await fs.root()).metadata("/d/old");
  const moved = await (await fs.root()).metadata("/new");
  await fs.transact({ command: ["mv"] }, async (root) => {
    assert.equal((await root.rename("/new", "/d/old")).path, "/d/old");
    assert.equal(text(await root.read("/d/old")), "NEW");
  });
  const root = await fs.root();
  assert.deepEqual((await root.list("/")).map((e) => e.name), ["d"]);
  const now = await root.metadata("/d/old");
  assert.deepEqual(
    [now.nodeId, now.version],
    [moved.nodeId, 1],
    "the name points at the moved node",
  );
  assert.equal(text(await root.read("/d/link")), "NEW", "symlinks follow the name");
  const key = { partId: (await root.metadata("/d")).nodeId!, nodeId: replaced.nodeId! };
  assert.deepEqual((await store.readVersions(key, await fs.head())).map((v) => v.version), [1]);
  assert.equal(text(await store.readFile(key, 1)), "OLD", "the replaced node is readable by key");
  assert.equal(text(await (await fs.root({ asOf: 2 })).read("/d/old")), "OLD");
});

Deno.test("wd: rename replaces a symlink itself, and a file onto a file through a symlinked parent", async () => {
  const { fs } = await newPond();
  await build(fs, { "/d/target": "T", "/d/f": "F" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createSymlink("/d/link", "target");
    await root.createSymlink("/dl", "d");
  });
  await fs.transact({ command: ["mv"] }, async (root) => {
    await root.rename("/d/f", "/d/link");
    assert.equal((await root.metadata("/d/link", { follow: false })).kind, "file");
  });
  const root = await fs.root();
  assert.equal(text(await root.read("/d/link")), "F");
  assert.equal(text(await root.read("/d/target")), "T", "the symlink's target is untouched");
  await fs.transact({ command: ["mv"] }, async (w) => {
    assert.equal((await w.rename("/d/link", "/dl/target")).path, "/d/target");
  });
  assert.deepEqual((await (await fs.root()).list("/d")).map((e) => e.name), ["target"]);
});

Deno.test("wd: rename of a directory replaces an empty directory, never a non-empty one", async () => {
  const { fs } = await newPond();
  await build(fs, { "/src/f": "F", "/full/g": "G" });
  await fs.transact({ command: ["t"] }, (root) => root.createDirectory("/empty"));
  await fs.transact({ command: ["mv"] }, async (root) => {
    await rejectsWith(root.rename("/src", "/full"), "NotEmpty", "/full");
    assert.equal((await root.rename("/src", "/empty")).path, "/empty");
    assert.equal((await root.rename("/empty", "/moved/")).path, "/moved", "a new name with /");
  });
  const root = await fs.root();
  assert.deepEqual((await root.list()).map((e) => e.name), ["full", "moved"]);
  assert.equal(text(await root.read("/moved/f")), "F");
  assert.equal(text(await root.read("/full/g")), "G");
});

Deno.test("wd: rename between a file and a directory is IsADirectory or NotADirectory", async () => {
  const { fs } = await newPond();
  await build(fs, { "/d/f": "F", "/x": "X" });
  await fs.transact({ command: ["t"] }, (root) => root.createDirectory("/empty"));
  await fs.transact({ command: ["mv"] }, async (root) => {
    await root.createSymlink("/l", "/x");
    await rejectsWith(root.rename("/x", "/empty"), "IsADirectory", "/empty");
    await rejectsWith(root.rename("/l", "/empty"), "IsADirectory", "/empty");
    await rejectsWith(root.rename("/x", "/d"), "IsADirectory", "/d");
    await rejectsWith(root.rename("/empty", "/x"), "NotADirectory", "/x");
    await rejectsWith(root.rename("/empty", "/l"), "NotADirectory", "/l");
    await rejectsWith(root.rename("/x", "/y/"), "NotADirectory", "/y");
    await rejectsWith(root.rename("/x", "/empty/"), "IsADirectory", "/empty");
  });
  const root = await fs.root();
  assert.deepEqual((await root.list()).map((e) => e.name), ["d", "empty", "l", "x"]);
});

Deno.test("wd: rename refuses to move into itself or to leave the tree; onto itself is a no-op", async () => {
  const { fs, store } = await newPond();
  await build(fs, { "/a/b/f": "F", "/x": "X" });
  const commits = store.commits.length;
  await fs.transact({ command: ["mv"] }, async (root) => {
    await rejectsWith(root.rename("/a", "/a/b"), "InvalidPath", "/a/b");
    await rejectsWith(root.rename("/a", "/a/b/c"), "InvalidPath", "/a/b/c");
    await rejectsWith(root.rename("/a/b", "/a"), "NotEmpty", "/a");
    await rejectsWith(root.rename("/missing", "/y"), "NotFound", "/missing");
    await rejectsWith(root.rename("/x", "/nodir/y"), "NotFound", "/nodir");
    await rejectsWith(root.rename("/x", "/"), "InvalidPath", "/");
    await rejectsWith(root.rename("/x", "/a/.."), "InvalidPath", "/");
    await rejectsWith(root.rename("/", "/y"), "InvalidPath", "/");
    assert.equal((await root.rename("/x", "/x")).path, "/x", "moving onto itself changes nothing");
    assert.equal((await root.rename("/x", "/a/../x")).path, "/x");
    assert.equal((await root.rename("/a", "/a/b/..")).path, "/a", "the same path, however spelled");
    assert.equal((await root.rename("/a/b", "/a/b/")).path, "/a/b");
  });
  assert.equal(store.commits.length, commits, "nothing changed, so nothing was committed");
  const root = await fs.root();
  assert.equal(text(await root.read("/x")), "X");
  assert.equal(text(await root.read("/a/b/f")), "F");
});

Deno.test("wd: rename never replaces a name taken while it was moving", async () => {
  const { fs } = await newPond();
  await build(fs, { "/a": "A" });
  await fs.transact({ command: ["t"] }, async (root) => {
    const [moved, created] = await Promise.allSettled([
      root.rename("/a", "/t"),
      root.createFile("/t", "new"),
    ]);
    assert.equal(created.status, "fulfilled");
    assert.equal(moved.status === "rejected" && moved.reason.code, "AlreadyExists");
  });
  const root = await fs.root();
  assert.deepEqual([text(await root.read("/a")), text(await root.read("/t"))], ["A", "new"]);
});

Deno.test("wd: moveDestination sends mv a dir/ into the directory, by the copy rules", async () => {
  const { fs } = await newPond();
  await build(fs, { "/dir/.keep": "", "/file": "F", "/a": "A", "/b": "B" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createSymlink("/tofile", "file");
    await root.createSymlink("/todir", "dir");
  });
  const wd = await fs.root();
  assert.deepEqual(await wd.moveDestination("/dir/", 2), { kind: "into-directory", path: "/dir" });
  assert.deepEqual(await wd.moveDestination("/todir", 1), { kind: "into-directory", path: "/dir" });
  assert.deepEqual(await wd.moveDestination("/tofile", 1), {
    kind: "existing-file",
    path: "/tofile",
  });
  assert.deepEqual(await wd.copyDestination("/tofile", 1), {
    kind: "existing-file",
    path: "/file",
  });
  assert.deepEqual(await wd.moveDestination("/new", 1), { kind: "new-file", path: "/new" });
  await rejectsWith(wd.moveDestination("/file", 2), "NotADirectory", "/file");
  await rejectsWith(wd.moveDestination("/missing/", 1), "NotFound", "/missing");
  await fs.transact({ command: ["mv", "/a", "/b", "/dir/"] }, async (root) => {
    const dest = await root.moveDestination("/dir/", 2);
    for (const source of ["/a", "/b"]) await root.rename(source, copyTarget(dest, source));
  });
  assert.deepEqual((await (await fs.root()).list("/dir")).map((e) => e.name), [".keep", "a", "b"]);
});

Deno.test("wd: rename moves a symlink itself, not its target", async () => {
  const { fs } = await newPond();
  await build(fs, { "/d/f": "F" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createSymlink("/d/l", "f");
    await root.rename("/d/l", "/d/m");
  });
  const root = await fs.root();
  assert.deepEqual((await root.list("/d")).map((e) => [e.name, e.kind]), [["f", "file"], [
    "m",
    "symlink",
  ]]);
  assert.equal(text(await root.read("/d/m")), "F");
});

Deno.test("wd: the committed tree's view has no way to change it, by type and at run time", async () => {
  const { fs } = await newPond();
  await build(fs, { "/f": "x" });
  const root = await fs.root();
  // @ts-expect-error: a ReadView has no createFile; changes take fs.transact()
  assert.equal(root.createFile, undefined);
  assert.deepEqual(changesOf(root), []);
  assert.deepEqual(changesOf(await root.chdir("/")), []);
  await fs.transact({ command: ["t"] }, async (wd) => {
    assert.deepEqual(changesOf(wd), [...CHANGES]);
    assert.deepEqual(changesOf(await wd.chdir("/")), [...CHANGES]);
  });
  assert.equal(text(await root.read("/f")), "x");
});
