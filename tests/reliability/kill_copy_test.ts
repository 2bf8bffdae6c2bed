/** A pond copy killed with SIGKILL at random moments: the pond opens, checks clean, and shows the state before or the whole copy — never a part. */
import assert from "node:assert/strict";
import { checkPond } from "../../src/pond/check.ts";
import { Pond } from "../../src/pond/pond.ts";
import { pondInProcess, REPO_ROOT } from "../cli/harness.ts";
import {
  asHostTree,
  hostTree,
  LONG,
  noise,
  pondOk,
  type Tree,
  treeOf,
  withTempDir,
  writeHostFiles,
} from "./fixtures.ts";

const KILLS = LONG ? 60 : 5;

/** A tree of many small files and a few large ones (stored as blobs). */
function sourceFiles(): Record<string, string | Uint8Array> {
  const files: Record<string, string | Uint8Array> = {};
  for (let d = 0; d < 6; d++) {
    for (let f = 0; f < 25; f++) files[`d${d}/f${f}.csv`] = `t,v\n${d},${f}\n`;
    files[`d${d}/big.bin`] = noise(150_000, d + 1);
  }
  return files;
}

/** Starts `pond ARGS` and kills it with SIGKILL after `delayMs`: whether it was killed, and how long it ran. */
async function killedAfter(
  pond: string,
  args: string[],
  delayMs: number,
): Promise<{ killed: boolean; ms: number }> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", `${REPO_ROOT}main.ts`, ...args],
    env: { POND: pond, NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // It exited just before: `status` says how.
    }
  }, delayMs);
  const { code, signal, stderr } = await child.output();
  clearTimeout(timer);
  if (signal === null) assert.equal(code, 0, new TextDecoder().decode(stderr));
  return { killed: signal === "SIGKILL", ms: performance.now() - started };
}

/** The part of `tree` outside `prefix`. */
function outside(tree: Tree, prefix: string): Tree {
  return Object.fromEntries(
    Object.entries(tree).filter(([p]) => p !== prefix && !p.startsWith(`${prefix}/`)),
  );
}

Deno.test(`a pond copy killed with SIGKILL ${KILLS} times at random moments leaves the state before or the whole copy`, async () => {
  await withTempDir(async (dir) => {
    const source = `${dir}/source`;
    await writeHostFiles(source, sourceFiles());
    const expected = await hostTree(source);
    const path = `${dir}/pond`;
    await pondOk(path, ["init", path]);

    // How long a whole copy takes here, to spread the kills over it (not an assertion); each
    // copy that finishes before its kill says again.
    let { ms: duration } = await killedAfter(path, ["copy", "-r", `host:${source}`, "/first"], 1e9);

    const outcomes = { nothing: 0, wholeThenKilled: 0, finished: 0 };
    for (let round = 0; round < KILLS; round++) {
      const dest = `/copy${round}`;
      const before = await treeOf(path);
      const head = await (await Pond.open(path)).head();
      const delay = Math.random() * duration;
      const { killed, ms } = await killedAfter(path, ["copy", "-r", `host:${source}`, dest], delay);
      if (!killed) duration = ms;

      const opened = await Pond.open(path);
      const after = await treeOf(path);
      if (await opened.head() === head) {
        assert.deepEqual(after, before, `round ${round}: nothing committed, nothing changed`);
        assert.ok(killed, `round ${round}: a copy that finished committed`);
        outcomes.nothing++;
      } else {
        assert.equal(await opened.head(), head + 1, `round ${round}: one transaction`);
        assert.deepEqual(outside(after, dest), before, `round ${round}: nothing else changed`);
        assert.deepEqual(asHostTree(after, dest), expected, `round ${round}: the whole copy`);
        if (killed) outcomes.wholeThenKilled++;
        else outcomes.finished++;
      }
      const report = await checkPond(path);
      const errors = report.findings.filter((f) => f.severity === "error");
      assert.deepEqual(errors, [], `round ${round}: pond check finds no damage`);
    }
    console.log(
      `${outcomes.nothing} killed before committing, ${outcomes.wholeThenKilled} killed after, ` +
        `${outcomes.finished} finished first`,
    );

    // What the kills left behind is leftovers only: vacuum takes it all, and the pond is clean.
    const vacuum = await pondInProcess([
      "maintain",
      "--vacuum",
      "--retain",
      "0",
      "--apply",
      "--pond",
      path,
    ]);
    assert.equal(vacuum.code, 0, vacuum.stderr);
    assert.deepEqual((await checkPond(path)).findings, []);
    assert.deepEqual(asHostTree(await treeOf(path), "/first"), expected);
  });
});
