/** SQL reads only what pond registered for the query: every way out of that is refused with one line, and the pond is left as it was. */
import assert from "node:assert/strict";
import { SqlEngine } from "../../src/sql/mod.ts";
import { REPO_ROOT } from "../cli/harness.ts";
import { fingerprint, withSqlPond } from "./helpers.ts";

const ESCAPES: [string, string][] = [
  ["read_csv of a host file", "SELECT * FROM read_csv('/etc/passwd')"],
  ["read_text", "SELECT * FROM read_text('/etc/hostname')"],
  ["glob", "SELECT * FROM glob('/*')"],
  ["COPY … TO", "COPY (SELECT 1) TO 'x'"],
  ["ATTACH", "ATTACH 'x.db' AS x"],
  ["INSTALL", "INSTALL httpfs"],
  ["LOAD", "LOAD httpfs"],
  ["SET", "SET threads = 1"],
  ["SET of the lock", "SET lock_configuration = false"],
  ["an http:// URL", "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')"],
  ["an s3:// URL", "SELECT * FROM read_parquet('s3://bucket/x.parquet')"],
  ["a blob by its path, not registered", "SELECT * FROM read_parquet('BLOBS/*/*')"],
  ["a second statement", "SELECT 1; SET threads = 1"],
];

Deno.test("every way out of the registered files is refused with one line, the pond unchanged", async () => {
  await withSqlPond(async (p) => {
    const before = await fingerprint(p.dir);
    for (const [what, sql] of ESCAPES) {
      const text = sql.replace("BLOBS", `${p.dir}/blobs`);
      const r = await p.spawn(["query", "-t", "s=/sensors/north.series", text]);
      assert.equal(r.code, 1, `${what}: exit code; stderr ${r.stderr}`);
      assert.equal(r.stdout, "", what);
      assert.equal(r.stderr.trim().split("\n").length, 1, `${what}: one line: ${r.stderr}`);
      assert.match(r.stderr, /^pond: /, what);
    }
    assert.deepEqual(await fingerprint(p.dir), before);
    await assert.rejects(Deno.stat(`${REPO_ROOT}x`), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(`${REPO_ROOT}x.db`), Deno.errors.NotFound);
  });
});

Deno.test("DuckDB itself refuses them too, below pond's one-query check", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const allowed = `${dir}/allowed.csv`;
    await Deno.writeTextFile(allowed, "a\n1\n");
    const engine = await SqlEngine.open([allowed]);
    try {
      assert.deepEqual(await engine.rows(`SELECT a FROM read_csv('${allowed}')`), [["1"]]);
      for (
        const sql of [
          "SELECT * FROM read_csv('/etc/passwd')",
          "SELECT * FROM read_text('/etc/hostname')",
          "SELECT * FROM glob('/*')",
          `COPY (SELECT 1) TO '${dir}/x.csv'`,
          `COPY (SELECT 1) TO '${allowed}' (FORMAT csv)`,
          `ATTACH '${dir}/x.db' AS x`,
          "INSTALL httpfs",
          "LOAD httpfs",
          "SET threads = 1",
          "SET enable_external_access = true",
          "RESET lock_configuration",
          "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')",
        ]
      ) {
        await assert.rejects(engine.rows(sql), /Permission Error|locked|disabled/, sql);
      }
    } finally {
      engine.close();
    }
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name),
      ["allowed.csv"],
    );
    assert.equal(await Deno.readTextFile(allowed), "a\n1\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
