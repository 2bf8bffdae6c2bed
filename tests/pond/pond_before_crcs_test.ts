/** A pond written before chunk CRC-32s were recorded (fixtures/pond_before_crcs, by 51c0d09) reads, checks and takes new files as before; damage is refused in its old rows and its new ones. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { LocalStore, openTable } from "../../src/delta/mod.ts";
import { checkPond } from "../../src/pond/check.ts";
import { Pond } from "../../src/pond/pond.ts";
import { pondInProcess } from "../cli/harness.ts";
import { noise, withTempDir } from "../reliability/fixtures.ts";
import { allRows, commitRow } from "./check_helpers.ts";

const FIXTURE = new URL("./fixtures/pond_before_crcs", import.meta.url).pathname;
/** The fixture's `/big.txt`: 2 MiB + 1000 bytes, three chunks, named by this SHA-256. */
const OLD_HASH = "585fe20182aaf34d3bd0f19c2ce7f4f9546e328d2a662a1e0cb495a8956bc784";
const MIB = 1 << 20;

/** Copies the fixture pond to `dir`/pond, so a test may change it; returns its path. */
async function oldPond(dir: string): Promise<string> {
  const copy = async (from: string, to: string) => {
    await Deno.mkdir(to, { recursive: true });
    for await (const entry of Deno.readDir(from)) {
      if (entry.isDirectory) await copy(`${from}/${entry.name}`, `${to}/${entry.name}`);
      else await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
    }
  };
  await copy(FIXTURE, `${dir}/pond`);
  return `${dir}/pond`;
}

/** Runs `fn` on a copy of the fixture pond into which `fresh` was copied as `/new.bin`. */
async function withOldPondAndNewFile(
  fresh: Uint8Array,
  fn: (path: string, fresh: Uint8Array) => Promise<void>,
): Promise<void> {
  await withTempDir(async (dir) => {
    const path = await oldPond(dir);
    await Deno.writeFile(`${dir}/new.bin`, fresh);
    const r = await run(path, "copy", `host:${dir}/new.bin`, "/new.bin");
    assert.equal(r.code, 0, r.stderr);
    await fn(path, fresh);
  });
}

const run = (path: string, ...args: string[]) => pondInProcess([...args], { POND: path });

async function bytesOf(path: string, file: string): Promise<Uint8Array> {
  const root = await (await Pond.open(path)).root();
  return new Uint8Array(await new Response(await root.stream(file)).arrayBuffer());
}

/** Flips a bit of the byte at `at` in the blob named `hash`. */
async function flip(path: string, hash: string, at: number): Promise<void> {
  const file = await Deno.open(`${path}/blobs/${hash.slice(0, 2)}/${hash}`, {
    read: true,
    write: true,
  });
  const byte = new Uint8Array(1);
  await file.seek(at, Deno.SeekMode.Start);
  await file.read(byte);
  await file.seek(at, Deno.SeekMode.Start);
  await file.write(new Uint8Array([byte[0] ^ 0x10]));
  file.close();
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

Deno.test("a pond written before chunk CRC-32s reads and checks as before, and takes new files, which record them", async () => {
  await withTempDir(async (dir) => {
    const path = await oldPond(dir);
    const old = await bytesOf(path, "/big.txt");
    assert.equal(old.length, 2 * MIB + 1000);
    assert.equal(sha256(old), OLD_HASH);
    const before = await checkPond(path);
    assert.deepEqual(before.findings, []);
    assert.equal(before.counts.blobs, 1);

    const fresh = noise(3 * MIB + 77, 11);
    await Deno.writeFile(`${dir}/new.bin`, fresh);
    for (const args of [["copy", `host:${dir}/new.bin`, "/new.bin"], ["rm", "/docs/small.txt"]]) {
      const r = await run(path, ...args);
      assert.equal(r.code, 0, r.stderr);
    }
    const snapshot = await (await openTable(new LocalStore(`${path}/oplog`))).snapshot();
    const crcs = snapshot.schema.fields.find((f) => f.name === "blob_crcs");
    assert.deepEqual(crcs, { name: "blob_crcs", type: "binary", nullable: true, metadata: {} });
    const blobRows = (await allRows(path)).map(({ row }) => row).filter((r) => r.blob_chunks);
    assert.deepEqual(
      blobRows.map((r) => [r.hash, r.blob_crcs?.length ?? null]).sort(),
      [[OLD_HASH, null], [sha256(fresh), 4 * 4]].sort(),
      "the old row has no CRC-32s, the new one one per chunk",
    );
    assert.deepEqual(await bytesOf(path, "/big.txt"), old);
    assert.deepEqual(await bytesOf(path, "/new.bin"), fresh);
    const after = await checkPond(path);
    assert.deepEqual(after.findings, []);
    assert.equal(after.counts.blobs, 2);
  });
});

Deno.test("a flipped byte is refused by cat naming the chunk and reported by check, in a blob of an old row and of a new one", async () => {
  await withOldPondAndNewFile(noise(3 * MIB + 5, 12), async (path, fresh) => {
    await flip(path, OLD_HASH, MIB + 3);
    await flip(path, sha256(fresh), 2 * MIB + 9);
    for (const [file, chunk] of [["/big.txt", 1], ["/new.bin", 2]] as const) {
      const r = await run(path, "cat", file);
      assert.equal(r.code, 1, `cat ${file}`);
      assert.match(r.stderr, new RegExp(`damaged chunk ${chunk} \\(bytes ${chunk * MIB}…\\)`));
    }
    const report = await checkPond(path);
    const found = report.findings.map((f) => [
      f.code,
      f.subject,
      /damaged chunk (\d)/.exec(f.message)?.[1],
    ]);
    assert.deepEqual(
      found.sort(),
      [
        ["CorruptBlob", `blobs/${OLD_HASH.slice(0, 2)}/${OLD_HASH}`, "1"],
        ["CorruptBlob", `blobs/${sha256(fresh).slice(0, 2)}/${sha256(fresh)}`, "2"],
      ].sort(),
    );
  });
});

Deno.test("a row whose recorded CRC-32 differs from intact bytes still reads; check reports the row", async () => {
  await withOldPondAndNewFile(noise(2 * MIB + 5, 13), async (path, fresh) => {
    const row = (await allRows(path)).map(({ row }) => row).find((r) => r.blob_crcs !== null)!;
    const crcs = row.blob_crcs!.slice();
    crcs[4 + 1] ^= 0x80;
    await commitRow(path, (seq) => ({ ...row, version: row.version + 1, seq, blob_crcs: crcs }));
    assert.deepEqual(await bytesOf(path, "/new.bin"), fresh);
    const report = await checkPond(path);
    assert.equal(report.findings.length, 1, JSON.stringify(report.findings));
    const [finding] = report.findings;
    assert.equal(finding.code, "BadRow");
    assert.match(finding.subject, /\/new\.bin/);
    assert.match(
      finding.message,
      /version 2 .*CRC-32 of chunk 1 that its blob's bytes do not have/,
    );
  });
});
