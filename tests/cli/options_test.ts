/** The command line as users type it, across real processes: --at and times, global options anywhere, negative numbers, the log recording what was typed. */
import assert from "node:assert/strict";
import { pondProcess } from "./harness.ts";
import { assertFails, assertOk } from "../pond/fixture.ts";

/** A pond made by real processes, with /a made in transaction 1; removed afterwards. */
async function withCliPond(fn: (pond: string, host: string) => Promise<void>): Promise<void> {
  const host = await Deno.makeTempDir();
  try {
    const pond = `${host}/pond`;
    assertOk(await pondProcess(["init", pond]));
    assertOk(await pondProcess(["mkdir", "/a"], { POND: pond }));
    await fn(pond, host);
  } finally {
    await Deno.remove(host, { recursive: true });
  }
}

Deno.test("--at: digits are a transaction; -1, 1.5, ' 3' and words are usage errors, for every command", async () => {
  await withCliPond(async (pond) => {
    const env = { POND: pond };
    assert.equal(assertOk(await pondProcess(["list", "/", "--at", "1"], env)).stdout, "/a\n");
    assert.equal(assertOk(await pondProcess(["list", "/", "--at", "0"], env)).stdout, "");
    const commands = [["list", "/"], ["cat", "/x"], ["describe", "/a"], ["plugin", "list"]];
    const bad = ["-1", "1.5", " 3", "3 ", "+3", "1e3", "2026-02-30", "yesterday"];
    // each value with one of the commands, in turn: every command parses --at the same way
    for (const [i, at] of bad.entries()) {
      const args = commands[i % commands.length];
      assertFails(
        await pondProcess([...args, "--at", at], env),
        2,
        new RegExp(
          `^pond ${args[0]}.*: --at takes a transaction number or a time such as .*, not '${
            at.replace(/[.+]/g, "\\$&")
          }'\n$`,
        ),
      );
    }
    assertFails(
      await pondProcess(["log", "--since", "-1"], env),
      2,
      /^pond log: --since takes a transaction number or a time .* not '-1'\n$/,
    );
    assertFails(
      await pondProcess(["cat", "--rows", "--from", "1.5", "/x"], env),
      2,
      /^pond cat: --from takes a time such as .*, not '1\.5'\n$/,
    );
    assertFails(
      await pondProcess(["delta", "info", `${pond}/oplog`, "--at", "1.5"], env),
      2,
      /^pond delta: --at takes a time such as .*, not '1\.5'\n$/,
    );
  });
});

Deno.test("--at TIME: a time without a zone is UTC whatever the local zone; a date is its midnight UTC", async () => {
  await withCliPond(async (pond) => {
    const env = { POND: pond, TZ: "Asia/Tokyo" }; // local time is 9 hours ahead of UTC
    const [newest] = JSON.parse(
      assertOk(await pondProcess(["log", "--json", "--limit", "1"], env)).stdout,
    );
    const after = new Date(Date.parse(newest.time) + 1000).toISOString();
    for (const at of [after, after.slice(0, 19), after.slice(0, 19).replace("T", " ")]) {
      const r = await pondProcess(["list", "/", "--at", at], env);
      assert.equal(assertOk(r).stdout, "/a\n", `--at ${at}`);
    }
    const tokyo = new Date(Date.parse(after) + 9 * 3600_000).toISOString().slice(0, 19);
    const zoned = await pondProcess(["list", "/", "--at", `${tokyo}+09:00`], env);
    assert.equal(assertOk(zoned).stdout, "/a\n");
    const before = await pondProcess(["list", "/", "--at", "2001-01-01"], env);
    assert.equal(before.code, 1, "a date before the pond existed is no usage error");
  });
});

Deno.test("global options take a value either way, before or after the command", async () => {
  await withCliPond(async (pond) => {
    for (
      const args of [
        ["--pond", pond, "list", "/"],
        [`--pond=${pond}`, "list", "/"],
        ["list", "--pond", pond, "/"],
        ["list", "/", `--pond=${pond}`],
        ["-v", "--pond", pond, "list", "/"],
        ["--no-color", "--pond", pond, "ls", "/"],
      ]
    ) {
      assert.equal(assertOk(await pondProcess(args)).stdout, "/a\n", args.join(" "));
    }
    const cluster = assertOk(await pondProcess(["list", "-av", "/", "--pond", pond]));
    assert.match(cluster.stderr, /^time: open /m, "-v inside a group of short flags is --verbose");
    const json = assertOk(await pondProcess(["--json", "--pond", pond, "log", "--limit", "1"]));
    assert.equal(JSON.parse(json.stdout)[0].seq, 1);
    const sub = await pondProcess(["--pond", pond, "delta", "--json", "info", `${pond}/oplog`]);
    assert.equal(JSON.parse(assertOk(sub).stdout).version, 1);
    assertFails(
      await pondProcess(["--pond", "--verbose", "list"]),
      2,
      "pond list: --pond needs a value, not the option '--verbose' (for a value starting with -, write --pond=--verbose)\n",
    );
    assertFails(await pondProcess(["list", "--pond"]), 2, "pond list: --pond needs a value\n");
    assertFails(
      await pondProcess(["--bogus", "list"]),
      2,
      /^pond list: unknown option '--bogus'\n$/,
    );
  });
});

Deno.test("a negative number as an option's value gets the option's own one-line message", async () => {
  await withCliPond(async (pond) => {
    const env = { POND: pond };
    for (const args of [["log", "--limit", "-1"], ["log", "--limit=-1"]]) {
      assertFails(
        await pondProcess(args, env),
        2,
        "pond log: --limit takes a whole number, not '-1'\n",
      );
    }
    assertFails(
      await pondProcess(["maintain", "--vacuum", "--retain", "-2"], env),
      2,
      "pond maintain: --retain takes a number of hours, not '-2'\n",
    );
    assertFails(
      await pondProcess(["cat", "/a", "--version", "-3"], env),
      2,
      "pond cat: --version takes a version number from 1, not '-3'\n",
    );
  });
});

Deno.test("log records each command as typed, every option and value in order", async () => {
  await withCliPond(async (pond) => {
    const typed = ["maintain", "--compact", "--checkpoint", "--vacuum", "--retain", "0", "--apply"];
    assertOk(await pondProcess(["mkdir", "/b"], { POND: pond }));
    assertOk(await pondProcess(["--pond", pond, ...typed]));
    const log = JSON.parse(assertOk(await pondProcess(["log", "--json"], { POND: pond })).stdout);
    assert.deepEqual(log[0].command, ["--pond", pond, ...typed]);
    assert.deepEqual(log.at(-1).command, ["init", pond]);
    const text = assertOk(await pondProcess(["log", "--limit", "1"], { POND: pond })).stdout;
    assert.match(text, new RegExp(`\n {2}pond --pond \\S+ ${typed.join(" ")}\n`));
  });
});
