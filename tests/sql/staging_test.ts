/** The private scratch directory of a query: only this user can enter it or read what is in it, and it is gone after. */
import assert from "node:assert/strict";
import { Staging } from "../../src/sql/staging.ts";

Deno.test("small bodies are written 0600 into a 0700 directory that remove() deletes", async () => {
  const staging = await Staging.create();
  const path = await staging.write("csv", new TextEncoder().encode("a\n1\n"));
  assert.equal((await Deno.stat(staging.dir)).mode! & 0o777, 0o700);
  assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  assert.equal(await Deno.readTextFile(path), "a\n1\n");
  assert.notEqual(staging.path("csv"), path, "every path is fresh");
  await staging.remove();
  await assert.rejects(Deno.stat(staging.dir), Deno.errors.NotFound);
});
