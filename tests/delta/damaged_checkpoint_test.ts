/** A checkpoint that does not read is passed over: the state is replayed from the JSON commits, as Delta readers do. */

import assert from "node:assert/strict";
import { TableWriter } from "../../src/delta/commit.ts";
import { isDeltaError } from "../../src/delta/errors.ts";
import { classicCheckpointPath, commitPath } from "../../src/delta/log_segment.ts";
import { openTable } from "../../src/delta/table.ts";
import { goldenTable } from "./golden.ts";
import { command } from "../subprocess.ts";

const TABLE = "basic-with-inserts-deletes-checkpoint";

/** A copy of the golden table (checkpoint at version 10, commits 0 to 13), damaged by `damage`. */
async function withDamagedCopy(
  damage: (dir: string) => Promise<void>,
  check: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await command("cp", { args: ["-a", `${goldenTable(TABLE)}/.`, dir] }).output();
    await damage(dir);
    await check(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const truncate = (path: string, size: number) => Deno.truncate(path, size).then(() => undefined);

Deno.test("a truncated checkpoint is passed over: the commits give the same table, and the fallback is told", async () => {
  const intact = await (await openTable(goldenTable(TABLE))).snapshot();
  const expected = intact.files().map((f) => f.path).sort();
  for (const size of [0, 100, 2000]) {
    await withDamagedCopy(
      (dir) => truncate(`${dir}/${classicCheckpointPath(10)}`, size),
      async (dir) => {
        const notes: string[] = [];
        const table = await openTable(dir);
        const snapshot = await table.snapshot(undefined, { onFallback: (n) => notes.push(n) });
        assert.equal(snapshot.version, 13);
        assert.deepEqual(snapshot.files().map((f) => f.path).sort(), expected);
        assert.equal(notes.length, 1);
        assert.match(notes[0], /checkpoint of version 10 does not read .*commits from version 0/);
        const rows = await Array.fromAsync(snapshot.scan().rows());
        assert.equal(rows.length, (await Array.fromAsync(intact.scan().rows())).length);
        assert.equal((await table.snapshot({ version: 11 })).version, 11);
        assert.equal((await TableWriter.open(table.store)).version, 13);
      },
    );
  }
});

Deno.test("a damaged checkpoint whose commits are gone is still CorruptCheckpoint, naming it", async () => {
  await withDamagedCopy(
    async (dir) => {
      await truncate(`${dir}/${classicCheckpointPath(10)}`, 50);
      await Deno.remove(`${dir}/${commitPath(3)}`);
    },
    async (dir) => {
      const table = await openTable(dir);
      await assert.rejects(
        () => table.snapshot(),
        (e) => isDeltaError(e, "CorruptCheckpoint") && e.message.includes("checkpoint.parquet"),
      );
      assert.equal((await table.snapshot({ version: 2 })).version, 2);
    },
  );
});
