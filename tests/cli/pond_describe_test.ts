/** pond describe: type, id, versions with their transactions, a table's schema, symlinks, --at. */
import assert from "node:assert/strict";
import { parquetWriteBuffer } from "hyparquet-writer";
import { pondProcess, REPO_ROOT } from "./harness.ts";
import { assertFails, assertOk, type TestPond, withPond } from "../pond/fixture.ts";
import { allRows, commitRow } from "../pond/check_helpers.ts";

const SAMPLE = `${REPO_ROOT}samples/river_inlet.parquet`;

async function describeJson(p: TestPond, args: string[]) {
  return JSON.parse(assertOk(await p.run(["describe", "--json", ...args])).stdout);
}

Deno.test("describe lists every version of a file with its size, time and transaction", async () => {
  await withPond(async (p) => {
    const first = await p.change((root) => root.write("/notes.txt", "one"));
    const second = await p.change((root) => root.write("/notes.txt", "three"));
    const [d] = await describeJson(p, ["/notes.txt"]);
    const listed = JSON.parse(assertOk(await p.run(["list", "--json", "/notes.txt"])).stdout);
    assert.equal(d.path, "/notes.txt");
    assert.equal(d.entryType, "file:data");
    assert.equal(d.nodeId, listed[0].nodeId);
    assert.equal(d.computed, false);
    assert.deepEqual(
      d.versions.map((
        v: { version: number; size: number; seq: number },
      ) => [v.version, v.size, v.seq]),
      [[1, 3, first], [2, 5, second]],
    );
    const log = JSON.parse(assertOk(await p.run(["log", "--json"])).stdout);
    const committed = (seq: number | null) => log.find((t: { seq: number }) => t.seq === seq).time;
    assert.equal(d.versions[0].time, committed(first), "the time of the transaction's commit");
    assert.equal(d.versions[1].time, committed(second));
    const text = assertOk(await p.run(["describe", "/notes.txt"])).stdout;
    assert.match(text, /^\/notes\.txt\n {2}type {7}file:data\n {2}node {7}[0-9a-f]{32}\n/);
    assert.match(text, new RegExp(`v1  \\S+Z  transaction ${first}  3 B\n`));
    assert.match(text, new RegExp(`v2  \\S+Z  transaction ${second}  5 B\n`));
  });
});

Deno.test("describe --at shows the versions as of then; a path that did not exist yet fails", async () => {
  await withPond(async (p) => {
    const first = await p.change((root) => root.write("/notes.txt", "one"));
    await p.change((root) => root.write("/notes.txt", "two"));
    const [d] = await describeJson(p, ["/notes.txt", "--at", String(first)]);
    assert.deepEqual(d.versions.map((v: { version: number }) => v.version), [1]);
    assertFails(
      await p.run(["describe", "/notes.txt", "--at", "0"]),
      1,
      "pond: /notes.txt does not exist\n",
    );
  });
});

Deno.test("a moved file keeps its versions and transactions; its partition is where it was made", async () => {
  await withPond(async (p) => {
    await p.change((root) => root.write("/in/a.csv", "1", { parents: true }));
    await p.change((root) => root.write("/in/a.csv", "12"));
    const [before] = await describeJson(p, ["/in/a.csv"]);
    assertOk(await p.run(["mkdir", "/archive"]));
    assertOk(await p.run(["mv", "/in/a.csv", "/archive/"]));
    const [after, archive] = await describeJson(p, ["/archive/a.csv", "/archive"]);
    assert.deepEqual(after.versions, before.versions);
    assert.equal(after.nodeId, before.nodeId);
    assert.equal(after.partId, before.partId);
    assert.notEqual(after.partId, archive.nodeId);
    assert.equal(archive.partId, archive.nodeId, "a directory is its own partition");
    assert.equal(archive.versions.at(-1).size, 1, "a directory's size counts its entries");
  });
});

Deno.test("describe reads a table's columns, types and row count from its Parquet footer", async () => {
  await withPond(async (p) => {
    assertOk(await p.run(["copy", `host:${SAMPLE}`, "/river.parquet"]));
    const [d] = await describeJson(p, ["/river.parquet"]);
    assert.equal(d.entryType, "file:table");
    assert.deepEqual(d.schema, {
      rows: 336,
      rowGroups: 1,
      columns: [
        { name: "timestamp", type: "TIMESTAMP_MILLIS", nullable: true },
        { name: "temperature_c", type: "DOUBLE", nullable: true },
        { name: "dissolved_oxygen_mg_l", type: "DOUBLE", nullable: true },
        { name: "conductivity_us_cm", type: "DOUBLE", nullable: true },
        { name: "ph", type: "DOUBLE", nullable: true },
      ],
    });
    const text = assertOk(await p.run(["describe", "/river.parquet"])).stdout;
    assert.match(text, /\n {2}rows {7}336 in 1 row group\n/);
    assert.match(text, /\n {2}columns\n {4}timestamp {14}TIMESTAMP_MILLIS\n/);
  });
});

Deno.test("describe reads the schema of a large table kept in the blob store", async () => {
  await withPond(async (p) => {
    const rows = 20_000;
    const n = { length: rows };
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: "id", data: BigInt64Array.from(n, (_, i) => BigInt(i)) },
        { name: "at", data: BigInt64Array.from(n, (_, i) => BigInt(i) * 3_600_000_000n) },
        { name: "reading", data: Float64Array.from(n, Math.random) },
        { name: "cents", data: Int32Array.from(n, (_, i) => i % 10_000) },
        { name: "count", data: Int32Array.from(n, (_, i) => i % 60_000) },
        { name: "site", data: Array.from(n, (_, i) => `site-${i % 7}`) },
      ],
      schema: [
        { name: "root", num_children: 6 },
        { name: "id", type: "INT64", repetition_type: "REQUIRED" },
        {
          name: "at",
          type: "INT64",
          repetition_type: "REQUIRED",
          logical_type: { type: "TIMESTAMP", unit: "MICROS", isAdjustedToUTC: true },
        },
        { name: "reading", type: "DOUBLE", repetition_type: "OPTIONAL" },
        {
          name: "cents",
          type: "INT32",
          repetition_type: "OPTIONAL",
          logical_type: { type: "DECIMAL", precision: 9, scale: 2 },
        },
        {
          name: "count",
          type: "INT32",
          repetition_type: "OPTIONAL",
          logical_type: { type: "INTEGER", bitWidth: 16, isSigned: false },
        },
        {
          name: "site",
          type: "BYTE_ARRAY",
          repetition_type: "OPTIONAL",
          converted_type: "UTF8",
          logical_type: { type: "STRING" },
        },
      ],
      rowGroupSize: 5_000,
    });
    assert.ok(bytes.byteLength > 64 * 1024, "big enough to leave the row");
    await Deno.writeFile(`${p.host}/big.parquet`, new Uint8Array(bytes));
    assertOk(await p.run(["copy", `host:${p.host}/big.parquet`, "/big.parquet"]));
    const [d] = await describeJson(p, ["/big.parquet"]);
    assert.equal(d.versions[0].size, bytes.byteLength);
    const [copied] = JSON.parse(
      assertOk(await p.run(["log", "--rows", "--json", "--limit", "1"])).stdout,
    );
    const row = copied.rows.find((r: { nodeId: string }) => r.nodeId === d.nodeId);
    assert.equal(row.storage, "blob");
    assert.deepEqual(d.schema, {
      rows,
      rowGroups: 4,
      columns: [
        { name: "id", type: "INT64", nullable: false },
        { name: "at", type: "TIMESTAMP(MICROS, UTC)", nullable: false },
        { name: "reading", type: "DOUBLE", nullable: true },
        { name: "cents", type: "DECIMAL(9, 2)", nullable: true },
        { name: "count", type: "UINT16", nullable: true },
        { name: "site", type: "STRING", nullable: true },
      ],
    });
  });
});

Deno.test("copy refuses a table that is not Parquet; one stored anyway fails describe with what to do", async () => {
  await withPond(async (p) => {
    await Deno.writeTextFile(`${p.host}/a.csv`, "t,v\n1,2\n");
    assertFails(
      await p.run(["copy", "--type", "table", `host:${p.host}/a.csv`, "/a.csv"]),
      1,
      /^pond: host:.*a\.csv is not a Parquet file, so it cannot be a table; copy it with --type data\n$/,
    );
    assertOk(await p.run(["copy", `host:${p.host}/a.csv`, "/a.csv"]));
    const { row } = (await allRows(p.dir)).find(({ row }) => row.entry_type === "file:data")!;
    await commitRow(p.dir, (seq) => ({ ...row, version: 2, seq, entry_type: "file:table" }));
    assertFails(
      await p.run(["describe", "/a.csv"]),
      1,
      /^pond: \/a\.csv is stored as a table but is not Parquet \(.*\); copy it in again with --type data\n$/,
    );
  });
});

Deno.test("describe shows a symlink itself with its target; a trailing / describes the directory", async () => {
  await withPond(async (p) => {
    await p.change(async (root) => {
      await root.createDirectory("/d");
      await root.createSymlink("/latest", "/d");
    });
    const [link, dir] = await describeJson(p, ["/latest", "/latest/"]);
    assert.equal(link.entryType, "symlink");
    assert.equal(link.target, "/d");
    assert.equal(link.path, "/latest");
    assert.equal(dir.entryType, "directory");
    assert.equal(dir.path, "/d");
    assert.match(assertOk(await p.run(["describe", "/latest"])).stdout, /\n {2}target {5}\/d\n/);
  });
});

Deno.test("describe errors: a missing path, no path, a bad --at", async () => {
  await withPond(async (p) => {
    assertFails(await p.run(["describe", "/nope"]), 1, "pond: /nope does not exist\n");
    assertFails(await p.run(["describe"]), 2, /^pond describe: missing argument/);
    assertFails(
      await p.run(["describe", "/", "--at", "yesterday"]),
      2,
      /^pond describe: --at takes a transaction number or a time/,
    );
    assertFails(
      await p.run(["describe", "/", "--at", "99"]),
      1,
      /^pond: there is no transaction 99/,
    );
  });
});

Deno.test("describe's version times are the commit times --at reads by, across processes", async () => {
  await withCliPondFile(async (pond) => {
    const env = { POND: pond };
    const [d] = JSON.parse(
      assertOk(await pondProcess(["describe", "--json", "/n.txt"], env)).stdout,
    );
    assert.equal(d.versions.length, 2);
    for (const [i, v] of d.versions.entries()) {
      const at = await pondProcess(["cat", "/n.txt", "--at", v.time], env);
      assert.equal(assertOk(at).stdout, ["one", "two"][i], `--at ${v.time} reads v${v.version}`);
      const described = await pondProcess(["describe", "/n.txt", "--at", v.time], env);
      assert.match(
        assertOk(described).stdout,
        new RegExp(`v${v.version}  ${v.time}  transaction ${v.seq} `),
      );
    }
    const before = new Date(Date.parse(d.versions[1].time) - 1).toISOString();
    assert.equal(assertOk(await pondProcess(["cat", "/n.txt", "--at", before], env)).stdout, "one");
  });
});

/** A pond holding /n.txt in two versions ("one", then "two"), made by real processes. */
async function withCliPondFile(fn: (pond: string) => Promise<void>): Promise<void> {
  const host = await Deno.makeTempDir();
  try {
    const pond = `${host}/pond`;
    assertOk(await pondProcess(["init", pond]));
    for (const text of ["one", "two"]) {
      await Deno.writeTextFile(`${host}/n.txt`, text);
      assertOk(await pondProcess(["copy", `host:${host}/n.txt`, "/n.txt"], { POND: pond }));
    }
    await fn(pond);
  } finally {
    await Deno.remove(host, { recursive: true });
  }
}

Deno.test("list -l and list --json time each entry by its transaction's commit, as describe and log do", async () => {
  await withCliPondFile(async (pond) => {
    const env = { POND: pond };
    const log = JSON.parse(
      assertOk(await pondProcess(["log", "--json", "--limit", "1"], env)).stdout,
    );
    const [listed] = JSON.parse(
      assertOk(await pondProcess(["list", "--json", "/n.txt"], env)).stdout,
    );
    assert.equal(listed.modified, log[0].time, "the commit's time, not the row's");
    const [d] = JSON.parse(
      assertOk(await pondProcess(["describe", "--json", "/n.txt"], env)).stdout,
    );
    assert.equal(listed.modified, d.versions.at(-1).time);
    const long = assertOk(await pondProcess(["list", "-l", "/n.txt"], env)).stdout;
    assert.match(long, new RegExp(` v2 +${log[0].time.replace(/\.\d+Z$/, "Z")} +/n\\.txt\n$`));
  });
});
