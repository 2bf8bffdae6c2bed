/** pond plugin add|list|info|remove across real processes: asking, storing, replacing, removing while in use. */
import assert from "node:assert/strict";
import {
  assertFails,
  assertOk,
  BUILTIN_PLUGINS,
  type TestPond,
  withPond,
} from "../pond/fixture.ts";
import { REPO_ROOT } from "./harness.ts";
import { commits, hostFile, pond } from "./plugin_helpers.ts";
import { command } from "../subprocess.ts";

/** A plugin showing each text file under its name in capitals, at `version`. */
function shout(version: string, suffix = ""): string {
  return `export const manifest = { name: "shout", version: "${version}", provides: ["directory"],
  config: { files: { type: "glob", required: true } } };
export function entries({ inputs }: { inputs: { files: { path: string; name: string }[] } }) {
  return inputs.files.map((f) => ({ name: f.name.toUpperCase(), compute: { inputs: [f.path] } }));
}
export function read({ inputs }: { inputs: { bytes: Uint8Array }[] }) {
  return new TextDecoder().decode(inputs[0].bytes).toUpperCase() + "${suffix}";
}
`;
}

Deno.test("plugin add needs --yes off a terminal, then stores the plugin in the pond", async () => {
  await withPond(async (p) => {
    const file = await hostFile(p, "shout.ts", shout("1.0.0"));
    const before = await commits(p);
    const refused = await pond(p, ["plugin", "add", file]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /^plugin shout 1\.0\.0\n/, "the manifest is shown first");
    assert.match(refused.stderr, /^ {4}files {2}glob, required/m, "with its config fields");
    assert.match(refused.stderr, /^ {2}permissions {2}none$/m);
    assert.equal(
      refused.stderr.trim().split("\n").at(-1),
      "pond plugin add: cannot ask whether to add plugin shout 1.0.0: stdin is not a terminal; " +
        "pass --yes to go ahead",
    );
    assert.equal(await commits(p), before, "nothing was written");

    assertOk(await pond(p, ["plugin", "add", `host:${file}`, "--yes"]));
    const listed = JSON.parse(assertOk(await pond(p, ["plugin", "list", "--json"])).stdout);
    assert.deepEqual(
      listed.map((x: { name: string; builtin: boolean }) => [x.name, x.builtin]),
      [...BUILTIN_PLUGINS.map((name) => [name, true]), ["shout", false]],
    );
    const hash = await sha256(shout("1.0.0"));
    const mine = listed.at(-1);
    assert.equal(mine.hash, hash);
    assert.equal(mine.version, "1.0.0");
    assert.deepEqual(mine.permissions, { net: [] });
    assert.equal(mine.source, "/.pond/plugins/shout.ts");
    const source = assertOk(await pond(p, ["cat", "/.pond/plugins/shout.ts"])).stdout;
    assert.equal(source, shout("1.0.0"), "the source is kept byte for byte");
    assert.equal(
      assertOk(await pond(p, ["list", "/"])).stdout,
      "",
      "/.pond is hidden from a listing",
    );
    assert.equal(assertOk(await pond(p, ["list", "-a", "/"])).stdout, "/.pond\n");
  });
});

Deno.test("plugin add refuses a built-in's name, keeps the same source once, replaces with a newer version only", async () => {
  await withPond(async (p) => {
    const visit = await hostFile(p, "visit.ts", shout("1.0.0").replace('"shout"', '"visit"'));
    assertFails(
      await pond(p, ["plugin", "add", visit, "--yes"]),
      1,
      `pond: ${visit} is named visit, which is a built-in plugin; rename it in its manifest\n`,
    );
    const v1 = await hostFile(p, "v1.ts", shout("1.0.0"));
    const v2 = await hostFile(p, "v2.ts", shout("1.1.0", "!"));
    assertOk(await pond(p, ["plugin", "add", v1, "--yes"]));
    const again = assertOk(await pond(p, ["plugin", "add", v1, "--yes"]));
    assert.equal(
      again.stderr,
      "pond plugin add: plugin shout 1.0.0 is already installed from this source\n",
    );
    assertOk(await pond(p, ["plugin", "add", v2, "--yes"]));
    assertFails(
      await pond(p, ["plugin", "add", v1, "--yes"]),
      1,
      `pond: plugin shout 1.1.0 is installed, newer than 1.0.0 in ${v1}; ` +
        "to go back, remove it first ('pond plugin remove shout')\n",
    );
    const described = JSON.parse(
      assertOk(await pond(p, ["describe", "/.pond/plugins/shout.ts", "--json"])).stdout,
    );
    assert.deepEqual(
      described[0].versions.map((v: { version: number }) => v.version),
      [1, 2],
      "a newer version is a new version of the same file",
    );
    const info = JSON.parse(assertOk(await pond(p, ["plugin", "info", "shout", "--json"])).stdout);
    assert.equal(info.version, "1.1.0");
    assert.equal(info.hash, await sha256(shout("1.1.0", "!")));
  });
});

Deno.test("plugin info lists every use; remove is refused while in use, --force removes it and history still computes", async () => {
  await withPond(async (p) => {
    await p.change((root) => root.write("/notes/todo.txt", "water\n", { parents: true }));
    assertOk(await pond(p, ["plugin", "add", await hostFile(p, "s.ts", shout("1.0.0")), "--yes"]));
    const config = await hostFile(p, "c.yaml", "files: /notes/*.txt\n");
    assertOk(await pond(p, ["mknod", "shout", "/loud", "--config", config]));
    assertOk(await pond(p, ["mknod", "shout", "/sites/*/loud", "--config", config]));
    const info = assertOk(await pond(p, ["plugin", "info", "shout"])).stdout;
    assert.match(info, /^shout 1\.0\.0 \(installed\)$/m);
    assert.match(info, /^ {2}used by\n {4}\/loud\n {4}\/sites\/\*\/loud \(pattern\)\n$/m);
    const head = await commits(p);

    assertFails(
      await pond(p, ["plugin", "remove", "shout"]),
      1,
      "pond: plugin shout is used by /loud, pattern /sites/*/loud; remove those first " +
        "(pond rm PATH, pond plugin unregister PATTERN), or pass --force to remove it anyway\n",
    );
    assertFails(
      await pond(p, ["plugin", "remove", "visit"]),
      1,
      "pond: visit is a built-in plugin; it cannot be removed\n",
    );
    assertFails(
      await pond(p, ["plugin", "remove", "nope"]),
      1,
      "pond: no plugin named nope is installed; see 'pond plugin list', " +
        "or add it with 'pond plugin add FILE'\n",
    );
    assert.equal(await commits(p), head, "refusals change nothing");

    const forced = assertOk(await pond(p, ["plugin", "remove", "shout", "--force"]));
    assert.equal(
      forced.stderr,
      "pond plugin remove: /loud, /sites/*/loud (pattern) will fail to read until plugin shout " +
        "is added again\n",
    );
    const names = JSON.parse(assertOk(await pond(p, ["plugin", "list", "--json"])).stdout)
      .map((x: { name: string }) => x.name);
    assert.deepEqual(names, [...BUILTIN_PLUGINS]);
    const broken = await pond(p, ["list", "/loud"]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /^pond: \/loud needs the dynamic directory factory "shout"/);
    assert.match(broken.stderr, /add it with 'pond plugin add FILE'\)\n$/);
    assert.equal(broken.stderr.split("\n").length, 2, "one line");
    const seq = String(head - 1);
    assert.equal(
      assertOk(await pond(p, ["cat", "/loud/TODO.TXT", "--at", seq])).stdout,
      "WATER\n",
      "an earlier state computes with the plugin it had",
    );
    assert.equal(
      assertOk(await pond(p, ["cat", "/.pond/plugins/shout.ts", "--at", seq])).stdout,
      shout("1.0.0"),
    );
  });
});

Deno.test({
  name: "plugin add asks on a terminal: no leaves the pond as it was, yes adds it",
  ignore: !(await hasScript()),
  async fn() {
    await withPond(async (p) => {
      const file = await hostFile(p, "shout.ts", shout("1.0.0"));
      const before = await commits(p);
      const no = await onTerminal(p, ["plugin", "add", file], "n\n");
      assert.equal(no.code, 1, no.output);
      assert.match(no.output, /Add plugin shout 1\.0\.0\? \[y\/N\]/);
      assert.match(
        no.output,
        /pond: did not add plugin shout 1\.0\.0 \(answered no\); nothing changed/,
      );
      assert.equal(await commits(p), before);
      const yes = await onTerminal(p, ["plugin", "add", file], "y\n");
      assert.equal(yes.code, 0, yes.output);
      assert.equal(await commits(p), before + 1);
    });
  },
});

/** Runs `pond ARGS` with a terminal for stdin (through script(1)), typing `input`. */
async function onTerminal(p: TestPond, args: string[], input: string) {
  const line = [Deno.execPath(), "run", "--no-prompt", "-A", `${REPO_ROOT}main.ts`, ...args]
    .map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const child = command("script", {
    args: ["-qec", line, "/dev/null"],
    env: { POND: p.dir, NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, output: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

async function hasScript(): Promise<boolean> {
  try {
    return (await command("script", { args: ["--version"] }).output()).success;
  } catch {
    return false;
  }
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
