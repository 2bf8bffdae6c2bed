/** With --json, a command that changes the pond prints the transaction it committed, as `pond log --json` shows it. */
import assert from "node:assert/strict";
import { oplogListing, pondProcess } from "./harness.ts";

interface Committed {
  seq: number | null;
  time?: string;
  command?: string[];
  changes: { change: string; path: string; from?: string }[];
}

Deno.test("init, mkdir, copy, mv, mknod and rm print with --json the transaction each committed", async () => {
  const host = await Deno.makeTempDir({ prefix: "pond-json-" });
  try {
    const pond = `${host}/pond`;
    await Deno.writeTextFile(`${host}/a.csv`, "t,v\n");
    await Deno.writeTextFile(`${host}/r.yaml`, "source: /data\n");
    const run = async (args: string[]): Promise<Committed> => {
      const r = await pondProcess([...args, "--json"], { POND: pond });
      assert.equal(r.code, 0, `pond ${args.join(" ")}: ${r.stderr}`);
      return JSON.parse(r.stdout);
    };
    const logged = async (): Promise<Committed> => {
      const r = await pondProcess(["log", "--json", "--limit", "1"], { POND: pond });
      return JSON.parse(r.stdout)[0];
    };
    const steps: [string[], string[]][] = [
      [["init"], ["added /"]],
      [["mkdir", "-p", "/data/raw"], ["added /data", "added /data/raw"]],
      [["copy", `host:${host}/a.csv`, "/data/raw/"], ["added /data/raw/a.csv"]],
      [["mv", "/data/raw/a.csv", "/data/b.csv"], ["moved /data/b.csv <- /data/raw/a.csv"]],
      [["mknod", "reverse", "/rev", "--config", `${host}/r.yaml`], ["added /rev"]],
      [["rm", "-r", "/data/raw"], ["removed /data/raw"]],
    ];
    for (const [i, [args, changes]] of steps.entries()) {
      const printed = await run(args);
      assert.equal(printed.seq, i, `pond ${args[0]} committed transaction ${i}`);
      assert.deepEqual(printed.command, [...args, "--json"]);
      assert.deepEqual(
        printed.changes.map((c) => `${c.change} ${c.path}${c.from ? ` <- ${c.from}` : ""}`),
        changes,
      );
      assert.deepEqual(printed, await logged(), "as pond log --json shows it");
    }
    const before = await oplogListing(pond);
    assert.deepEqual(await run(["rm", "-f", "/nothing"]), { seq: null, changes: [] });
    assert.deepEqual(await oplogListing(pond), before, "nothing committed, nothing printed as one");
    const failed = await pondProcess(["mkdir", "/data", "--json"], { POND: pond });
    assert.equal(failed.code, 1);
    assert.equal(failed.stdout, "", "a failed command prints no transaction");
    assert.match(failed.stderr, /^pond: .*\/data.*\n$/);
    assert.deepEqual(await oplogListing(pond), before);
  } finally {
    await Deno.remove(host, { recursive: true });
  }
});

Deno.test("plugin add, remove and unregister, query --into and maintain --compact print their transaction with --json", async () => {
  const host = await Deno.makeTempDir({ prefix: "pond-json-" });
  try {
    const pond = `${host}/pond`;
    await Deno.writeTextFile(
      `${host}/up.ts`,
      `export const manifest = { name: "up", version: "1.0.0", provides: ["file"], config: {} };
export function read() { return "UP"; }
`,
    );
    await Deno.writeTextFile(`${host}/v.yaml`, 'patterns: ["/d/*"]\n');
    const run = async (args: string[]) => {
      const r = await pondProcess([...args, "--json"], { POND: pond });
      assert.equal(r.code, 0, `pond ${args.join(" ")}: ${r.stderr}`);
      return JSON.parse(r.stdout);
    };
    const summary = (t: Committed) => [t.seq, ...t.changes.map((c) => `${c.change} ${c.path}`)];
    await run(["init"]);
    await run(["mkdir", "-p", "/d/x"]);
    assert.deepEqual(summary(await run(["plugin", "add", `${host}/up.ts`, "--yes"])), [
      2,
      "added /.pond",
      "added /.pond/plugins",
      "added /.pond/plugins/up.json",
      "added /.pond/plugins/up.ts",
    ]);
    const before = await oplogListing(pond);
    assert.deepEqual(await run(["plugin", "add", `${host}/up.ts`, "--yes"]), {
      seq: null,
      changes: [],
    }, "the same source again commits nothing");
    assert.deepEqual(await oplogListing(pond), before);
    assert.deepEqual(
      summary(await run(["query", "SELECT 1 AS one", "--into", "/one.parquet"])),
      [3, "added /one.parquet"],
    );
    assert.equal((await run(["mknod", "visit", "/d/*/v", "--config", `${host}/v.yaml`])).seq, 4);
    assert.deepEqual(summary(await run(["plugin", "unregister", "/d/*/v"])), [5]);
    const removed = await run(["plugin", "remove", "up"]);
    assert.equal(removed.seq, 6);
    assert.deepEqual(removed.command, ["plugin", "remove", "up", "--json"]);
    const maintained = await run(["maintain", "--compact"]);
    assert.equal(maintained.compact.seq, 7);
    assert.deepEqual(
      maintained.transaction,
      (await run(["log", "--limit", "1"]))[0],
      "compaction's transaction, as pond log --json shows it",
    );
    assert.deepEqual((await run(["maintain", "--compact"])).transaction, {
      seq: null,
      changes: [],
    });
    const failed = await pondProcess(["plugin", "remove", "up", "--json"], { POND: pond });
    assert.equal(failed.code, 1);
    assert.equal(failed.stdout, "", "a failed command prints no transaction");
  } finally {
    await Deno.remove(host, { recursive: true });
  }
});
