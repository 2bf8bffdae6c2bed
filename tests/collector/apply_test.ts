/** `pond apply` of a collector: its node made granted the hosts its config reaches (with consent), collected by `pond run`, and re-applied unchanged. */
import assert from "node:assert/strict";
import { pondProcess } from "../cli/harness.ts";
import { startFakeHydroVu } from "../../scripts/fake_hydrovu.ts";
import { CLIENT_ID, device, hydrovuConfig, must, readSeries, RUN_ENV, SECRET } from "./helpers.ts";

Deno.test("pond apply makes a collector node granted its hosts with consent; pond run collects; applying again changes nothing", async () => {
  const north = device(7, "north", 30);
  await using server = startFakeHydroVu({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    devices: [north],
  });
  const dir = await Deno.makeTempDir({ prefix: "pond-apply-collector-" });
  try {
    const pond = `${dir}/pond`;
    const env = { POND: pond, ...RUN_ENV };
    const config = hydrovuConfig(server, [north]).replace(/^/gm, "  ").trimEnd();
    await Deno.writeTextFile(
      `${dir}/setup.yaml`,
      `kind: mkdir\npath: /etc\n---\nkind: mknod\nplugin: hydrovu\npath: /etc/hydrovu\nconfig:\n${config}\n`,
    );
    await must(pondProcess(["init", pond]));
    const host = new URL(server.url).host;

    const refused = await pondProcess(["apply", "-f", `host:${dir}/setup.yaml`], env);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(`ask whether to make a collector of plugin hydrovu reaching ${host}: .*--yes`),
    );

    const made = JSON.parse(
      (await must(pondProcess(["apply", "-f", `host:${dir}/setup.yaml`, "--yes", "--json"], env)))
        .stdout,
    );
    assert.deepEqual(made.documents.map((d: { action: string }) => d.action), ["create", "create"]);
    assert.equal(typeof made.seq, "number");

    const run = JSON.parse(
      (await must(pondProcess(["run", "/etc/hydrovu", "--json"], env))).stdout,
    );
    assert.deepEqual(run.runs[0].series.map((s: { rows: number }) => s.rows), [30]);
    assert.equal((await readSeries(pond, "/hydrovu/devices/7/north.series")).times.length, 30);

    const again = JSON.parse(
      (await must(pondProcess(["apply", "-f", `host:${dir}/setup.yaml`, "--json"], env))).stdout,
    );
    assert.deepEqual(again.documents.map((d: { action: string }) => d.action), [
      "unchanged",
      "unchanged",
    ]);
    assert.equal(again.seq, null);
    const stored = (await must(pondProcess(["cat", "/etc/hydrovu"], env))).stdout;
    assert.match(stored, /\$\{env:HYDRO_KEY_VALUE\}/);
    assert.doesNotMatch(stored, new RegExp(SECRET));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
