/** Tests for globs and visits over the tree: matches, captures, order, symlinks and loops. */

import assert from "node:assert/strict";
import type { DynamicFactory, GlobMatch } from "../../src/tinyfs/mod.ts";
import { build, newPond, rejectsWith, text } from "./helpers.ts";

const shape = (matches: GlobMatch[]) => matches.map((m) => [m.node.path, ...m.captures].join(" "));

async function tree() {
  const pond = await newPond();
  await build(pond.fs, {
    "/in/1.txt": "Top",
    "/in/a/1.txt": "Content A",
    "/in/a/b/1.txt": "Content A-B",
    "/in/a/c/1.txt": "Content A-C",
    "/in/a/c/2.csv": "csv",
    "/in/b/a/1.txt": "Content B-A",
  });
  return pond;
}

Deno.test("visit: ** matches zero or more directories, capturing each", async () => {
  const { fs } = await tree();
  const matches = await (await fs.root()).glob("/in/**/1.txt");
  assert.deepEqual(shape(matches), [
    "/in/1.txt",
    "/in/a/1.txt a",
    "/in/a/b/1.txt a b",
    "/in/a/c/1.txt a c",
    "/in/b/a/1.txt b a",
  ]);
  assert.equal(text(await matches[2].node.read()), "Content A-B");
});

Deno.test("visit: * captures per segment, in pattern order", async () => {
  const { fs } = await tree();
  const root = await fs.root();
  assert.deepEqual(shape(await root.glob("/in/*/*/*.txt")), [
    "/in/a/b/1.txt a b 1",
    "/in/a/c/1.txt a c 1",
    "/in/b/a/1.txt b a 1",
  ]);
  assert.deepEqual(shape(await root.glob("/in/a/c/*.{txt,csv}")), [
    "/in/a/c/1.txt 1",
    "/in/a/c/2.csv 2",
  ]);
  assert.deepEqual(shape(await root.glob("/in/[ab]/?/1.txt")), [
    "/in/a/b/1.txt",
    "/in/a/c/1.txt",
    "/in/b/a/1.txt",
  ]);
  assert.deepEqual(shape(await root.glob("/in/[!a]/*")), ["/in/b/a a"]);
});

Deno.test("visit: /** from the root matches everything beneath, in sorted depth-first order", async () => {
  const { fs } = await newPond();
  await build(fs, { "/b/x": "", "/a-b": "", "/a/z": "", "/a/y/w": "" });
  const all = await (await fs.root()).glob("/**");
  assert.deepEqual(shape(all), [
    "/a a",
    "/a/y a y",
    "/a/y/w a y w",
    "/a/z a z",
    "/a-b a-b",
    "/b b",
    "/b/x b x",
  ]);
  assert.deepEqual(all.map((m) => m.node.kind), [
    "directory",
    "directory",
    "file",
    "file",
    "file",
    "directory",
    "file",
  ]);
});

Deno.test("visit: a terminal /** below a directory matches everything under it, not itself", async () => {
  const { fs } = await tree();
  const b = await (await fs.root()).glob("/in/b/**");
  assert.deepEqual(shape(b), ["/in/b/a a", "/in/b/a/1.txt a 1.txt"]);
});

Deno.test("visit: patterns resolve from the working directory, and may start with ..", async () => {
  const { fs } = await tree();
  const a = await (await fs.root()).chdir("/in/a");
  assert.deepEqual(shape(await a.glob("*/1.txt")), ["/in/a/b/1.txt b", "/in/a/c/1.txt c"]);
  assert.deepEqual(shape(await a.glob("../b/*")), ["/in/b/a a"]);
  assert.deepEqual(shape(await a.glob(".")), ["/in/a"]);
  assert.deepEqual(shape(await a.glob("/")), ["/"]);
});

Deno.test("visit: a trailing / matches directories only", async () => {
  const { fs } = await tree();
  assert.deepEqual(shape(await (await fs.root()).glob("/in/a/*/")), ["/in/a/b b", "/in/a/c c"]);
});

Deno.test("visit: each node is yielded once even when several pattern paths reach it", async () => {
  const { fs } = await tree();
  const root = await fs.root();
  assert.deepEqual(
    shape(await root.glob("/in/**/**/1.txt")),
    shape(await root.glob("/in/**/1.txt")),
  );
  assert.deepEqual(shape(await root.glob("/in/{a,a}/1.txt")), ["/in/a/1.txt"]);
});

Deno.test("visit: the iterator yields lazily and can stop early", async () => {
  const { fs } = await tree();
  const seen: string[] = [];
  for await (const m of (await fs.root()).visit("/in/**")) {
    seen.push(m.node.path);
    if (seen.length === 2) break;
  }
  assert.deepEqual(seen, ["/in/1.txt", "/in/a"]);
});

Deno.test("visit: symlinks to directories are followed, reached through their own path", async () => {
  const { fs } = await newPond();
  await build(fs, { "/a/123456/b.txt": "Symlink test content" });
  await fs.transact({ command: ["t"] }, (root) => root.createSymlink("/a/name", "123456"));
  const root = await fs.root();
  assert.deepEqual(shape(await root.glob("/**/*.txt")), [
    "/a/123456/b.txt a 123456 b",
    "/a/name/b.txt a name b",
  ]);
  const through = await root.glob("/a/name/*.txt");
  assert.deepEqual(shape(through), ["/a/name/b.txt b"]);
  assert.equal(text(await through[0].node.read()), "Symlink test content");
  assert.deepEqual(shape(await root.glob("/*/name/*.txt")), ["/a/name/b.txt a b"]);
});

Deno.test("visit: a matched symlink reads its target; a dangling one is matched but not entered", async () => {
  const { fs } = await newPond();
  await build(fs, { "/d/f": "F" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createSymlink("/d/good", "f");
    await root.createSymlink("/d/dangling", "/nowhere/at/all");
  });
  const matches = await (await fs.root()).glob("/d/**");
  assert.deepEqual(shape(matches), ["/d/dangling dangling", "/d/f f", "/d/good good"]);
  assert.equal(matches[2].node.kind, "symlink");
  assert.equal(text(await matches[2].node.read()), "F");
});

Deno.test("visit: a symlink cycle is a VisitLoop naming where it closed, never a hang", async () => {
  const { fs } = await newPond();
  await build(fs, { "/a/f": "F" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createSymlink("/a/up", "..");
    await root.createSymlink("/a/self", ".");
  });
  const root = await fs.root();
  await rejectsWith(root.glob("/**"), "VisitLoop", "/a/self");
  await rejectsWith(root.glob("/a/**"), "VisitLoop", "/a/self");
  assert.deepEqual(
    shape(await root.glob("/a/*")),
    ["/a/f f", "/a/self self", "/a/up up"],
    "one level is fine",
  );
});

Deno.test("visit: plain names are looked up, so unrelated dynamic directories are not computed", async () => {
  const broken: DynamicFactory = {
    open: () => ({ entries: () => Promise.reject(new Error("computed")) }),
  };
  const { fs } = await newPond({ broken });
  await build(fs, { "/data/x": "X" });
  await fs.transact(
    { command: ["t"] },
    (root) => root.createDynamicDirectory("/data/view", "broken", ""),
  );
  const root = await fs.root();
  assert.deepEqual(shape(await root.glob("/data/x")), ["/data/x"]);
  assert.deepEqual(
    shape(await root.glob("/data/*")),
    ["/data/view view", "/data/x x"],
    "listing needs no expansion",
  );
  await assert.rejects(root.glob("/data/**"), /computed/);
});
