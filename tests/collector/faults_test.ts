/** The HydroVu collector under the faults the real service has: 500s, 429 with Retry-After, dropped and slow answers, refused credentials, one device failing; and two runs at once. */
import assert from "node:assert/strict";
import { pondProcess } from "../cli/harness.ts";
import { Pond, runCollectorAt } from "../../src/pond/mod.ts";
import { collectorSetup, device, exists, head, must, readSeries, RUN_ENV } from "./helpers.ts";

Deno.test("a run retries 500s, dropped connections and answers past the timeout, and honours Retry-After", async () => {
  const north = device(31, "north", 120);
  await using setup = await collectorSetup([north]);
  setup.server.fail({ path: "/oauth/token", kind: "500" });
  setup.server.fail({ path: "/friendlynames", kind: "drop" });
  setup.server.fail({ path: "/locations/31/data", kind: "slow", delayMs: 3000 }); // timeout_s: 2
  setup.server.fail({ path: "/locations/31/data", kind: "429", retryAfter: 1 });
  const r = await must(setup.run("--json"));
  assert.equal(JSON.parse(r.stdout).runs[0].series[0].rows, 120);
  const data = setup.server.dataRequests(31);
  assert.deepEqual(data.map((q) => q.served), ["slow", "429", "200", "200"]);
  const served = setup.server.requests.map((q) =>
    `${new URL(q.path, "http://x").pathname} ${q.served}`
  );
  assert.deepEqual(served.slice(0, 5), [
    "/public-api/oauth/token 500",
    "/public-api/oauth/token 200",
    "/public-api/v1/sispec/friendlynames drop",
    "/public-api/v1/sispec/friendlynames 200",
    "/public-api/v1/locations/31/data slow", // abandoned past the timeout, asked again
  ]);
  const i429 = data.findIndex((q) => q.served === "429");
  assert.ok(data[i429 + 1].at - data[i429].at >= 1000, "the retry waited for Retry-After");
});

Deno.test("a device that keeps failing is reported, the others are committed, and the next run fetches it", async () => {
  const [a, b, c] = [device(41, "a", 30), device(42, "b", 30), device(43, "c", 30)];
  await using setup = await collectorSetup([a, b, c]);
  setup.server.fail({ path: "/locations/42/data", kind: "500", times: Infinity });
  const r = await setup.run("--json");
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^pond run: \/etc\/hydrovu: device b \(42\): HTTP 500 from \/public-api\/v1\/locations\/42\/data, after 4 tries\n$/,
  );
  const [run] = JSON.parse(r.stdout).runs;
  assert.deepEqual(run.series.map((s: { path: string }) => s.path), [
    "/hydrovu/devices/41/a.series",
    "/hydrovu/devices/43/c.series",
  ]);
  assert.equal(run.failed.length, 1);
  assert.equal(setup.server.dataRequests(42).length, 4); // retries: 3, then given up
  assert.equal(await exists(setup.pond, "/hydrovu/devices/42/b.series"), false);

  setup.server.heal();
  const again = JSON.parse((await must(setup.run("--json"))).stdout).runs[0];
  assert.deepEqual(again.series.map((s: { path: string; rows: number }) => [s.path, s.rows]), [
    ["/hydrovu/devices/42/b.series", 30],
  ]);
  assert.deepEqual((await readSeries(setup.pond, "/hydrovu/devices/41/a.series")).versions, [30]);
});

Deno.test("refused credentials are said once and commit nothing", async () => {
  await using setup = await collectorSetup([device(51, "a", 10), device(52, "b", 10)]);
  const before = await head(setup.pond);
  const wrong = await pondProcess(["run", "/etc/hydrovu"], {
    POND: setup.pond,
    HYDRO_KEY_VALUE: "not-the-secret",
  });
  assert.equal(wrong.code, 1);
  assert.equal(wrong.stderr.match(/refused the credentials/g)?.length, 1, wrong.stderr);
  assert.match(wrong.stderr, /check client_id and client_secret/);
  assert.doesNotMatch(wrong.stderr, /not-the-secret/);
  assert.equal(setup.server.dataRequests(51).length, 0);
  // A 401 in the middle of a run (the token revoked) stops it too, once, committing nothing.
  setup.server.fail({ path: "/locations/52/data", kind: "401" });
  const revoked = await setup.run();
  assert.equal(revoked.code, 1);
  assert.equal(revoked.stderr.match(/refused the credentials/g)?.length, 1, revoked.stderr);
  assert.equal(await head(setup.pond), before);
  const missing = await pondProcess(["run", "/etc/hydrovu"], { POND: setup.pond });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /names \$\{env:HYDRO_KEY_VALUE\}, which is not set/);
});

Deno.test("two runs of one collector never overlap: the second says so and exits 1", async () => {
  await using setup = await collectorSetup([device(61, "a", 10)]);
  setup.server.fail({ path: "/friendlynames", kind: "slow", delayMs: 1500 }); // within timeout_s
  let settled = false;
  const first = setup.run().finally(() => settled = true);
  while (!settled && !setup.server.requests.some((q) => q.path.includes("friendlynames"))) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(settled, false, "the first run ended before it reached the server");
  const second = await setup.run();
  assert.equal(second.code, 1);
  assert.match(second.stderr, /collector \/etc\/hydrovu is already running/);
  assert.equal((await first).code, 0);
  assert.deepEqual((await readSeries(setup.pond, "/hydrovu/devices/61/a.series")).versions, [10]);
});

Deno.test("retries are bounded across the run: once its budget is spent, failing requests are tried once", async () => {
  // retries: 1 gives the run a budget of 8 retries in all: ten devices that keep failing spend
  // it on the first eight (two tries each), and the last two are tried once.
  const devices = Array.from({ length: 10 }, (_, i) => device(101 + i, `d${i}`, 5));
  await using setup = await collectorSetup(devices, { retries: 1 });
  setup.server.fail({ path: "/data", kind: "500", times: Infinity });
  const r = await setup.run("--json");
  assert.equal(r.code, 1);
  const tries = JSON.parse(r.stdout).runs[0].failed.map((f: { message: string }) =>
    /after (\d+) tr(?:y|ies)$/.exec(f.message)?.[1]
  );
  assert.deepEqual(tries, ["2", "2", "2", "2", "2", "2", "2", "2", "1", "1"]);
  assert.equal(setup.server.requests.filter((q) => q.path.includes("/data")).length, 18);
});

Deno.test("a run resumes from what another run committed after its pond was opened, not from what it saw then", async () => {
  const north = device(111, "north", 30);
  await using setup = await collectorSetup([north]);
  await using stale = await Pond.open(setup.pond); // opened before the other run commits
  await must(setup.run());
  const run = await runCollectorAt(stale, "/etc/hydrovu", {
    env: (name) => (RUN_ENV as Record<string, string>)[name],
    limits: { deadlineMs: 60_000, memoryLimitMb: 256 },
    command: ["run", "/etc/hydrovu"],
  });
  assert.equal(run.seq, null);
  assert.deepEqual((await readSeries(setup.pond, "/hydrovu/devices/111/north.series")).versions, [
    30,
  ]);
});
