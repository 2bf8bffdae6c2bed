/** A collector reaches only the hosts its node was granted (enforced by its sandbox), and its secrets are never stored or printed. */
import assert from "node:assert/strict";
import { pondInProcess, pondProcess } from "../cli/harness.ts";
import { collectorSetup, device, must, readSeries, SECRET } from "./helpers.ts";

const PROBE = new URL("./fixtures/probe_collector.ts", import.meta.url).pathname;

/** A loopback server answering every request with `body`, counting them. */
function countingServer(body: string) {
  let count = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    count++;
    return new Response(body);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    host: `127.0.0.1:${server.addr.port}`,
    get count() {
      return count;
    },
    close: () => server.shutdown(),
  };
}

Deno.test("a collector reaches the hosts its node was granted, and its sandbox refuses any other", async () => {
  const granted = countingServer("1700000000");
  const other = countingServer("0");
  const dir = await Deno.makeTempDir({ prefix: "pond-grants-" });
  try {
    const pond = `${dir}/pond`;
    const env = { POND: pond };
    await must(pondInProcess(["init", pond]));
    await must(pondInProcess(["plugin", "add", PROBE, "--yes"], env));
    const config = `${dir}/probe.yaml`;
    await Deno.writeTextFile(config, `url: ${granted.url}\nother: ${other.url}\n`);
    // Not on a terminal, without --yes: refused, naming the host it would be granted.
    const asked = await pondProcess(
      ["mknod", "probe", "/etc/probe", "-p", "--config", config],
      env,
    );
    assert.equal(asked.code, 2);
    assert.match(
      asked.stderr,
      new RegExp(`reach ${granted.host}: stdin is not a terminal; pass --yes`),
    );
    await must(
      pondProcess(["mknod", "probe", "/etc/probe", "-p", "--config", config, "--yes"], env),
    );
    const shown = await must(pondProcess(["cat", "/etc/probe"], env));
    assert.match(shown.stdout, new RegExp(`# network: ${granted.host}\n`));

    const r = await pondProcess(["run", "/etc/probe", "--json"], env);
    assert.equal(r.code, 1);
    const [run] = JSON.parse(r.stdout).runs;
    assert.equal(run.series[0].rows, 1); // the granted host answered
    assert.equal(run.failed[0].what, "other");
    assert.match(
      run.failed[0].message,
      new RegExp(`NotCapable: Requires net access to "${other.host}"`),
    );
    assert.equal(granted.count, 1);
    assert.equal(other.count, 0);
    assert.match(r.stderr, /pond run: \/etc\/probe: other: NotCapable/);
    // The state a run returns is committed with its rows, and handed to the next run.
    assert.equal((await pondProcess(["run", "/etc/probe"], env)).code, 1);
    const runs = (await readSeries(pond, "/probe/probe.series")).columns.get("runs")!.values;
    assert.deepEqual(runs, [1, 2]);
  } finally {
    await granted.close();
    await other.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the secret in ${env:…} is never stored in the pond nor printed, even by a plugin that leaks it", async () => {
  await using setup = await collectorSetup([device(71, "north", 20)]);
  const outputs: string[] = [];
  const keep = async (p: Promise<{ code: number; stdout: string; stderr: string }>) => {
    const r = await p;
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  await must(keep(setup.run("--json", "--verbose")));
  setup.server.fail({ path: "/locations/71/data", kind: "500", times: Infinity });
  assert.equal((await keep(setup.run("--json", "--verbose"))).code, 1);
  setup.server.fail({ path: "/oauth/token", kind: "401" });
  assert.equal((await keep(setup.run("--verbose"))).code, 1);
  for (
    const args of [["describe", "/etc/hydrovu"], ["cat", "/etc/hydrovu"], ["log", "--json"], [
      "log",
      "-v",
    ], ["list", "-l", "/etc"]]
  ) {
    await must(keep(setup.pond$(...args)));
  }
  // A plugin that prints the secret and throws it: both come out as the reference.
  const config = `${setup.dir}/leak.yaml`;
  await Deno.writeTextFile(
    config,
    `url: ${setup.server.url}\ntoken: "\${env:HYDRO_KEY_VALUE}"\nleak: true\n`,
  );
  await must(keep(setup.pond$("plugin", "add", PROBE, "--yes")));
  await must(keep(setup.pond$("mknod", "probe", "/etc/leak", "--config", config, "--yes")));
  const leak = await keep(setup.pond$("run", "/etc/leak", "--verbose"));
  assert.equal(leak.code, 1);
  assert.match(leak.stderr, /plugin probe: the token is \$\{env:HYDRO_KEY_VALUE\}/);
  assert.match(
    leak.stderr,
    /refused token \$\{env:HYDRO_KEY_VALUE\} \(\$\{env:HYDRO_KEY_VALUE\}\)/,
  );

  for (const text of outputs) assert.ok(!text.includes(SECRET), text);
  const stored = await Deno.readTextFile(`${setup.dir}/hydrovu.yaml`);
  assert.match(stored, /client_secret: \$\{env:HYDRO_KEY_VALUE\}/);
  const secret = new TextEncoder().encode(SECRET);
  let files = 0;
  for await (const file of walk(setup.pond)) {
    files++;
    assert.ok(!contains(await Deno.readFile(file), secret), `${file} holds the secret`);
  }
  assert.ok(files > 5);
});

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else if (entry.isFile) yield path;
  }
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
