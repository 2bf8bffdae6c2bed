/** The import lint: it passes on the repository and refuses a new cycle or an import past a face. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { checkImports } from "../scripts/check_imports.ts";
import { REPO_ROOT } from "./cli/harness.ts";
import { command } from "./subprocess.ts";

/** A throwaway tree of modules: `files` maps paths (from its root) to their text. */
async function withTree(
  files: Record<string, string>,
  body: (root: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "pond-imports-" });
  try {
    for (const [path, text] of Object.entries(files)) {
      await Deno.mkdir(join(root, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(root, path), text);
    }
    await body(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("the repository passes the import lint, as the check script runs it", async () => {
  const run = await command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--allow-read", "scripts/check_imports.ts"],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(run.stderr);
  assert.equal(run.code, 0, stderr);
  assert.match(new TextDecoder().decode(run.stdout), /no new cycles/);
});

Deno.test("a cycle, even through type-only imports, fails naming its files; a text import is not one", async () => {
  await withTree({
    "main.ts": 'import { a } from "./src/pond/mod.ts";\n',
    "src/pond/mod.ts": 'export { a } from "./a.ts";\n',
    "src/pond/a.ts": 'import type { B } from "./b.ts";\nexport const a = 1;\n',
    "src/pond/b.ts":
      'import {\n  a,\n} from "./a.ts";\nimport TEXT from "./c.ts" with { type: "text" };\nexport type B = typeof a;\n',
    "src/pond/c.ts": 'import "./b.ts";\n',
  }, async (root) => {
    const report = await checkImports(root, [], []);
    assert.deepEqual(report.cycles, [{
      files: ["src/pond/a.ts", "src/pond/b.ts"],
      path: ["src/pond/a.ts", "src/pond/b.ts", "src/pond/a.ts"],
    }]);
    assert.deepEqual(report.faceViolations, []);
  });
});

Deno.test("a known cycle stands, and one that grew a file fails again", async () => {
  const known = [{ files: ["src/pond/a.ts", "src/pond/b.ts"], reason: "test" }];
  const pair = {
    "src/pond/a.ts": 'import "./b.ts";\n',
    "src/pond/b.ts": 'import "./a.ts";\n',
  };
  await withTree(pair, async (root) => {
    const report = await checkImports(root, known, []);
    assert.deepEqual(report.cycles, []);
    assert.equal(report.knownCycles.length, 1);
  });
  await withTree({
    ...pair,
    "src/pond/b.ts": 'import "./c.ts";\n',
    "src/pond/c.ts": 'import "./a.ts";\n',
  }, async (root) => {
    const report = await checkImports(root, known, []);
    assert.deepEqual(report.cycles.map((c) => c.files), [[
      "src/pond/a.ts",
      "src/pond/b.ts",
      "src/pond/c.ts",
    ]]);
  });
});

Deno.test("an import of another layer's file instead of its mod.ts fails, naming the line", async () => {
  await withTree({
    "scripts/tool.ts": 'import { Pond } from "../src/pond/pond.ts";\n',
    "src/errors.ts": "export class PondError extends Error {}\n",
    "src/pond/pond.ts":
      'import { PondError } from "../errors.ts";\nimport { FS } from "../tinyfs/mod.ts";\n\nimport { WD } from "../tinyfs/wd.ts";\n',
    "src/tinyfs/mod.ts": 'export { WD } from "./wd.ts";\n',
    "src/tinyfs/wd.ts": 'import { stat } from "./stat.ts";\nexport class WD {}\n',
    "src/tinyfs/stat.ts": "export const stat = 1;\n",
  }, async (root) => {
    const report = await checkImports(root, [], []);
    assert.deepEqual(report.faceViolations, [
      { from: "scripts/tool.ts", to: "src/pond/pond.ts", line: 1 },
      { from: "src/pond/pond.ts", to: "src/tinyfs/wd.ts", line: 4 },
    ]);
    const excused = await checkImports(root, [], [{ file: "src/pond/pond.ts", reason: "test" }]);
    assert.deepEqual(excused.faceViolations.map((e) => e.from), ["scripts/tool.ts"]);
  });
});
