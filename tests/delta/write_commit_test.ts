/** Tests for creating tables and committing to them: appends, overwrites, removals, read back through the reader and DuckDB. */

import assert from "node:assert/strict";
import { parseCommit } from "../../src/delta/actions.ts";
import { TableWriter } from "../../src/delta/commit.ts";
import { createTable } from "../../src/delta/create.ts";
import { isDeltaError } from "../../src/delta/errors.ts";
import { commitPath } from "../../src/delta/log_segment.ts";
import { openTable } from "../../src/delta/table.ts";
import { encodePath, partitionDirectory } from "../../src/delta/write_files.ts";
import { goldenTable } from "./golden.ts";
import { duckdb, readRows, schemaOf, withTempTable } from "./fixtures_write/helpers.ts";

const events = schemaOf(["day", "date"], ["site", "string"], ["n", "long"], ["v", "double"], [
  "at",
  "timestamp",
]);

async function logActions(dir: string, version: number) {
  return parseCommit(await Deno.readTextFile(`${dir}/${commitPath(version)}`), commitPath(version));
}

Deno.test("create, append, overwrite and remove files; the reader sees every version", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, {
      schema: events,
      partitionColumns: ["day"],
      info: { pond: { command: "test" } },
    });
    assert.equal(writer.version, 0);
    const first = await writer.append({
      day: ["2024-01-01", "2024-01-01", "2024-01-02"],
      site: ["a", "b", "a"],
      n: [1, 2, 3],
      v: [0.5, null, 1.5],
      at: ["2024-01-01T10:00:00.000001Z", "2024-01-01T11:00:00Z", "2024-01-02T00:00:00Z"],
    }, { info: { pond: { command: "pond copy" } } });
    assert.deepEqual([first.version, first.attempts], [1, 1]);
    const second = await writer.append({
      day: [null],
      site: ["c"],
      n: [4n],
      v: [2],
      at: [new Date(Date.UTC(2024, 0, 3))],
    });
    assert.equal(second.version, 2);

    const v2 = await readRows(dir);
    assert.deepEqual(v2.map((r) => [r.day, r.site, r.n, r.v, r.at]), [
      [19723, "a", 1n, 0.5, 1704103200000001n],
      [19723, "b", 2n, null, 1704106800000000n],
      [19724, "a", 3n, 1.5, 1704153600000000n],
      [null, "c", 4n, 2, 1704240000000000n],
    ]);

    const snapshot = await (await openTable(dir)).snapshot();
    assert.equal(snapshot.files().length, 3); // two partitions in commit 1, one (null) in commit 2
    const nullFile = snapshot.files().find((f) => f.partitionValues.day === null)!;
    assert.match(
      nullFile.path,
      /^day=__HIVE_DEFAULT_PARTITION__\/part-00000-[0-9a-f-]{36}-c000\.snappy\.parquet$/,
    );
    assert.equal(JSON.parse(nullFile.stats!).numRecords, 1);

    const removed = await writer.removeFiles([nullFile.path]);
    assert.equal(removed.version, 3);
    assert.deepEqual((await readRows(dir)).map((r) => r.n), [1n, 2n, 3n]);

    const replaced = await writer.overwrite({
      day: ["2025-05-05"],
      site: ["z"],
      n: [9],
      v: [9.5],
      at: [null],
    });
    assert.equal(replaced.version, 4);
    assert.deepEqual(await readRows(dir), [{ day: 20213, site: "z", n: 9n, v: 9.5, at: null }]);
    // Time travel still sees the old versions.
    assert.equal((await readRows(dir, 2)).length, 4);
    assert.equal((await readRows(dir, 3)).length, 3);

    const history = await (await openTable(dir)).history();
    assert.deepEqual(history.map((c) => c.commitInfo?.operation), [
      "CREATE TABLE",
      "WRITE",
      "WRITE",
      "DELETE",
      "WRITE",
    ]);
    assert.deepEqual(history[1].commitInfo?.pond, { command: "pond copy" });
    assert.deepEqual(history[0].commitInfo?.pond, { command: "test" });
    assert.equal(
      history[4].commitInfo?.operationParameters &&
        (history[4].commitInfo.operationParameters as Record<string, unknown>).mode,
      "Overwrite",
    );
    // A second writer opened now starts at the latest version and state.
    const again = await TableWriter.open(store);
    assert.equal(again.version, 4);
    assert.equal(again.state.files.size, 1);
  });
});

Deno.test("DuckDB reads the log with read_ndjson and the data files with read_parquet", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, { schema: events, partitionColumns: ["site"] });
    await writer.append({
      day: ["2024-01-01", "2024-01-02"],
      site: ["x y", "a/b:c"],
      n: [1, 2],
      v: [1, 2],
      at: [null, null],
    });
    const log = await duckdb(
      `SELECT add.path AS path, add.partitionValues AS pv, add.size AS size, add.dataChange AS dc
       FROM read_ndjson('${dir}/_delta_log/*.json', columns = {add: 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, dataChange BOOLEAN)'})
       WHERE add IS NOT NULL ORDER BY path`,
    );
    assert.equal(log.length, 2);
    for (const row of log) {
      const pv = row.pv as { key: string; value: string }[];
      const site = pv.find((e) => e.key === "site")!.value;
      // The path in the log is the Hive directory, URI-encoded exactly once.
      assert.ok(
        (row.path as string).startsWith(encodePath(partitionDirectory("site", site)) + "/"),
      );
      const file = `${dir}/${decodeURIComponent(row.path as string)}`;
      assert.equal((await Deno.stat(file)).size, Number(row.size));
      const data = await duckdb(`SELECT day::VARCHAR AS day, n FROM read_parquet('${file}')`);
      assert.deepEqual(data, [{
        day: site === "x y" ? "2024-01-01" : "2024-01-02",
        n: site === "x y" ? "1" : "2",
      }]);
    }
    assert.deepEqual(
      [...new Set(log.map((r) => (r.path as string).split("/")[0]))].sort(),
      ["site=a%252Fb%253Ac", "site=x%20y"],
    );
  });
});

Deno.test("commit JSON has the fields Spark writes for the same actions", async () => {
  const spark = goldenTable("basic-with-inserts-deletes-checkpoint");
  const sparkCreate = parseCommit(await Deno.readTextFile(`${spark}/${commitPath(0)}`), "0");
  const sparkAppend = parseCommit(await Deno.readTextFile(`${spark}/${commitPath(11)}`), "11");
  const keysOf = (actions: ReturnType<typeof parseCommit>, kind: string) =>
    Object.keys((actions.find((a) => kind in a) as Record<string, Record<string, unknown>>)[kind])
      .sort();
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, { schema: schemaOf(["id", "long"]) });
    await writer.append({ id: [60, 61] });
    const create = await logActions(dir, 0);
    const append = await logActions(dir, 1);
    assert.deepEqual(keysOf(create, "protocol"), keysOf(sparkCreate, "protocol"));
    assert.deepEqual(keysOf(create, "metaData"), keysOf(sparkCreate, "metaData"));
    assert.deepEqual(keysOf(append, "add"), keysOf(sparkAppend, "add"));
    for (const key of keysOf(sparkAppend, "commitInfo")) {
      assert.ok(keysOf(append, "commitInfo").includes(key), key);
    }
    assert.deepEqual(Object.keys(append[0]), ["commitInfo"]); // commitInfo comes first
    const add = (append.find((a) => "add" in a) as { add: { stats: string } }).add;
    assert.deepEqual(JSON.parse(add.stats), {
      numRecords: 2,
      minValues: { id: 60 },
      maxValues: { id: 61 },
      nullCount: { id: 0 },
    });
  });
});

Deno.test("createTable refuses an existing table and bad layouts", async () => {
  await withTempTable(async (store) => {
    await createTable(store, { schema: events });
    await assert.rejects(
      createTable(store, { schema: events }),
      (e) => isDeltaError(e, "AlreadyExists"),
    );
  });
  await withTempTable(async (store) => {
    const bad = async (options: Parameters<typeof createTable>[1], code: string) =>
      await assert.rejects(createTable(store, options), (e) => isDeltaError(e) && e.code === code);
    await bad({ schema: events, partitionColumns: ["nope"] }, "InvalidArgument");
    await bad({ schema: schemaOf(["a", "long"]), partitionColumns: ["a"] }, "InvalidArgument");
    await bad(
      { schema: schemaOf(["a", "long"], ["b", "binary"]), partitionColumns: ["b"] },
      "InvalidArgument",
    );
    await bad({ schema: schemaOf(["a", "long"], ["A", "long"]) }, "InvalidSchema");
    await bad(
      { schema: events, configuration: { "delta.constraints.positive": "n > 0" } },
      "UnsupportedFeature",
    );
    await bad(
      { schema: events, configuration: { "delta.columnMapping.mode": "name" } },
      "UnsupportedFeature",
    );
    await bad({ schema: events, features: ["rowTracking"] }, "UnsupportedFeature");
    await bad({ schema: events, info: { timestamp: 1 } }, "InvalidArgument");
    await bad(
      { schema: events, configuration: { "delta.checkpointInterval": "0" } },
      "InvalidArgument",
    );
    // Nothing was written by the refused attempts.
    assert.deepEqual(await Array.fromAsync(Deno.readDir(store.root)), []);
  });
});

Deno.test("a timestamp_ntz column makes a reader 3 / writer 7 table with the timestampNtz feature", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, {
      schema: schemaOf(["t", "timestamp_ntz"], ["k", "string"]),
      partitionColumns: ["t"],
      configuration: { "delta.appendOnly": "true" },
    });
    assert.deepEqual(writer.state.protocol, {
      minReaderVersion: 3,
      minWriterVersion: 7,
      readerFeatures: ["timestampNtz"],
      writerFeatures: ["appendOnly", "timestampNtz"],
    });
    await writer.append({ t: ["2024-01-02 03:04:05.123456"], k: ["x"] });
    const [file] = (await (await openTable(dir)).snapshot()).files();
    assert.deepEqual(file.partitionValues, { t: "2024-01-02 03:04:05.123456" });
    assert.deepEqual(await readRows(dir), [{ t: 1704164645123456n, k: "x" }]);
    // delta.appendOnly: removing data is refused.
    await assert.rejects(
      writer.removeFiles([decodeURIComponent(file.path)]),
      (e) => isDeltaError(e, "InvalidArgument") && /append-only/.test(e.message),
    );
  });
});

Deno.test("a table of writer features alone is reader 1 / writer 7, without readerFeatures, and reads", async () => {
  await withTempTable(async (store, dir) => {
    const writer = await createTable(store, {
      schema: schemaOf(["k", "string"]),
      configuration: { "delta.appendOnly": "true" },
      features: ["appendOnly"],
    });
    assert.deepEqual(writer.state.protocol, {
      minReaderVersion: 1,
      minWriterVersion: 7,
      writerFeatures: ["appendOnly"],
    });
    const [protocol] = (await logActions(dir, 0)).filter((a) => "protocol" in a);
    assert.deepEqual(protocol, { protocol: writer.state.protocol });
    await writer.append({ k: ["x"] });
    assert.deepEqual(await readRows(dir), [{ k: "x" }]);
  });
});

Deno.test("writers refuse tables whose writer version or features they do not enforce", async () => {
  const write = async (dir: string, protocol: object, extra: object = {}) => {
    await Deno.mkdir(`${dir}/_delta_log`, { recursive: true });
    const metaData = {
      id: "t",
      format: { provider: "parquet", options: {} },
      schemaString: JSON.stringify(events),
      partitionColumns: [],
      configuration: {},
      ...extra,
    };
    await Deno.writeTextFile(
      `${dir}/${commitPath(0)}`,
      `${JSON.stringify({ protocol })}\n${JSON.stringify({ metaData })}\n`,
    );
  };
  const cases: [object, object, string][] = [
    [{ minReaderVersion: 1, minWriterVersion: 8 }, {}, "UnsupportedWriterVersion"],
    [
      {
        minReaderVersion: 3,
        minWriterVersion: 7,
        readerFeatures: [],
        writerFeatures: ["rowTracking"],
      },
      {},
      "UnsupportedFeature",
    ],
    [{ minReaderVersion: 1, minWriterVersion: 4 }, {
      configuration: { "delta.enableChangeDataFeed": "true" },
    }, "UnsupportedFeature"],
    [
      { minReaderVersion: 1, minWriterVersion: 2 },
      {
        schemaString: JSON.stringify(
          {
            type: "struct",
            fields: [{
              name: "x",
              type: "integer",
              nullable: true,
              metadata: { "delta.invariants": '{"expression":{"expression":"x > 3"}}' },
            }],
          },
        ),
      },
      "UnsupportedFeature",
    ],
    [{ minReaderVersion: 99, minWriterVersion: 2 }, {}, "UnsupportedReaderVersion"],
  ];
  for (const [protocol, extra, code] of cases) {
    await withTempTable(async (store, dir) => {
      await write(dir, protocol, extra);
      await assert.rejects(
        TableWriter.open(store),
        (e) => isDeltaError(e) && e.code === code,
        JSON.stringify(protocol),
      );
    });
  }
});

Deno.test("commit refuses malformed transactions before writing anything", async () => {
  await withTempTable(async (store) => {
    const writer = await createTable(store, { schema: events });
    const add = {
      path: "x.parquet",
      partitionValues: {},
      size: 1,
      modificationTime: 0,
      dataChange: true,
    };
    const refuse = async (promise: Promise<unknown>, pattern: RegExp) =>
      await assert.rejects(
        promise,
        (e) => isDeltaError(e, "InvalidArgument") && pattern.test(e.message),
      );
    await refuse(writer.commit([{ add }, { add }]), /added twice/);
    await refuse(
      writer.commit([{ remove: { path: "gone.parquet", dataChange: true } }]),
      /not a live file/,
    );
    await refuse(writer.commit([{ commitInfo: {} }]), /commitInfo/);
    await refuse(writer.commit([{ add }], { info: { operation: "x" } }), /set by the writer/);
    await refuse(writer.removeFiles(["nope.parquet"]), /not a live file/);
    await refuse(
      writer.commit([{ protocol: { minReaderVersion: 1, minWriterVersion: 1 } }]),
      /downgrade/,
    );
    await refuse(
      writer.commit([{ domainMetadata: { domain: "app", configuration: "{}", removed: false } }]),
      /domainMetadata writer feature/,
    );
    await refuse(
      writer.commit([{
        cdc: { path: "c.parquet", partitionValues: {}, size: 1, dataChange: false },
      }]),
      /cannot be committed/,
    );
    await refuse(writer.append({ nope: [1] }), /not in the schema/);
    assert.equal((await TableWriter.open(store)).version, 0);
  });
});

Deno.test("commit timestamps increase strictly with the version, even within one millisecond", async () => {
  await withTempTable(async (store) => {
    const writer = await createTable(store, { schema: events });
    for (let i = 0; i < 20; i++) await writer.commit([], { operation: "NOOP" });
    const stamps = (await (await openTable(store)).history()).map((c) =>
      c.commitInfo?.timestamp as number
    );
    assert.equal(stamps.length, 21);
    for (let v = 1; v < stamps.length; v++) assert.ok(stamps[v] > stamps[v - 1], `version ${v}`);
  });
});
