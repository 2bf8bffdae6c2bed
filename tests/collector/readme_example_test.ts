/** The collector written in plugins/README.md loads, collects, and resumes from what is stored, its key read from the environment. */
import assert from "node:assert/strict";
import { pondInProcess } from "../cli/harness.ts";
import { must, readSeries } from "./helpers.ts";

const guide = await Deno.readTextFile(new URL("../../plugins/README.md", import.meta.url));
const example = guide.split("## Collectors")[1].match(/```ts\n([\s\S]*?)```/)![1];

Deno.test("readme: the gauge collector appends only new readings, resuming from the newest stored", async () => {
  const readings = [{ t: 1_700_000_000, m: 1.5 }, { t: 1_700_000_600, m: 1.7 }];
  const asked: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const url = new URL(request.url);
    asked.push(url.search);
    const since = Number(url.searchParams.get("since"));
    return Response.json(readings.filter((r) => r.t * 1000 > since));
  });
  const dir = await Deno.makeTempDir({ prefix: "pond-gauge-" });
  try {
    const pond = `${dir}/pond`;
    const env = { POND: pond, GAUGE_KEY: "k-123" };
    await Deno.writeTextFile(`${dir}/gauge.ts`, example);
    await Deno.writeTextFile(
      `${dir}/gauge.yaml`,
      `url: http://127.0.0.1:${server.addr.port}/\nkey: \${env:GAUGE_KEY}\n`,
    );
    await must(pondInProcess(["init", pond]));
    await must(pondInProcess(["plugin", "add", `${dir}/gauge.ts`, "--yes"], env));
    await must(
      pondInProcess(
        ["mknod", "gauge", "/etc/gauge", "-p", "--config", `${dir}/gauge.yaml`, "--yes"],
        env,
      ),
    );
    await must(pondInProcess(["run", "/etc/gauge"], env));
    readings.push({ t: 1_700_001_200, m: 1.9 });
    await must(pondInProcess(["run", "/etc/gauge"], env));
    const stored = await readSeries(pond, "/gauge/level.series");
    assert.deepEqual(stored.versions, [2, 1]);
    assert.deepEqual(stored.columns.get("level.m")!.values, [1.5, 1.7, 1.9]);
    assert.deepEqual(asked, ["?since=0&key=k-123", "?since=1700000600000&key=k-123"]);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
