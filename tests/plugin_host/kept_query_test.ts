/** A sandboxed plugin's kept queries (`host.keep`, `{ kept, of }` tables) and query results handed back as its answer (`host.sql(…, { reply: true })`), across real processes. */
import assert from "node:assert/strict";
import { ok, readings, type SqlPond, V1_ROWS, withSqlPond } from "../sql/helpers.ts";

/**
 * A plugin computing one file from the series its table `r` matched: in mode `keep`, a kept
 * count of rows per group of versions and what keeping it read; in `reply`, a query's result
 * handed back as the file; in `forge`, a handle the host never gave out.
 */
const KEEPER = `
export const manifest = {
  name: "keeper",
  version: "1.0.0",
  provides: ["file"],
  config: {
    inputs: { type: "tables", required: true },
    mode: { type: "string", choices: ["keep", "reply", "forge"], default: "keep" },
  },
};

const COUNT = "SELECT count(*)::BIGINT AS n, max(value::DOUBLE) AS top FROM rows";

export async function read(request: any, host: any) {
  const input = request.matches.inputs.r[0];
  if (request.config.mode === "reply") {
    return await host.sql("SELECT count(*) AS n FROM r", { r: input }, { reply: true });
  }
  if (request.config.mode === "forge") return { hostResult: 0 };
  const work = await host.keep(COUNT, input, ["n"]);
  const [n, groups] = await host.sql(
    "SELECT sum(n)::BIGINT AS n, count(*)::BIGINT AS groups FROM p",
    { p: { kept: COUNT, of: input } },
  );
  const fresh = work.table.find((c: any) => c.name === "n")?.values[0] ?? "none";
  return "computed " + work.computed.join("+") + " of " + work.versions + " (" + fresh +
    " rows); total " + n.values[0] + " in " + groups.values[0] + " groups\\n";
}
`;

async function keeper(p: SqlPond, path: string, mode: string): Promise<string> {
  const file = `${p.host}/keeper.ts`;
  if (!(await Deno.stat(file).catch(() => undefined))) {
    await Deno.writeTextFile(file, KEEPER);
    ok(await p.spawn(["plugin", "add", file, "--yes"]));
  }
  await Deno.writeTextFile(
    `${p.host}/keeper.yaml`,
    JSON.stringify({ inputs: { r: "/sensors/north.series" }, mode }),
  );
  ok(await p.spawn(["mknod", "keeper", path, "--file", "--config", `${p.host}/keeper.yaml`]));
  return path;
}

Deno.test("host.keep: a kept query runs over the versions not yet kept, and its groups together are every version", async () => {
  await withSqlPond(async (p) => {
    const path = await keeper(p, "/kept.txt", "keep");
    assert.equal(
      ok(await p.spawn(["cat", path])),
      `computed 1+2+3 of 3 (${V1_ROWS + 150} rows); total ${V1_ROWS + 150} in 1 groups\n`,
    );
    await Deno.writeFile(`${p.host}/v4.parquet`, readings(Date.UTC(2026, 6, 1), 30));
    ok(
      await p.spawn([
        "copy",
        "--type",
        "series",
        `host:${p.host}/v4.parquet`,
        "/sensors/north.series",
      ]),
    );
    assert.equal(
      ok(await p.spawn(["cat", path])),
      `computed 4 of 4 (30 rows); total ${V1_ROWS + 180} in 2 groups\n`,
      "only the new version's rows are read",
    );
    ok(await p.spawn(["maintain", "--drop-cache"]));
    assert.equal(
      ok(await p.spawn(["cat", path])),
      `computed 1+2+3+4 of 4 (${V1_ROWS + 180} rows); total ${V1_ROWS + 180} in 1 groups\n`,
      "a dropped cache is rebuilt from the rows",
    );
  });
});

Deno.test("host.sql with reply: the result stays on the host and is the file; a handle it never gave out is refused", async () => {
  await withSqlPond(async (p) => {
    const path = await keeper(p, "/count.parquet", "reply");
    assert.equal(ok(await p.spawn(["cat", path, "--rows"])), `n\n${V1_ROWS + 150}\n`);
    const forged = await keeper(p, "/forged.parquet", "forge");
    const read = await p.spawn(["cat", forged, "--rows"]);
    assert.equal(read.code, 1);
    assert.match(read.stderr, /keeper's read\(\) returned object/);
  });
});
