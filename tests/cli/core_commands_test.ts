/** init, mkdir, list, cat, copy: what a user sees, across separate processes, and every error they can hit. */
import assert from "node:assert/strict";
import { type CliResult, pondInProcess, pondProcess, REPO_ROOT } from "./harness.ts";

async function withPond(fn: (pond: string, host: string) => Promise<void>) {
  const host = await Deno.makeTempDir();
  try {
    const pond = `${host}/pond`;
    const r = await pondInProcess(["init", pond]);
    assert.equal(r.code, 0, r.stderr);
    await fn(pond, host);
  } finally {
    await Deno.remove(host, { recursive: true });
  }
}

const inPond = (pond: string, args: string[]): Promise<CliResult> =>
  pondInProcess(args, { POND: pond });

function assertFails(r: CliResult, code: number, message: RegExp) {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
}

Deno.test("a pond built by one process is read by another: mkdir, copy, list, cat", async () => {
  await withPond(async (pond, host) => {
    await Deno.writeTextFile(`${host}/a.csv`, "t,v\n1,2\n");
    assert.equal((await pondProcess(["mkdir", "-p", "/x/y"], { POND: pond })).code, 0);
    assert.equal(
      (await pondProcess(["copy", `host:${host}/a.csv`, "/x/y/"], { POND: pond })).code,
      0,
    );
    const ls = await pondProcess(["list", "/x/y"], { POND: pond });
    assert.equal(ls.stdout, "/x/y/a.csv\n");
    const cat = await pondProcess(["cat", "/x/y/a.csv"], { POND: pond });
    assert.equal(cat.stdout, "t,v\n1,2\n");
  });
});

Deno.test("copying onto a file makes a new version; cat --version and --at read old ones", async () => {
  await withPond(async (pond, host) => {
    await Deno.writeTextFile(`${host}/a.txt`, "one");
    await inPond(pond, ["copy", `host:${host}/a.txt`, "/a.txt"]);
    await Deno.writeTextFile(`${host}/a.txt`, "two");
    await inPond(pond, ["copy", `host:${host}/a.txt`, "/a.txt"]);
    assert.equal((await inPond(pond, ["cat", "/a.txt"])).stdout, "two");
    assert.equal((await inPond(pond, ["cat", "/a.txt", "--version", "1"])).stdout, "one");
    assert.equal((await inPond(pond, ["cat", "/a.txt", "--at", "1"])).stdout, "one");
    const json = JSON.parse((await inPond(pond, ["list", "--json", "/a.txt"])).stdout);
    assert.equal(json[0].version, 2);
    assertFails(
      await inPond(pond, ["cat", "/a.txt", "--at", "0"]),
      1,
      /not found|no such|does not exist/i,
    );
  });
});

Deno.test("list: globs with captures, -l, and a pattern that matches nothing", async () => {
  await withPond(async (pond) => {
    await inPond(pond, ["mkdir", "-p", "/s/north/raw", "/s/south/raw"]);
    const r = await inPond(pond, ["list", "--json", "/s/*/raw"]);
    assert.deepEqual(
      JSON.parse(r.stdout).map((m: { path: string; captures: string[] }) => [m.path, m.captures]),
      [["/s/north/raw", ["north"]], ["/s/south/raw", ["south"]]],
    );
    const long = await inPond(pond, ["list", "-l", "/s"]);
    assert.match(long.stdout, /^directory\s+1\s+v\d+\s+\S+Z\s+\/s\/north$/m);
    const none = await inPond(pond, ["list", "/s/*/nothing"]);
    assertFails(
      none,
      1,
      /^pond: no path in the pond matches \/s\/\*\/nothing; check it with 'pond list'\n$/,
    );
    assert.equal(none.stdout, "");
  });
});

Deno.test("Parquet files are copied in as tables; --type overrides", async () => {
  await withPond(async (pond) => {
    const sample = `${REPO_ROOT}samples/river_inlet.parquet`;
    await inPond(pond, ["copy", `host:${sample}`, "/r.parquet"]);
    await inPond(pond, ["copy", "--type", "data", `host:${sample}`, "/raw.parquet"]);
    const types = JSON.parse((await inPond(pond, ["list", "--json", "/*.parquet"])).stdout)
      .map((m: { type: string }) => m.type);
    assert.deepEqual(types, ["file:table", "file:data"]); // /r.parquet, /raw.parquet
  });
});

Deno.test("copy -r of a host tree, and back out to the host, keeps names and bytes", async () => {
  await withPond(async (pond, host) => {
    await Deno.mkdir(`${host}/tree/sub`, { recursive: true });
    await Deno.writeTextFile(`${host}/tree/a`, "A");
    await Deno.writeTextFile(`${host}/tree/sub/b`, "B");
    assert.equal((await inPond(pond, ["copy", "-r", `host:${host}/tree`, "/t"])).code, 0);
    assert.equal((await inPond(pond, ["copy", "-r", "/t", `host:${host}/out`])).code, 0);
    assert.equal(await Deno.readTextFile(`${host}/out/a`), "A");
    assert.equal(await Deno.readTextFile(`${host}/out/sub/b`), "B");
  });
});

Deno.test("a copy with a missing source commits nothing", async () => {
  await withPond(async (pond, host) => {
    await Deno.writeTextFile(`${host}/ok.csv`, "x");
    const before = (await inPond(pond, ["list", "/"])).stdout;
    assertFails(
      await inPond(pond, ["copy", `host:${host}/ok.csv`, `host:${host}/missing.csv`, "/"]),
      1,
      /^pond: cannot copy host:.*missing\.csv: no such file or directory\n$/,
    );
    assert.equal((await inPond(pond, ["list", "/"])).stdout, before);
  });
});

Deno.test("error paths: each a one-line message and the right exit code", async () => {
  await withPond(async (pond, host) => {
    await Deno.writeTextFile(`${host}/f`, "x");
    assertFails(await inPond(pond, ["mkdir", "/a/b"]), 1, /\/a.*(not found|does not exist)/i);
    assertFails(await inPond(pond, ["cat", "/nope"]), 1, /\/nope/);
    assertFails(await inPond(pond, ["cat", "/"]), 1, /is a directory/);
    assertFails(await inPond(pond, ["copy", `host:${host}`, "/d"]), 1, /pass -r/);
    assertFails(
      await inPond(pond, ["copy", `host:${host}/f`, `host:${host}/f`, "/missing"]),
      1,
      /needs an existing directory/,
    );
    assertFails(await inPond(pond, ["copy", `host:${host}/f`, "/missing/"]), 1, /ends in \//);
    assertFails(await inPond(pond, ["copy", `host:${host}/f`, `host:${host}/g`]), 1, /use cp/);
    assertFails(await inPond(pond, ["copy", "--type", "csv", "a", "b"]), 2, /--type is data/);
    assertFails(await inPond(pond, ["cat", "/f", "--version", "0"]), 2, /--version/);
    assertFails(await inPond(pond, ["cat", "/f", "--at", "soon"]), 2, /--at/);
    assertFails(await pondInProcess(["list"], {}), 2, /--pond PATH or set the POND/);
    assertFails(await pondInProcess(["list", "--pond", host]), 1, /is not a pond.*pond init/);
    assertFails(await pondInProcess(["init", pond]), 1, /already a pond/);
    assertFails(await pondInProcess(["init", host]), 1, /not empty.*--force/);
    await Deno.remove(`${pond}/pond.json`);
    assertFails(
      await pondInProcess(["init", "--force", pond]),
      1,
      /holds a pond's log \(oplog\/\) but no pond\.json: .*`pond check --repair --pond .*` writes it again/,
    );
    assert.ok((await Deno.stat(`${pond}/oplog/_delta_log`)).isDirectory, "the log is untouched");
  });
});
