/** The baseline process: DuckDB (node-api) alone running one query over Parquet files, printing CSV — what pond query is compared with. */
import { DuckDBInstance } from "@duckdb/node-api";

const [sql, ...files] = Deno.args;
const instance = await DuckDBInstance.create(":memory:");
const connection = await instance.connect();
await connection.run("SET TimeZone = 'UTC'");
const list = files.map((f) => `'${f}'`).join(", ");
await connection.run(
  `CREATE VIEW r AS SELECT * FROM read_parquet([${list}], union_by_name = true)`,
);
const result = await connection.stream(sql);
const encoder = new TextEncoder();
Deno.stdout.writeSync(encoder.encode(result.columnNames().join(",") + "\n"));
for (
  let chunk = await result.fetchChunk();
  chunk && chunk.rowCount;
  chunk = await result.fetchChunk()
) {
  const columns = chunk.getColumns();
  const lines: string[] = [];
  for (let r = 0; r < chunk.rowCount; r++) lines.push(columns.map((c) => String(c[r])).join(","));
  Deno.stdout.writeSync(encoder.encode(lines.join("\n") + "\n"));
}
connection.closeSync();
instance.closeSync();
