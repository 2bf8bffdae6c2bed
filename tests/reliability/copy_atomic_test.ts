/** A pond copy whose sources are not all there commits nothing: same Delta version, same tree, not a byte written. */
import assert from "node:assert/strict";
import {
  commitVersions,
  hostTree,
  noise,
  pond,
  pondOk,
  treeOf,
  withTempDir,
  writeHostFiles,
} from "./fixtures.ts";

const SHAPES: { name: string; args: (host: string) => string[] }[] = [
  {
    name: "files (one large) into a directory, a missing one in the middle",
    args: (
      h,
    ) => [
      `host:${h}/a.csv`,
      `host:${h}/big.bin`,
      `host:${h}/missing.csv`,
      `host:${h}/b.csv`,
      "/dest/",
    ],
  },
  {
    name: "a tree and a missing file into a directory",
    args: (h) => ["-r", `host:${h}/tree`, `host:${h}/tree/missing`, "/dest"],
  },
  {
    name: "a missing directory first, with -r",
    args: (h) => ["-r", `host:${h}/gone`, `host:${h}/a.csv`, "/dest"],
  },
];

for (const shape of SHAPES) {
  Deno.test(`pond copy of ${shape.name} fails and leaves the pond as it was`, async () => {
    await withTempDir(async (dir) => {
      const host = `${dir}/host`;
      await writeHostFiles(host, {
        "a.csv": "t,v\n1,2\n",
        "b.csv": "t,v\n3,4\n",
        "big.bin": noise(300_000, 3),
        "tree/x.txt": "x",
        "tree/deep/y.bin": noise(100_000, 4),
      });
      const path = `${dir}/pond`;
      await pondOk(path, ["init", path]);
      await pondOk(path, ["mkdir", "/dest"]);
      const versions = await commitVersions(path);
      const tree = await treeOf(path);
      const onDisk = await hostTree(path);

      const r = await pond(path, ["copy", ...shape.args(host)]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /^pond: cannot copy host:.*(missing|gone)[^ ]*: no such file or directory/,
      );
      assert.equal(r.stderr.split("\n").length, 2, "one line");
      assert.deepEqual(await commitVersions(path), versions);
      assert.deepEqual(await treeOf(path), tree);
      assert.deepEqual(await hostTree(path), onDisk, "not a file of the pond changed");
    });
  });
}
