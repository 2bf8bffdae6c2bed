/** Ponds for the remote tests: made through the CLI in this process, and their files as path → SHA-256 to compare copies by. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { type CliResult, pondInProcess } from "../cli/harness.ts";
import { noise } from "../reliability/fixtures.ts";

/** Runs `pond ARGS` in this process and fails the test unless it exits 0. */
export async function pondOk(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const r = await pondInProcess(args, env);
  assert.equal(r.code, 0, `pond ${args.join(" ")}: ${r.stderr}`);
  return r;
}

/**
 * A new pond in `dir/pond` holding a few small files and `blobs` large ones (large bodies
 * are blobs; `bigSize` bytes each), copied in two transactions.
 */
export async function makePond(dir: string, blobs = 1, bigSize = 300_000): Promise<string> {
  const pond = `${dir}/pond`;
  const src = `${dir}/src`;
  await Deno.mkdir(src, { recursive: true });
  for (let i = 0; i < 5; i++) await Deno.writeTextFile(`${src}/s${i}.csv`, `t,v\n${i},${i * i}\n`);
  for (let i = 0; i < blobs; i++) await Deno.writeFile(`${src}/big${i}.bin`, noise(bigSize, i + 1));
  await pondOk(["init", pond]);
  await pondOk(["--pond", pond, "mkdir", "/data"]);
  await pondOk(["--pond", pond, "copy", "-r", `host:${src}`, "/data/"]);
  return pond;
}

/** Every file of a pond's versioned parts (not its cache, not remotes.json) as path → SHA-256. */
export async function pondFiles(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string, rel: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (path === "cache" || path === "remotes.json") continue;
      if (e.isDirectory) await walk(`${dir}/${e.name}`, path);
      else {out.set(
          path,
          createHash("sha256").update(await Deno.readFile(`${dir}/${e.name}`)).digest("hex"),
        );}
    }
  };
  await walk(root, "");
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `pond check --json` of a pond, its findings only (equal for equal ponds). */
export async function checked(root: string): Promise<unknown> {
  const r = await pondInProcess(["--pond", root, "check", "--json"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout);
}
