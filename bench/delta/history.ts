/** Benchmark: does opening a table, or appending to it, get slower with history (10,000 commits vs 100)? */
// Run: node_modules/.bin/deno run --no-prompt -A bench/delta/history.ts [commits=10000]
// Builds, with the real writer, tables of 100 and N commits (checkpoint every 100):
// - "steady": each commit appends one file and removes the oldest once 100 are live, so only
//   history grows (tombstones expire at once: delta.deletedFileRetentionDuration = 0 seconds);
// - "growing": each commit appends one file, so live files grow with history (as in a pond).
// Prints medians and the ratios N/100. Times are wall-clock on this machine, same run.

import type { Action } from "../../src/delta/actions.ts";
import { writeCheckpoint } from "../../src/delta/checkpoint_write.ts";
import { removeOf, TableWriter } from "../../src/delta/commit.ts";
import { createTable } from "../../src/delta/create.ts";
import { parseSchema } from "../../src/delta/schema.ts";
import {
  classicCheckpointPath,
  commitPath,
  readLastCheckpointHint,
} from "../../src/delta/log_segment.ts";
import { replaySegment } from "../../src/delta/replay.ts";
import { LocalStore } from "../../src/delta/storage.ts";
import { openTable } from "../../src/delta/table.ts";
import { writeDataFiles } from "../../src/delta/write_files.ts";

const N = Number(Deno.args[0] ?? 10_000);
const schema = parseSchema(JSON.stringify({
  type: "struct",
  fields: [
    { name: "id", type: "long", nullable: true, metadata: {} },
    { name: "note", type: "string", nullable: true, metadata: {} },
  ],
}));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function build(dir: string, commits: number, steady: boolean): Promise<number> {
  const store = new LocalStore(dir);
  const configuration: Record<string, string> = { "delta.checkpointInterval": "100" };
  if (steady) configuration["delta.deletedFileRetentionDuration"] = "interval 0 seconds";
  const writer = await createTable(store, { schema, configuration });
  const started = performance.now();
  for (let i = 1; i <= commits; i++) {
    const { adds } = await writeDataFiles(store, writer.state.metadata, {
      id: [i],
      note: [`commit ${i}`],
    });
    const actions: Action[] = adds.map((add) => ({ add }));
    if (steady && writer.state.files.size >= 100) {
      const oldest = [...writer.state.files.values()][0];
      actions.push({ remove: removeOf(oldest, Date.now()) });
    }
    await writer.commit(actions, { operation: "WRITE", isBlindAppend: !steady });
  }
  return performance.now() - started;
}

/** Median time of opening the latest snapshot (list log, read checkpoint + commits, replay). */
async function openTime(dir: string, runs = 7): Promise<{ ms: number; files: number }> {
  const times: number[] = [];
  let files = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const snapshot = await (await openTable(dir)).snapshot();
    times.push(performance.now() - t);
    files = snapshot.files().length;
  }
  return { ms: median(times), files };
}

/**
 * Median time of opening the latest state without listing `_delta_log`: the checkpoint named
 * by `_last_checkpoint`, then probing for the commits after it one by one. Not what the reader
 * does today; measured to show what listing costs (see the printed comparison).
 */
async function probeOpenTime(dir: string, runs = 7): Promise<number> {
  const store = new LocalStore(dir);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const hint = (await readLastCheckpointHint(store))!;
    const checkpoint = {
      version: hint,
      kind: "classic" as const,
      files: [await store.head(classicCheckpointPath(hint))],
    };
    const commits = [];
    for (let v = hint + 1;; v++) {
      const info = await store.head(commitPath(v)).catch(() => null);
      if (info === null) break;
      commits.push({ version: v, info });
    }
    await replaySegment(store, { version: hint + commits.length, checkpoint, commits });
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Median time of one small append by a warm writer, and of open + append by a fresh one. */
async function appendTime(dir: string, runs = 25): Promise<{ warm: number; cold: number }> {
  const store = new LocalStore(dir);
  const writer = await TableWriter.open(store);
  for (let i = 0; i < 5; i++) {
    await writer.append({ id: [-1e6 - i], note: ["warm-up"] }, {
      checkpointInterval: Number.MAX_SAFE_INTEGER,
    });
  }
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await writer.append({ id: [-i], note: ["bench"] }, {
      checkpointInterval: Number.MAX_SAFE_INTEGER,
    });
    warm.push(performance.now() - t);
  }
  const cold: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const fresh = await TableWriter.open(store);
    await fresh.append({ id: [-1000 - i], note: ["bench"] }, {
      checkpointInterval: Number.MAX_SAFE_INTEGER,
    });
    cold.push(performance.now() - t);
  }
  return { warm: median(warm), cold: median(cold) };
}

const root = await Deno.makeTempDir({ prefix: "pond-bench-history-" });
try {
  for (const steady of [true, false]) {
    const kind = steady ? "steady (100 live files)" : "growing (1 file per commit)";
    const small = `${root}/${steady ? "s" : "g"}100`;
    const large = `${root}/${steady ? "s" : "g"}${N}`;
    await build(small, 100, steady);
    const buildMs = await build(large, N, steady);
    const a = await openTime(small);
    const b = await openTime(large);
    const logFiles = [...Deno.readDirSync(`${large}/_delta_log`)].length;
    console.log(
      `\n${kind}: built ${N} commits in ${(buildMs / 1000).toFixed(1)} s (${
        (buildMs / N).toFixed(2)
      } ms/commit incl. checkpoints); _delta_log holds ${logFiles} files`,
    );
    console.log(
      `  open latest snapshot: 100 commits ${a.ms.toFixed(1)} ms (${a.files} files), ${N} commits ${
        b.ms.toFixed(1)
      } ms (${b.files} files): ratio ${(b.ms / a.ms).toFixed(2)}x`,
    );
    const [pa, pb] = [await probeOpenTime(small), await probeOpenTime(large)];
    console.log(
      `  without listing the log (checkpoint hint + probing commits): ${pa.toFixed(1)} ms vs ${
        pb.toFixed(1)
      } ms: ratio ${(pb / pa).toFixed(2)}x`,
    );
    const p = await appendTime(small);
    const q = await appendTime(large);
    console.log(
      `  append 1 row, warm writer: ${p.warm.toFixed(2)} ms vs ${q.warm.toFixed(2)} ms: ratio ${
        (q.warm / p.warm).toFixed(2)
      }x`,
    );
    console.log(
      `  open writer + append:      ${p.cold.toFixed(2)} ms vs ${q.cold.toFixed(2)} ms: ratio ${
        (q.cold / p.cold).toFixed(2)
      }x`,
    );
    if (!steady) {
      const writer = await TableWriter.open(new LocalStore(large));
      const t = performance.now();
      const written = await writeCheckpoint(writer.store, writer.state);
      console.log(
        `  one checkpoint of ${written.numOfAddFiles} files: ${
          (performance.now() - t).toFixed(1)
        } ms (${written.sizeInBytes} bytes), paid every 100 commits`,
      );
    }
  }
} finally {
  await Deno.remove(root, { recursive: true });
}
