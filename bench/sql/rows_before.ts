/** The old path, for comparison: a series' rows between two times decoded in JS by hyparquet (pond cat --rows before it went through DuckDB), as CSV. */
import { csvLine } from "../../src/cli/format.ts";
import { Pond } from "../../src/pond/pond.ts";
import { tableRows } from "../../src/pond/table_rows.ts";

const [pondDir, path, from, to] = Deno.args;
const root = await (await Pond.open(pondDir)).root();
let header = false;
for await (
  const { columns, rows } of tableRows(root, path, { from: Date.parse(from), to: Date.parse(to) })
) {
  if (!header) Deno.stdout.writeSync(new TextEncoder().encode(csvLine(columns)));
  header = true;
  const text = rows.map((r) => csvLine(columns.map((c) => r[c]))).join("");
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}
