/** Concurrency test: several writer processes commit to one table at once; every commit lands exactly once or its writer reports a conflict. */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseCommit } from "../../src/delta/actions.ts";
import { createTable } from "../../src/delta/create.ts";
import { commitPath } from "../../src/delta/log_segment.ts";
import { openTable } from "../../src/delta/table.ts";
import { schemaOf, withTempTable } from "./fixtures_write/helpers.ts";
import { command } from "../subprocess.ts";

const WRITER = fileURLToPath(new URL("./fixtures_write/writer_process.ts", import.meta.url));
const LONG = Deno.env.get("POND_LONG_TESTS") === "1";
const PROCESSES = LONG ? 8 : 4;
const COMMITS = LONG ? 60 : 12;

/** Runs writer processes at once and returns each one's output lines (all must exit 0). */
async function runWriters(dir: string, mode: string, count: number): Promise<string[][]> {
  const children = Array.from({ length: PROCESSES }, (_, i) =>
    command(Deno.execPath(), {
      args: ["run", "--no-prompt", "-A", WRITER, dir, mode, String(i + 1), String(count)],
      stdout: "piped",
      stderr: "piped",
    }).spawn());
  const outputs = await Promise.all(children.map((c) => c.output()));
  return outputs.map((out) => {
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return new TextDecoder().decode(out.stdout).trim().split("\n").filter((l) => l !== "");
  });
}

const schema = schemaOf(["id", "long"], ["writer", "integer"]);

Deno.test(`${PROCESSES} processes appending ${COMMITS} times each: every commit lands exactly once`, async () => {
  await withTempTable(async (store, dir) => {
    await createTable(store, { schema, configuration: { "delta.checkpointInterval": "10" } });
    const outputs = await runWriters(dir, "append", COMMITS);
    const versions = new Set<number>();
    const firsts: number[] = [];
    for (const lines of outputs) {
      assert.equal(lines.length, COMMITS);
      for (const line of lines) {
        const [word, version, first] = line.split(" ");
        assert.equal(word, "committed");
        assert.ok(!versions.has(Number(version)), `version ${version} reported by two writers`);
        versions.add(Number(version));
        firsts.push(Number(first));
      }
    }
    const total = PROCESSES * COMMITS;
    assert.deepEqual(
      [...versions].sort((a, b) => a - b),
      Array.from({ length: total }, (_, i) => i + 1),
    );
    const snapshot = await (await openTable(dir)).snapshot();
    assert.equal(snapshot.version, total);
    const ids = new Set<bigint>();
    let rows = 0;
    for await (const row of snapshot.scan().rows()) {
      ids.add(row.id as bigint);
      rows++;
    }
    assert.equal(rows, 3 * total);
    assert.equal(ids.size, rows, "no row is duplicated");
    for (const first of firsts) assert.ok(ids.has(BigInt(first)) && ids.has(BigInt(first + 2)));
  });
});

Deno.test(`${PROCESSES} processes racing for the same application transactions: one commit per round, the others conflict or skip`, async () => {
  await withTempTable(async (store, dir) => {
    await createTable(store, { schema });
    const rounds = Math.ceil(COMMITS / 2);
    const outputs = await runWriters(dir, "txn", rounds);
    const committed = new Map<number, number[]>();
    let conflicts = 0;
    for (const lines of outputs) {
      assert.equal(lines.length, rounds);
      for (const line of lines) {
        const [word, a, b] = line.split(" ");
        if (word === "committed") {
          committed.set(Number(b), [...committed.get(Number(b)) ?? [], Number(a)]);
        } else if (word === "conflict") conflicts++;
        else assert.equal(word, "skipped", line);
      }
    }
    // Exactly one writer committed each round, and the log holds exactly those commits.
    for (let round = 0; round < rounds; round++) {
      assert.equal(committed.get(round)?.length, 1, `round ${round}`);
    }
    const snapshot = await (await openTable(dir)).snapshot();
    assert.equal(snapshot.version, rounds);
    for (const [round, [version]] of committed) {
      const actions = parseCommit(
        await Deno.readTextFile(`${dir}/${commitPath(version)}`),
        commitPath(version),
      );
      const txn = actions.find((x) => "txn" in x) as { txn: { appId: string; version: number } };
      assert.deepEqual([txn.txn.appId, txn.txn.version], ["shared", round]);
    }
    let rows = 0;
    for await (const _ of snapshot.scan().rows()) rows++;
    assert.equal(rows, rounds);
    assert.equal(snapshot.transactions().get("shared")?.version, rounds - 1);
    console.log(`${rounds} rounds x ${PROCESSES} writers: ${conflicts} conflicts reported`);
  });
});
