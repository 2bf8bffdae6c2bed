/** The host checks what a collector returns before committing any of it: series beneath its output only, a timestamp first, no expanded secret kept. */
import assert from "node:assert/strict";
import { pondInProcess } from "../cli/harness.ts";
import { head, must } from "./helpers.ts";

const PROBE = new URL("./fixtures/probe_collector.ts", import.meta.url).pathname;

Deno.test("a collector's reply outside its output, without a time column, or keeping a secret, is refused and commits nothing", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("1700000000"),
  );
  const dir = await Deno.makeTempDir({ prefix: "pond-collector-reply-" });
  try {
    const pond = `${dir}/pond`;
    const env = { POND: pond, PROBE_TOKEN: "probe-secret-77" };
    await must(pondInProcess(["init", pond]));
    await must(pondInProcess(["plugin", "add", PROBE, "--yes"], env));
    const cases: [string, RegExp][] = [
      ["escape", /series 0: path "\.\.\/x\.series" holds the reserved name \.\./],
      ["absolute", /series 0: path "\/x\.series" must be relative to the output \(\/probe\)/],
      ["untimed", /its first column must be the time column, a timestamp/],
      ["nulltime", /its time column timestamp has a null at row 0/],
      [
        "keep",
        /its state holds the value of a \$\{env:…\} reference; a collector must not store it/,
      ],
    ];
    for (const [bad, error] of cases) {
      const config = `${dir}/${bad}.yaml`;
      await Deno.writeTextFile(
        config,
        `url: http://127.0.0.1:${server.addr.port}/\nbad: ${bad}\ntoken: \${env:PROBE_TOKEN}\n`,
      );
      await must(
        pondInProcess(["mknod", "probe", `/etc/${bad}`, "-p", "--config", config, "--yes"], env),
      );
      const before = await head(pond);
      const r = await pondInProcess(["run", `/etc/${bad}`], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /plugin probe's run\(\)/);
      assert.match(r.stderr, error);
      assert.equal(await head(pond), before);
      assert.doesNotMatch(r.stderr, /probe-secret-77/);
    }
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
