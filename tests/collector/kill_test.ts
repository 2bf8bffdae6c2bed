/** kill -9 during `pond run`: nothing half-written, and the next run completes the data exactly once. */
import assert from "node:assert/strict";
import { pondProcess, REPO_ROOT } from "../cli/harness.ts";
import { command } from "../subprocess.ts";
import { fakeReadings } from "../../scripts/fake_hydrovu.ts";
import { collectorSetup, device, must, readSeries, RUN_ENV } from "./helpers.ts";

const ITERATIONS = Deno.env.get("POND_LONG_TESTS") === "1" ? 25 : 3;

Deno.test(`kill -9 at random points of pond run (${ITERATIONS} times) leaves the pond whole, and a re-run stores each reading once`, async () => {
  const grow = (
    count: number,
  ) => [device(81, "a", count), device(82, "b", count), device(83, "c", count)];
  let count = 600;
  await using setup = await collectorSetup(grow(count), {
    pageSize: 50,
    extra: "max_points_per_run: 1000000",
  });
  // How long an uninterrupted run takes here: the window the kills fall in.
  const started = performance.now();
  await must(setup.run());
  const window = performance.now() - started;
  for (let i = 0; i < ITERATIONS; i++) {
    count += 400;
    setup.server.setDevices(grow(count));
    const child = command(Deno.execPath(), {
      args: ["run", "--no-prompt", "-A", `${REPO_ROOT}main.ts`, "run", "/etc/hydrovu"],
      env: { POND: setup.pond, ...RUN_ENV, NO_COLOR: "1" },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const delay = Math.random() * window * 1.2;
    await new Promise((r) => setTimeout(r, delay));
    try {
      child.kill("SIGKILL");
    } catch {
      // It had finished.
    }
    await child.status;
    const check = await pondProcess(["check"], { POND: setup.pond });
    assert.equal(
      check.code,
      0,
      `after a kill at ${Math.round(delay)} ms: ${check.stdout}${check.stderr}`,
    );
    await must(setup.run());
    for (const d of grow(count)) {
      const stored = await readSeries(setup.pond, `/hydrovu/devices/${d.id}/${d.name}.series`);
      const expected = fakeReadings(d).times.map((t) => BigInt(t) * 1_000_000n);
      assert.deepEqual(
        stored.times,
        expected,
        `device ${d.id} after a kill at ${Math.round(delay)} ms`,
      );
    }
  }
});
