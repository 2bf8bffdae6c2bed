/**
 * Tests for a sandbox's lifetime and reach across real processes: it dies with its pond however
 * pond ends, keeps its Deno cache to itself, and finds no WebGPU.
 */

import assert from "node:assert/strict";
import { REPO_ROOT } from "../cli/harness.ts";
import { type TestPond, withPond } from "../pond/fixture.ts";
import { plugin, pondWith, text, withHost } from "./helpers.ts";
import { command } from "../subprocess.ts";

/** A plugin that keeps a timer running and whose entries() never answers, as in the report. */
const HANGING = `
console.log("hanging plugin loaded");
setInterval(() => {}, 1000);
export const manifest = { name: "hang", version: "1.0.0", provides: ["directory"] };
export function entries() { return new Promise(() => {}); }
`;

/** The live (not zombie) processes whose parent is `pid`. */
async function childrenOf(pid: number): Promise<number[]> {
  const found: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) === pid && state !== "Z") found.push(Number(entry.name));
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}

async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function waitFor(what: string, test: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A pond with the hanging plugin at /v. */
async function hangingPond(p: TestPond): Promise<void> {
  const file = `${p.host}/hang.ts`;
  await Deno.writeTextFile(file, HANGING);
  await Deno.writeTextFile(`${p.host}/empty.yaml`, "{}\n");
  const mknod = ["mknod", "hang", "/v", "--config", `${p.host}/empty.yaml`];
  for (const args of [["plugin", "add", file, "--yes"], mknod]) {
    const r = await p.run(args);
    assert.equal(r.code, 0, r.stderr);
  }
}

/**
 * Starts `pond list /v` as a process, waits for its sandbox to start, ends pond with `end`,
 * and asserts the sandbox is gone soon after; returns what pond left in its temporary directory.
 */
async function sandboxEndsWithPond(
  p: TestPond,
  end: (pond: Deno.ChildProcess) => void,
  env: Record<string, string> = {},
): Promise<string[]> {
  const tmp = await Deno.makeTempDir({ dir: p.host });
  const pond = command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", `${REPO_ROOT}main.ts`, "list", "/v"],
    env: { POND: p.dir, NO_COLOR: "1", TMPDIR: tmp, ...env },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let sandbox = 0;
  try {
    await waitFor("the sandbox to start", async () => {
      const deno = (await childrenOf(pond.pid))[0];
      if (deno === undefined) return false;
      const cmdline = await Deno.readTextFile(`/proc/${deno}/cmdline`).catch(() => "");
      sandbox = deno;
      return cmdline.includes("--jitless");
    });
    await new Promise((r) => setTimeout(r, 300)); // the plugin is loaded and entries() waits
    end(pond);
    await pond.status;
    await waitFor("the sandbox to end", async () => !(await alive(sandbox)), 5000);
    return (await Array.fromAsync(Deno.readDir(tmp))).map((e) => e.name);
  } finally {
    try {
      pond.kill("SIGKILL");
    } catch {
      // It has ended.
    }
    await pond.status;
    if (sandbox && await alive(sandbox)) Deno.kill(sandbox, "SIGKILL");
  }
}

for (const signal of ["SIGTERM", "SIGINT", "SIGHUP", "SIGKILL"] as const) {
  Deno.test({
    name: `lifetime: an idle sandbox whose call never ends dies when pond gets ${signal}`,
    ignore: Deno.build.os !== "linux",
    async fn() {
      await withPond(async (p) => {
        await hangingPond(p);
        const left = await sandboxEndsWithPond(p, (pond) => pond.kill(signal));
        // Only SIGKILL gives pond no chance to remove the sandbox's cache.
        if (signal !== "SIGKILL") assert.deepEqual(left, []);
      });
    },
  });
}

Deno.test({
  name: "lifetime: pond's own crash (out of memory) ends its sandbox too",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await withPond(async (p) => {
      await hangingPond(p);
      // pond is killed from outside at its worst moment; the kernel's OOM killer sends SIGKILL.
      await sandboxEndsWithPond(p, (pond) => Deno.kill(pond.pid, "SIGKILL"));
    });
  },
});

Deno.test({
  name: "lifetime: sandboxes write nothing to the user's Deno cache, and leave no cache behind",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await withPond(async (p) => {
      const marker = `marker_${crypto.randomUUID().replaceAll("-", "")}`;
      const file = `${p.host}/cached.ts`;
      await Deno.writeTextFile(
        file,
        `export const manifest = { name: "cached", version: "1.0.0", provides: ["directory"] };
        export function entries() { return [{ name: "${marker}", compute: {} }]; }
        export function read() { return "r"; }`,
      );
      await Deno.writeTextFile(`${p.host}/empty.yaml`, "{}\n");
      const mknod = ["mknod", "cached", "/c", "--config", `${p.host}/empty.yaml`];
      for (const args of [["plugin", "add", file, "--yes"], mknod]) {
        const r = await p.run(args);
        assert.equal(r.code, 0, r.stderr);
      }
      const denoDir = `${p.host}/deno-dir`;
      const tmp = `${p.host}/tmp`;
      await Deno.mkdir(tmp);
      const started = Date.now();
      const out = await command(Deno.execPath(), {
        args: ["run", "--no-prompt", "-A", `${REPO_ROOT}main.ts`, "list", "/c"],
        env: { POND: p.dir, DENO_DIR: denoDir, TMPDIR: tmp },
      }).output();
      assert.equal(new TextDecoder().decode(out.stdout), `/c/${marker}\n`);
      // The sandbox has no environment, so Deno's own default cache is where it would write.
      const info = await command(Deno.execPath(), {
        args: ["info", "--json"],
        clearEnv: true,
      })
        .output();
      const defaultDir = JSON.parse(new TextDecoder().decode(info.stdout)).denoDir as string;
      const holding: string[] = [];
      for (const dir of [denoDir, `${defaultDir}/gen`]) {
        for await (const path of walkFiles(dir)) {
          const { mtime } = await Deno.stat(path);
          if ((mtime?.getTime() ?? 0) < started - 1000) continue;
          if (new TextDecoder().decode(await Deno.readFile(path)).includes(marker)) {
            holding.push(path);
          }
        }
      }
      assert.deepEqual(holding, [], "no Deno cache but the sandbox's own holds the plugin");
      assert.deepEqual(await Array.fromAsync(Deno.readDir(tmp)), [], "no sandbox cache left");
    });
  },
});

async function* walkFiles(dir: string): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walkFiles(path);
    else if (entry.isFile) yield path;
  }
}

Deno.test("lifetime: WebGPU, image decoding and the terminal dialogs are gone in the sandbox", async () => {
  const probe = await plugin(`
    export const manifest = { name: "gpu", version: "1.0.0", provides: ["directory"] };
    export async function entries() {
      const g: any = globalThis;
      const gpus = Object.getOwnPropertyNames(g).filter((n) => n.startsWith("GPU"));
      let adapter = "none";
      try { adapter = String(await (navigator as any).gpu.requestAdapter()); }
      catch (e) { adapter = "threw"; }
      const seen = [
        "gpu" in navigator, gpus.length, adapter, typeof g.createImageBitmap,
        typeof g.OffscreenCanvas, typeof g.prompt, typeof g.alert, typeof g.confirm,
      ].join(",");
      return [{ name: "r", compute: { args: seen } }];
    }
    export function read({ args }: { args: string }) { return args; }
  `);
  await withHost({}, async (host) => {
    const { fs } = await pondWith(host, {}, [["/g", probe, {}]]);
    assert.equal(
      text(await (await fs.root()).read("/g/r")),
      "false,0,threw,undefined,undefined,undefined,undefined,undefined",
    );
  });
});
