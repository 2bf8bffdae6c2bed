/** The collector kind's manifest and config checks: what a collector must provide, url and output fields, the HydroVu config refused field by field. */
import assert from "node:assert/strict";
import { loadPlugin } from "../../src/plugin_host/mod.ts";
import { pondInProcess } from "../cli/harness.ts";
import { head } from "./helpers.ts";

const source = (provides: string, config = "{}", fn = "run") =>
  new TextEncoder().encode(
    `export const manifest = { name: "c", version: "1.0.0", provides: ${provides}, config: ${config} };\n` +
      `export function ${fn}() { return { series: [] }; }\n`,
  );

Deno.test("a collector provides only a collector, exports run, and its url fields hold http(s) URLs", async () => {
  const ok = await loadPlugin(
    source('["collector"]', '{ out: { type: "output", required: true } }'),
  );
  assert.deepEqual(ok.manifest.provides, ["collector"]);
  await assert.rejects(
    () => loadPlugin(source('["collector", "file"]')),
    /provides must list "directory", "file" or both, like \["directory"\], or be \["collector"\]/,
  );
  await assert.rejects(
    () => loadPlugin(source('["collector"]', "{}", "entries")),
    /provides a collector but does not export a function named run/,
  );
  await assert.rejects(
    () => loadPlugin(source('["collector"]', '{ u: { type: "url", default: "ftp://x/" } }')),
    /config field "u": its default must be an http:\/\/ or https:\/\/ URL/,
  );
  await assert.rejects(
    () => loadPlugin(source('["collector"]', '{ o: { type: "output", default: "rel/x" } }')),
    /its default must be an absolute pond path without \. or \.\./,
  );
});

Deno.test("mknod of the hydrovu collector refuses a bad config naming the field, and leaves the pond as it was", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pond-collector-config-" });
  try {
    const pond = `${dir}/pond`;
    await pondInProcess(["init", pond]);
    const base = "client_id: a\nclient_secret: ${env:K}\nhydrovu_path: /hydrovu\n";
    const cases: [string, RegExp][] = [
      [
        `${base}devices: [{ name: n, id: 1 }]\nfavourite_colour: blue\n`,
        /unknown field "favourite_colour"/,
      ],
      [
        `${base}devices: [{ name: n, id: 1, mode: fast }]\n`,
        /field "devices" item 0: unknown field "mode"/,
      ],
      [`${base}devices: []\n`, /field "devices" must be a non-empty list of mappings/],
      [`${base}devices: [{ id: 1 }]\n`, /field "devices" item 0: field "name" is required/],
      [
        `${base.replace("/hydrovu", "hydrovu")}devices: [{ name: n, id: 1 }]\n`,
        /field "hydrovu_path" must be an absolute pond path/,
      ],
      [
        `${base.replace("/hydrovu", `/${"a".repeat(40)}//b`)}devices: [{ name: n, id: 1 }]\n`,
        /field "hydrovu_path" must be an absolute pond path/,
      ],
      [
        `${base}api_url: "https://user:pw@example.com/"\ndevices: [{ name: n, id: 1 }]\n`,
        /must not hold a user name or password/,
      ],
    ];
    for (const [config, error] of cases) {
      await Deno.writeTextFile(`${dir}/c.yaml`, config);
      const r = await pondInProcess(
        ["mknod", "hydrovu", "/etc/hv", "-p", "--config", `${dir}/c.yaml`, "--yes"],
        { POND: pond },
      );
      assert.equal(r.code, 1, config);
      assert.match(r.stderr, error);
      assert.equal(r.stderr.split("\n").length, 2, r.stderr); // one line
    }
    assert.equal(await head(pond), 0);
    // The default API: its host is what the node is granted.
    await Deno.writeTextFile(`${dir}/c.yaml`, `${base}devices: [{ name: n, id: 1 }]\n`);
    const asked = await pondInProcess([
      "mknod",
      "hydrovu",
      "/etc/hv",
      "-p",
      "--config",
      `${dir}/c.yaml`,
    ], { POND: pond });
    assert.match(asked.stderr, /let collector hydrovu at \/etc\/hv reach www\.hydrovu\.com:443/);
    // Granted with --yes; the same node again commits nothing (what `pond apply` relies on).
    const made = await pondInProcess([
      "mknod",
      "hydrovu",
      "/etc/hv",
      "-p",
      "--config",
      `${dir}/c.yaml`,
      "--yes",
    ], { POND: pond });
    assert.equal(made.code, 0, made.stderr);
    const again = await pondInProcess([
      "mknod",
      "hydrovu",
      "/etc/hv",
      "--config",
      `${dir}/c.yaml`,
      "--yes",
      "--json",
    ], { POND: pond });
    assert.equal(JSON.parse(again.stdout).seq, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
