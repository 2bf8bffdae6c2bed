/** The README, kept true: its command blocks run as written, in order, as a new user runs them. */
import assert from "node:assert/strict";
import { REPO_ROOT } from "./cli/harness.ts";
import { command } from "./subprocess.ts";

/** What a new user's clone holds once `npm install` ran: the parts the README's commands use. */
const CLONE = [
  "bin",
  "deno.json",
  "main.ts",
  "node_modules",
  "package.json",
  "plugins",
  "samples",
  "src",
];

/**
 * `npm`, as far as the README's set-up runs it here: this test runs inside an installed
 * clone (so `npm install` has nothing to do) and is part of `npm test`; `npm run demo` runs
 * the demo; `npm run compile` is tests/cli/compile_test.ts's. Anything else fails, so a new
 * npm command in the README is noticed.
 */
const NPM_STUB = `#!/bin/sh
case "$*" in
  install | test | "run compile") ;;
  "run demo") exec "$DENO" run --no-prompt -A "$REPO/scripts/demo.ts" ;;
  *) echo "the README runs 'npm $*', which readme_test.ts does not know" >&2; exit 1 ;;
esac
`;

/** Line-editing codes (ESC [ … letter) and the braille glyphs of npx's spinner. */
const TERMINAL_CODES = new RegExp(
  `${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]|[\u2800-\u28ff]`,
  "g",
);

/** The README's blocks in order: each sh block a script, each ts block a file it saves. */
function readmeBlocks(readme: string): ({ sh: string } | { file: string; text: string })[] {
  const blocks = [];
  let prose = 0;
  for (const m of readme.matchAll(/```(sh|ts)\n([\s\S]*?)```/g)) {
    if (m[1] === "sh") blocks.push({ sh: m[2] });
    else {
      const names = [...readme.slice(prose, m.index).matchAll(/`([\w.-]+\.ts)`/g)];
      assert.ok(names.length > 0, `the prose before ts block\n${m[2]}\nnames its file`);
      blocks.push({ file: names.at(-1)![1], text: m[2] });
    }
    prose = m.index + m[0].length;
  }
  return blocks;
}

Deno.test("the README's command blocks run verbatim, in order, in a fresh clone at a terminal", async () => {
  const readme = await Deno.readTextFile(`${REPO_ROOT}README.md`);
  const work = await Deno.makeTempDir({ prefix: "pond-readme-" });
  try {
    const clone = `${work}/clone`;
    await Deno.mkdir(`${work}/stub`, { recursive: true });
    await Deno.mkdir(`${work}/tmp`);
    await Deno.mkdir(clone);
    for (const name of CLONE) await Deno.symlink(`${REPO_ROOT}${name}`, `${clone}/${name}`);
    await Deno.writeTextFile(`${work}/stub/npm`, NPM_STUB, { mode: 0o755 });
    let script = "set -eux\n";
    for (const block of readmeBlocks(readme)) {
      if ("sh" in block) script += block.sh;
      else await Deno.writeTextFile(`${clone}/${block.file}`, block.text);
    }
    await Deno.writeTextFile(`${work}/readme.sh`, script);
    // script(1) gives the commands a terminal, where `pond plugin add` asks, and answers y.
    const run = await command("script", {
      args: ["-qec", `sh ${work}/readme.sh`, "/dev/null"],
      cwd: clone,
      env: {
        PATH: `${work}/stub:${Deno.env.get("PATH")}`,
        TMPDIR: `${work}/tmp`,
        NO_COLOR: "1",
        // The terminal is script(1)'s whatever the test runs under (CI has no TERM); npx's spinner off.
        TERM: "xterm",
        npm_config_progress: "false",
        DENO: Deno.execPath(),
        REPO: REPO_ROOT,
      },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stdin = run.stdin.getWriter();
    await stdin.write(new TextEncoder().encode("y\n"));
    await stdin.close();
    const { code, stdout } = await run.output();
    // What the terminal shows, without line-editing codes and npx's spinner (braille glyphs).
    const out = new TextDecoder().decode(stdout).replaceAll("\r\n", "\n")
      .replace(TERMINAL_CODES, "");
    assert.equal(code, 0, `a README command failed (the last + line):\n${out.slice(-3000)}`);
    // What each command printed: the shell's -x trace starts each command's output with "+ ".
    const printed = (command: string) =>
      out.split(/^\+ /m).filter((part) => part.startsWith(command)).map((part) =>
        part.slice(part.indexOf("\n") + 1)
      ).join("");
    const expect: [string, RegExp][] = [
      // The demo's pipeline: set up from a file, the secret kept out of the stored config,
      // 3 × 288 readings collected (each `[^$]*` stays within one command's output), nothing
      // new the second time, an aggregate per sonde (every third depth a gap), 6 h buckets of
      // three days, a site of a page per sonde, and the run's commit in the log.
      ["npm run demo", /^pond apply: 3 of 3 documents applied in transaction 1$/m],
      [
        "npm run demo",
        /^\{"api_url":"http:\/\/127\.0\.0\.1:\d+\/[^\n]*"\$\{env:HYDRO_KEY_VALUE\}"/m,
      ],
      [
        "npm run demo",
        /^\$ pond run \/etc\/hydrovu --json\n[^$]*"seq": 2,([^$]*"rows": 288,){3}[^$]*\n\$ pond run \/etc\/hydrovu --json\n[^$]*"seq": null,\s*"series": \[\],/m,
      ],
      [
        "npm run demo",
        /^device +readings +temp_min +temp_max +cond_avg +depths\n[- ]+\n(Noyo\w+ +288 +1\d\.\d+ +1\d\.\d+ +\d{5} +192\n){3}\n/m,
      ],
      [
        "npm run demo",
        /^timestamp +temp_avg +temp_min +temp_max +depth_avg\n[- ]+\n(2026-11-\d\dT\d\d:00:00\.000Z( +[\d.]+){4}\n){12}\n/m,
      ],
      ["npm run demo", /^built 3 page\(s\) as of transaction 2 into site: /m],
      ["npm run demo", /^ {2}collected by hydrovu 1\.0\.0: 864 rows into 3 series$/m],
      ["pond cat /sites/lake_south/readings.csv --at 4", /^timestamp,temperature_c,/],
      ["pond cat --rows", /\n2026-06-03T02:00:00\.000Z,[^\n]*\n$/],
      ["npx deno run -A count_rows.ts", /^lake_north 336 readings\n$/],
      ["pond cat /reports/counted.txt", /^done\n$/],
      ["pond check", /is consistent: 0 errors/],
      ["pond maintain", /^compact: merged/],
      ["pond delta scan", /^seq\tnode_id\tversion\tentry_type\tsize\n(\d+\t[^\n]*\n){5}$/],
      ["pond cat /loud/todo.TXT", /^WATER THE SONDES\n$/],
      ["pond remote verify usb --read-data", /is sound: 0 errors/],
      ["pond list /sites/*/tables/*", /^\/sites\/lake_north\/tables\/2026-06\.parquet\n$/],
      ["pond cat /all.csv", /^timestamp,temperature_c,(.*\n){337}$/],
      [
        "pond cat /reduce/res=1d.series --rows",
        /^timestamp,temperature_c\.avg,temperature_c\.max,/,
      ],
      ["pond apply -f setup.yaml --dry-run", /^3 {2}unchanged +plugin +shout$/m],
      [
        "pond plugin info shout",
        /^shout 1\.0\.0 \(installed\)$[\s\S]*^ {2}used by\n {4}\/loud\n$/m,
      ],
    ];
    for (const [command, pattern] of expect) {
      assert.match(printed(command), pattern, `what '${command}' printed, in:\n${out}`);
    }
    assert.ok(!out.includes("\0"), "nothing printed binary bytes to the terminal");
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
