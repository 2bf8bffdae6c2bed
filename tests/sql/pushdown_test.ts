/** Time bounds read from a query's WHERE clause: used only where they are implied for every row of the source. */
import assert from "node:assert/strict";
import { SqlEngine } from "../../src/sql/mod.ts";
import { timeBounds } from "../../src/sql/pushdown.ts";

const D1 = Date.UTC(2026, 5, 1);
const D2 = Date.UTC(2026, 5, 2);

Deno.test("bounds come from comparisons and BETWEEN on the time column, ANDed at the top", async () => {
  const engine = await SqlEngine.open([]);
  try {
    const bounds = (sql: string) => timeBounds(engine, sql, "source", "ts");
    assert.deepEqual(await bounds("SELECT * FROM source WHERE ts >= '2026-06-01'"), { from: D1 });
    assert.deepEqual(
      await bounds("SELECT * FROM source WHERE ts BETWEEN '2026-06-01' AND TIMESTAMP '2026-06-02'"),
      { from: D1, to: D2 },
    );
    assert.deepEqual(
      await bounds(
        "SELECT * FROM source s WHERE '2026-06-02' > s.ts AND v > 3 AND ts > '2026-06-01'",
      ),
      { from: D1, to: D2 },
    );
    assert.deepEqual(await bounds("SELECT count(*) FROM source WHERE TS = '2026-06-01'"), {
      from: D1,
      to: D1,
    });
  } finally {
    engine.close();
  }
});

Deno.test("no bounds where they might not hold for every row the query reads", async () => {
  const engine = await SqlEngine.open([]);
  try {
    for (
      const sql of [
        "SELECT * FROM source WHERE ts >= '2026-06-01' OR v > 3",
        "SELECT * FROM source WHERE ts >= '2026-06-01' AND v < (SELECT max(v) FROM source)",
        "SELECT * FROM source JOIN other USING (id) WHERE ts >= '2026-06-01'",
        "WITH x AS (SELECT 1) SELECT * FROM source WHERE ts >= '2026-06-01'",
        "SELECT * FROM source WHERE ts >= 'not a time'",
        "SELECT * FROM source WHERE other.ts >= '2026-06-01'",
        "SELECT * FROM (SELECT * FROM source) WHERE ts >= '2026-06-01'",
        "SELECT * FROM source WHERE ts >= now() - INTERVAL 1 DAY",
        "SELECT 1 +",
      ]
    ) assert.deepEqual(await timeBounds(engine, sql, "source", "ts"), {}, sql);
  } finally {
    engine.close();
  }
});
