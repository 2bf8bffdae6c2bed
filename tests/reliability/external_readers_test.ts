/** The oplog as other readers see it — DuckDB over the log and the data files, and `pond delta scan` — holds exactly the node versions the pond shows. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { DuckDBInstance } from "@duckdb/node-api";
import { Pond } from "../../src/pond/pond.ts";
import type { ReadView } from "../../src/tinyfs/mod.ts";
import { pondInProcess } from "../cli/harness.ts";
import { variedPond } from "../pond/check_helpers.ts";
import { pond, withTempDir } from "./fixtures.ts";

/** One node version as compared across readers. */
interface Held {
  part_id: string;
  node_id: string;
  version: number;
  seq: number;
  entry_type: string;
  size: number;
  /** The body's SHA-256, for files. */
  hash: string | null;
}

const keyOf = (h: { node_id: string; version: number }) => `${h.node_id}@${h.version}`;
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Every node version the pond shows at some transaction, read through the pond itself. */
async function heldByPond(path: string): Promise<Map<string, Omit<Held, "part_id">>> {
  const opened = await Pond.open(path);
  const held = new Map<string, Omit<Held, "part_id">>();
  const visit = async (root: ReadView, dir: string, seq: number) => {
    for (const node of [await root.open(dir), ...await root.list(dir)]) {
      const meta = await node.metadata({ follow: false });
      const key = keyOf({ node_id: meta.nodeId!, version: meta.version });
      if (!held.has(key)) {
        held.set(key, {
          node_id: meta.nodeId!,
          version: meta.version,
          seq,
          entry_type: meta.entryType,
          size: meta.size,
          hash: meta.kind === "file" ? sha(await node.read()) : null,
        });
      }
      if (meta.kind === "directory" && node.path !== dir) await visit(root, node.path, seq);
    }
  };
  for (let seq = 0; seq <= await opened.head(); seq++) {
    await visit(await opened.root({ seq }), "/", seq);
  }
  return held;
}

/** The live data files as the log in `_delta_log/` says (read with DuckDB), and their rows. */
async function heldByDuckDB(
  path: string,
): Promise<{ rows: Held[]; liveFiles: number; allFiles: number }> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  try {
    const q = async (sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJson();
    const log = await q(
      `select add.path as added, remove.path as removed
       from read_ndjson('${path}/oplog/_delta_log/*.json',
         columns = {'add': 'STRUCT(path VARCHAR)', 'remove': 'STRUCT(path VARCHAR)'})`,
    );
    const removed = new Set(log.map((r) => r.removed).filter((p) => p !== null));
    const live = log.map((r) => r.added as string | null)
      .filter((p): p is string => p !== null && !removed.has(p))
      .map((p) => `'${path}/oplog/${decodeURIComponent(p)}'`);
    const rows = await q(
      `select part_id, node_id, version, seq, entry_type, size,
         case when blob_chunks is null then sha256(coalesce(content, ''::blob)) else hash end as body,
         hash
       from read_parquet([${live.join(", ")}], hive_partitioning = true,
         hive_types = {'part_id': VARCHAR})`,
    );
    const all = await q(
      `select count(*) as n from glob('${path}/oplog/part_id=*/*.parquet')`,
    );
    return {
      rows: rows.map((r) => {
        const entryType = r.entry_type as string;
        if (entryType.startsWith("file:")) {
          assert.equal(r.body, r.hash, `${r.node_id} body vs hash`);
        }
        return {
          part_id: r.part_id as string,
          node_id: r.node_id as string,
          version: Number(r.version),
          seq: Number(r.seq),
          entry_type: entryType,
          size: Number(r.size),
          hash: r.hash as string | null,
        };
      }),
      liveFiles: live.length,
      allFiles: Number(all[0].n),
    };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

const sorted = (rows: Held[]) => [...rows].sort((a, b) => keyOf(a) < keyOf(b) ? -1 : 1);

Deno.test("DuckDB and pond delta scan read the same node versions the pond shows, after compaction too", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await variedPond(path);
    const compacted = await pondInProcess(["maintain", "--compact", "--pond", path]);
    assert.equal(compacted.code, 0, compacted.stderr);

    const fromPond = await heldByPond(path);
    const { rows, allFiles } = await heldByDuckDB(path);
    assert.ok(
      allFiles > new Set(rows.map((r) => r.part_id)).size,
      "some data files are no longer live",
    );
    assert.equal(new Set(rows.map(keyOf)).size, rows.length, "each node version once");
    assert.deepEqual(
      new Map(rows.map((r) => {
        const { part_id: _, ...rest } = r;
        return [keyOf(r), rest];
      })),
      fromPond,
    );
    for (const r of rows) {
      assert.equal(r.part_id === r.node_id, r.entry_type.startsWith("directory"), keyOf(r));
    }

    const scan = await pond(path, [
      "delta",
      "scan",
      `${path}/oplog`,
      "--json",
      "--columns",
      "part_id,node_id,version,seq,entry_type,size,hash",
    ]);
    assert.equal(scan.code, 0, scan.stderr);
    const scanned = scan.stdout.trim().split("\n").map((l) => JSON.parse(l) as Held);
    assert.deepEqual(sorted(scanned), sorted(rows));
  });
});
