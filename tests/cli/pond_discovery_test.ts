/** Which pond a command uses, across real processes: --pond, else POND, else the nearest pond.json from the working directory up. */
import assert from "node:assert/strict";
import { pondProcess, REPO_ROOT } from "./harness.ts";
import { assertFails, assertOk } from "../pond/fixture.ts";

const MAIN = `${REPO_ROOT}main.ts`;

Deno.test("with neither --pond nor POND, the pond is found from the working directory up; -v says which", async () => {
  const host = await Deno.makeTempDir();
  try {
    const pond = `${host}/lake`;
    assertOk(await pondProcess(["init", pond]));
    assertOk(await pondProcess(["mkdir", "/found"], {}, MAIN, pond));
    const deep = `${pond}/notes/2026`;
    await Deno.mkdir(deep, { recursive: true });
    const r = assertOk(await pondProcess(["list", "/", "-v"], {}, MAIN, deep));
    assert.equal(r.stdout, "/found\n");
    assert.match(
      r.stderr,
      new RegExp(`^pond: ${pond} \\(the nearest holding pond\\.json from ${deep} up\\)$`, "m"),
    );
    const other = `${host}/other`;
    assertOk(await pondProcess(["init", other]));
    const named = assertOk(await pondProcess(["list", "/"], { POND: other }, MAIN, deep));
    assert.equal(named.stdout, "", "POND wins over the search");
    const option = await pondProcess(["list", "/", "--pond", pond], { POND: other }, MAIN, host);
    assert.equal(assertOk(option).stdout, "/found\n", "--pond wins over POND");
  } finally {
    await Deno.remove(host, { recursive: true });
  }
});

Deno.test("no pond named and none above the working directory: one line saying what to do, exit 2", async () => {
  const host = await Deno.makeTempDir();
  try {
    assertFails(
      await pondProcess(["list", "/"], {}, MAIN, host),
      2,
      `pond list: which pond? none is named and no pond.json is in ${host} or above it: pass --pond PATH or set the POND environment variable (or make one: 'pond init PATH')\n`,
    );
    assertFails(
      await pondProcess(["init"], {}, MAIN, host),
      2,
      "pond init: where? give PATH, pass --pond PATH or set POND\n",
    );
    assert.deepEqual([...Deno.readDirSync(host)], [], "nothing made");
  } finally {
    await Deno.remove(host, { recursive: true });
  }
});
