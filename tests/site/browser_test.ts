/** The built site in headless Chromium (Debian's, driven by playwright-core): served by `pond site serve` and opened from disk — no console errors, charts drawn, each view at most two data fetches at its own resolution, the #t= link, the CSV. */
import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, launchChromium } from "./chromium.ts";
import { REPO_ROOT } from "../cli/harness.ts";
import { command } from "../subprocess.ts";
import {
  addReadings,
  DAY,
  DAYS,
  GAP_DAY,
  HOUR,
  MINUTE,
  ok,
  readings,
  START,
  withSitePond,
} from "./helpers.ts";

/** Why the browser cannot run here, or undefined when it starts. */
async function browserMissing(): Promise<string | undefined> {
  try {
    const out = await command(CHROMIUM, {
      args: [...CHROMIUM_ARGS, "--dump-dom", "about:blank"],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    return out.success
      ? undefined
      : `${CHROMIUM} cannot start: ${
        new TextDecoder().decode(out.stderr).trim().split("\n").at(-1)
      }`;
  } catch (e) {
    return `${CHROMIUM} cannot start: ${(e as Error).message}`;
  }
}

const missing = await browserMissing();

/** What the page says it shows. */
interface View {
  from: number;
  to: number;
  resolution: string;
  points: number;
  fetches: number;
  cause: string;
}

/** A page with its console errors and the data scripts it requested. */
async function open(context: BrowserContext, url: string) {
  const page = await context.newPage();
  const errors: string[] = [];
  const fetches: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
  page.on("pageerror", (e) => void errors.push(e.message));
  page.on("request", (r) => void (r.url().includes("/data/") && fetches.push(r.url())));
  await page.goto(url);
  return { page, errors, fetches };
}

function view(page: Page): Promise<View> {
  return page.evaluate(() => (globalThis as unknown as { pondSite: { view: View } }).pondSite.view);
}

/** Waits for the page to show a view caused by `cause` and returns it. */
async function shown(page: Page, cause: string): Promise<View> {
  await page.waitForFunction(
    (c) => (globalThis as unknown as { pondSite?: { view?: View } }).pondSite?.view?.cause === c,
    cause,
  );
  return await view(page);
}

/** Pixels of the first chart's canvas that are not the background (transparent). */
function drawnPixels(page: Page): Promise<number> {
  return page.evaluate(`(() => {
    const canvas = document.querySelector("figure.chart canvas");
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
    return n;
  })()`);
}

Deno.test({
  name:
    "site in Chromium: pages load clean, views fetch at most twice at their resolution, #t= and CSV",
  ignore: missing !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withSitePond(async (p) => {
      const shots = await Deno.makeTempDir({ prefix: "pond-site-screenshots-" });
      console.log(`screenshots: ${shots}`);
      const server = command(Deno.execPath(), {
        args: [
          "run",
          "--no-prompt",
          "-A",
          `${REPO_ROOT}main.ts`,
          "site",
          "serve",
          `host:${p.host}/site.yaml`,
          "--port",
          "0",
          "--json",
        ],
        env: { POND: p.dir, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const profile = await Deno.makeTempDir({ prefix: "pond-site-chromium-" });
      const context = await launchChromium(profile, {
        acceptDownloads: true,
        viewport: { width: 900, height: 900 },
      });
      try {
        const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
        let line = "";
        while (!line.includes("\n")) line += (await reader.read()).value ?? "";
        const base = JSON.parse(line).url as string;

        const index = await open(context, base);
        await index.page.screenshot({ path: `${shots}/index.png`, fullPage: true });
        assert.deepEqual(await index.page.locator("table.pages a").allTextContents(), [
          "north",
          "south",
        ]);
        assert.match(
          await index.page.locator("table.pages").innerText(),
          /Water temperature\s+\d+(\.\d+)? °C/,
        );
        assert.deepEqual(index.errors, []);

        const { page, errors, fetches } = await open(context, `${base}north.html`);
        const first = await shown(page, "month");
        assert.ok(first.fetches <= 2 && fetches.length <= 2, `first view: ${fetches.join(" ")}`);
        assert.ok((await drawnPixels(page)) > 1000, "the chart canvas is drawn on");
        await page.screenshot({ path: `${shots}/north.png`, fullPage: true });

        const expected: Record<string, string> = {
          day: "1h",
          week: "6h",
          month: "1d",
          year: "7d",
          all: "7d",
        };
        const seen = new Set<string>();
        for (const [range, resolution] of Object.entries(expected)) {
          const before = fetches.length;
          await page.locator(`[data-range="${range}"]`).focus();
          await page.keyboard.press("Enter");
          const v = await shown(page, range);
          assert.equal(v.resolution, resolution, range);
          assert.equal(await page.locator("#view").getAttribute("data-resolution"), resolution);
          assert.ok(fetches.length - before <= 2, `${range}: ${fetches.slice(before).join(" ")}`);
          assert.equal(
            await page.locator(`[data-range="${range}"]`).getAttribute("aria-pressed"),
            "true",
          );
          seen.add(v.resolution);
        }
        assert.equal(seen.size, 4, "day, week, month and year each need their own resolution");

        await page.locator('[data-range="year"]').click();
        await shown(page, "year");
        const box = (await page.locator("figure.chart .u-over").first().boundingBox())!;
        const before = fetches.length;
        await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
        await page.mouse.up();
        const zoomed = await shown(page, "zoom");
        assert.ok(fetches.length - before <= 2, `zoom: ${fetches.slice(before).join(" ")}`);
        assert.ok(["1h", "6h"].includes(zoomed.resolution), `zoomed to ${zoomed.resolution}`);

        const link = page.url();
        assert.match(link, /#t=\d{4}-\d\d-\d\dT[\d:.]+Z\.\.\d{4}-\d\d-\d\dT[\d:.]+Z$/);
        const shared = await open(context, link);
        const restored = await shown(shared.page, "link");
        assert.deepEqual([restored.from, restored.to, restored.resolution], [
          zoomed.from,
          zoomed.to,
          zoomed.resolution,
        ]);
        await shared.page.close();

        const download = page.waitForEvent("download");
        await page.locator("#csv").click();
        const csv = await Deno.readTextFile((await (await download).path())!);
        assert.equal(
          csv,
          await page.evaluate(() =>
            (globalThis as unknown as { pondSite: { csv(): string } }).pondSite.csv()
          ),
        );
        const rows = csv.trim().split("\n");
        assert.equal(
          rows[0],
          "time,temperature_c.avg,temperature_c.min,temperature_c.max,oxygen_mg_l.avg,oxygen_mg_l.min,oxygen_mg_l.max",
        );
        assert.equal(rows.length - 1, zoomed.points, "a row per bucket shown");
        const times = rows.slice(1).map((r) => Date.parse(r.split(",")[0]));
        assert.ok(times.every((t) => t >= zoomed.from && t <= zoomed.to), "only the rows in view");
        const chart = await page.evaluate(() =>
          (globalThis as unknown as { pondSite: { chartData(i: number): (number | null)[][] } })
            .pondSite.chartData(0)
        );
        const drawn = new Map(chart[0].map((t, i) => [t! * 1000, chart[1][i]]));
        for (const row of rows.slice(1)) {
          const [t, avg] = row.split(",");
          assert.equal(
            drawn.get(Date.parse(t)),
            avg === "" ? null : Number(avg),
            `the chart at ${t}`,
          );
        }

        // The gap in north's readings is drawn as a gap: a null where its buckets are missing.
        const gap = START + GAP_DAY * DAY;
        await page.goto(
          `${base}north.html#t=${new Date(gap - 12 * HOUR).toISOString()}..${
            new Date(gap + 84 * HOUR).toISOString()
          }`,
        );
        const around = await shown(page, "link");
        assert.equal(around.resolution, "1h");
        const data = await page.evaluate(() =>
          (globalThis as unknown as { pondSite: { chartData(i: number): (number | null)[][] } })
            .pondSite.chartData(0)
        );
        const at = data[0].indexOf((gap - HOUR) / 1000);
        assert.equal(data[1][at + 1], null, "a null just after the last bucket before the gap");
        assert.equal(data[0][at + 2], (gap + 3 * DAY) / 1000, "then the first bucket after it");
        assert.deepEqual(errors, []);
        await page.close();

        const phone = await open(context, "about:blank");
        await phone.page.setViewportSize({ width: 360, height: 740 });
        await phone.page.emulateMedia({ colorScheme: "dark" });
        await phone.page.goto(`${base}north.html`);
        await shown(phone.page, "month");
        const looks = await phone.page.evaluate(`({
          overflow: document.documentElement.scrollWidth - innerWidth,
          background: getComputedStyle(document.body).backgroundColor,
          chart: document.querySelector("figure.chart canvas").getBoundingClientRect().width,
        })`) as { overflow: number; background: string; chart: number };
        assert.ok(
          looks.overflow <= 0,
          `no sideways scrolling at a phone's width: ${looks.overflow}px`,
        );
        assert.ok(looks.chart <= 360 && looks.chart > 200, `the chart fits: ${looks.chart}px`);
        assert.equal(looks.background, "rgb(18, 21, 27)", "dark mode");
        assert.ok((await drawnPixels(phone.page)) > 1000);
        await phone.page.screenshot({ path: `${shots}/north-phone-dark.png`, fullPage: true });
        assert.deepEqual(phone.errors, []);
        await phone.page.close();

        // The server builds afresh for each page request: a new day shows on reload. Its
        // readings are 20 minutes past each hour, so the newest lies inside the newest hourly
        // bucket, and the pages show the reading's time, not the bucket's start.
        const newest = () =>
          index.page.locator("table.pages time").first().getAttribute("datetime");
        assert.equal(await newest(), new Date(START + (DAYS * 24 - 1) * HOUR).toISOString());
        await addReadings(p, "north", readings(START + DAYS * DAY + 20 * MINUTE, 24, 0));
        await index.page.reload();
        const reading = new Date(START + (DAYS * 24 + 23) * HOUR + 20 * MINUTE).toISOString();
        assert.equal(await newest(), reading);
        const north = await open(context, `${base}north.html`);
        await shown(north.page, "month");
        assert.match(await north.page.locator("#newest").innerText(), /^Newest reading: /);
        assert.equal(await north.page.locator("#newest time").getAttribute("datetime"), reading);
        const bucket = await north.page.evaluate(
          `JSON.parse(document.getElementById("pond-manifest").textContent).newest`,
        );
        assert.equal(bucket, START + (DAYS * 24 + 23) * HOUR, "its bucket starts on the hour");
        assert.deepEqual(north.errors, []);
        await north.page.close();

        const onDisk = `${p.host}/public`;
        ok(await p.pond(["site", "build", `host:${p.host}/site.yaml`, `host:${onDisk}`]));
        const disk = await open(
          context,
          `file://${onDisk}/south.html#t=2025-06-01T00:00:00Z..2025-06-08T00:00:00Z`,
        );
        const fromDisk = await shown(disk.page, "link");
        assert.equal(fromDisk.resolution, "6h");
        assert.ok(fromDisk.fetches <= 2);
        assert.ok((await drawnPixels(disk.page)) > 1000, "drawn from file:// too");
        assert.deepEqual(disk.errors, []);
      } finally {
        await context.close();
        server.kill("SIGTERM");
        await server.status;
        await Deno.remove(profile, { recursive: true });
      }
    });
  },
});
