/** provenance(): a file's identity as of a pond version and the stored series it derives from with their newest event time, told from metadata, through real temporal-reduce directories. */
import assert from "node:assert/strict";
import { PluginHost } from "../../src/plugin_host/mod.ts";
import { describe } from "../../src/pond/describe.ts";
import { Pond } from "../../src/pond/pond.ts";
import { provenance } from "../../src/pond/provenance.ts";
import { queryGroups } from "../../src/sql/mod.ts";
import type { Factories } from "../../src/tinyfs/mod.ts";
import { addReadings, HOUR, MINUTE, ok, readings, START } from "../site/helpers.ts";
import { withPond } from "./fixture.ts";

const REDUCE = "in_pattern: /sites/*/readings.series\nout_pattern: $0\nresolutions: [1h, 1d]\n" +
  "aggregations: [{ type: avg, columns: ['*'] }]\n";
/** A reduction of the first one's hourly files: its inputs are computed, not stored. */
const AGAIN = "in_pattern: /reduce/*/res=1h.series\nout_pattern: $0\nresolutions: [1d]\n" +
  "aggregations: [{ type: max, columns: ['*'] }]\n";

/** A directory of one computed file whose directory says nothing of what it is computed from. */
const factories: Factories = {
  mute: {
    open: () => ({
      entries: () =>
        Promise.resolve([{
          kind: "file" as const,
          name: "res=1h.series",
          entryType: "file:series" as const,
          read: () => Promise.resolve(new Uint8Array()),
        }]),
    }),
  },
};

Deno.test("provenance: a reduction's files name the series they read, its newest reading and an identity that changes exactly with it", async () => {
  await withPond(async (p) => {
    const copy = (site: string, start: number, hours: number) =>
      addReadings({ host: p.host, pond: p.run }, site, readings(start, hours, 0));
    ok(await p.run(["mkdir", "-p", "/sites/north", "/sites/south"]));
    await copy("north", START + 20 * MINUTE, 48);
    await copy("south", START, 24);
    await Deno.writeTextFile(`${p.host}/reduce.yaml`, REDUCE);
    ok(await p.run(["mknod", "temporal-reduce", "/reduce", "--config", `${p.host}/reduce.yaml`]));
    await Deno.writeTextFile(`${p.host}/again.yaml`, AGAIN);
    ok(await p.run(["mknod", "temporal-reduce", "/again", "--config", `${p.host}/again.yaml`]));

    const read = async () => {
      await using host = new PluginHost({ sql: queryGroups });
      await using pond = await Pond.open(p.dir, { plugins: host });
      const root = await pond.root();
      const of = (path: string) => provenance(root, path);
      return {
        hourly: await of("/reduce/north/res=1h.series"),
        daily: await of("/reduce/north/res=1d.series"),
        south: await of("/reduce/south/res=1h.series"),
        again: await of("/again/north/res=1d.series"),
        stored: await of("/sites/north/readings.series"),
      };
    };
    const before = await read();
    await using host = new PluginHost({ sql: queryGroups });
    await using pond = await Pond.open(p.dir, { plugins: host });
    assert.deepEqual((await describe(pond, "/reduce/north/res=1h.series")).derivedFrom, {
      series: ["/sites/north/readings.series"],
      newestEvent: START + 47 * HOUR + 20 * MINUTE,
    }, "pond describe says it too");
    assert.equal((await describe(pond, "/sites/north/readings.series")).derivedFrom, undefined);
    assert.deepEqual(before.hourly.series, ["/sites/north/readings.series"]);
    assert.equal(
      before.hourly.newestEvent,
      START + 47 * HOUR + 20 * MINUTE,
      "the newest reading, 20 minutes into the newest hourly bucket",
    );
    assert.equal(before.daily.newestEvent, before.hourly.newestEvent);
    assert.equal(before.south.newestEvent, START + 23 * HOUR);
    assert.match(before.hourly.identity!, /^computed:[0-9a-f]{64}$/);
    assert.notEqual(before.hourly.identity, before.daily.identity, "another file, another call");
    assert.deepEqual(
      before.again.series,
      ["/sites/north/readings.series"],
      "through computed inputs",
    );
    assert.equal(before.again.newestEvent, before.hourly.newestEvent);
    assert.equal(before.again.identity, undefined, "computed from computed files: not knowable");
    assert.match(before.stored.identity!, /^stored:[0-9a-f]+@1$/);
    assert.deepEqual(before.stored.series, []);

    assert.deepEqual(await read(), before, "nothing changed: the same answers");
    await copy("north", START + 48 * HOUR + 20 * MINUTE, 24);
    const after = await read();
    assert.notEqual(after.hourly.identity, before.hourly.identity, "a new version of its input");
    assert.equal(after.hourly.newestEvent, START + 71 * HOUR + 20 * MINUTE);
    assert.match(after.stored.identity!, /@2$/);
    assert.equal(after.south.identity, before.south.identity, "south's input did not change");
  });
});

Deno.test("provenance: a computed file whose directory does not say has no identity and no series", async () => {
  await withPond(async (p) => {
    await using pond = await Pond.open(p.dir, { factories });
    await pond.transact(["test"], (root) => root.createDynamicDirectory("/mute", "mute", ""));
    const found = await provenance(await pond.root(), "/mute/res=1h.series");
    assert.deepEqual(found, { series: [] });
  });
});
