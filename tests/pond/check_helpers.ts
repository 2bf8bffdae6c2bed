/** Ponds for the check and maintain tests: a varied healthy pond, and ways to damage one for real. */
import assert from "node:assert/strict";
import { TableWriter } from "../../src/delta/commit.ts";
import { LocalStore, openTable } from "../../src/delta/mod.ts";
import { decodeChanges, encodeChanges } from "../../src/oplog/directory_codec.ts";
import { OPLOG_SCHEMA, type OplogRow } from "../../src/oplog/schema.ts";
import { oplogRows } from "../../src/oplog/mod.ts";
import { Pond } from "../../src/pond/pond.ts";
import { ROOT_ID } from "../../src/tinyfs/mod.ts";
import { noise } from "../reliability/fixtures.ts";

/** A body stored inline whose bytes can be found in its data file: a marker, then noise. */
export const INLINE_MARKER = "inline-body-marker-7f3a";

/**
 * Builds a pond with a bit of everything: nested directories, an inline file with a findable
 * body, a three-chunk blob, a symlink, a removed file, and a directory of 40+ entries changed
 * by a dozen transactions (so its listings are stored as skip-deltas).
 *
 * @example
 * ```ts
 * const pond = await variedPond(`${dir}/pond`);
 * ```
 */
export async function variedPond(path: string): Promise<Pond> {
  const pond = await Pond.init(path);
  await pond.transact(["setup"], async (root) => {
    await root.createDirectory("/data/raw", { parents: true });
    await root.write("/data/raw/a.csv", "t,v\n1,2\n");
    const inline = new Uint8Array(2000);
    inline.set(new TextEncoder().encode(INLINE_MARKER));
    inline.set(noise(2000 - INLINE_MARKER.length, 1), INLINE_MARKER.length);
    await root.write("/data/inline.bin", inline);
    await root.write("/data/big.bin", noise(2.5 * 1024 * 1024, 2));
    await root.createSymlink("/latest", "data/raw/a.csv");
    await root.createDirectory("/many");
    for (let i = 0; i < 40; i++) await root.write(`/many/f${i}`, `first ${i}`);
  });
  for (let i = 0; i < 12; i++) {
    await pond.transact(["change"], async (root) => {
      await root.write(`/many/g${i}`, `added ${i}`);
      await root.remove(`/many/f${i}`);
      await root.write("/data/raw/a.csv", `t,v\n${i},${i * i}\n`);
    });
  }
  await pond.transact(["rm"], (root) => root.remove("/data/raw/a.csv"));
  return pond;
}

/**
 * Every row of the pond's oplog at its latest version, with the data file it is in.
 *
 * @example
 * ```ts
 * const withBase = (await allRows(path)).filter(({ row }) => row.dir_base !== null);
 * ```
 */
export async function allRows(path: string): Promise<{ file: string; row: OplogRow }[]> {
  const store = new LocalStore(`${path}/oplog`);
  const snapshot = await (await openTable(store)).snapshot();
  const out: { file: string; row: OplogRow }[] = [];
  for (const file of snapshot.files()) {
    for await (const rows of oplogRows(store, snapshot, file)) {
      for (const row of rows) out.push({ file: decodeURIComponent(file.path), row });
    }
  }
  return out;
}

/**
 * Flips one bit of every copy of `marker`'s following byte in `file` (a real on-disk
 * corruption); fails the test when the marker is not in the file.
 *
 * @example
 * ```ts
 * await flipAfter(`${path}/oplog/${file}`, INLINE_MARKER);
 * ```
 */
export async function flipAfter(file: string, marker: string): Promise<void> {
  const bytes = await Deno.readFile(file);
  const needle = new TextEncoder().encode(marker);
  let found = 0;
  for (let i = 0; i + needle.length < bytes.length; i++) {
    if (needle.every((b, j) => bytes[i + j] === b)) {
      bytes[i + needle.length + 10] ^= 0x40;
      found++;
    }
  }
  assert.ok(found > 0, `${marker} is not in ${file}`);
  await Deno.writeFile(file, bytes);
}

/**
 * Commits, as the next transaction, a new version of the root directory that also lists
 * `name` pointing at a node that was never stored — what a lost data file would look like.
 *
 * @example
 * ```ts
 * await commitDanglingEntry(path, "ghost");
 * ```
 */
export async function commitDanglingEntry(path: string, name: string): Promise<void> {
  const rootRows = (await allRows(path)).map(({ row }) => row)
    .filter((r) => r.node_id === ROOT_ID).sort((a, b) => a.version - b.version);
  const newest = rootRows.at(-1)!;
  assert.equal(newest.dir_base, null, "the root is small, so its listings are whole");
  const changes = decodeChanges(newest.entries!);
  changes.push({
    op: "put",
    entry: {
      name,
      partId: ROOT_ID,
      nodeId: "0123456789abcdef0123456789abcdef",
      entryType: "file:data",
    },
  });
  await commitRow(path, (seq) => ({
    ...newest,
    version: newest.version + 1,
    seq,
    timestamp: Date.now(),
    size: changes.length,
    entries: encodeChanges(changes),
    dir_anchor: newest.version + 1,
  }));
}

/**
 * Commits, as the next transaction, the one oplog row `rowAt` makes for that transaction's
 * seq, bypassing every check of the pond's own writer — how damage a writer would refuse
 * gets into a pond.
 *
 * @example
 * ```ts
 * await commitRow(path, (seq) => ({ ...row, version: row.version + 1, seq }));
 * ```
 */
export async function commitRow(path: string, rowAt: (seq: number) => OplogRow): Promise<void> {
  const writer = await TableWriter.open(new LocalStore(`${path}/oplog`));
  const seq = writer.version + 1;
  const row = rowAt(seq);
  const columns = Object.fromEntries(OPLOG_SCHEMA.fields.map((f) => {
    const value = row[f.name as keyof OplogRow];
    const stored = value === null
      ? null
      : f.type === "timestamp"
      ? new Date(value as number)
      : f.type === "long"
      ? BigInt(value as number)
      : value;
    return [f.name, [stored]];
  }));
  await writer.append(columns, { info: { pond: { seq, command: ["test", "row"] } } });
}
