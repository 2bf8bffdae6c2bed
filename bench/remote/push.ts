/** Benchmark: `pond push`, an incremental push and `pond restore` against `s3cmd sync` / `s3cmd get` of the same pond directory, on one loopback s3rver, in the same run. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/remote/push.ts [small=2000] [blobMiB=128] [rounds=3]
// The pond holds `small` small files copied in 20 transactions and 4 blobs of blobMiB/4 MiB
// (the full scale: 10000 and 1024). Each round pushes to fresh prefixes, pond first
// then s3cmd, so both meet the same server and disk state; times are whole processes.
import { median, peakRssKiB, ROOT, timed } from "../pond/bench_util.ts";
import { noise } from "../../tests/reliability/fixtures.ts";
import { startS3rver } from "../../tests/remote/s3_server.ts";

const SMALL = Number(Deno.args[0] ?? 2000);
const BLOB_MIB = Number(Deno.args[1] ?? 128);
const ROUNDS = Number(Deno.args[2] ?? 3);
const BATCHES = 20;

const work = await Deno.makeTempDir({ prefix: "pond-bench-remote-" });
const server = await startS3rver("bench");
const env = { ...server.env, NO_COLOR: "1" };
const cfg = `${work}/s3cmd.cfg`;
await Deno.writeTextFile(
  cfg,
  "[default]\naccess_key = S3RVER\nsecret_key = S3RVER\n" +
    `host_base = 127.0.0.1:${server.port}\nhost_bucket = 127.0.0.1:${server.port}\n` +
    "use_https = False\nprogress_meter = False\n",
);
const pondRun = async (args: string[]) => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", `${ROOT}main.ts`, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`pond ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
};
const pondTimed = async (args: string[]) => {
  const start = performance.now();
  const stdout = await pondRun(args);
  return { ms: performance.now() - start, stdout };
};
const s3cmd = (args: string[]) => timed("s3cmd", ["-c", cfg, ...args], { env });

try {
  const pond = `${work}/pond`;
  await pondRun(["init", pond]);
  for (let b = 0; b < BATCHES; b++) {
    const dir = `${work}/src/b${b}`;
    await Deno.mkdir(dir, { recursive: true });
    for (let i = b; i < SMALL; i += BATCHES) {
      await Deno.writeTextFile(`${dir}/f${i}.csv`, `t,v\n${i},${i * 7}\n`);
    }
    await pondRun(["--pond", pond, "copy", "-r", `host:${dir}`, "/"]);
  }
  for (let i = 0; i < 4; i++) {
    await Deno.writeFile(`${work}/big${i}.bin`, noise((BLOB_MIB << 20) / 4, i + 1));
    await pondRun(["--pond", pond, "copy", `host:${work}/big${i}.bin`, "/"]);
  }
  const rows: Record<string, { pond: number[]; s3cmd: number[] }> = {
    push: { pond: [], s3cmd: [] },
    "incremental push": { pond: [], s3cmd: [] },
    restore: { pond: [], s3cmd: [] },
  };
  let first: { objects: number; bytes: number } = { objects: 0, bytes: 0 };
  let incremental: { objects: number; bytes: number } = { objects: 0, bytes: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const name = `r${r}`;
    await pondRun([
      "--pond",
      pond,
      "remote",
      "add",
      name,
      `s3://bench/pond-${r}`,
      "--endpoint",
      server.endpoint,
    ]);
    const push = await pondTimed(["--pond", pond, "push", name, "--json"]);
    first = JSON.parse(push.stdout).sent;
    rows.push.pond.push(push.ms);
    // s3cmd sync of the same directory (its cache and remotes.json excluded, as push leaves them)
    const sync = [
      "sync",
      "--no-progress",
      "--exclude",
      "cache/*",
      "--exclude",
      "remotes.json",
      `${pond}/`,
      `s3://bench/s3cmd-${r}/`,
    ];
    rows.push.s3cmd.push(await s3cmd(sync));

    await Deno.writeTextFile(`${work}/new${r}.csv`, `t,v\n${r},1\n`);
    await pondRun(["--pond", pond, "copy", `host:${work}/new${r}.csv`, "/"]);
    const again = await pondTimed(["--pond", pond, "push", name, "--json"]);
    incremental = JSON.parse(again.stdout).sent;
    rows["incremental push"].pond.push(again.ms);
    rows["incremental push"].s3cmd.push(await s3cmd(sync));

    rows.restore.pond.push(
      (await pondTimed([
        "restore",
        `s3://bench/pond-${r}`,
        `${work}/restored${r}`,
        "--endpoint",
        server.endpoint,
      ])).ms,
    );
    await Deno.mkdir(`${work}/s3cmd-get${r}`);
    rows.restore.s3cmd.push(
      await s3cmd([
        "get",
        "-r",
        "--no-progress",
        `s3://bench/s3cmd-${r}/`,
        `${work}/s3cmd-get${r}/`,
      ]),
    );
  }
  // memory stays bounded: a push's peak RSS, with blobs of BLOB_MIB / 4 MiB each
  await pondRun([
    "--pond",
    pond,
    "remote",
    "add",
    "rss",
    "s3://bench/rss",
    "--endpoint",
    server.endpoint,
  ]);
  const rss = await peakRssKiB(Deno.execPath(), [
    "run",
    "--no-prompt",
    "-A",
    `${ROOT}main.ts`,
    "--pond",
    pond,
    "push",
    "rss",
  ], env);
  console.log(
    `peak RSS of a first push with ${BLOB_MIB / 4} MiB blobs: ${(rss / 1024).toFixed(0)} MiB`,
  );
  console.log(
    `pond: ${SMALL} small files in ${BATCHES} transactions, 4 blobs of ${BLOB_MIB / 4} MiB; ` +
      `first push sent ${first.objects} objects (${(first.bytes / 2 ** 20).toFixed(1)} MiB), ` +
      `incremental push after one new file sent ${incremental.objects} objects (${incremental.bytes} bytes)`,
  );
  for (const [what, { pond: p, s3cmd: s }] of Object.entries(rows)) {
    const [pm, sm] = [median(p), median(s)];
    console.log(
      `${what.padEnd(17)} pond median ${pm.toFixed(0)} ms, s3cmd median ${sm.toFixed(0)} ms: ` +
        `pond/s3cmd = ${(pm / sm).toFixed(2)} (pond ${p.map((x) => x.toFixed(0)).join(", ")}; ` +
        `s3cmd ${s.map((x) => x.toFixed(0)).join(", ")})`,
    );
  }
} finally {
  await server.stop();
  await Deno.remove(work, { recursive: true });
}
