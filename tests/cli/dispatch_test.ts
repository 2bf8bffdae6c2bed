/** The CLI's conventions: help with examples everywhere, exit codes, one-line errors. */
import assert from "node:assert/strict";
import type { Command } from "../../src/cli/command.ts";
import { COMMANDS, loadCommand } from "../../src/cli/registry.ts";
import { pondInProcess } from "./harness.ts";

/** The words of every command and subcommand: `["list"]`, `["delta", "info"]`, … */
async function everyCommand(): Promise<string[][]> {
  const paths: string[][] = [];
  const walk = (c: Command, prefix: string[]) => {
    paths.push([...prefix, c.name]);
    for (const sub of c.subcommands ?? []) walk(sub, [...prefix, c.name]);
  };
  for (const entry of COMMANDS) walk(await loadCommand(entry), []);
  return paths;
}

Deno.test("pond --help lists every command and exits 0", async () => {
  const r = await pondInProcess(["--help"]);
  assert.equal(r.code, 0);
  for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c.name} `, "m"));
  assert.equal(r.stderr, "");
});

Deno.test("pond with no command prints help on stderr and exits 2", async () => {
  const r = await pondInProcess([]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /Usage: pond COMMAND/);
});

Deno.test("every command has --help with usage and examples", async () => {
  for (const path of await everyCommand()) {
    const r = await pondInProcess([...path, "--help"]);
    assert.equal(r.code, 0, path.join(" "));
    assert.match(r.stdout, /^Usage: pond /m, path.join(" "));
    assert.match(r.stdout, /^Examples:\n {2}pond /m, path.join(" "));
  }
});

Deno.test("an unknown command is a one-line usage error, exit 2", async () => {
  const r = await pondInProcess(["frobnicate"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "pond: unknown command 'frobnicate' (see 'pond --help')\n");
});

Deno.test("an unknown option is a one-line usage error naming the command, exit 2", async () => {
  const r = await pondInProcess(["delta", "info", "--frob", "x"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^pond delta info: unknown option '--frob'\n$/);
});

Deno.test("a missing argument is a usage error showing the usage, exit 2", async () => {
  const r = await pondInProcess(["delta", "scan"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^pond delta scan: missing argument \(usage: pond delta scan DIR/);
});

Deno.test("pond --version prints the version", async () => {
  const r = await pondInProcess(["--version"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^pond \d+\.\d+\.\d+\n$/);
});
