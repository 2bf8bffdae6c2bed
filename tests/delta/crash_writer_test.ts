/** Crash test: a writer process killed with SIGKILL at random points of its commits leaves a table with every reported commit and nothing half-written. */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { TableWriter } from "../../src/delta/commit.ts";
import { createTable } from "../../src/delta/create.ts";
import { openTable } from "../../src/delta/table.ts";
import { isTempFile } from "../../src/delta/storage.ts";
import { vacuum } from "../../src/delta/vacuum.ts";
import { schemaOf, withTempTable } from "./fixtures_write/helpers.ts";
import { command } from "../subprocess.ts";

const WRITER = fileURLToPath(new URL("./fixtures_write/writer_process.ts", import.meta.url));
const KILLS = Deno.env.get("POND_LONG_TESTS") === "1" ? 120 : 5;

/** Output lines of a child process, as they arrive. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let pending = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    const parts = pending.split("\n");
    pending = parts.pop()!;
    yield* parts;
  }
  if (pending !== "") yield pending;
}

/** Runs writer `writerId`, kills it with SIGKILL after `afterLines` reported commits plus `delayMs`, returns what it reported. */
async function killWriter(
  dir: string,
  writerId: number,
  afterLines: number,
  delayMs: number,
): Promise<Map<number, number>> {
  const child = command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", WRITER, dir, "append", String(writerId), "100000"],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reported = new Map<number, number>();
  let killed = false;
  const kill = () => {
    if (!killed) {
      killed = true;
      child.kill("SIGKILL");
    }
  };
  if (afterLines === 0) setTimeout(kill, delayMs);
  for await (const line of lines(child.stdout)) {
    const [word, version, first] = line.split(" ");
    assert.equal(word, "committed", line);
    reported.set(Number(version), Number(first));
    if (reported.size === afterLines) setTimeout(kill, delayMs);
  }
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL", "the writer must be killed, not exit on its own");
  return reported;
}

Deno.test(`a writer killed with SIGKILL ${KILLS} times loses no reported commit and exposes nothing half-written`, async () => {
  await withTempTable(async (store, dir) => {
    await createTable(store, {
      schema: schemaOf(["id", "long"], ["writer", "integer"]),
      configuration: { "delta.checkpointInterval": "5" },
    });
    const reported = new Map<number, number>();
    for (let round = 0; round < KILLS; round++) {
      const afterLines = Math.floor(Math.random() * 4);
      const delayMs = Math.floor(Math.random() * 40);
      for (const [version, first] of await killWriter(dir, round + 1, afterLines, delayMs)) {
        assert.ok(!reported.has(version), `version ${version} reported twice`);
        reported.set(version, first);
      }
      // The table opens, every version is whole, and every reported commit is there.
      const snapshot = await (await openTable(dir)).snapshot();
      const ids = new Map<bigint, number>();
      for await (const row of snapshot.scan().rows()) {
        const id = row.id as bigint;
        ids.set(id, (ids.get(id) ?? 0) + 1);
      }
      assert.equal(ids.size, 3 * snapshot.version, "each commit adds exactly its 3 rows");
      assert.ok([...ids.values()].every((n) => n === 1), "no row appears twice");
      for (const [version, first] of reported) {
        assert.ok(version <= snapshot.version, `reported version ${version} is missing`);
        for (let k = 0; k < 3; k++) {
          assert.ok(ids.has(BigInt(first + k)), `rows of reported version ${version}`);
        }
      }
      const history = await (await openTable(dir)).history();
      assert.deepEqual(
        history.map((c) => c.version),
        Array.from({ length: snapshot.version + 1 }, (_, v) => v),
      );
    }
    // After all the crashes the table still takes commits, and vacuum clears what the killed
    // writers left unreferenced without touching the table's rows.
    const writer = await TableWriter.open(store);
    const latest = writer.version;
    assert.equal((await writer.append({ id: [-1], writer: [0] })).version, latest + 1);
    const swept = await vacuum(writer, { retentionMs: 0, force: true, now: Date.now() + 1000 });
    assert.ok(
      swept.files.every((path) => path.endsWith(".parquet") || isTempFile(path)),
      swept.files.join(", "),
    );
    let rows = 0;
    for await (const _ of (await (await openTable(dir)).snapshot()).scan().rows()) rows++;
    assert.equal(rows, 3 * latest + 1);
    console.log(
      `${KILLS} kills: ${reported.size} reported commits of ${latest}; ${swept.files.length} orphaned data files vacuumed`,
    );
  });
});
