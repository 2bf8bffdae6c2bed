/** pond help, pond completion and pond status (with check --quick), across real processes. */
import assert from "node:assert/strict";
import { COMMANDS } from "../../src/cli/registry.ts";
import { pondProcess, REPO_ROOT } from "./harness.ts";
import { assertFails, assertOk } from "../pond/fixture.ts";
import { command } from "../subprocess.ts";

const MAIN = `${REPO_ROOT}main.ts`;

Deno.test("pond help CMD prints what pond CMD --help does; pond help alone is pond --help", async () => {
  for (const words of [["copy"], ["delta", "scan"], ["ls"]]) {
    const help = assertOk(await pondProcess(["help", ...words]));
    assert.equal(help.stdout, assertOk(await pondProcess([...words, "--help"])).stdout);
    assert.match(help.stdout, /^Usage: pond /m);
  }
  assert.equal(
    assertOk(await pondProcess(["help"])).stdout,
    assertOk(await pondProcess(["--help"])).stdout,
  );
  assertFails(
    await pondProcess(["help", "frob"]),
    2,
    "pond: unknown command 'frob' (see 'pond --help')\n",
  );
  assertFails(
    await pondProcess(["help", "delta", "frob"]),
    2,
    "pond delta: unknown command 'frob' (see 'pond delta --help')\n",
  );
});

/** What the bash completion offers for the words typed (the last one being completed). */
async function bashCompletes(script: string, words: string[]): Promise<string[]> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/pond.bash`, script);
    const quoted = words.map((w) => `'${w}'`).join(" ");
    const probe = `source ${dir}/pond.bash; COMP_WORDS=(${quoted}); ` +
      `COMP_CWORD=${words.length - 1}; _pond; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const out = await command("bash", { args: ["-c", probe] }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    return new TextDecoder().decode(out.stdout).split("\n").filter(Boolean);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("pond completion bash: bash accepts it; it completes commands, subcommands and options", async () => {
  const script = assertOk(await pondProcess(["completion", "bash"])).stdout;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/pond.bash`, script);
    const syntax = await command("bash", { args: ["-n", `${dir}/pond.bash`] }).output();
    assert.ok(syntax.success, new TextDecoder().decode(syntax.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(await bashCompletes(script, ["pond", "li"]), ["list"]);
  assert.deepEqual(await bashCompletes(script, ["pond", "--pond", "/p", "li"]), ["list"]);
  assert.deepEqual(await bashCompletes(script, ["pond", "delta", ""]), ["info", "scan"]);
  assert.deepEqual(await bashCompletes(script, ["pond", "list", "--l"]), ["--long"]);
  assert.deepEqual(await bashCompletes(script, ["pond", "copy", "--pond", ""]), [], "a value");
  const commands = await bashCompletes(script, ["pond", ""]);
  for (const c of COMMANDS) assert.ok(commands.includes(c.name), c.name);
  assertFails(
    await pondProcess(["completion", "tcsh"]),
    2,
    "pond completion: no completion for 'tcsh'; pick one of bash, zsh, fish\n",
  );
});

for (const shell of ["zsh", "fish"]) {
  const missing = !(await command("sh", { args: ["-c", `command -v ${shell}`] }).output())
    .success;
  Deno.test({
    name: `pond completion ${shell}: ${shell} -n accepts it${
      missing ? ` (skipped: no ${shell} here)` : ""
    }`,
    ignore: missing,
    async fn() {
      const script = assertOk(await pondProcess(["completion", shell])).stdout;
      const dir = await Deno.makeTempDir();
      try {
        await Deno.writeTextFile(`${dir}/pond.${shell}`, script);
        const out = await command(shell, { args: ["-n", `${dir}/pond.${shell}`] })
          .output();
        assert.ok(out.success, new TextDecoder().decode(out.stderr));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test("pond completion zsh and fish name every command", async () => {
  for (const shell of ["zsh", "fish"]) {
    const script = assertOk(await pondProcess(["completion", shell])).stdout;
    for (const c of COMMANDS) {
      assert.match(script, new RegExp(`\\b${c.name}\\b`), `${shell} ${c.name}`);
    }
  }
});

/** A pond with one file in it, made by real processes; removed afterwards. */
async function withStatusPond(fn: (pond: string, host: string) => Promise<void>): Promise<void> {
  const host = await Deno.makeTempDir();
  try {
    const pond = `${host}/lake`;
    assertOk(await pondProcess(["init", pond]));
    await Deno.writeTextFile(`${host}/big.bin`, "x".repeat(200_000));
    assertOk(await pondProcess(["copy", `host:${host}/big.bin`, "/big.bin"], { POND: pond }));
    await fn(pond, host);
  } finally {
    await Deno.remove(host, { recursive: true });
  }
}

Deno.test("pond status: which pond and why, its newest transaction, its size, a quick check", async () => {
  await withStatusPond(async (pond) => {
    const r = assertOk(await pondProcess(["status"], { POND: pond }));
    assert.match(r.stdout, new RegExp(`^pond {9}${pond} \\(from POND\\)\n`));
    assert.match(
      r.stdout,
      /\ntransaction {2}1 {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}(\S+ {2})?pond copy host:\S+ \/big\.bin\n/,
    );
    assert.match(r.stdout, /\nsize {9}\d+\.\d KiB \(log .*, data files .*, blobs 195\.3 KiB\)\n/);
    assert.match(r.stdout, /\ncheck {8}the pond at transaction 1 is consistent: 0 errors/);
    const found = assertOk(
      await pondProcess(["status", "--json"], {}, MAIN, { cwd: `${pond}/oplog` }),
    );
    const s = JSON.parse(found.stdout);
    assert.equal(s.pond, pond);
    assert.equal(s.from, "search");
    assert.equal(s.transaction.seq, 1);
    assert.equal(s.transaction.command[0], "copy");
    assert.equal(s.bytes.blobs, 200_000);
    assert.ok(s.bytes.total > s.bytes.log + s.bytes.dataFiles + s.bytes.blobs, "pond.json too");
    assert.deepEqual(s.check, { damaged: false, findings: [] });
  });
});

Deno.test("status and check --quick read the log, not the blobs: a torn newest commit is found, a damaged blob is left to check", async () => {
  await withStatusPond(async (pond) => {
    const env = { POND: pond };
    const [blob] = await files(`${pond}/blobs`);
    await Deno.writeTextFile(blob, "damaged");
    assertOk(await pondProcess(["check", "--quick"], env));
    assert.equal((await pondProcess(["check"], env)).code, 1, "the full check reads the blob");
    assertFails(
      await pondProcess(["check", "--quick", "--repair"], env),
      2,
      "pond check: --repair needs the whole check; drop --quick\n",
    );
    await Deno.writeTextFile(`${pond}/oplog/_delta_log/00000000000000000001.json`, '{"add": {');
    const r = await pondProcess(["status", "--json"], env);
    assert.equal(r.code, 1, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.check.damaged, true);
    assert.ok(
      s.check.findings.some((f: { severity: string }) => f.severity === "error"),
      JSON.stringify(s.check.findings),
    );
    assert.equal((await pondProcess(["check", "--quick"], env)).code, 1);
  });
});

async function files(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) found.push(...await files(`${dir}/${e.name}`));
    else found.push(`${dir}/${e.name}`);
  }
  return found;
}
