/** Concurrent pond copy processes into one directory: every file lands exactly once, the log has no gaps, the pond checks clean. */
import assert from "node:assert/strict";
import { Pond } from "../../src/pond/pond.ts";
import {
  commitVersions,
  everySeq,
  LONG,
  noise,
  pond,
  pondOk,
  withTempDir,
  writeHostFiles,
} from "./fixtures.ts";

const PROCESSES = 5;
const FILES = 12;
const ROUNDS = LONG ? 8 : 1;

Deno.test(`${PROCESSES} pond copy processes at once into one directory (${ROUNDS} rounds) lose nothing and duplicate nothing`, async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await pondOk(path, ["init", path]);
    await pondOk(path, ["mkdir", "/shared"]);
    const expected = new Map<string, Uint8Array>();
    for (let round = 0; round < ROUNDS; round++) {
      const runs = [];
      for (let p = 0; p < PROCESSES; p++) {
        const files: Record<string, Uint8Array> = {};
        for (let f = 0; f < FILES; f++) {
          files[`r${round}-p${p}-f${f}.txt`] = new TextEncoder().encode(
            `round ${round} process ${p} file ${f}\n`,
          );
        }
        files[`r${round}-p${p}-big.bin`] = noise(100_000, 1000 * round + p + 1);
        const host = `${dir}/host-${round}-${p}`;
        await writeHostFiles(host, files);
        for (const [name, body] of Object.entries(files)) expected.set(name, body);
        runs.push(
          pond(path, ["copy", ...Object.keys(files).map((n) => `host:${host}/${n}`), "/shared/"]),
        );
      }
      for (const r of await Promise.all(runs)) assert.equal(r.code, 0, r.stderr);
    }

    const opened = await Pond.open(path);
    const root = await opened.root();
    const listed = await root.list("/shared");
    assert.deepEqual(listed.map((n) => n.name).sort(), [...expected.keys()].sort());
    for (const node of listed) {
      assert.deepEqual(await node.read(), expected.get(node.name), node.name);
      assert.equal((await node.metadata()).version, 1, `${node.name} was written once`);
    }
    const head = 1 + PROCESSES * ROUNDS;
    assert.equal(await opened.head(), head);
    assert.deepEqual(await commitVersions(path), [...Array(head + 1).keys()], "no gaps in the log");
    const copies = (await opened.history()).filter((t) => t.command[0] === "copy");
    assert.equal(new Set(copies.map((t) => t.command.join(" "))).size, PROCESSES * ROUNDS);
    const checked = await pond(path, ["check"]);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    assert.doesNotMatch(checked.stdout, /^error/m);
  });
});

Deno.test("pond copy processes, compactions and a vacuum at once: nothing lost, history unchanged, the log whole", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    const setup = await Pond.init(path);
    for (let i = 0; i < 12; i++) {
      await setup.transact(
        ["setup"],
        (root) => root.write(`/shared/old${i}.txt`, `old ${i}`, { parents: true }),
      );
    }
    const history = await everySeq(path);
    const expected = new Map<string, Uint8Array>();
    const runs = [];
    for (let p = 0; p < 4; p++) {
      const files: Record<string, Uint8Array> = {};
      for (let f = 0; f < 8; f++) files[`p${p}-f${f}.txt`] = new TextEncoder().encode(`${p}/${f}`);
      const host = `${dir}/host-${p}`;
      await writeHostFiles(host, files);
      for (const [name, body] of Object.entries(files)) expected.set(name, body);
      runs.push(
        pond(path, ["copy", ...Object.keys(files).map((n) => `host:${host}/${n}`), "/shared/"]),
      );
    }
    runs.push(pond(path, ["maintain", "--compact"]));
    runs.push(pond(path, ["maintain", "--compact", "--checkpoint"]));
    runs.push(pond(path, ["maintain", "--vacuum", "--apply"]));
    for (const r of await Promise.all(runs)) assert.equal(r.code, 0, r.stderr);

    const after = await everySeq(path);
    assert.deepEqual(
      after.slice(0, history.length),
      history,
      "every earlier transaction reads the same",
    );
    const root = await (await Pond.open(path)).root();
    for (const [name, body] of expected) assert.deepEqual(await root.read(`/shared/${name}`), body);
    assert.equal((await root.list("/shared")).length, 12 + expected.size);
    assert.deepEqual(await commitVersions(path), [...after.keys()], "no gaps in the log");
    const checked = await pond(path, ["check"]);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  });
});
