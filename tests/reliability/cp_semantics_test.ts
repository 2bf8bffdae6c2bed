/** pond copy against GNU cp: the same argument shapes on the same trees give the same result, or both fail and change nothing. */
import assert from "node:assert/strict";
import { pondInProcess } from "../cli/harness.ts";
import {
  asHostTree,
  commitVersions,
  hostTree,
  pondTree,
  withTempDir,
  writeHostFiles,
} from "./fixtures.ts";
import { Pond } from "../../src/pond/pond.ts";
import { command } from "../subprocess.ts";

/** The world every case starts from: files, a directory with a file, a tree with a symlink. */
const WORLD = {
  "a.txt": "A\n",
  "b.txt": "B\n",
  "dir": null,
  "dir/old.txt": "old\n",
  "src": null,
  "src/x.txt": "x\n",
  "src/sub": null,
  "src/sub/y.txt": "y\n",
};

/**
 * Argument shapes, as typed to cp inside the world (the last one is the destination); a `*`
 * is expanded by the shell for cp, and by pond for pond copy.
 */
const CASES: { args: string[]; fails?: true }[] = [
  { args: ["a.txt", "new.txt"] },
  { args: ["a.txt", "b.txt"] },
  { args: ["a.txt", "b.txt", "dir"] },
  { args: ["a.txt", "dir/"] },
  { args: ["a.txt", "dir"] },
  { args: ["-r", "src", "newdir"] },
  { args: ["-r", "src", "dir"] },
  { args: ["-r", "src", "dir/"] },
  { args: ["a.txt", "b.txt", "missing"], fails: true },
  { args: ["src", "dir"], fails: true },
  { args: ["a.txt", "missing/"], fails: true },
  { args: ["-r", "src", "a.txt"], fails: true },
  { args: ["a.txt", "missing/new.txt"], fails: true },
  { args: ["missing.txt", "dir"], fails: true },
  { args: ["*.txt", "dir"] },
  { args: ["-r", "s*", "newdir"] },
  { args: ["*.none", "dir"], fails: true },
];

/** Where the sources are: on the host (copy in), or in the pond (copy within). */
type Mode = "host→pond" | "pond→pond";

async function gnuCp(world: string, dir: string, args: string[]): Promise<number> {
  const cloned = await command("cp", { args: ["-a", world, dir] }).output();
  assert.equal(cloned.code, 0);
  const out = await command("sh", {
    args: ["-c", `cp ${args.join(" ")}`],
    cwd: dir,
    stderr: "null",
  }).output();
  return out.code;
}

for (const mode of ["host→pond", "pond→pond"] as Mode[]) {
  for (const { args, fails } of CASES) {
    const shown = `cp ${args.join(" ")}`;
    Deno.test(`pond copy (${mode}) does what GNU ${shown} does${fails ? ": both fail" : ""}`, async () => {
      await withTempDir(async (tmp) => {
        const world = `${tmp}/world`;
        await writeHostFiles(world, WORLD);
        await Deno.symlink("x.txt", `${world}/src/link`);
        const cpCode = await gnuCp(world, `${tmp}/cp`, args);
        assert.equal(cpCode !== 0, Boolean(fails), `GNU ${shown} exited ${cpCode}`);

        const path = `${tmp}/pond`;
        for (const cmd of [["init", path], ["copy", "-r", `host:${world}`, "/w"]]) {
          const r = await pondInProcess([...cmd, "--pond", path]);
          assert.equal(r.code, 0, r.stderr);
        }
        const versions = await commitVersions(path);
        const source = (a: string) => mode === "host→pond" ? `host:${world}/${a}` : `/w/${a}`;
        const options = args.filter((a) => a.startsWith("-"));
        const operands = args.filter((a) => !a.startsWith("-"));
        const dest = operands.pop()!;
        const copied = await pondInProcess([
          "copy",
          ...options,
          ...operands.map(source),
          `/w/${dest}`,
          "--pond",
          path,
        ]);

        if (fails) {
          assert.equal(copied.code, 1, `pond ${shown} should fail: ${copied.stdout}`);
          assert.match(copied.stderr, /^pond: .+\n$/, "one line saying what is wrong");
          assert.deepEqual(await commitVersions(path), versions, "nothing committed");
          const tree = await pondTree(await (await Pond.open(path)).root(), "/w");
          assert.deepEqual(asHostTree(tree, "/w"), await hostTree(world));
          assert.deepEqual(
            await hostTree(`${tmp}/cp`),
            await hostTree(world),
            "cp changed nothing",
          );
          return;
        }
        assert.equal(copied.code, 0, copied.stderr);
        const out = await pondInProcess(["copy", "-r", "/w", `host:${tmp}/out`, "--pond", path]);
        assert.equal(out.code, 0, out.stderr);
        assert.deepEqual(await hostTree(`${tmp}/out`), await hostTree(`${tmp}/cp`));
      });
    });
  }
}
