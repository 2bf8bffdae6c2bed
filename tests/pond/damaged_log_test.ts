/** A damaged log never looks healthy and never hides what is intact: empty, torn and garbled commits, a truncated checkpoint, a lost marker — each through real `pond` processes. */
import assert from "node:assert/strict";
import { commitPath } from "../../src/delta/mod.ts";
import { Pond } from "../../src/pond/pond.ts";
import type { CliResult } from "../cli/harness.ts";
import { assertOk } from "./fixture.ts";
import { commitVersions, noise, pond, pondOk, withTempDir } from "../reliability/fixtures.ts";

/** One line on stderr, nothing on stdout, exit `code`, matching every pattern. */
function assertOneLine(r: CliResult, code: number, ...patterns: RegExp[]): void {
  assert.equal(r.code, code, r.stderr + r.stdout);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  for (const p of patterns) assert.match(r.stderr, p);
}

/** Every file under `dir` with its bytes, to show a command changed nothing. */
async function filesOf(dir: string, prefix = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) {
      for (const [k, v] of await filesOf(path, `${prefix}/${e.name}`)) out.set(k, v);
    } else out.set(`${prefix}/${e.name}`, (await Deno.readFile(path)).join(","));
  }
  return out;
}

/**
 * A pond of five transactions: 0 init, 1 /a/h.txt, 2 /a/big.bin (a blob), 3 /a/n.txt,
 * 4 /a/last.txt. Returns the commit time of each.
 */
async function fivePond(path: string): Promise<number[]> {
  const p = await Pond.init(path);
  await p.transact(["one"], (root) => root.write("/a/h.txt", "hello\n", { parents: true }));
  await p.transact(["two"], (root) => root.write("/a/big.bin", noise(300_000, 3)));
  await p.transact(["three"], (root) => root.write("/a/n.txt", "n\n"));
  await p.transact(["four"], (root) => root.write("/a/last.txt", "last\n"));
  return (await p.history()).map((t) => t.timestamp);
}

const log = (path: string, version: number) => `${path}/oplog/${commitPath(version)}`;

Deno.test("an empty commit in the middle: reads before it work, every read past it and check name it, vacuum deletes nothing", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    const times = await fivePond(path);
    await Deno.truncate(log(path, 3), 0);
    const named =
      /transaction 3 of the pond is damaged .*00000000000000000003\.json is empty.*pond check --repair.*--at 2/;
    assertOneLine(await pond(path, ["list", "/a"]), 1, named);
    assertOneLine(await pond(path, ["cat", "/a/h.txt"]), 1, named);
    assertOneLine(await pond(path, ["cat", "--at", "3", "/a/h.txt"]), 1, named);
    assertOneLine(await pond(path, ["mkdir", "/b"]), 1, named);
    assert.equal((await pondOk(path, ["cat", "--at", "2", "/a/h.txt"])).stdout, "hello\n");
    const at2 = new Date(times[2]).toISOString();
    assert.equal(
      (await pondOk(path, ["list", "--at", at2, "/a"])).stdout,
      "/a/big.bin\n/a/h.txt\n",
      "a time before the damage resolves as before: times come from commitInfo, not file times",
    );
    const before = await filesOf(path);
    assertOneLine(await pond(path, ["maintain", "--vacuum", "--retain", "0", "--apply"]), 1, named);
    for (const args of [["check"], ["check", "--repair", "--yes"]]) {
      const r = await pond(path, args);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        /^error +oplog\/_delta_log\/00000000000000000003\.json: the commit of transaction 3 does not read: .*empty.*restore the file from a backup/m,
      );
      assert.doesNotMatch(r.stdout, /consistent|repaired +oplog/);
      assert.match(r.stdout, /the pond at transaction 2 is damaged: 1 error/);
    }
    assert.deepEqual(await filesOf(path), before, "nothing was deleted or changed");
  });
});

Deno.test("a torn newest commit: --at reads, plain reads name it, check --repair asks, then sets it aside and the pond goes on", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await fivePond(path);
    const torn = (await Deno.readTextFile(log(path, 4))).slice(0, 150);
    await Deno.writeTextFile(log(path, 4), torn);
    const named =
      /transaction 4 of the pond is damaged .*00000000000000000004\.json.*not valid JSON.*pond check --repair/;
    assertOneLine(await pond(path, ["list", "/a"]), 1, named);
    assert.equal((await pondOk(path, ["cat", "--at", "3", "/a/n.txt"])).stdout, "n\n");
    const checked = await pond(path, ["check"]);
    assert.equal(checked.code, 1);
    assert.match(checked.stdout, /^error .*transaction 4 .*cut short.*set aside/m);
    assert.match(
      checked.stdout,
      /the pond at transaction 3 is damaged: 1 error, 0 warnings \(\d+ rows, 1 blob checked\)/,
    );
    const before = await filesOf(path);
    const unasked = await pond(path, ["check", "--repair"]);
    assert.equal(unasked.code, 2, "with no terminal to ask on, --yes is needed");
    assert.match(
      unasked.stderr,
      /cannot ask whether to set aside the torn commit of transaction 4.*--yes/,
    );
    assert.deepEqual(await filesOf(path), before, "nothing was changed without the answer");
    const repaired = await pond(path, ["check", "--repair", "--yes"]);
    assert.equal(repaired.code, 0, repaired.stdout + repaired.stderr);
    assert.match(repaired.stderr, /will set aside the torn commit of transaction 4/);
    assert.match(
      repaired.stdout,
      /^repaired .*set aside as oplog\/_delta_log\/00000000000000000004\.json\.torn-\d+/m,
    );
    assert.match(
      repaired.stdout,
      /^warning .*SetAside|^warning .*the torn commit of transaction 4, set aside/m,
    );
    const aside = [...Deno.readDirSync(`${path}/oplog/_delta_log`)].find((e) =>
      e.name.startsWith("00000000000000000004.json.torn-")
    )!;
    assert.equal(await Deno.readTextFile(`${path}/oplog/_delta_log/${aside.name}`), torn);
    assert.deepEqual(await commitVersions(path), [0, 1, 2, 3]);
    assert.equal((await pondOk(path, ["list", "/a"])).stdout, "/a/big.bin\n/a/h.txt\n/a/n.txt\n");
    const vacuum = await pond(path, ["maintain", "--vacuum", "--retain", "0", "--apply"]);
    assertOneLine(vacuum, 1, /vacuum deletes nothing while .*torn-\d+ is in the log/);
    await pondOk(path, ["mkdir", "/b"]);
    assert.deepEqual(await commitVersions(path), [0, 1, 2, 3, 4]);
  });
});

Deno.test("an empty newest commit is torn too; a garbled finished one is not set aside", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await fivePond(path);
    const text = await Deno.readTextFile(log(path, 4));
    await Deno.writeTextFile(log(path, 4), text.replace('"add"', '"add":'));
    const garbled = await pond(path, ["check", "--repair", "--yes"]);
    assert.equal(garbled.code, 1);
    assert.match(
      garbled.stdout,
      /^error .*transaction 4 does not read.*restore the file from a backup.*\(not repaired\)$/m,
    );
    assert.deepEqual(await commitVersions(path), [0, 1, 2, 3, 4]);
    await Deno.truncate(log(path, 4), 0);
    const empty = await pond(path, ["check", "--repair", "--yes"]);
    assert.equal(empty.code, 0, empty.stdout);
    assert.deepEqual(await commitVersions(path), [0, 1, 2, 3]);
  });
});

Deno.test("a commit cut short at a line boundary is damage, never an empty transaction; the newest is set aside", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await fivePond(path);
    const cut = async (version: number) => {
      const lines = (await Deno.readTextFile(log(path, version))).split("\n");
      await Deno.writeTextFile(log(path, version), lines.slice(0, -2).join("\n") + "\n");
    };
    await cut(3);
    assertOneLine(
      await pond(path, ["cat", "/a/h.txt"]),
      1,
      /transaction 3 of the pond is damaged .*holds \d+ actions after its commitInfo, which says \d+/,
    );
    assert.equal((await pondOk(path, ["cat", "--at", "2", "/a/h.txt"])).stdout, "hello\n");
    const middle = await pond(path, ["check", "--repair", "--yes"]);
    assert.equal(middle.code, 1, "only the newest commit can be set aside");
    assert.match(middle.stdout, /^error .*transaction 3 does not read.*restore the file/m);
    await Deno.remove(log(path, 3));
    await Deno.remove(log(path, 4));
    await pondOk(path, ["mkdir", "/b"]);
    await cut(3);
    const newest = await pond(path, ["check", "--repair", "--yes"]);
    assert.equal(newest.code, 0, newest.stdout);
    assert.match(newest.stdout, /^repaired .*00000000000000000003\.json: set aside/m);
    assert.equal((await pondOk(path, ["list", "/a"])).stdout, "/a/big.bin\n/a/h.txt\n");
  });
});

Deno.test("a truncated checkpoint: reads replay the commits (said under --verbose), check names it and --repair rewrites it", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await fivePond(path);
    await pondOk(path, ["maintain", "--checkpoint"]);
    const checkpoint = `${path}/oplog/_delta_log/00000000000000000004.checkpoint.parquet`;
    await Deno.truncate(checkpoint, (await Deno.stat(checkpoint)).size / 2);
    const listed = await pondOk(path, ["list", "/a", "--verbose"]);
    assert.match(listed.stdout, /^\/a\/big\.bin\n\/a\/h\.txt\n\/a\/last\.txt\n\/a\/n\.txt\n$/);
    assert.match(
      listed.stderr,
      /checkpoint of version 4 does not read .*replayed the commits from version 0/,
    );
    const quiet = await pondOk(path, ["list", "/a"]);
    assert.equal(quiet.stderr, "");
    const checked = await pond(path, ["check"]);
    assert.equal(checked.code, 1);
    assert.match(
      checked.stdout,
      /^error .*00000000000000000004\.checkpoint\.parquet: .*rewrites it/m,
    );
    assert.equal((await pond(path, ["check", "--repair"])).code, 0);
    assert.equal(
      (await pondOk(path, ["list", "/a", "--verbose"])).stderr.includes("does not read"),
      false,
    );
  });
});

Deno.test("a lost or garbled pond.json: no message says to delete anything, and check --repair writes it again", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await fivePond(path);
    const created = JSON.parse(await Deno.readTextFile(`${path}/pond.json`)).created;
    for (
      const damage of [
        () => Deno.remove(`${path}/pond.json`),
        () => Deno.writeTextFile(`${path}/pond.json`, "{garb"),
      ]
    ) {
      await damage();
      const messages = [
        await pond(path, ["list", "/"]),
        await pond(path, ["init", path]),
        await pond(path, ["check"]),
      ];
      for (const r of messages) {
        assert.equal(r.code, 1);
        assert.match(r.stderr + r.stdout, /pond check --repair/);
        assert.doesNotMatch(r.stderr + r.stdout, /remove|delete|rm -r|afresh/i);
      }
      const repaired = await pond(path, ["check", "--repair"]);
      assert.equal(repaired.code, 0, repaired.stdout);
      assert.match(repaired.stdout, /^repaired +pond\.json: wrote pond\.json again/m);
      const marker = JSON.parse(await Deno.readTextFile(`${path}/pond.json`));
      assert.equal(marker.format, 1);
      assert.ok(Math.abs(Date.parse(marker.created) - Date.parse(created)) < 5_000);
      assert.equal((await pondOk(path, ["cat", "/a/h.txt"])).stdout, "hello\n");
    }
  });
});

/** The transactions `pond log --json` shows, as seq and what it says of their changes. */
function logged(r: CliResult): [number, string][] {
  return JSON.parse(r.stdout).map((
    t: { seq: number; changes: { path: string }[]; unknown?: string },
  ) => [t.seq, t.unknown === undefined ? t.changes.map((c) => c.path).join(" ") : "unknown"]);
}

/** The lines `pond log` printed on stderr: one per damage. */
function damageLines(r: CliResult): string[] {
  return r.stderr.trimEnd().split("\n").filter(Boolean);
}

const advice =
  /`pond check` says what is damaged and what to do, `pond check --repair` mends what it can$/;

for (
  const [name, damage, problem] of [
    [
      "an empty",
      (path: string) => Deno.truncate(log(path, 3), 0),
      /00000000000000000003\.json is empty/,
    ],
    [
      "a deleted",
      (path: string) => Deno.remove(log(path, 3)),
      /00000000000000000003\.json is missing/,
    ],
  ] as const
) {
  Deno.test(`${name} commit in the middle: log shows every transaction it can read and names it on stderr; status names the newest that reads`, async () => {
    await withTempDir(async (dir) => {
      const path = `${dir}/pond`;
      await fivePond(path);
      await damage(path);
      const r = await pond(path, ["log", "--json"]);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(logged(r), [
        [4, "unknown"],
        [2, "/a/big.bin"],
        [1, "/a /a/h.txt"],
        [0, "/"],
      ]);
      assert.equal(JSON.parse(r.stdout)[0].unknown, "transaction 3, before it, is damaged");
      const [line, ...more] = damageLines(r);
      assert.deepEqual(more, [], r.stderr);
      assert.match(line, /^pond log: transaction 3 is damaged: oplog\/_delta_log\//);
      assert.match(line, problem);
      assert.match(line, advice);
      const text = await pond(path, ["log"]);
      assert.equal(text.code, 1);
      assert.match(
        text.stdout,
        /^transaction 4 .*\n {2}pond four\n {2}\(what it changed is not known: transaction 3, before it, is damaged\)\n\ntransaction 2 /,
      );
      assert.equal(text.stderr, r.stderr);
      const status = await pond(path, ["status"]);
      assert.equal(status.code, 1, status.stdout);
      assert.match(
        status.stdout,
        /^transaction +2 .* pond two +\(the newest that reads: transaction 3 is damaged\)$/m,
      );
      assert.match(status.stdout, /is damaged: 1 error/);
      assert.match(status.stdout, /^ +error +oplog\/_delta_log\/(00000000000000000003\.json|): /m);
      const json = JSON.parse((await pond(path, ["status", "--json"])).stdout);
      assert.deepEqual([json.transaction.seq, json.transaction.damagedAfter], [2, 3]);
      assert.equal((await pondOk(path, ["cat", "--at", "2", "/a/h.txt"])).stdout, "hello\n");
    });
  });
}

/** The data file transaction `version` added, relative to the pond. */
async function dataFileOf(path: string, version: number): Promise<string> {
  const lines = (await Deno.readTextFile(log(path, version))).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  return `oplog/${decodeURIComponent(lines.find((a) => a.add).add.path)}`;
}

for (
  const [name, damage, problem] of [
    ["deleted", (file: string) => Deno.remove(file), /does not exist/],
    ["truncated", (file: string) => Deno.truncate(file, 100), /is truncated/],
  ] as const
) {
  Deno.test(`a ${name} data file: log shows every transaction, says which changes do not read, and names the file once`, async () => {
    await withTempDir(async (dir) => {
      const path = `${dir}/pond`;
      await fivePond(path);
      const file = await dataFileOf(path, 3);
      await damage(`${path}/${file}`);
      const r = await pond(path, ["log", "--json", "--reverse"]);
      assert.equal(r.code, 1, r.stderr);
      const shown = logged(r);
      assert.deepEqual(shown.map(([seq]) => seq), [0, 1, 2, 3, 4], "every transaction is shown");
      assert.deepEqual(shown[0], [0, "/"]);
      assert.equal(shown[3][1], "unknown", "transaction 3's own rows do not read");
      const [line, ...more] = damageLines(r);
      assert.deepEqual(more, [], r.stderr);
      assert.match(line, /^pond log: what transaction \d changed does not read: /);
      assert.ok(line.includes(file.slice(file.lastIndexOf("/") + 1)), line);
      assert.match(line, problem);
      assert.match(line, advice);
      assert.doesNotMatch(line, /run `pond check`;/, "the advice is said once");
    });
  });
}

Deno.test("a set-aside commit: log shows the pond's transactions, exits 0, and says once what was set aside", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/pond`;
    await fivePond(path);
    await Deno.writeTextFile(log(path, 4), (await Deno.readTextFile(log(path, 4))).slice(0, 150));
    await pondOk(path, ["check", "--repair", "--yes"]);
    await pondOk(path, ["mkdir", "/b"]);
    const r = await pond(path, ["log", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(logged(r), [
      [4, "/b"],
      [3, "/a/n.txt"],
      [2, "/a/big.bin"],
      [1, "/a /a/h.txt"],
      [
        0,
        "/",
      ],
    ]);
    const [line, ...more] = damageLines(r);
    assert.deepEqual(more, [], r.stderr);
    assert.match(
      line,
      /^pond log: the torn commit of transaction 4 was set aside by `pond check --repair` \(oplog\/_delta_log\/00000000000000000004\.json\.torn-\d+\); what it did is not in the log/,
    );
    assertOk(await pond(path, ["status"]));
  });
});
