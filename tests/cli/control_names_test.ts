/** Names holding control characters print escaped, one line per entry, in every human output; JSON keeps them exact. */
import assert from "node:assert/strict";
import { formatTable } from "../../src/cli/format.ts";
import { assertFails, assertOk, withPond } from "../pond/fixture.ts";
import { type CliResult, pondProcess } from "./harness.ts";

const NAMES = ["/two\nlines.txt", "/esc\x1b[2Jclear.txt", "/tab\there.txt", "/bell\x07\x9b.txt"];
const SHOWN = [
  "/two\\nlines.txt",
  "/esc\\x1b[2Jclear.txt",
  "/tab\\there.txt",
  "/bell\\x07\\x9b.txt",
];

/** Control characters other than the line feeds that end lines. */
// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

function assertPrintable(r: CliResult, what: string, lines?: number): string[] {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  assert.doesNotMatch(r.stdout, RAW_CONTROL, `${what} prints no raw control character`);
  const out = r.stdout.replace(/\n$/, "").split("\n");
  if (lines !== undefined) assert.equal(out.length, lines, `${what}: one line per entry`);
  return out;
}

Deno.test("control characters in names are escaped in list, list -l, describe, log, diff and errors; JSON is exact", async () => {
  await withPond(async (p) => {
    const before = (await p.change((root) => root.write("/plain.txt", "p")))!;
    await Deno.writeTextFile(`${p.host}/body`, "x");
    const run = (args: string[]) => pondProcess(args, { POND: p.dir });
    assertOk(await run(["copy", `host:${p.host}/body`, NAMES[0]]));
    const seq = (await p.change(async (root) => {
      for (const name of NAMES.slice(1)) await root.write(name, "x");
    }))!;

    const listed = assertPrintable(await run(["list", "/"]), "list", NAMES.length + 1);
    assert.deepEqual(listed, [SHOWN[3], SHOWN[1], "/plain.txt", SHOWN[2], SHOWN[0]]);
    const long = assertPrintable(await run(["list", "-l", "/"]), "list -l", NAMES.length + 1);
    for (const shown of SHOWN) assert.ok(long.some((l) => l.endsWith(`  ${shown}`)), shown);

    const described = assertPrintable(await run(["describe", ...NAMES]), "describe");
    for (const shown of SHOWN) assert.ok(described.includes(shown), `describe heads ${shown}`);

    const log = assertPrintable(await run(["log", "--since", String(seq - 1)]), "log");
    assert.ok(log.includes(`  pond copy host:${p.host}/body '/two\\nlines.txt'`), log.join("\n"));
    for (const shown of SHOWN) {
      assert.ok(log.some((l) => /^ {2}added {2}/.test(l) && l.includes(shown)), `log ${shown}`);
    }

    const diff = assertPrintable(
      await run(["diff", String(before), String(seq)]),
      "diff",
      NAMES.length,
    );
    assert.deepEqual(diff.map((l) => l.split(/ {2,}/)[1]).sort(), [...SHOWN].sort());

    const failed = await run(["cat", `${NAMES[0]}/inside`]);
    assertFails(failed, 1, /^pond: .*\/two\\nlines\.txt/);
    assert.doesNotMatch(failed.stderr, RAW_CONTROL);

    const json = JSON.parse(assertOk(await run(["list", "--json", "/"])).stdout);
    assert.deepEqual(
      json.map((e: { path: string }) => e.path).sort(),
      [...NAMES, "/plain.txt"].sort(),
    );
    const descJson = JSON.parse(assertOk(await run(["describe", "--json", ...NAMES])).stdout);
    assert.deepEqual(descJson.map((d: { path: string }) => d.path), NAMES);
    const logJson = JSON.parse(assertOk(await run(["log", "--json", "--limit", "2"])).stdout);
    assert.deepEqual(logJson[1].command.at(-1), NAMES[0]);
    const diffJson = JSON.parse(
      assertOk(await run(["diff", "--json", String(before), String(seq)])).stdout,
    );
    assert.deepEqual(
      diffJson.changes.map((c: { path: string }) => c.path).sort(),
      [...NAMES].sort(),
    );
  });
});

Deno.test("formatTable escapes every cell, so check findings and plugin tables stay one line each", () => {
  assert.equal(
    formatTable([["error", "/a\nb: damaged"], ["warning", "\x1b[1m"]]),
    "error    /a\\nb: damaged\nwarning  \\x1b[1m\n",
  );
});

Deno.test("a plugin's output under --verbose is escaped: its escape sequences show, each line is prefixed", async () => {
  await withPond(async (p) => {
    await Deno.writeTextFile(
      `${p.host}/loud.ts`,
      `export const manifest = { name: "loud", version: "1.0.0", provides: ["directory"] };
export function entries() {
  console.log("\\x1b[2J\\x1b[Hwiped");
  console.log("first\\nsecond\\r");
  return [];
}
`,
    );
    await Deno.writeTextFile(`${p.host}/e.json`, "{}");
    const env = { POND: p.dir };
    assertOk(await pondProcess(["plugin", "add", `${p.host}/loud.ts`, "--yes"], env));
    // mknod computes the new directory's entries once (and keeps them), so the plugin runs there.
    const r = assertOk(
      await pondProcess(
        ["mknod", "loud", "/loud", "--config", `${p.host}/e.json`, "--verbose"],
        env,
      ),
    );
    assert.doesNotMatch(r.stderr, RAW_CONTROL, "no raw control character reaches the terminal");
    const shown = r.stderr.split("\n").filter((l) => l.startsWith("plugin loud: "));
    assert.deepEqual(shown, [
      "plugin loud: \\x1b[2J\\x1b[Hwiped",
      "plugin loud: first",
      "plugin loud: second\\r",
    ]);
  });
});
