/** Tests for node ids: their shape, the root's id, uniqueness and time order. */

import assert from "node:assert/strict";
import { isNodeId, newNodeId, ROOT_ID } from "../../src/tinyfs/mod.ts";

Deno.test("node ids: fixed-width lowercase hex; the root's is all zeros", () => {
  assert.equal(ROOT_ID, "0".repeat(32));
  const id = newNodeId();
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.ok(isNodeId(id) && isNodeId(ROOT_ID));
  assert.ok(!isNodeId("ROOT") && !isNodeId(id.toUpperCase()) && !isNodeId(id + "0"));
});

Deno.test("node ids: distinct, and ordered by the time they were made", () => {
  const same = new Set(Array.from({ length: 1000 }, () => newNodeId(1_000)));
  assert.equal(same.size, 1000);
  assert.ok(newNodeId(1_000) < newNodeId(2_000));
  assert.ok(newNodeId(Date.UTC(2024, 0, 1)) < newNodeId(Date.UTC(2030, 0, 1)));
});
