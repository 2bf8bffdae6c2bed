/** `pond delta info|scan` as a user runs them, on real tables written by Spark and delta-rs. */
import assert from "node:assert/strict";
import { pondInProcess, pondProcess, REPO_ROOT } from "./harness.ts";
import { command } from "../subprocess.ts";

const GOLDEN = `${REPO_ROOT}../shared/delta-golden`;
const expected = JSON.parse(await Deno.readTextFile(`${GOLDEN}/EXPECTED.json`));

Deno.test("pond delta info --json reports what the golden tables' EXPECTED.json says", async () => {
  for (const [name, exp] of Object.entries<Record<string, unknown>>(expected)) {
    if (exp.expected === "reject") continue;
    const r = await pondInProcess(["delta", "info", "--json", `${GOLDEN}/tables/${name}`]);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    const info = JSON.parse(r.stdout);
    assert.equal(info.version, exp.version, name);
    assert.deepEqual(info.partitionColumns, exp.partitionColumns, name);
    assert.equal(info.files.length, (exp.activeFiles as unknown[]).length, name);
  }
});

Deno.test("pond delta scan --json prints the golden rows (checked by compare_rows.mjs)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const name of ["table-with-dv-small", "data-reader-partition-values"]) {
      const r = await pondInProcess(["delta", "scan", "--json", `${GOLDEN}/tables/${name}`]);
      assert.equal(r.code, 0, r.stderr);
      await Deno.writeTextFile(`${dir}/${name}.jsonl`, r.stdout);
      const cmp = await command(Deno.execPath(), {
        args: [
          "run",
          "--no-prompt",
          "-A",
          `${GOLDEN}/compare_rows.mjs`,
          `${GOLDEN}/rows/${name}.jsonl`,
          `${dir}/${name}.jsonl`,
        ],
      }).output();
      assert.equal(
        cmp.code,
        0,
        new TextDecoder().decode(cmp.stdout) + new TextDecoder().decode(cmp.stderr),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pond delta scan --version reads an older version, --limit and --columns cut", async () => {
  const table = `${GOLDEN}/tables/table-with-dv-small`;
  const v0 = await pondInProcess(["delta", "scan", "--json", "--version", "0", table]);
  assert.equal(v0.stdout.trim().split("\n").length, 10);
  const cut = await pondInProcess(["delta", "scan", "--limit", "3", "--columns", "value", table]);
  assert.equal(cut.stdout, "value\n1\n2\n3\n");
});

Deno.test("a table pond cannot read is refused with exit 1 and one line, no stack", async () => {
  const r = await pondProcess([
    "delta",
    "info",
    `${GOLDEN}/tables/deltalog-invalid-protocol-version`,
  ]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /^pond: .*reader version 99/i);
  assert.equal(r.stdout, "");
});

Deno.test("a directory that is no table: exit 1, one line naming it", async () => {
  const dir = await Deno.makeTempDir();
  const r = await pondProcess(["delta", "scan", dir]);
  await Deno.remove(dir);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^pond: ${dir} is not a Delta table`));
  assert.equal(r.stderr.trim().split("\n").length, 1);
});

Deno.test("bad --version / --at values are usage errors, exit 2", async () => {
  const table = `${GOLDEN}/tables/simple_table`;
  assert.equal((await pondInProcess(["delta", "info", "--version", "x", table])).code, 2);
  assert.equal((await pondInProcess(["delta", "info", "--at", "yesterday", table])).code, 2);
  assert.equal(
    (await pondInProcess(["delta", "info", "--at", "2020-01-01", "--version", "1", table])).code,
    2,
  );
});
