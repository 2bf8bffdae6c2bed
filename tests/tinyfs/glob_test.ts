/** Tests for the glob pattern compiler and segment matcher. */

import assert from "node:assert/strict";
import { compileGlob, isTinyFsError, matchSegment } from "../../src/tinyfs/mod.ts";
import { build, newPond } from "./helpers.ts";

function match(segment: string, name: string): string[] | undefined {
  const glob = compileGlob(segment);
  assert.equal(glob.segments.length, 1);
  return matchSegment(glob.segments[0], name);
}

Deno.test("glob: * captures the text it matched, each star its own", () => {
  assert.deepEqual(match("*.csv", "a.csv"), ["a"]);
  assert.deepEqual(match("*", "anything"), ["anything"]);
  assert.deepEqual(match("x*", "x"), [""]);
  assert.deepEqual(match("*-*.csv", "a-b-c.csv"), ["a", "b-c"]);
  assert.equal(match("*.csv", "a.txt"), undefined);
  assert.equal(match("*.csv", "a.csv.bak"), undefined);
});

Deno.test("glob: ? matches exactly one character, without capturing", () => {
  assert.deepEqual(match("data-?.csv", "data-1.csv"), []);
  assert.equal(match("data-?.csv", "data-12.csv"), undefined);
  assert.equal(match("data-?.csv", "data-.csv"), undefined);
  assert.deepEqual(match("?", "é"), []);
});

Deno.test("glob: character classes, ranges and negation", () => {
  assert.deepEqual(match("[abc].txt", "b.txt"), []);
  assert.equal(match("[abc].txt", "d.txt"), undefined);
  assert.deepEqual(match("v[0-9][0-9]", "v42"), []);
  assert.equal(match("v[0-9]", "vx"), undefined);
  assert.deepEqual(match("[!a]x", "bx"), []);
  assert.equal(match("[!a]x", "ax"), undefined);
  assert.deepEqual(match("[^a]x", "bx"), []);
  assert.deepEqual(match("[]a]", "]"), [], "] first in a class is literal");
  assert.deepEqual(match("[a-]", "-"), [], "- last in a class is literal");
});

Deno.test("glob: braces choose one alternative, and may hold wildcards", () => {
  assert.deepEqual(match("{a,b}.csv", "a.csv"), []);
  assert.deepEqual(match("{a,b}.csv", "b.csv"), []);
  assert.equal(match("{a,b}.csv", "c.csv"), undefined);
  assert.deepEqual(match("{x*,y}.csv", "xyz.csv"), ["yz"]);
  assert.deepEqual(match("{a,{b,c}}", "c"), []);
  assert.deepEqual(match("f{,x}", "f"), []);
});

Deno.test("glob: special characters escape with backslash and never act as regex", () => {
  assert.deepEqual(match("a\\*b", "a*b"), []);
  assert.equal(match("a\\*b", "axb"), undefined);
  assert.deepEqual(match("a.c", "a.c"), []);
  assert.equal(match("a.c", "abc"), undefined, ". is a literal dot");
  assert.deepEqual(match("(x)+*", "(x)+y"), ["y"]);
  assert.equal(match("(x)+*", "xxy"), undefined);
});

Deno.test("glob: plain segments compile to literal lookups, ** to any-dirs", () => {
  const glob = compileGlob("/in/**/a\\*.csv");
  assert.equal(glob.absolute, true);
  assert.deepEqual(glob.segments, [
    { kind: "literal", name: "in" },
    { kind: "any-dirs" },
    { kind: "literal", name: "a*.csv" },
  ]);
  assert.deepEqual(matchSegment(glob.segments[1], "dir"), ["dir"]);
});

Deno.test("glob: leading . and .. are navigation; a trailing / wants directories", () => {
  const glob = compileGlob("./../../x/*/");
  assert.equal(glob.absolute, false);
  assert.equal(glob.up, 2);
  assert.equal(glob.segments.length, 2);
  assert.equal(glob.directoriesOnly, true);
});

Deno.test("glob: a leading . is matched only by a literal ., as a shell hides dot names", () => {
  for (const pattern of ["*", "*.ts", "?pond", "[.]pond", "[!a]pond", "{*,x}", "{?pond,x}"]) {
    assert.equal(match(pattern, ".pond"), undefined, pattern);
  }
  assert.deepEqual(match(".*", ".pond"), ["pond"]);
  assert.deepEqual(match(".p?nd", ".pond"), []);
  assert.deepEqual(match("{.p*,x}", ".pond"), ["ond"]);
  assert.deepEqual(match(".pond", ".pond"), []);
  assert.deepEqual(match("*.ts", "a.ts"), ["a"], "a dot further in is an ordinary character");
  assert.deepEqual(match("?.ts", "a.ts"), []);
  const [anyDirs] = compileGlob("**").segments;
  assert.equal(matchSegment(anyDirs, ".pond"), undefined);
});

Deno.test("glob: walks never enter or report dot names unless the pattern spells the dot", async () => {
  const { fs } = await newPond();
  await build(fs, { "/a.txt": "A", "/.pond/plugins/x.ts": "X", "/d/.keep": "", "/d/b.txt": "B" });
  const root = await fs.root();
  const paths = async (pattern: string) => (await root.glob(pattern)).map((m) => m.node.path);
  assert.deepEqual(await paths("/*"), ["/a.txt", "/d"]);
  assert.deepEqual(await paths("/**"), ["/a.txt", "/d", "/d/b.txt"]);
  assert.deepEqual(await paths("/**/*.ts"), []);
  assert.deepEqual(await paths("/.pond/*/*"), ["/.pond/plugins/x.ts"]);
  assert.deepEqual(await paths("/.*"), ["/.pond"]);
  assert.deepEqual(await paths("/d/.*"), ["/d/.keep"]);
});

Deno.test("glob: malformed patterns are InvalidPath", () => {
  for (const bad of ["", "a/[bc", "{a,b", "a/{b/c}", "a**", "x\\", "a/../b", "[z-a]", "a\0b"]) {
    assert.throws(() => compileGlob(bad), (e) => isTinyFsError(e, "InvalidPath"), bad);
  }
});
