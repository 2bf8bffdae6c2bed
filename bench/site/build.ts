/** Benchmark: `pond site build` over sites × parameters × resolutions of a year of minutes, against `pond export` of the same series in the same run; then in Chromium the first paint, the bytes of a first load and a 100,000-point view. */
// Run: node_modules/.bin/deno run --no-prompt -A bench/site/build.ts [sites=3] [days=365] [runs=3]
// Makes a pond in a temporary directory (removed afterwards): per site, a series of one reading a
// minute with 4 DOUBLE parameters (1% nulls), reduced by temporal-reduce to 1h, 6h, 1d, 7d
// (avg, min, max); a site YAML with a page per site. Reports, as medians of `runs`:
// - build: `pond site build` into a fresh directory (the reductions already in the pond's cache,
//   filled by an untimed first build), against `pond export` of the same res=*.series files as
//   Parquet (DuckDB writing the same rows);
// - rebuild after one new day on one site: the build into the earlier site's directory (that
//   site's reductions brought up to date beforehand by a build timed on its own, so what is timed
//   is the rebuild's own work; the other sites' series are taken from the earlier build, not
//   read), with how many series it read and partitions it wrote, against a build of the same
//   pond version into a fresh directory, the first build, and export;
// - the data's size: the partition scripts, as they are and gzipped file by file, against the
//   Parquet `pond export` writes of the same rows (DuckDB's default compression);
// - in Chromium (served from loopback by this script, gzip as a web server would): time to the
//   first chart paint on a series page and to the first paint of the index, the bytes of the
//   first load (as sent, gzip), and the time to show a view of 100,000 points (a site of one
//   series at 1m) against a view of 3,000 points of the same page.
import { launchChromium } from "../../tests/site/chromium.ts";
import { median, pond, ROOT } from "../pond/bench_util.ts";

const SITES = Number(Deno.args[0] ?? 3);
const DAYS = Number(Deno.args[1] ?? 365);
const RUNS = Number(Deno.args[2] ?? 3);
const PARAMS = ["temperature_c", "conductivity", "oxygen_mg_l", "turbidity"];
const START = Date.UTC(2025, 0, 1);
const DAY = 86400e3;

const work = await Deno.makeTempDir({ prefix: "pond-site-bench-" });
const pondDir = `${work}/pond`;
const run = (args: string[]) => pond(args, pondDir);

/** Writes `rows` minutes from `start` for site `s` as Parquet at `file`, in DuckDB. */
async function minutes(file: string, start: number, rows: number, s: number): Promise<void> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const values = PARAMS.map((p, j) =>
    `CASE WHEN random() < 0.01 THEN NULL ELSE sin(i / ${
      1000 + 100 * j
    } + ${s}) * 10 + random() END AS ${p}`
  );
  await c.run(
    `COPY (SELECT make_timestamp(${start * 1000}::BIGINT + i * 60000000) AS timestamp, ${
      values.join(", ")
    } ` +
      `FROM range(${rows}) t(i)) TO '${file}' (FORMAT parquet)`,
  );
  c.closeSync();
  db.closeSync();
}

/** The bytes of every file under `dir`, as they are and gzipped one by one (as a web server sends them). */
async function treeBytes(dir: string): Promise<{ raw: number; gzip: number }> {
  let raw = 0;
  let gzip = 0;
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) {
      const sub = await treeBytes(path);
      raw += sub.raw;
      gzip += sub.gzip;
      continue;
    }
    const bytes = await Deno.readFile(path);
    raw += bytes.byteLength;
    const zipped = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
    gzip += (await new Response(zipped).arrayBuffer()).byteLength;
  }
  return { raw, gzip };
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(2);
}

/** Serves `dir` on loopback, gzip when asked, as a static web server would. */
function serveDir(dir: string) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname).replace(/^\/+/, "") || "index.html";
    try {
      const body = await Deno.readFile(`${dir}/${path}`);
      const type = path.endsWith(".html")
        ? "text/html"
        : path.endsWith(".css")
        ? "text/css"
        : "text/javascript";
      const headers = { "content-type": `${type}; charset=utf-8` };
      if (!/\bgzip\b/.test(req.headers.get("accept-encoding") ?? "")) {
        return new Response(body, { headers });
      }
      const gzip = new Blob([body]).stream().pipeThrough(new CompressionStream("gzip"));
      return new Response(gzip, { headers: { ...headers, "content-encoding": "gzip" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

try {
  const site = async (name: string, yaml: string) => {
    await Deno.writeTextFile(`${work}/${name}`, yaml);
    return `host:${work}/${name}`;
  };
  await run(["init"]);
  for (let s = 0; s < SITES; s++) {
    await minutes(`${work}/s${s}.parquet`, START, DAYS * 1440, s);
    await run(["mkdir", "-p", `/sites/s${s}`]);
    await run([
      "copy",
      "--type",
      "series",
      `host:${work}/s${s}.parquet`,
      `/sites/s${s}/readings.series`,
    ]);
  }
  await Deno.writeTextFile(
    `${work}/reduce.yaml`,
    "in_pattern: /sites/*/readings.series\nout_pattern: $0\nresolutions: [1h, 6h, 1d, 7d]\n" +
      "aggregations: [{ type: avg, columns: ['*'] }, { type: min, columns: ['*'] }, { type: max, columns: ['*'] }]\n",
  );
  await run(["mknod", "temporal-reduce", "/reduce", "--config", `${work}/reduce.yaml`]);
  const yaml = await site(
    "site.yaml",
    "title: Bench\nindex: A benchmark.\npages:\n  - name: $0\n    series: /reduce/*/res=*.series\n",
  );
  console.log(
    `${SITES} sites × ${PARAMS.length} parameters × 4 resolutions × ${DAYS} days of minutes ` +
      `(${SITES * DAYS * 1440} rows); medians of ${RUNS}`,
  );
  const cold = await run(["site", "build", yaml, `host:${work}/cold`]);
  console.log(`first build (reductions computed): ${(cold / 1000).toFixed(2)} s`);

  let n = 0;
  const buildTimes: number[] = [];
  const exportTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    buildTimes.push(await run(["site", "build", yaml, `host:${work}/b${n++}`]));
    exportTimes.push(await run(["export", "/reduce/*/res=*.series", `host:${work}/e${n++}`]));
  }
  const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
  console.log(
    `build: ${(median(buildTimes) / 1000).toFixed(2)} s; pond export of the same series ` +
      `${(median(exportTimes) / 1000).toFixed(2)} s; ${ratio(buildTimes, exportTimes)}× export`,
  );

  const data = await treeBytes(`${work}/b0/data`);
  const parquet = (await treeBytes(`${work}/e1`)).raw;
  console.log(
    `data: ${mb(data.raw)} MB as partition scripts, ${mb(data.gzip)} MB gzip; ` +
      `pond export's Parquet of the same rows ${mb(parquet)} MB; gzip scripts ${
        (data.gzip / parquet).toFixed(2)
      }× Parquet`,
  );

  // After each new day on s0: a fresh build first brings s0's reductions up to date (so the
  // timings after it compare the site's own work at one pond version), then the rebuild into the
  // earlier site's directory, a build into a fresh directory, and export.
  const catchUp: number[] = [];
  const rebuildTimes: number[] = [];
  const freshTimes: number[] = [];
  const reexportTimes: number[] = [];
  let counts = "";
  for (let i = 0; i < RUNS; i++) {
    const day = START + (DAYS + i) * DAY;
    await minutes(`${work}/day.parquet`, day, 1440, 0);
    await run([
      "copy",
      "--type",
      "series",
      `host:${work}/day.parquet`,
      "/sites/s0/readings.series",
    ]);
    catchUp.push(await run(["site", "build", yaml, `host:${work}/w${n++}`]));
    const start = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "-A",
        `${ROOT}main.ts`,
        "site",
        "build",
        yaml,
        `host:${work}/cold`,
        "--json",
      ],
      env: { POND: pondDir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    rebuildTimes.push(performance.now() - start);
    const report = JSON.parse(new TextDecoder().decode(out.stdout));
    counts = `${report.series.read} of ${report.series.read + report.series.reused} series read, ` +
      `${report.partitions.written} partitions written, ${report.partitions.unchanged} unchanged`;
    freshTimes.push(await run(["site", "build", yaml, `host:${work}/f${n++}`]));
    reexportTimes.push(await run(["export", "/reduce/*/res=*.series", `host:${work}/e${n++}`]));
  }
  const s = (xs: number[]) => `${(median(xs) / 1000).toFixed(2)} s`;
  console.log(
    `rebuild after one new day: ${s(rebuildTimes)} (${counts}); a build of the same version ` +
      `into a fresh directory ${s(freshTimes)}, ${ratio(rebuildTimes, freshTimes)}× it; ` +
      `${(median(rebuildTimes) / cold).toFixed(2)}× the first build; export ${s(reexportTimes)}, ` +
      `${ratio(rebuildTimes, reexportTimes)}× export; bringing s0's reductions up to date first ` +
      `(a build right after the new day) ${s(catchUp)}`,
  );

  // A site whose one series has 100,000 one-minute buckets, to paint them all in one view.
  await minutes(`${work}/dense.parquet`, START, 100_000, 9);
  await run(["mkdir", "-p", "/dense/d"]);
  await run(["copy", "--type", "series", `host:${work}/dense.parquet`, "/dense/d/readings.series"]);
  await Deno.writeTextFile(
    `${work}/dense.yaml`,
    "in_pattern: /dense/*/readings.series\nout_pattern: $0\nresolutions: [1m, 1h]\n" +
      "aggregations: [{ type: avg, columns: [temperature_c] }, { type: min, columns: [temperature_c] }, { type: max, columns: [temperature_c] }]\n",
  );
  await run(["mknod", "temporal-reduce", "/dense-reduce", "--config", `${work}/dense.yaml`]);
  await run([
    "site",
    "build",
    await site(
      "dense-site.yaml",
      "title: Dense\nview_points: 100000\npages: [{ name: $0, series: /dense-reduce/*/res=*.series }]\n",
    ),
    `host:${work}/dense-site`,
  ]);

  const server = serveDir(`${work}/cold`);
  const dense = serveDir(`${work}/dense-site`);
  const profile = await Deno.makeTempDir({ prefix: "pond-site-bench-chromium-" });
  const context = await launchChromium(profile);
  try {
    const base = `http://127.0.0.1:${server.addr.port}/`;
    const chartPaint: number[] = [];
    const indexPaint: number[] = [];
    const bytes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
      let sent = 0;
      cdp.on(
        "Network.loadingFinished",
        (e: { encodedDataLength: number }) => void (sent += e.encodedDataLength),
      );
      await page.goto(`${base}index.html`);
      indexPaint.push(
        await page.evaluate(
          `new Promise((r) => requestAnimationFrame(() => r(performance.getEntriesByType("paint").find((p) => p.name === "first-contentful-paint")?.startTime ?? performance.now())))`,
        ),
      );
      sent = 0;
      await page.goto(`${base}s0.html`);
      await page.waitForFunction(
        `globalThis.pondSite && globalThis.pondSite.firstPaint !== undefined`,
      );
      chartPaint.push(await page.evaluate(`globalThis.pondSite.firstPaint`));
      await page.waitForLoadState("networkidle");
      bytes.push(sent);
      await page.close();
    }
    console.log(
      `Chromium, served from loopback: first chart paint ${median(chartPaint).toFixed(0)} ms ` +
        `(index first paint ${median(indexPaint).toFixed(0)} ms, ${
          (median(chartPaint) / median(indexPaint)).toFixed(2)
        }× index); ` +
        `first load of a series page ${(median(bytes) / 1024).toFixed(0)} KB as sent (gzip)`,
    );

    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${dense.addr.port}/d.html`);
    await page.waitForFunction(`globalThis.pondSite && globalThis.pondSite.view`);
    const paint = (buckets: number) =>
      page.evaluate(`(async () => {
        const m = JSON.parse(document.getElementById("pond-manifest").textContent);
        const to = m.newest, from = to - ${buckets} * 60000;
        await pondSite.setView(from - 1, to + 1, "bench-warm-${buckets}");
        const t0 = performance.now();
        await pondSite.setView(from, to, "bench");
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        return { ms: performance.now() - t0, points: pondSite.view.points };
      })()`) as Promise<{ ms: number; points: number }>;
    const big: number[] = [];
    const small: number[] = [];
    let points = 0;
    for (let i = 0; i < RUNS; i++) {
      const b = await paint(99_999);
      points = b.points;
      big.push(b.ms);
      small.push((await paint(3000)).ms);
    }
    console.log(
      `view of ${points} points: ${median(big).toFixed(0)} ms to data and paint; ` +
        `3,000 points ${median(small).toFixed(0)} ms; ${
          ratio(big, small)
        }× (data loaded beforehand)`,
    );
  } finally {
    await context.close();
    await server.shutdown();
    await dense.shutdown();
    await Deno.remove(profile, { recursive: true });
  }
} finally {
  await Deno.remove(work, { recursive: true });
}
