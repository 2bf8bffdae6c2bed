/** Two ponds pushing to one remote at the same instant, on a server that honours conditional writes: one pond's log wins whole, the other is refused. */
import assert from "node:assert/strict";
import { pondProcess } from "../cli/harness.ts";
import { startConditionalProxy } from "./conditional_proxy.ts";
import { makePond, pondFiles, pondOk } from "./pond_fixture.ts";
import { withTempDir } from "../reliability/fixtures.ts";
import { moduleS3rver } from "./s3_server.ts";

const { server, missing } = await moduleS3rver();
const proxy = server && await startConditionalProxy(server);

Deno.test({
  name: server
    ? "of two ponds pushing to one remote at once, one wins whole and the other is refused"
    : `two ponds racing to push (ignored: ${missing})`,
  ignore: !server,
  async fn() {
    await withTempDir(async (dir) => {
      const ponds = [await makePond(`${dir}/a`), await makePond(`${dir}/b`)];
      const url = `s3://${server!.bucket}/race-${crypto.randomUUID()}`;
      for (const p of ponds) {
        await pondOk(["--pond", p, "remote", "add", "r", url, "--endpoint", proxy!.endpoint]);
      }
      const runs = await Promise.all(
        ponds.map((p) => pondProcess(["--pond", p, "push", "r"], server!.env)),
      );
      const codes = runs.map((r) => r.code);
      assert.deepEqual([...codes].sort(), [0, 1], runs.map((r) => r.stderr).join("\n"));
      const loser = runs[codes.indexOf(1)];
      assert.match(
        loser.stderr,
        /gained transaction 0 while this copy ran|has transactions up to|disagree/,
      );
      const winner = ponds[codes.indexOf(0)];
      const restored = `${dir}/restored`;
      await pondOk(["restore", url, restored, "--endpoint", proxy!.endpoint], server!.env);
      const log = (files: Map<string, string>) =>
        [...files].filter(([p]) => p.startsWith("oplog/_delta_log/"));
      assert.deepEqual(log(await pondFiles(restored)), log(await pondFiles(winner)));
    });
  },
});
