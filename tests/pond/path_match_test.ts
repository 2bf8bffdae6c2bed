/** changeMatcher: which changes a --path glob selects. */
import assert from "node:assert/strict";
import type { PathChange } from "../../src/pond/changes.ts";
import { changeMatcher } from "../../src/pond/path_match.ts";

const change = (c: Partial<PathChange>): PathChange => ({
  change: "added",
  path: "/",
  nodeId: "0".repeat(32),
  entryType: "file:data",
  ...c,
});

Deno.test("a glob selects changes at matching paths and inside matching directories", () => {
  const m = changeMatcher("/sites/{north,south}/r?w");
  assert.equal(m(change({ path: "/sites/north/raw" })), true);
  assert.equal(m(change({ path: "/sites/south/row/a.csv" })), true, "inside a match");
  assert.equal(m(change({ path: "/sites/east/raw" })), false);
  assert.equal(m(change({ path: "/sites/north" })), false, "above a match, not removed or moved");
  assert.equal(m(change({ path: "/sites/north/rw" })), false);
});

Deno.test("relative globs start at the root; ** spans any depth", () => {
  const m = changeMatcher("sites/**/*.csv");
  assert.equal(m(change({ path: "/sites/a.csv" })), true);
  assert.equal(m(change({ path: "/sites/x/y/a.csv" })), true);
  assert.equal(m(change({ path: "/other/a.csv" })), false);
});

Deno.test("a removed or moved directory matches through what it held, at either end of a move", () => {
  const m = changeMatcher("/sites/*/raw/*.csv");
  const removed = change({ change: "removed", path: "/sites", entryType: "directory" });
  assert.equal(m(removed, () => ["north", "north/raw", "north/raw/a.csv"]), true);
  assert.equal(m(removed, () => ["north", "north/raw"]), false);
  assert.equal(m(removed), false, "nothing known it held");
  const moved = change({
    change: "moved",
    path: "/old",
    from: "/sites/north",
    entryType: "directory",
  });
  assert.equal(m(moved, () => ["raw/a.csv"]), true);
  const added = change({ path: "/sites", entryType: "directory" });
  assert.equal(
    m(added, () => ["north/raw/a.csv"]),
    false,
    "an added directory's entries are changes of their own",
  );
});

Deno.test("a malformed glob is InvalidPath", () => {
  assert.throws(() => changeMatcher("/a/[b"), { code: "InvalidPath" });
});
