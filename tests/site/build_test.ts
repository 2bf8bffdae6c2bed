/** `pond site build` through real processes: the same pond version builds the same bytes, a rebuild writes only what changed, --at, and errors that name the field. */
import assert from "node:assert/strict";
import {
  addReadings,
  copySeries,
  DAY,
  GAP_DAY,
  HOUR,
  MINUTE,
  ok,
  readings,
  SITE_YAML,
  siteTree,
  START,
  withSitePond,
} from "./helpers.ts";

/** The JSON summary of one build. */
interface Report {
  seq: number;
  pages: { name: string; file: string }[];
  series: { read: number; reused: number };
  partitions: { written: number; unchanged: number; removed: number };
  files: { written: number; unchanged: number; removed: number };
}

/** The rows a partition script holds: its series' times (ms) and columns. */
function partition(text: string): { t: number[]; v: (number | null)[][] }[] {
  const json = text.slice(text.indexOf(",") + 1, text.lastIndexOf(")"));
  const series = JSON.parse(json).series as { t: number[]; v: (number | null)[][] }[];
  return series.map(({ t, v }) => {
    const times: number[] = [];
    for (const [i, d] of t.entries()) times.push(i === 0 ? d : times[i - 1] + d);
    return { t: times, v };
  });
}

Deno.test("site build: same bytes from the same pond version, only changed partitions rewritten, --at builds the past", async () => {
  await withSitePond(async (p) => {
    const build = async (dir: string, ...extra: string[]) =>
      JSON.parse(
        ok(
          await p.pond([
            "site",
            "build",
            `host:${p.host}/site.yaml`,
            `host:${dir}`,
            "--json",
            ...extra,
          ]),
        ),
      ) as Report;
    const first = await build(`${p.host}/a`);
    assert.deepEqual(first.pages.map((x) => x.file), ["north.html", "south.html"]);
    assert.deepEqual(first.series, { read: 2, reused: 0 });
    assert.ok(first.partitions.written > 8, "partitions per page and resolution");
    assert.equal(first.partitions.unchanged, 0);
    await build(`${p.host}/b`);
    const a = await siteTree(`${p.host}/a`);
    assert.deepEqual(await siteTree(`${p.host}/b`), a, "two builds, the same files and bytes");
    const today = new Date().toISOString().slice(0, 10);
    for (const [path, bytes] of a) {
      assert.ok(!new TextDecoder().decode(bytes).includes(today), `${path} holds no build date`);
    }

    const again = await build(`${p.host}/a`);
    assert.deepEqual(again.partitions, {
      written: 0,
      unchanged: first.partitions.written,
      removed: 0,
    });
    assert.equal(again.files.written, 0);
    assert.deepEqual(again.series, { read: 0, reused: 2 }, "nothing changed: no series read");

    ok(await p.pond(["copy", `host:${p.host}/site.yaml`, "/site.yaml"]));
    const inPond = JSON.parse(ok(
      await p.pond(["site", "build", "/site.yaml", `host:${p.host}/from-pond`, "--json"]),
    )) as Report;
    const fromPond = await siteTree(`${p.host}/from-pond`);
    fromPond.delete("pond-site.json"); // it names the transaction, one later for the copy
    assert.deepEqual(fromPond, new Map([...a].filter(([k]) => k !== "pond-site.json")));
    assert.equal(inPond.seq, first.seq + 1);

    // One new day of north's readings, 20 minutes past each hour: a new version of its series,
    // whose newest reading lies inside the newest hourly bucket, not at its start.
    const next = START + 400 * DAY;
    await addReadings(p, "north", readings(next + 20 * MINUTE, 24, 0));
    const after = await build(`${p.host}/a`);
    assert.deepEqual(after.series, { read: 1, reused: 1 }, "only north, which changed, is read");
    assert.ok(
      after.partitions.written >= 1 && after.partitions.written <= 8,
      JSON.stringify(after),
    );
    assert.equal(after.files.written, 3, "north.html, index.html and the marker");
    const fresh = await build(`${p.host}/fresh`);
    assert.deepEqual(fresh.series, { read: 2, reused: 0 });
    assert.deepEqual(
      await siteTree(`${p.host}/a`),
      await siteTree(`${p.host}/fresh`),
      "the rebuild into a and a build into a new directory: the same bytes",
    );
    const newestReading = new Date(next + 23 * HOUR + 20 * MINUTE).toISOString();
    const northPage = await Deno.readTextFile(`${p.host}/a/north.html`);
    assert.match(
      northPage,
      new RegExp(`Newest reading: <span class="newest-reading"><time datetime="${newestReading}">`),
      "the newest reading's time, 20 minutes into the newest bucket",
    );
    assert.equal(
      JSON.parse(northPage.match(/id="pond-manifest">(.*)<\/script>/)![1]).newest,
      next + 23 * HOUR,
      "the newest bucket starts on the hour",
    );
    const indexPage = await Deno.readTextFile(`${p.host}/a/index.html`);
    assert.ok(indexPage.includes(`<time datetime="${newestReading}">`), "the index says it too");
    const changed = await siteTree(`${p.host}/a`);
    const differ = [...changed.keys()].filter((k) =>
      k.startsWith("data/") && !sameBytes(a.get(k), changed.get(k)!)
    );
    assert.equal(
      differ.length,
      after.partitions.written,
      "the count is the files whose bytes changed",
    );
    assert.ok(differ.every((k) => k.startsWith("data/north/")), differ.join(" "));
    assert.ok(
      partition(
        new TextDecoder().decode(changed.get(differ.find((k) => k.startsWith("data/north/1h/"))!)),
      )[0]
        .t.includes(next + 23 * HOUR),
      "the new day is in north's newest hourly partition",
    );

    await Deno.writeTextFile(
      `${p.host}/renamed.yaml`,
      "title: t\npages: [{ name: lake-$0, series: /reduce/*/res=*.series, columns: [oxygen_mg_l.avg] }]\n",
    );
    const renamed = JSON.parse(ok(
      await p.pond(["site", "build", `host:${p.host}/renamed.yaml`, `host:${p.host}/a`, "--json"]),
    )) as Report;
    assert.equal(renamed.partitions.removed, after.partitions.written + after.partitions.unchanged);
    assert.deepEqual(renamed.series, { read: 2, reused: 0 }, "pages of other names: read anew");
    const left = await siteTree(`${p.host}/a`);
    assert.ok(
      !left.has("north.html") && [...left.keys()].every((k) => !k.startsWith("data/north/")),
    );
    assert.ok(left.has("lake-north.html"));
    const listed = JSON.parse(new TextDecoder().decode(left.get("pond-site.json"))).files;
    assert.deepEqual(listed, [...left.keys()].filter((k) => k !== "pond-site.json"));

    const past = await p.pond([
      "site",
      "build",
      `host:${p.host}/site.yaml`,
      `host:${p.host}/c`,
      "--json",
      "--at",
      String(first.seq),
    ])
      .then((r) => JSON.parse(ok(r)) as Report);
    assert.equal(past.seq, first.seq);
    assert.deepEqual(
      await siteTree(`${p.host}/c`),
      a,
      "--at the first build's transaction builds its bytes",
    );
  });
});

Deno.test("site rebuild: a damaged manifest or partition is read again, never shown; a stored res file's newest bucket is labelled as one", async () => {
  await withSitePond(async (p) => {
    const build = async (dir: string, yaml = "site.yaml") =>
      JSON.parse(ok(
        await p.pond(["site", "build", `host:${p.host}/${yaml}`, `host:${dir}`, "--json"]),
      )) as Report;
    const site = `${p.host}/site`;
    assert.deepEqual((await build(site)).series, { read: 2, reused: 0 });
    await build(`${p.host}/fresh`);
    const expected = await siteTree(`${p.host}/fresh`);
    const marker = `${site}/pond-site.json`;
    const whole = await Deno.readTextFile(marker);

    await Deno.writeTextFile(marker, whole.slice(0, whole.length / 2));
    assert.deepEqual(
      (await build(site)).series,
      { read: 2, reused: 0 },
      "a cut manifest: all read",
    );
    assert.deepEqual(await siteTree(site), expected);

    await Deno.writeTextFile(marker, whole.replace('"format": 1', '"format": 0'));
    assert.deepEqual(
      (await build(site)).series,
      { read: 2, reused: 0 },
      "another format: all read",
    );

    // Still JSON of the right shape, but north's first hourly partition no longer listed: taking
    // north from it would lose those rows, so the whole manifest is refused.
    const dropped = [...expected.keys()].find((k) => k.startsWith("data/north/1h/"))!;
    const cut = JSON.parse(whole);
    cut.files = cut.files.filter((f: string) => f !== dropped);
    delete cut.data[dropped];
    await Deno.writeTextFile(marker, JSON.stringify(cut, null, 1) + "\n");
    assert.deepEqual((await build(site)).series, { read: 2, reused: 0 }, "an edited manifest");
    assert.deepEqual(await siteTree(site), expected);

    const partitions = [...expected.keys()].filter((k) => k.startsWith("data/south/1h/"));
    const edited = `${site}/${partitions[0]}`;
    const text = await Deno.readTextFile(edited);
    await Deno.writeTextFile(edited, text.replace(/"v":\[\[\d/, '"v":[[9'));
    assert.notEqual(await Deno.readTextFile(edited), text);
    await Deno.remove(
      `${site}/${[...expected.keys()].find((k) => k.startsWith("data/north/6h/"))}`,
    );
    const repaired = await build(site);
    assert.deepEqual(repaired.series, { read: 2, reused: 0 }, "a partition edited, one missing");
    assert.deepEqual(await siteTree(site), expected, "the site as a fresh build makes it");
    await Deno.remove(
      `${site}/${[...expected.keys()].find((k) => k.startsWith("data/north/1d/"))}`,
    );
    assert.deepEqual((await build(site)).series, { read: 1, reused: 1 }, "only north read again");
    assert.deepEqual(await siteTree(site), expected);

    // Fewer columns: taken from the partitions; more again: what they lack is read.
    await Deno.writeTextFile(
      `${p.host}/narrow.yaml`,
      SITE_YAML.replace('["temperature_c.*", "oxygen_mg_l.*"]', '["temperature_c.*"]'),
    );
    assert.deepEqual((await build(site, "narrow.yaml")).series, { read: 0, reused: 2 });
    await build(`${p.host}/narrow`, "narrow.yaml");
    assert.deepEqual(await siteTree(site), await siteTree(`${p.host}/narrow`));
    assert.deepEqual((await build(site)).series, { read: 2, reused: 0 }, "oxygen was not kept");
    assert.deepEqual(await siteTree(site), expected);

    // A res file stored by hand: its times are bucket starts, and nothing says when its newest
    // reading was, so the site shows the newest bucket's start, labelled as a bucket.
    ok(await p.pond(["mkdir", "-p", "/stored/lake"]));
    await copySeries(p, "/stored/lake/res=1h.series", readings(START, 48, 0));
    await Deno.writeTextFile(
      `${p.host}/stored.yaml`,
      "title: t\npages: [{ name: $0, series: /stored/*/res=*.series }]\n",
    );
    const storedSite = `${p.host}/stored`;
    assert.deepEqual((await build(storedSite, "stored.yaml")).series, { read: 1, reused: 0 });
    const bucket = new Date(START + 47 * HOUR).toISOString();
    assert.match(
      await Deno.readTextFile(`${storedSite}/lake.html`),
      new RegExp(
        `Newest data: <span class="newest-bucket">bucket from <time datetime="${bucket}">`,
      ),
    );
    assert.match(
      await Deno.readTextFile(`${storedSite}/index.html`),
      new RegExp(`<td><span class="newest-bucket">bucket from <time datetime="${bucket}">`),
    );
    assert.deepEqual((await build(storedSite, "stored.yaml")).series, { read: 0, reused: 1 });
    await copySeries(p, "/stored/lake/res=1h.series", readings(START, 48, 0));
    assert.deepEqual(
      (await build(storedSite, "stored.yaml")).series,
      { read: 1, reused: 0 },
      "a new version of the stored file: read",
    );
  });
});

Deno.test("site build: a gap stays a gap and nulls stay null in the data", async () => {
  await withSitePond(async (p) => {
    ok(await p.pond(["site", "build", `host:${p.host}/site.yaml`, `host:${p.host}/out`]));
    const files = await siteTree(`${p.host}/out`);
    const rows = [...files].filter(([k]) => k.startsWith("data/north/1h/"))
      .map(([, b]) => partition(new TextDecoder().decode(b))[0]);
    const times = rows.flatMap((r) => r.t);
    const oxygenAvg = rows.flatMap((r) => r.v[3]);
    const gapStart = START + GAP_DAY * DAY;
    assert.ok(!times.some((t) => t >= gapStart && t < gapStart + 3 * DAY), "no buckets in the gap");
    const i = times.indexOf(gapStart - HOUR);
    assert.equal(times[i + 1], gapStart + 3 * DAY, "the next bucket is after the gap");
    const nullDay = START + (GAP_DAY - 10) * DAY;
    const during = times.flatMap((t, j) => t >= nullDay && t < nullDay + DAY ? [oxygenAvg[j]] : []);
    assert.equal(during.length, 24);
    assert.ok(during.every((v) => v === null), "hours whose readings are all null average to null");
  });
});

Deno.test("site build: a page whose name template joins several series charts each of them", async () => {
  await withSitePond(async (p) => {
    await Deno.writeTextFile(
      `${p.host}/one.yaml`,
      "title: t\npages: [{ name: lakes, series: /reduce/*/res=*.series, columns: [temperature_c.*] }]\n",
    );
    const report = JSON.parse(ok(
      await p.pond(["site", "build", `host:${p.host}/one.yaml`, `host:${p.host}/out`, "--json"]),
    ));
    assert.deepEqual(report.pages, [{ name: "lakes", file: "lakes.html", series: 2 }]);
    const html = await Deno.readTextFile(`${p.host}/out/lakes.html`);
    assert.equal(html.match(/<figure class="chart"/g)?.length, 2, "a chart per series");
    assert.match(html, /<figcaption>temperature_c · \/reduce\/north<\/figcaption>/);
    assert.match(html, /<figcaption>temperature_c · \/reduce\/south<\/figcaption>/);
    const daily = [...(await siteTree(`${p.host}/out`))].filter(([k]) =>
      k.startsWith("data/lakes/1d/")
    );
    for (const [, bytes] of daily) {
      assert.equal(
        partition(new TextDecoder().decode(bytes)).length,
        2,
        "one file holds both series",
      );
    }
  });
});

Deno.test("site build: no matching series, bad config and a foreign directory are refused in one line", async () => {
  await withSitePond(async (p) => {
    const attempt = async (yaml: string, dir = `${p.host}/out`) => {
      await Deno.writeTextFile(`${p.host}/bad.yaml`, yaml);
      const r = await p.pond(["site", "build", `host:${p.host}/bad.yaml`, `host:${dir}`]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.equal(r.stdout, "");
      return r.stderr;
    };
    assert.match(
      await attempt("title: t\npages: [{ name: $0, series: /nothing/*/res=*.series }]"),
      /field "pages\[0\]\.series" \(\/nothing\/\*\/res=\*\.series\) matches no series/,
    );
    assert.match(
      await attempt("title: t\npages: [{ name: $0, series: /sites/*/readings.series }]"),
      /field "pages\[0\]\.series".*res=<duration>\.series/,
    );
    assert.match(
      await attempt("pages: [{ name: $0, series: /reduce/*/res=*.series }]"),
      /field "title" is missing/,
    );
    assert.match(await attempt("title: t\npages: []"), /field "pages" must be a non-empty list/);
    assert.match(
      await attempt("title: t\npages: [{ name: $0, series: /reduce/*/res=*.series, colour: red }]"),
      /field "pages\[0\]\.colour" is not known/,
    );
    assert.match(
      await attempt(
        "title: t\npages: [{ name: $0, series: /reduce/*/res=*.series, columns: [salinity.*] }]",
      ),
      /field "pages\[0\]\.columns" glob "salinity\.\*" matches no numeric column/,
    );
    assert.match(
      await attempt("title: t\npages: [{ name: $3, series: /reduce/*/res=*.series }]"),
      /field "pages\[0\]\.name" names \$3/,
    );
    assert.match(
      await attempt("title: t\nview_points: 2\npages: [{ name: $0, series: /r }]"),
      /field "view_points"/,
    );
    assert.match(await attempt("title: [t"), /not valid YAML/);
    await Deno.mkdir(`${p.host}/mine`);
    await Deno.writeTextFile(`${p.host}/mine/notes.txt`, "keep me\n");
    assert.match(
      await attempt(
        "title: t\npages: [{ name: $0, series: /reduce/*/res=*.series }]",
        `${p.host}/mine`,
      ),
      /holds files but no pond-site\.json/,
    );
    assert.deepEqual([...(await siteTree(`${p.host}/mine`)).keys()], ["notes.txt"]);
  });
});

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}
