/** The pond's cache of computed files across real processes: a second read starts no sandbox, a new input version or --at reads right, a damaged or dropped cache is rebuilt. */
import assert from "node:assert/strict";
import { pondProcess } from "../cli/harness.ts";
import { Pond } from "../../src/pond/mod.ts";
import { ok, readings, type SqlPond, START, withSqlPond } from "./helpers.ts";

const COUNT = "SELECT count(*) AS n, count(salinity) AS salted FROM r";

/** Makes `/count.parquet`, a sql-derived count of `/sensors/north.series`. */
async function countTable(p: SqlPond): Promise<void> {
  const file = `${p.host}/count.yaml`;
  await Deno.writeTextFile(file, `inputs: { r: /sensors/north.series }\nquery: "${COUNT}"\n`);
  ok(await p.spawn(["mknod", "sql-derived", "/count.parquet", "--file", "--config", file]));
}

/** Makes `/reduce`, a temporal-reduce directory of `/sensors/north.series`. */
async function reduce(p: SqlPond): Promise<void> {
  const file = `${p.host}/reduce.yaml`;
  await Deno.writeTextFile(
    file,
    "in_pattern: /sensors/north.series\nresolutions: [1d]\n" +
      'aggregations: [{ type: count, columns: [value] }, { type: avg, columns: ["*"] }]\n',
  );
  ok(await p.spawn(["mknod", "temporal-reduce", "/reduce", "--config", file]));
}

/**
 * `pond ARGS` with a plugin deadline of 1 ms: too short for any sandbox to start and answer,
 * so it succeeds only when nothing is computed.
 */
function withoutSandbox(p: SqlPond, args: string[]) {
  return pondProcess(args, { POND: p.dir, POND_PLUGIN_DEADLINE_MS: "1" });
}

/** The files of the pond's cache, by name. */
async function cacheFiles(p: SqlPond): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(`${p.dir}/cache`))).map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/** Appends a version of 7 salted rows to `/sensors/north.series`. */
async function append(p: SqlPond): Promise<void> {
  await Deno.writeFile(
    `${p.host}/more.parquet`,
    readings(START + 40 * 86_400_000, 7, { salinity: true }),
  );
  ok(
    await p.spawn([
      "copy",
      "--type",
      "series",
      `host:${p.host}/more.parquet`,
      "/sensors/north.series",
    ]),
  );
}

Deno.test("computed cache: a second read of a sql-derived table or a temporal-reduce resolution starts no sandbox", async () => {
  await withSqlPond(async (p) => {
    await countTable(p);
    await reduce(p);
    const count = ["cat", "/count.parquet", "--rows"];
    const daily = ["cat", "/reduce/res=1d.series", "--sql", "SELECT * FROM source ORDER BY 1"];
    const refused = await withoutSandbox(p, count);
    assert.equal(refused.code, 1, "uncached, the 1 ms deadline fails the read");
    assert.match(refused.stderr, /sql-derived/);
    assert.equal((await withoutSandbox(p, daily)).code, 1);
    const first = ok(await p.spawn(count));
    assert.equal(first, "n,salted\n10150,50\n");
    const reduced = ok(await p.spawn(daily));
    assert.match(reduced, /^2026-06-01T00:00:00\.000Z,/m);
    assert.equal(ok(await withoutSandbox(p, count)), first, "read from the cache");
    assert.equal(ok(await withoutSandbox(p, daily)), reduced, "entries and file from the cache");
    assert.match(
      ok(await withoutSandbox(p, ["list", "-l", "/reduce"])),
      /res=1d\.series/,
    );
    assert.equal(
      (await cacheFiles(p)).length,
      5,
      "the table, the entries, the resolution, and the kept partials with their index",
    );
    const copy = `${p.host}/copy`;
    assert.equal((await new Deno.Command("cp", { args: ["-R", p.dir, copy] }).output()).code, 0);
    const copied = await pondProcess(daily, { POND: copy, POND_PLUGIN_DEADLINE_MS: "1" });
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(copied.stdout, reduced, "a copy of the pond carries its cache");
  });
});

Deno.test("computed cache: a new version of an input is read at once, and --at reads the answer of its time", async () => {
  await withSqlPond(async (p) => {
    await countTable(p);
    const seq = JSON.parse(ok(await p.spawn(["status", "--json"]))).transaction.seq as number;
    const count = ["cat", "/count.parquet", "--rows"];
    assert.equal(ok(await p.spawn(count)), "n,salted\n10150,50\n");
    await append(p);
    assert.equal(ok(await p.spawn(count)), "n,salted\n10157,57\n", "recomputed");
    assert.equal(ok(await withoutSandbox(p, count)), "n,salted\n10157,57\n");
    const at = [...count, "--at", String(seq)];
    assert.equal(ok(await withoutSandbox(p, at)), "n,salted\n10150,50\n", "the old answer, kept");
    await Deno.remove(`${p.dir}/cache`, { recursive: true });
    assert.equal(ok(await p.spawn(at)), "n,salted\n10150,50\n", "equal to the uncached answer");
  });
});

Deno.test("computed cache: a damaged entry is computed again and rewritten", async () => {
  await withSqlPond(async (p) => {
    await countTable(p);
    const count = ["cat", "/count.parquet", "--rows"];
    const answer = ok(await p.spawn(count));
    const [entry] = await cacheFiles(p);
    const file = `${p.dir}/cache/${entry}`;
    const kept = await Deno.readFile(file);
    const damaged = kept.slice();
    damaged[damaged.length - 1] ^= 0xff;
    await Deno.writeFile(file, damaged);
    assert.equal((await withoutSandbox(p, count)).code, 1, "a damaged entry is not read");
    assert.equal(ok(await p.spawn(count)), answer);
    assert.deepEqual(await Deno.readFile(file), kept, "rewritten");
    await Deno.writeFile(file, new Uint8Array(3));
    assert.equal(ok(await p.spawn(count)), answer, "a truncated entry is a miss too");
    assert.equal(ok(await withoutSandbox(p, count)), answer);
  });
});

Deno.test("computed cache: pond check is clean with it, and maintain --drop-cache removes it", async () => {
  await withSqlPond(async (p) => {
    await reduce(p);
    const daily = ["cat", "/reduce/res=1d.series", "--rows"];
    const answer = ok(await p.spawn(daily));
    assert.equal((await cacheFiles(p)).length, 4, "entries, resolution, kept partials, index");
    const check = await p.spawn(["check"]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /consistent: 0 errors, 0 warnings/);
    assert.doesNotMatch(check.stdout + check.stderr, /cache/);
    const repair = await p.spawn(["check", "--repair", "--yes"]);
    assert.equal(repair.code, 0, repair.stdout + repair.stderr);
    assert.equal((await cacheFiles(p)).length, 4, "repair leaves the cache alone");
    const dropped = ok(await p.spawn(["maintain", "--drop-cache"]));
    assert.match(dropped, /^drop-cache: removed 4 cached files \(/);
    assert.deepEqual(await cacheFiles(p), []);
    assert.equal((await withoutSandbox(p, daily)).code, 1, "nothing kept");
    assert.equal(ok(await p.spawn(daily)), answer, "reads compute again");
    const json = JSON.parse(ok(await p.spawn(["maintain", "--drop-cache", "--json"])));
    assert.equal(json.cache.entries, 4);
    assert.equal(
      ok(await p.spawn(["maintain", "--drop-cache"])),
      "drop-cache: removed 0 cached files (0 B)\n",
    );
  });
});

Deno.test("computed cache: a table over a computed input is computed on every read", async () => {
  await withSqlPond(async (p) => {
    await countTable(p);
    const file = `${p.host}/twice.yaml`;
    await Deno.writeTextFile(
      file,
      'inputs: { c: /count.parquet }\nquery: "SELECT n * 2 AS n2 FROM c"\n',
    );
    ok(await p.spawn(["mknod", "sql-derived", "/twice.parquet", "--file", "--config", file]));
    const twice = ["cat", "/twice.parquet", "--rows"];
    assert.equal(ok(await p.spawn(twice)), "n2\n20300\n");
    assert.equal(ok(await p.spawn(twice)), "n2\n20300\n");
    assert.equal((await withoutSandbox(p, twice)).code, 1, "not kept: its input may change");
    assert.equal(
      ok(await withoutSandbox(p, ["cat", "/count.parquet", "--rows"])),
      "n,salted\n10150,50\n",
    );
  });
});

Deno.test("what is computed inside a transaction from versions it wrote is not kept: an abandoned version's id and version later name other bytes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pond-cache-pending-" });
  try {
    await Pond.init(`${dir}/pond`);
    const pond = await Pond.open(`${dir}/pond`);
    await pond.transact(["setup"], async (root) => {
      await root.createFile("/in/a.csv", "t,v\n1,first\n", { parents: true });
      await root.createDynamicFile(
        "/all.csv",
        "derived",
        "inputs: [/in/*.csv]\ntransform: concat-csv\n",
      );
    });
    const read = async () => new TextDecoder().decode(await (await pond.root()).read("/all.csv"));
    await assert.rejects(
      pond.transact(["abandoned"], async (root) => {
        await root.write("/in/a.csv", "t,v\n1,abandoned\n");
        assert.match(new TextDecoder().decode(await root.read("/all.csv")), /abandoned/);
        throw new Error("give up");
      }),
      /give up/,
    );
    await pond.transact(["committed"], (root) => root.write("/in/a.csv", "t,v\n1,kept\n"));
    assert.match(await read(), /kept/);
    assert.doesNotMatch(await read(), /abandoned/);
    await pond.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
