/** A pond copy killed with SIGKILL at random moments: the pond opens, checks clean, and shows the state before or the whole copy — never a part. */
import assert from "node:assert/strict";
import { isTempFile } from "../../src/delta/storage.ts";
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
import { command } from "../subprocess.ts";

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

/**
 * Starts `pond ARGS` and kills it with SIGKILL after `delayMs`, or as soon as `when` says so
 * (polled every few ms): whether it was killed, and how long it ran.
 */
async function killedAfter(
  pond: string,
  args: string[],
  delayMs: number,
  when?: () => Promise<boolean>,
): Promise<{ killed: boolean; ms: number }> {
  const started = performance.now();
  const child = command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", `${REPO_ROOT}main.ts`, ...args],
    env: { POND: pond, NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // It exited just before: `status` says how.
    }
  };
  const timer = setTimeout(kill, delayMs);
  let running = true;
  const watching = (async () => {
    while (running && when) {
      if (await when()) return kill();
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  const { code, signal, stderr } = await child.output();
  running = false;
  clearTimeout(timer);
  await watching;
  if (signal === null) assert.equal(code, 0, new TextDecoder().decode(stderr));
  return { killed: signal === "SIGKILL", ms: performance.now() - started };
}

/** The temporary files of the pond's blob store: bodies being written. */
async function tempBlobs(pond: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(`${pond}/blobs`)))
      .filter((e) => e.isFile && isTempFile(e.name)).map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/** How many bodies the pond's blob store holds. */
async function storedBlobs(pond: string): Promise<number> {
  let n = 0;
  try {
    for await (const dir of Deno.readDir(`${pond}/blobs`)) {
      if (dir.isDirectory) {
        n += (await Array.fromAsync(Deno.readDir(`${pond}/blobs/${dir.name}`))).length;
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return n;
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

    const outcomes = { nothing: 0, midCopy: 0, wholeThenKilled: 0, finished: 0 };
    for (let round = 0; round < KILLS; round++) {
      const dest = `/copy${round}`;
      // A body new to the pond, copied first: its blob appearing shows the copy is under way.
      await Deno.writeFile(`${source}/a_round.bin`, noise(150_000, 100 + round));
      const whole = await hostTree(source);
      const before = await treeOf(path);
      const head = await (await Pond.open(path)).head();
      const delay = Math.random() * duration;
      // Every other round is killed as soon as the new body is being stored: mid-copy for sure.
      const stored = await storedBlobs(path);
      const writing = round % 2 === 1
        ? async () => (await storedBlobs(path)) > stored || (await tempBlobs(path)).length > 0
        : undefined;
      const args = ["copy", "-r", `host:${source}`, dest];
      const { killed, ms } = await killedAfter(path, args, writing ? 1e9 : delay, writing);
      if (!killed) duration = ms;
      const leftTemp = await tempBlobs(path);

      const opened = await Pond.open(path);
      const after = await treeOf(path);
      if (await opened.head() === head) {
        assert.deepEqual(after, before, `round ${round}: nothing committed, nothing changed`);
        assert.ok(killed, `round ${round}: a copy that finished committed`);
        outcomes.nothing++;
        if (leftTemp.length > 0 || (await storedBlobs(path)) > stored) outcomes.midCopy++;
        if (leftTemp.length > 0) {
          // Its writer is gone, so its temporary body goes at once, not after a grace period.
          const { repairs } = await checkPond(path, { repair: true });
          assert.ok(
            repairs.some((r) => r.repaired && r.finding.code === "TempFile"),
            `round ${round}`,
          );
          assert.deepEqual(await tempBlobs(path), [], `round ${round}: temp bodies removed`);
        }
      } else {
        assert.equal(await opened.head(), head + 1, `round ${round}: one transaction`);
        assert.deepEqual(outside(after, dest), before, `round ${round}: nothing else changed`);
        assert.deepEqual(asHostTree(after, dest), whole, `round ${round}: the whole copy`);
        if (killed) outcomes.wholeThenKilled++;
        else outcomes.finished++;
      }
      const report = await checkPond(path);
      const errors = report.findings.filter((f) => f.severity === "error");
      assert.deepEqual(errors, [], `round ${round}: pond check finds no damage`);
    }
    console.log(
      `${outcomes.nothing} killed before committing (${outcomes.midCopy} mid-copy), ` +
        `${outcomes.wholeThenKilled} killed after, ${outcomes.finished} finished first`,
    );
    assert.ok(outcomes.midCopy > 0, "some kills landed while the copy was writing");

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
