/** A pond.json that does not read is one line naming it and what to do, for a garbled marker and for an OS refusal. */
import assert from "node:assert/strict";
import { oplogListing, pondProcess } from "../cli/harness.ts";

Deno.test("an unreadable pond.json: one line naming it, with check --repair's remedy, and the pond unchanged", async () => {
  const host = await Deno.makeTempDir({ prefix: "pond-marker-" });
  try {
    const pond = `${host}/pond`;
    assert.equal((await pondProcess(["init", pond])).code, 0);
    const marker = `${pond}/pond.json`;
    const repair = `\`pond check --repair --pond ${pond}\` writes it again from the log`;
    const cases: [() => Promise<void>, string][] = [
      [
        () => Deno.writeTextFile(marker, "{garb"),
        `pond: ${marker} is not a pond marker (JSON naming its format); ${repair}\n`,
      ],
      [
        () => Deno.writeTextFile(marker, '{"created": "2026-01-01"}'),
        `pond: ${marker} is not a pond marker (JSON naming its format); ${repair}\n`,
      ],
      [
        () => Deno.mkdir(marker),
        `pond: cannot read ${marker}: is a directory; move it aside, then ${repair}\n`,
      ],
    ];
    for (const [damage, line] of cases) {
      await damage();
      const before = await oplogListing(pond, "");
      const r = await pondProcess(["list", "/"], { POND: pond });
      assert.deepEqual([r.code, r.stdout, r.stderr], [1, "", line]);
      assert.deepEqual(await oplogListing(pond, ""), before, "nothing changed");
      await Deno.remove(marker, { recursive: true });
    }
  } finally {
    await Deno.remove(host, { recursive: true });
  }
});

Deno.test("check never calls a pond healthy when a directory holds pond.json's name, and repair writes over nothing", async () => {
  const host = await Deno.makeTempDir({ prefix: "pond-marker-" });
  try {
    const pond = `${host}/pond`;
    assert.equal((await pondProcess(["init", pond])).code, 0);
    await Deno.remove(`${pond}/pond.json`);
    await Deno.mkdir(`${pond}/pond.json`);
    await Deno.writeTextFile(`${pond}/pond.json/kept.txt`, "a user's file\n");
    const finding = "error  pond.json: a directory holds this name, not the pond's marker file; " +
      "move it aside, then `pond check --repair` writes the marker again from the log";
    for (const args of [["check"], ["check", "--quick"], ["check", "--repair", "--yes"]]) {
      const r = await pondProcess([...args, "--pond", pond]);
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.ok(r.stdout.startsWith(finding), r.stdout);
      assert.match(r.stdout, /is damaged: 1 error/);
    }
    assert.equal(await Deno.readTextFile(`${pond}/pond.json/kept.txt`), "a user's file\n");
    await Deno.remove(`${pond}/pond.json`, { recursive: true });
    assert.equal((await pondProcess(["check", "--repair", "--yes", "--pond", pond])).code, 0);
    assert.equal((await pondProcess(["check", "--pond", pond])).code, 0);
  } finally {
    await Deno.remove(host, { recursive: true });
  }
});
