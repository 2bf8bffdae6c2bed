/** Actions, schema and log file naming: parsing, serialization, and which log files count. */

import assert from "node:assert/strict";
import {
  type Action,
  actionFromObject,
  decodePath,
  parseAction,
  parseCommit,
  serializeCommit,
} from "../../src/delta/actions.ts";
import { isDeltaError } from "../../src/delta/errors.ts";
import {
  classifyLogFile,
  commitPath,
  groupLogFiles,
  type LogFile,
} from "../../src/delta/log_segment.ts";
import { fileKey } from "../../src/delta/replay.ts";
import {
  columnMappingMode,
  parseSchema,
  physicalName,
  serializeSchema,
  typeName,
} from "../../src/delta/schema.ts";
import { checkReadSupported } from "../../src/delta/table_features.ts";

const src = { file: "_delta_log/00000000000000000007.json", line: 3 };

Deno.test("actions round-trip through their JSON lines", () => {
  const actions: Action[] = [
    { commitInfo: { timestamp: 1, operation: "WRITE", operationParameters: { mode: "Append" } } },
    {
      protocol: {
        minReaderVersion: 3,
        minWriterVersion: 7,
        readerFeatures: ["deletionVectors"],
        writerFeatures: [],
      },
    },
    {
      metaData: {
        id: "x",
        format: { provider: "parquet", options: {} },
        schemaString: "{}",
        partitionColumns: ["p"],
        configuration: { a: "b" },
        createdTime: 5,
      },
    },
    {
      add: {
        path: "p=1/a%20b.parquet",
        partitionValues: { p: "1", q: null },
        size: 10,
        modificationTime: 2,
        dataChange: true,
        stats: '{"numRecords":1}',
        deletionVector: {
          storageType: "i",
          pathOrInlineDv: "abcde",
          sizeInBytes: 4,
          cardinality: 1,
        },
      },
    },
    { remove: { path: "old.parquet", deletionTimestamp: 3, dataChange: true } },
    { txn: { appId: "app", version: 9, lastUpdated: 4 } },
    { cdc: { path: "_change_data/c.parquet", partitionValues: {}, size: 3, dataChange: false } },
    { domainMetadata: { domain: "d", configuration: "{}", removed: false } },
    { checkpointMetadata: { version: 4 } },
    { sidecar: { path: "s.parquet", sizeInBytes: 5, modificationTime: 6 } },
  ];
  const text = serializeCommit(actions);
  assert.equal(text.split("\n").length, actions.length + 1);
  assert.deepEqual(parseCommit(text, "x.json"), actions);
});

Deno.test("unknown actions and fields are ignored; null action columns are skipped", () => {
  assert.equal(parseAction('{"futureAction":{"a":1}}', src), null);
  assert.equal(parseAction("   ", src), null);
  const a = parseAction('{"txn":{"appId":"a","version":1,"newField":[1]}}', src);
  assert.deepEqual(a, { txn: { appId: "a", version: 1 } });
  assert.deepEqual(actionFromObject({ add: null, txn: { appId: "a", version: 2 } }, src), {
    txn: { appId: "a", version: 2 },
  });
});

Deno.test("fields that carry no table state get neutral defaults when a writer left them out", () => {
  assert.deepEqual(parseAction('{"add":{"path":"a","size":3}}', src), {
    add: { path: "a", partitionValues: {}, size: 3, modificationTime: 0, dataChange: true },
  });
  assert.deepEqual(parseAction('{"remove":{"path":"a"}}', src), {
    remove: { path: "a", dataChange: true },
  });
  assert.throws(
    () => parseAction('{"add":{"path":"a"}}', src),
    (e) => isDeltaError(e, "CorruptLog") && /add\.size/.test(e.message),
  );
});

Deno.test("corrupt lines are CorruptLog naming the file, line and field", () => {
  const fails = (line: string, pattern: RegExp) =>
    assert.throws(
      () => parseAction(line, src),
      (e) => isDeltaError(e, "CorruptLog") && pattern.test(e.message),
    );
  fails('{"add":{"path":"a"', /00000000000000000007\.json line 3 is not valid JSON/);
  fails("[1,2]", /line 3 is not a JSON object/);
  fails('{"add":{"path":1}}', /add\.path must be a string, got 1/);
  fails(
    '{"add":{"path":"a","partitionValues":{"p":1},"size":1,"modificationTime":1,"dataChange":true}}',
    /partitionValues/,
  );
  fails(
    '{"protocol":{"minReaderVersion":"1","minWriterVersion":2}}',
    /protocol\.minReaderVersion must be a number/,
  );
  fails('{"metaData":"oops"}', /metaData must be an object/);
  fails(
    '{"add":{"path":"a","partitionValues":{},"size":1,"modificationTime":1,"dataChange":true,"deletionVector":{"storageType":"u"}}}',
    /add\.deletionVector\.pathOrInlineDv/,
  );
});

Deno.test("paths are decoded exactly once; file keys include the deletion vector", () => {
  assert.equal(decodePath("a%253Ab%20c"), "a%3Ab c");
  assert.equal(decodePath("100%"), "100%");
  const dv = {
    storageType: "u",
    pathOrInlineDv: "vBn[lx{q8@P<9BNH/isA",
    offset: 1,
    sizeInBytes: 36,
    cardinality: 2,
  };
  assert.notEqual(fileKey({ path: "f" }), fileKey({ path: "f", deletionVector: dv }));
  assert.equal(fileKey({ path: "a%20b" }), fileKey({ path: "a b" }));
});

Deno.test("schema JSON parses, serializes back, and names types like Spark", () => {
  const json = {
    type: "struct",
    fields: [
      { name: "d", type: "decimal(10,2)", nullable: false, metadata: { comment: "x" } },
      {
        name: "m",
        type: {
          type: "map",
          keyType: "string",
          valueType: { type: "array", elementType: "timestamp_ntz", containsNull: true },
          valueContainsNull: false,
        },
        nullable: true,
        metadata: {},
      },
      {
        name: "s",
        type: {
          type: "struct",
          fields: [{ name: "a", type: "date", nullable: true, metadata: {} }],
        },
        nullable: true,
        metadata: {},
      },
    ],
  };
  const schema = parseSchema(JSON.stringify(json));
  assert.deepEqual(schema.fields[0].type, { type: "decimal", precision: 10, scale: 2 });
  assert.deepEqual(JSON.parse(serializeSchema(schema)), json);
  assert.deepEqual(schema.fields.map((f) => typeName(f.type)), [
    "decimal(10,2)",
    "map<string,array<timestamp_ntz>>",
    "struct<a:date>",
  ]);
  assert.throws(() => parseSchema("{"), (e) => isDeltaError(e, "InvalidSchema"));
  assert.throws(
    () =>
      parseSchema(
        '{"type":"struct","fields":[{"name":"v","type":"variant","nullable":true,"metadata":{}}]}',
      ),
    (e) => isDeltaError(e, "UnsupportedFeature") && /"variant"/.test(e.message),
  );
});

Deno.test("column mapping helpers", () => {
  const field = {
    name: "a",
    type: "long" as const,
    nullable: true,
    metadata: { "delta.columnMapping.physicalName": "col-1" },
  };
  assert.equal(physicalName(field, "name"), "col-1");
  assert.equal(physicalName(field, "none"), "a");
  assert.equal(columnMappingMode({}), "none");
  assert.equal(columnMappingMode({ "delta.columnMapping.mode": "id" }), "id");
  assert.throws(
    () => columnMappingMode({ "delta.columnMapping.mode": "magic" }),
    (e) => isDeltaError(e, "UnsupportedFeature"),
  );
});

Deno.test("reader versions and features are checked", () => {
  checkReadSupported({ minReaderVersion: 1, minWriterVersion: 2 }, "t");
  checkReadSupported({ minReaderVersion: 2, minWriterVersion: 5 }, "t");
  checkReadSupported({
    minReaderVersion: 3,
    minWriterVersion: 7,
    readerFeatures: [
      "deletionVectors",
      "columnMapping",
      "timestampNtz",
      "v2Checkpoint",
      "vacuumProtocolCheck",
    ],
  }, "t");
  assert.throws(
    () => checkReadSupported({ minReaderVersion: 4, minWriterVersion: 7 }, "/data/t"),
    (e) =>
      isDeltaError(e, "UnsupportedReaderVersion") &&
      /\/data\/t needs Delta reader version 4/.test(e.message),
  );
  assert.throws(
    () =>
      checkReadSupported({
        minReaderVersion: 3,
        minWriterVersion: 7,
        readerFeatures: ["typeWidening", "variantType"],
      }, "t"),
    (e) => isDeltaError(e, "UnsupportedFeature") && /"typeWidening", "variantType"/.test(e.message),
  );
});

const info = (name: string) => ({ path: `_delta_log/${name}`, size: 1, mtime: 0 });

Deno.test("log file names: commits and the three checkpoint kinds; everything else is ignored", () => {
  const kinds = (name: string) => classifyLogFile(info(name))?.kind ?? null;
  assert.equal(commitPath(12), "_delta_log/00000000000000000012.json");
  assert.equal(kinds("00000000000000000012.json"), "commit");
  assert.equal(kinds("00000000000000000010.checkpoint.parquet"), "classic");
  assert.equal(kinds("00000000000000000010.checkpoint.0000000001.0000000002.parquet"), "multipart");
  assert.equal(
    kinds("00000000000000000002.checkpoint.6374b053-df23-479b-b2cf-c9c550132b49.json"),
    "v2",
  );
  assert.equal(
    kinds("00000000000000000002.checkpoint.6374b053-df23-479b-b2cf-c9c550132b49.parquet"),
    "v2",
  );
  for (
    const ignored of [
      ".00000000000000000012.json.crc",
      "00000000000000000012.crc",
      "00000000000000000004.00000000000000000006.compacted.json",
      "_last_checkpoint",
      "00000000000000000012.json.tmp",
      "0000000000000000012.json",
      "00000000000000000010.checkpoint.0000000003.0000000002.parquet",
    ]
  ) assert.equal(kinds(ignored), null, ignored);
});

Deno.test("a multi-part checkpoint counts only with every part", () => {
  const files = [
    "00000000000000000005.checkpoint.0000000001.0000000003.parquet",
    "00000000000000000005.checkpoint.0000000003.0000000003.parquet",
    "00000000000000000008.checkpoint.0000000002.0000000002.parquet",
    "00000000000000000008.checkpoint.0000000001.0000000002.parquet",
    "00000000000000000008.checkpoint.parquet",
  ].map((n) => classifyLogFile(info(n))).filter((f): f is LogFile => f !== null);
  const { checkpoints } = groupLogFiles(files);
  assert.deepEqual(checkpoints.map((c) => [c.version, c.kind]), [[8, "multipart"], [8, "classic"]]);
  const multipart = checkpoints.find((c) => c.kind === "multipart")!;
  assert.deepEqual(multipart.files.map((f) => f.path.slice(-29)), [
    "0000000001.0000000002.parquet",
    "0000000002.0000000002.parquet",
  ]);
});
