/** A writer process for the crash and concurrency tests: commits to a table and prints each outcome on its own line. */

import { TableWriter } from "../../../src/delta/commit.ts";
import { isDeltaError } from "../../../src/delta/errors.ts";
import { LocalStore } from "../../../src/delta/storage.ts";

/**
 * Usage: `writer_process.ts <table dir> <mode> <writer id> <count>`
 * - mode `append`: `count` blind appends of 3 rows with ids `writer*1e6 + i*3 + k`; prints
 *   `committed <version> <first id>` after each commit returns.
 * - mode `txn`: for rounds 0..count-1, commits application transaction `shared`/round unless
 *   the table already has it; prints `committed <version> <round>`, `skipped <round>`, or
 *   `conflict <winning version> <round>` when another process won the race.
 */
const [dir, mode, writerArg, countArg] = Deno.args;
const writerId = Number(writerArg);
const count = Number(countArg);
const writer = await TableWriter.open(new LocalStore(dir));
const encoder = new TextEncoder();
const say = (line: string) => Deno.stdout.writeSync(encoder.encode(`${line}\n`));

for (let i = 0; i < count; i++) {
  if (mode === "append") {
    const first = writerId * 1_000_000 + i * 3;
    const ids = [first, first + 1, first + 2];
    const { version } = await writer.append({ id: ids, writer: ids.map(() => writerId) });
    say(`committed ${version} ${first}`);
    continue;
  }
  await writer.update();
  if ((writer.state.txns.get("shared")?.version ?? -1) >= i) {
    say(`skipped ${i}`);
    continue;
  }
  try {
    const { version } = await writer.append(
      { id: [writerId * 1_000_000 + i], writer: [writerId] },
      {
        txn: { appId: "shared", version: i },
      },
    );
    say(`committed ${version} ${i}`);
  } catch (e) {
    if (!isDeltaError(e, "Conflict")) throw e;
    say(`conflict ${e.version} ${i}`);
  }
}
