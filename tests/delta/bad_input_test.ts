/** Damaged tables (copies of golden tables, then broken) give typed errors naming the file at fault. */

import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { type DeltaErrorCode, isDeltaError } from "../../src/delta/errors.ts";
import { openTable } from "../../src/delta/table.ts";
import { commitPath, createTable, LocalStore, parseSchema } from "../../src/delta/mod.ts";

const ID_SCHEMA =
  '{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]}';
import { goldenTable } from "./golden.ts";

/** Copies a golden table into a fresh temp dir, lets `damage` break it, then runs `check`. */
async function withCopy(
  name: string,
  damage: (dir: string) => Promise<void>,
  check: (dir: string) => Promise<void>,
) {
  const dir = await Deno.makeTempDir();
  try {
    cpSync(goldenTable(name), dir, { recursive: true });
    await damage(dir);
    await check(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Reads the latest snapshot and every row. */
async function readAll(dir: string): Promise<unknown[]> {
  const snapshot = await (await openTable(dir)).snapshot();
  return await Array.fromAsync(snapshot.scan().rows());
}

/** Asserts `fn` fails with a DeltaError of `code` whose message matches every pattern. */
async function assertFails(
  fn: () => Promise<unknown>,
  code: DeltaErrorCode,
  ...patterns: RegExp[]
) {
  await assert.rejects(fn, (e) => {
    assert.ok(isDeltaError(e), `expected a DeltaError, got ${e}`);
    assert.equal(e.code, code, e.message);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

const commit = (dir: string, v: number) => `${dir}/_delta_log/${String(v).padStart(20, "0")}.json`;

Deno.test("a truncated last JSON line is CorruptLog naming the file and line", async () => {
  await withCopy("simple_table", async (dir) => {
    const text = await Deno.readTextFile(commit(dir, 4));
    await Deno.writeTextFile(commit(dir, 4), text.trimEnd().slice(0, -20));
  }, async (dir) => {
    const lines = (await Deno.readTextFile(commit(dir, 4))).split("\n").length;
    await assertFails(
      () => readAll(dir),
      "CorruptLog",
      /00000000000000000004\.json/,
      new RegExp(`line ${lines}\\b`),
    );
  });
});

Deno.test("a commit of this writer missing whole lines is CorruptLog: its commitInfo counts them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new LocalStore(dir);
    const writer = await createTable(store, { schema: parseSchema(ID_SCHEMA) });
    await writer.append({ id: [1n, 2n] });
    const path = `${dir}/${commitPath(1)}`;
    const lines = (await Deno.readTextFile(path)).split("\n");
    assert.equal(JSON.parse(lines[0]).commitInfo.numActions, lines.length - 2);
    await Deno.writeTextFile(path, lines.slice(0, -2).join("\n") + "\n");
    await assertFails(
      () => readAll(dir),
      "CorruptLog",
      /00000000000000000001\.json holds 0 actions after its commitInfo, which says 1/,
    );
    assert.equal((await (await openTable(dir)).snapshot({ version: 0 })).version, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a garbage line in the middle of a commit is CorruptLog naming its line", async () => {
  await withCopy("simple_table", async (dir) => {
    const lines = (await Deno.readTextFile(commit(dir, 2))).split("\n");
    lines.splice(1, 0, "{not json");
    await Deno.writeTextFile(commit(dir, 2), lines.join("\n"));
  }, async (dir) => {
    await assertFails(() => readAll(dir), "CorruptLog", /00000000000000000002\.json line 2\b/);
  });
});

Deno.test("an add without a path is CorruptLog naming the field", async () => {
  await withCopy("simple_table", async (dir) => {
    const text = await Deno.readTextFile(commit(dir, 0));
    await Deno.writeTextFile(commit(dir, 0), text.replace('"add":{"path"', '"add":{"pathX"'));
  }, async (dir) => {
    await assertFails(
      () => readAll(dir),
      "CorruptLog",
      /00000000000000000000\.json line \d+: add\.path must be a string/,
    );
  });
});

Deno.test("unknown actions and unknown fields are ignored", async () => {
  const before = await readAll(goldenTable("simple_table"));
  await withCopy("simple_table", async (dir) => {
    const lines = (await Deno.readTextFile(commit(dir, 4))).trimEnd().split("\n")
      .map((l) => l.replace('{"add":{', '{"add":{"futureField":{"x":[1,2]},'));
    lines.push('{"someFutureAction":{"anything":true}}', '{"commitInfo":null}');
    await Deno.writeTextFile(commit(dir, 4), lines.join("\n") + "\n");
  }, async (dir) => {
    assert.deepEqual(await readAll(dir), before);
  });
});

Deno.test("a truncated Parquet data file is CorruptData naming it", async () => {
  await withCopy("simple_table", async (dir) => {
    const snapshot = await (await openTable(dir)).snapshot();
    const victim = `${dir}/${snapshot.files()[0].path}`;
    const bytes = await Deno.readFile(victim);
    await Deno.writeFile(victim, bytes.subarray(0, bytes.length - 30));
  }, async (dir) => {
    const name = (await (await openTable(dir)).snapshot()).files()[0].path;
    await assertFails(() => readAll(dir), "CorruptData", new RegExp(name.replaceAll(".", "\\.")));
  });
});

Deno.test("a Parquet data file with a damaged footer is CorruptData naming it", async () => {
  await withCopy("simple_table", async (dir) => {
    const snapshot = await (await openTable(dir)).snapshot();
    const victim = `${dir}/${snapshot.files()[0].path}`;
    const bytes = await Deno.readFile(victim);
    bytes.fill(0xff, bytes.length - 40, bytes.length - 8);
    await Deno.writeFile(victim, bytes);
  }, async (dir) => {
    const name = (await (await openTable(dir)).snapshot()).files()[0].path;
    await assertFails(() => readAll(dir), "CorruptData", new RegExp(name.replaceAll(".", "\\.")));
  });
});

Deno.test("a missing data file is MissingFile naming it", async () => {
  let name = "";
  await withCopy("simple_table", async (dir) => {
    name = (await (await openTable(dir)).snapshot()).files()[1].path;
    await Deno.remove(`${dir}/${name}`);
  }, async (dir) => {
    await assertFails(() => readAll(dir), "MissingFile", new RegExp(name.replaceAll(".", "\\.")));
  });
});

Deno.test("a multi-part checkpoint with a missing part is ignored in favour of the commits", async () => {
  const before = (await readAll(goldenTable("multi-part-checkpoint"))).length;
  await withCopy("multi-part-checkpoint", async (dir) => {
    await Deno.remove(
      `${dir}/_delta_log/00000000000000000001.checkpoint.0000000002.0000000002.parquet`,
    );
  }, async (dir) => {
    assert.equal((await readAll(dir)).length, before);
  });
});

Deno.test("a missing checkpoint part without the commits below it is a VersionGap naming version 0", async () => {
  await withCopy("multi-part-checkpoint", async (dir) => {
    await Deno.remove(
      `${dir}/_delta_log/00000000000000000001.checkpoint.0000000002.0000000002.parquet`,
    );
    await Deno.remove(commit(dir, 0));
  }, async (dir) => {
    await assertFails(() => readAll(dir), "VersionGap", /00000000000000000000\.json is missing/);
  });
});

Deno.test("a gap in the commits is a VersionGap naming the missing version", async () => {
  await withCopy("simple_table", (dir) => Deno.remove(commit(dir, 2)), async (dir) => {
    await assertFails(() => readAll(dir), "VersionGap", /00000000000000000002\.json is missing/);
    // Versions below the gap are still readable.
    assert.equal((await (await openTable(dir)).snapshot({ version: 1 })).version, 1);
  });
});

Deno.test("a gap after the hinted checkpoint is a VersionGap, not a shorter log", async () => {
  // basic-with-inserts-deletes-checkpoint: checkpoint at 10 (the hint), commits 11..13.
  const name = "basic-with-inserts-deletes-checkpoint";
  await withCopy(name, (dir) => Deno.remove(commit(dir, 12)), async (dir) => {
    await assertFails(() => readAll(dir), "VersionGap", /00000000000000000012\.json is missing/);
  });
  await withCopy(name, async () => {}, async (dir) => {
    assert.equal((await (await openTable(dir)).snapshot()).version, 13);
  });
});

Deno.test("a checkpoint missing a v2 sidecar is passed over for the commits, which give the same rows", async () => {
  const sidecar =
    "00000000000000000002.checkpoint.0000000001.0000000002.bd1885fd-6ec0-4370-b0f5-43b5162fd4de.parquet";
  const intact = await readAll(goldenTable("v2-checkpoint-json"));
  await withCopy(
    "v2-checkpoint-json",
    (dir) => Deno.remove(`${dir}/_delta_log/_sidecars/${sidecar}`),
    async (dir) => {
      const notes: string[] = [];
      const snapshot = await (await openTable(dir)).snapshot(undefined, {
        onFallback: (note) => notes.push(note),
      });
      const ids = (rows: unknown[]) => rows.map((r) => String((r as { id: bigint }).id)).sort();
      assert.deepEqual(ids(await Array.fromAsync(snapshot.scan().rows())), ids(intact));
      assert.equal(notes.length, 1);
      assert.match(notes[0], new RegExp(sidecar.replaceAll(".", "\\.")));
    },
  );
});

Deno.test("a stale, future or corrupt _last_checkpoint is only a hint", async () => {
  const before = await readAll(goldenTable("basic-with-inserts-deletes-checkpoint"));
  for (const hint of ['{"version":5,"size":3}', '{"version":99,"size":3}', "{garbage"]) {
    await withCopy(
      "basic-with-inserts-deletes-checkpoint",
      (dir) => Deno.writeTextFile(`${dir}/_delta_log/_last_checkpoint`, hint),
      async (dir) => {
        const snapshot = await (await openTable(dir)).snapshot();
        assert.equal(snapshot.version, 13, hint);
        assert.deepEqual(await Array.fromAsync(snapshot.scan().rows()), before, hint);
      },
    );
  }
});

Deno.test("time travel below a checkpoint newer than the hint lists the whole log", async () => {
  const table = await openTable(goldenTable("basic-with-inserts-deletes-checkpoint"));
  const before = await Array.fromAsync((await table.snapshot({ version: 9 })).scan().rows());
  await withCopy(
    "basic-with-inserts-deletes-checkpoint",
    (dir) => Deno.writeTextFile(`${dir}/_delta_log/_last_checkpoint`, '{"version":8,"size":3}'),
    async (dir) => {
      const snapshot = await (await openTable(dir)).snapshot({ version: 9 });
      assert.deepEqual(await Array.fromAsync(snapshot.scan().rows()), before);
    },
  );
});

Deno.test("a data file whose column does not hold the schema's type is CorruptData naming it", async () => {
  await withCopy("http_requests", async (dir) => {
    const text = await Deno.readTextFile(commit(dir, 0));
    await Deno.writeTextFile(
      commit(dir, 0),
      text.replace('ClientIP\\",\\"type\\":\\"string', 'ClientIP\\",\\"type\\":\\"long'),
    );
  }, async (dir) => {
    await assertFails(
      () => readAll(dir),
      "CorruptData",
      /\.snappy\.parquet/,
      /column ClientIP of row 0/,
    );
  });
});

Deno.test("a commit newer than _last_checkpoint's checkpoint is found by listing forward", async () => {
  await withCopy("basic-with-inserts-deletes-checkpoint", async (dir) => {
    const text = await Deno.readTextFile(commit(dir, 13));
    await Deno.writeTextFile(
      commit(dir, 14),
      text.split("\n").filter((l) => l.startsWith('{"commitInfo"')).join("\n"),
    );
  }, async (dir) => {
    assert.equal((await (await openTable(dir)).snapshot()).version, 14);
  });
});

Deno.test("a directory without a log is NotATable", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assertFails(() => openTable(dir), "NotATable", new RegExp(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a schema string that is not JSON is InvalidSchema", async () => {
  await withCopy("simple_table", async (dir) => {
    const text = await Deno.readTextFile(commit(dir, 0));
    await Deno.writeTextFile(
      commit(dir, 0),
      text.replace('"schemaString":"{', '"schemaString":"{{'),
    );
  }, async (dir) => {
    await assertFails(() => readAll(dir), "InvalidSchema", /not valid JSON/);
  });
});

Deno.test("an unparseable partition value is CorruptLog naming the column and file", async () => {
  await withCopy("data-reader-partition-values", async (dir) => {
    const text = await Deno.readTextFile(commit(dir, 0));
    await Deno.writeTextFile(commit(dir, 0), text.replace('"as_int":"1"', '"as_int":"one"'));
  }, async (dir) => {
    await assertFails(() => readAll(dir), "CorruptLog", /"one" of column as_int of as_int=1\//);
  });
});

Deno.test("an unsupported reader feature is refused naming it", async () => {
  await withCopy("table-with-dv-small", async (dir) => {
    const text = await Deno.readTextFile(commit(dir, 0));
    await Deno.writeTextFile(
      commit(dir, 0),
      text.replace(
        '"readerFeatures":["deletionVectors"]',
        '"readerFeatures":["deletionVectors","futureMagic"]',
      ),
    );
  }, async (dir) => {
    await assertFails(() => readAll(dir), "UnsupportedFeature", /"futureMagic"/);
  });
});

Deno.test("a truncated deletion vector file is a typed error", async () => {
  await withCopy("table-with-dv-small", async (dir) => {
    const path = `${dir}/deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin`;
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, 10));
  }, async (dir) => {
    await assert.rejects(() => readAll(dir), (e) => isDeltaError(e));
  });
});
