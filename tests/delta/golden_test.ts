/** Conformance: every table of the shared golden set reads exactly as its EXPECTED.json says, or is refused. */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { Table as ArrowTable } from "apache-arrow";
import { columnsToArrow } from "../../src/delta/arrow.ts";
import { isDeltaError } from "../../src/delta/errors.ts";
import { rowToJson } from "../../src/delta/json_rows.ts";
import { buildLogSegment } from "../../src/delta/log_segment.ts";
import { replaySegment } from "../../src/delta/replay.ts";
import { fieldId, PHYSICAL_NAME_KEY, typeName } from "../../src/delta/schema.ts";
import { LocalStore } from "../../src/delta/storage.ts";
import { openTable } from "../../src/delta/table.ts";
import { GOLDEN_DIR, goldenTable } from "./golden.ts";
import { command } from "../subprocess.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const EXPECTED: Record<string, Json> = JSON.parse(
  Deno.readTextFileSync(`${GOLDEN_DIR}/EXPECTED.json`),
);

/** Runs the golden set's own comparer on two JSON-lines files; returns its verdict and output. */
async function compareRows(
  expectedFile: string,
  actualFile: string,
): Promise<{ equal: boolean; output: string }> {
  const out = await command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", `${GOLDEN_DIR}/compare_rows.mjs`, expectedFile, actualFile],
  }).output();
  const output = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { equal: out.code === 0, output };
}

/** An Arrow table's rows as JSON (64-bit integers as text), to compare tables by value. */
function arrowJson(table: ArrowTable): string {
  return JSON.stringify(table.toArray(), (_, v) => (typeof v === "bigint" ? `${v}` : v));
}

/** The protocol fields EXPECTED.json lists. */
function protocolShape(p: Json): Json {
  const out: Json = { minReaderVersion: p.minReaderVersion, minWriterVersion: p.minWriterVersion };
  if (p.readerFeatures !== undefined) out.readerFeatures = [...p.readerFeatures].sort();
  if (p.writerFeatures !== undefined) out.writerFeatures = [...p.writerFeatures].sort();
  return out;
}

/** `nulls=N [min=X max=Y] [sum=S] distinct=D` of one column, recomputed from our JSON rows. */
function checkColumnSummary(line: string, rows: Json[]): void {
  const m = /^(.+?): nulls=(\d+)(?: min=(.+?) max=(.+?))?(?: sum=(\S+))? distinct=(\d+)$/.exec(
    line,
  );
  assert.ok(m, `unrecognized column summary ${line}`);
  const [, column, nulls, min, max, sum, distinct] = m;
  const values = rows.map((r) => r[column] ?? null);
  const present = values.filter((v) => v !== null);
  assert.equal(values.length - present.length, Number(nulls), `${column}: null count`);
  assert.equal(
    new Set(present.map((v) => JSON.stringify(v))).size,
    Number(distinct),
    `${column}: distinct values`,
  );
  if (min !== undefined && present.every((v) => typeof v === "number" || typeof v === "string")) {
    const sorted = [...present].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    assert.deepEqual(sorted[0], JSON.parse(min), `${column}: min`);
    assert.deepEqual(sorted[sorted.length - 1], JSON.parse(max), `${column}: max`);
  }
  if (sum !== undefined && present.every((v) => typeof v === "number")) {
    const total = present.reduce((a, b) => a + b, 0);
    assert.ok(
      Math.abs(total - Number(sum)) <= 1e-9 * Math.max(1, Math.abs(total)),
      `${column}: sum ${total} != ${sum}`,
    );
  }
}

for (const [name, expected] of Object.entries(EXPECTED)) {
  const dir = goldenTable(name);

  if (expected.expected === "reject") {
    Deno.test(`golden ${name}: refused with a typed error`, async () => {
      const store = new LocalStore(dir);
      const state = await replaySegment(store, await buildLogSegment(store));
      assert.equal(state.version, expected.version);
      assert.deepEqual(protocolShape(state.protocol), protocolShape(expected.protocol));
      const table = await openTable(dir);
      await assert.rejects(
        async () => {
          const snapshot = await table.snapshot();
          for await (const _ of snapshot.scan().rows()) { /* reading must fail before or here */ }
        },
        (e) => {
          assert.ok(isDeltaError(e), `expected a DeltaError, got ${e}`);
          if (expected.protocol.minReaderVersion > 3) {
            assert.equal(e.code, "UnsupportedReaderVersion");
            assert.match(e.message, new RegExp(`version ${expected.protocol.minReaderVersion}\\b`));
          }
          return true;
        },
      );
    });
    continue;
  }

  Deno.test(`golden ${name}: snapshot metadata, files and rows`, async () => {
    const snapshot = await (await openTable(dir)).snapshot();
    assert.equal(snapshot.version, expected.version);
    assert.deepEqual(protocolShape(snapshot.protocol), protocolShape(expected.protocol));
    assert.deepEqual(snapshot.partitionColumns, expected.partitionColumns);
    if (expected.configuration !== undefined) {
      assert.deepEqual(snapshot.configuration, expected.configuration);
    }

    const columns = snapshot.schema.fields.map((f, i) => {
      const want = expected.columns[i] ?? {};
      const got: Json = { name: f.name, type: typeName(f.type), nullable: f.nullable };
      if ("physicalName" in want) got.physicalName = f.metadata[PHYSICAL_NAME_KEY];
      if ("id" in want) got.id = fieldId(f);
      return got;
    });
    assert.deepEqual(columns, expected.columns);

    const files = new Map(snapshot.files().map((f) => [f.path, f]));
    assert.deepEqual(
      [...files.keys()].sort(),
      expected.activeFiles.map((f: Json) => f.path).sort(),
    );
    for (const want of expected.activeFiles) {
      const got = files.get(want.path)!;
      assert.deepEqual(got.partitionValues, want.partitionValues, `${want.path}: partition values`);
      assert.equal(got.size, want.size, `${want.path}: size`);
      assert.equal(
        got.stats ? JSON.parse(got.stats).numRecords ?? null : null,
        want.numRecords,
        `${want.path}: numRecords`,
      );
      if (want.deletionVector !== undefined) {
        for (const [k, v] of Object.entries(want.deletionVector)) {
          assert.equal((got.deletionVector as Json)?.[k], v, `${want.path}: deletionVector.${k}`);
        }
      } else {
        assert.equal(got.deletionVector ?? null, null, `${want.path}: no deletion vector`);
      }
    }
    if (expected.tombstones !== undefined) {
      assert.equal(snapshot.tombstones().length, expected.tombstones);
    }
    if (expected.txns !== undefined) {
      const txns = [...snapshot.transactions().values()].map((t) => ({
        appId: t.appId,
        version: t.version,
      }));
      assert.deepEqual(
        txns,
        expected.txns.map((t: Json) => ({ appId: t.appId, version: t.version })),
      );
    }
    if (expected.domainMetadata !== undefined) {
      assert.deepEqual(
        snapshot.domainMetadata().map((d) => d.domain).sort(),
        expected.domainMetadata.map((d: Json) => d.domain).sort(),
      );
    }

    const scan = snapshot.scan();
    const lines: string[] = [];
    for await (const row of scan.rows()) lines.push(rowToJson(row, scan.fields));
    assert.equal(lines.length, expected.rowCount);

    const temp = await Deno.makeTempDir();
    try {
      const actualFile = `${temp}/actual.jsonl`;
      await Deno.writeTextFile(actualFile, lines.map((l) => l + "\n").join(""));
      let expectedFile = `${GOLDEN_DIR}/rows/${name}.jsonl`;
      if (!existsSync(expectedFile) && expected.rows !== undefined) {
        expectedFile = `${temp}/expected.jsonl`;
        await Deno.writeTextFile(
          expectedFile,
          expected.rows.map((r: Json) => JSON.stringify(r) + "\n").join(""),
        );
      }
      if (existsSync(expectedFile)) {
        const { equal, output } = await compareRows(expectedFile, actualFile);
        assert.ok(equal, `rows of ${name} differ:\n${output}`);
      }
    } finally {
      await Deno.remove(temp, { recursive: true });
    }
    const parsed = lines.map((l) => JSON.parse(l));
    for (const line of expected.columnSummary ?? []) checkColumnSummary(line, parsed);
  });

  Deno.test(`golden ${name}: Arrow batches hold the same rows`, async () => {
    const scan = (await (await openTable(dir)).snapshot()).scan();
    const batches = scan.batches();
    let rows = 0;
    for await (const table of scan.arrow()) {
      assert.deepEqual(table.schema.fields.map((f) => f.name), scan.fields.map((f) => f.name));
      const next = await batches.next();
      assert.ok(!next.done);
      const batch = next.value;
      const fromRows = columnsToArrow({
        firstRowIndex: 0,
        length: batch.rows.length,
        columns: scan.fields.map((f) => batch.rows.map((r) => r[f.name])),
        selection: null,
      }, scan.fields);
      assert.equal(arrowJson(table), arrowJson(fromRows));
      rows += table.numRows;
    }
    assert.ok((await batches.next()).done);
    assert.equal(rows, expected.rowCount);
  });
}
