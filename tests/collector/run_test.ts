/** `pond run` of the HydroVu collector end to end, through real processes and a fake server: first run, resume, overlap, the table it stores. */
import assert from "node:assert/strict";
import { fakeReadings, fakeValue } from "../../scripts/fake_hydrovu.ts";
import { collectorSetup, device, must, readSeries } from "./helpers.ts";

Deno.test("pond run collects every device into a series, resumes from the newest reading, and adds nothing over an overlap", async () => {
  const north = device(4990594334457856, "north", 250);
  const south = device(12, "south", 40);
  await using setup = await collectorSetup([north, south], { overlapS: 600 });

  const first = JSON.parse((await must(setup.run("--json"))).stdout);
  const [run] = first.runs;
  assert.deepEqual(run.plugin, "hydrovu");
  assert.deepEqual(
    run.series.map((
      s: { path: string; rows: number; version: number },
    ) => [s.path, s.rows, s.version]),
    [
      ["/hydrovu/devices/4990594334457856/north.series", 250, 1],
      ["/hydrovu/devices/12/south.series", 40, 1],
    ],
  );
  assert.equal(run.series[0].first, "2023-11-14T22:13:20.000Z");
  assert.equal(run.series[0].last, new Date((north.start + 249 * 60) * 1000).toISOString());
  // Paging: the second and third pages were asked for with the token the first answer gave.
  const pages = setup.server.dataRequests(north.id).map((r) => r.headers["x-isi-start-page"]);
  assert.deepEqual(pages, [undefined, btoa("100"), btoa("200")]);

  const stored = await readSeries(setup.pond, "/hydrovu/devices/4990594334457856/north.series");
  assert.deepEqual(stored.columns.get("timestamp")!.type, "timestamp[us, UTC]");
  assert.deepEqual(
    [...stored.columns.keys()],
    [
      "timestamp",
      "99.mg/L", // no friendly name for parameter 99: its raw id
      "Actual Conductivity.µS/cm",
      "Battery Level.%",
      "Density.g/cm3", // parameter id "density", not an integer
      "Depth.m",
      "Temperature.C",
    ],
  );
  assert.deepEqual(stored.times, fakeReadings(north).times.map((t) => BigInt(t) * 1_000_000n));
  const depth = stored.columns.get("Depth.m")!.values;
  assert.deepEqual(depth[0], null); // every third reading of depth is missing: a gap, as null
  assert.deepEqual(depth[1], fakeValue(north.id, "4", north.start + 60));
  assert.deepEqual(stored.columns.get("Temperature.C")!.type, "float64");

  // Nothing new: no transaction, exit 0, quiet.
  const quiet = await must(setup.run());
  assert.deepEqual([quiet.stdout, quiet.stderr], ["", ""]);
  // The resume asked from the newest stored reading + 1 s (and the server overlapped 600 s).
  const last = fakeReadings(north).times.at(-1)!;
  assert.match(
    setup.server.dataRequests(north.id).at(-1)!.path,
    new RegExp(`startTime=${last + 1}$`),
  );

  // More readings since: only those are added, as a second version.
  setup.server.setDevices([device(north.id, "north", 300), south]);
  const second = JSON.parse((await must(setup.run("--json"))).stdout).runs[0];
  assert.deepEqual(
    second.series.map((s: { rows: number; version: number }) => [s.rows, s.version]),
    [[50, 2]],
  );
  const after = await readSeries(setup.pond, "/hydrovu/devices/4990594334457856/north.series");
  assert.deepEqual(after.versions, [250, 50]);
  assert.deepEqual(new Set(after.times).size, 300);

  // The commit records the plugin, its version and what it wrote; pond log shows it.
  const [newest] = JSON.parse((await must(setup.pond$("log", "--json", "--limit", "1"))).stdout);
  assert.deepEqual(newest.command, ["run", "/etc/hydrovu", "--json"]);
  assert.equal(newest.collector.plugin, "hydrovu");
  assert.equal(newest.collector.version, "1.0.0");
  assert.deepEqual(newest.collector.series, [{
    path: "/hydrovu/devices/4990594334457856/north.series",
    rows: 50,
    first: new Date((north.start + 250 * 60) * 1000).toISOString(),
    last: new Date((north.start + 299 * 60) * 1000).toISOString(),
  }]);
  const text = (await must(setup.pond$("log", "--limit", "1"))).stdout;
  assert.match(
    text,
    /\n {2}pond run \/etc\/hydrovu --json\n {2}collected by hydrovu 1\.0\.0: 50 rows into 1 series\n/,
  );
});

Deno.test("pond run --all runs each collector in path order, each in its own transaction; one failing fails the command, not the others", async () => {
  await using setup = await collectorSetup([device(21, "a", 5)]);
  const config = `${setup.dir}/second.yaml`;
  await Deno.writeTextFile(
    config,
    (await Deno.readTextFile(`${setup.dir}/hydrovu.yaml`)).replace("/hydrovu\n", "/other\n"),
  );
  await must(setup.pond$("mknod", "hydrovu", "/etc/another", "--config", config, "--yes"));
  const { runs } = JSON.parse((await must(setup.pond$("run", "--all", "--json"))).stdout);
  assert.deepEqual(runs.map((r: { path: string }) => r.path), ["/etc/another", "/etc/hydrovu"]);
  assert.deepEqual(runs[1].seq, runs[0].seq + 1);
  assert.deepEqual(runs.map((r: { series: { path: string }[] }) => r.series[0].path), [
    "/other/devices/21/a.series",
    "/hydrovu/devices/21/a.series",
  ]);
  // One collector failing fails the command, and the others still run and commit.
  const broken = `${setup.dir}/broken.yaml`;
  await Deno.writeTextFile(
    broken,
    (await Deno.readTextFile(config)).replace("HYDRO_KEY_VALUE", "NOT_SET_ANYWHERE"),
  );
  await must(setup.pond$("mknod", "hydrovu", "/etc/broken", "--config", broken, "--yes"));
  setup.server.setDevices([device(21, "a", 8)]);
  const partly = await setup.pond$("run", "--all", "--json");
  assert.equal(partly.code, 1);
  assert.match(
    partly.stderr,
    /^pond run: \/etc\/broken: config for plugin hydrovu: field "client_secret" names \$\{env:NOT_SET_ANYWHERE\}, which is not set/,
  );
  const outcome = JSON.parse(partly.stdout).runs;
  assert.deepEqual(
    outcome.map((r: { path: string; error?: string }) => [r.path, r.error !== undefined]),
    [
      ["/etc/another", false],
      ["/etc/broken", true],
      ["/etc/hydrovu", false],
    ],
  );
  assert.deepEqual(outcome[2].series.map((s: { rows: number }) => s.rows), [3]);
  const usage = await setup.pond$("run");
  assert.deepEqual(usage.code, 2);
  const notOne = await setup.pond$("run", "/hydrovu");
  assert.deepEqual(notOne.code, 1);
  assert.match(notOne.stderr, /\/hydrovu is not a collector node/);
});

Deno.test("a run stops paging at max_points_per_run (one page over at most), and the next run goes on from there", async () => {
  const north = device(91, "north", 100);
  await using setup = await collectorSetup([north], {
    pageSize: 10,
    extra: "max_points_per_run: 120",
  });
  const rows = async () =>
    JSON.parse((await must(setup.run("--json"))).stdout).runs[0].series[0]?.rows;
  // A page of 10 timestamps holds about 53 readings of the six parameters: three pages reach 120.
  assert.equal(await rows(), 30);
  assert.equal(await rows(), 30);
  assert.equal(await rows(), 30);
  assert.equal(await rows(), 10);
  const stored = await readSeries(setup.pond, "/hydrovu/devices/91/north.series");
  assert.deepEqual(stored.versions, [30, 30, 30, 10]);
  assert.deepEqual(stored.times, fakeReadings(north).times.map((t) => BigInt(t) * 1_000_000n));
});

Deno.test("readings in any order within a page come out sorted by time, each once", async () => {
  const north = device(92, "north", 45);
  await using setup = await collectorSetup([north], { pageSize: 20, newestFirst: true });
  await must(setup.run());
  const stored = await readSeries(setup.pond, "/hydrovu/devices/92/north.series");
  assert.deepEqual(stored.times, fakeReadings(north).times.map((t) => BigInt(t) * 1_000_000n));
  const depth = stored.columns.get("Depth.m")!.values;
  assert.deepEqual(
    depth.slice(0, 4),
    [null, fakeValue(92, "4", north.start + 60), fakeValue(92, "4", north.start + 120), null],
  );
});
