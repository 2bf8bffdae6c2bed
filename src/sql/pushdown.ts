/** Time bounds a query's WHERE clause puts on a source's time column, read from DuckDB's parse tree, for skipping series versions. */
import { quoteText, type SqlEngine } from "./engine.ts";

/** The earliest and latest time a query can keep (ms since the epoch); an absent end is open. */
export interface TimeBounds {
  from?: number;
  to?: number;
}

type Node = Record<string, unknown>;

/**
 * The bounds the top-level WHERE of `sql` puts on `column` of `table`, when that is safe to
 * use for skipping the table's versions: the query is one SELECT whose FROM is `table` alone,
 * read nowhere else in the query (no subquery, CTE or join sees it), and the WHERE is a
 * conjunction whose parts compare the column with constants (`>=`, `>`, `<=`, `<`, `=`,
 * `BETWEEN`). Anything else gives no bounds, which skips nothing: DuckDB still applies the
 * whole WHERE to the rows, so bounds only ever save reading versions that hold no kept row.
 *
 * @example
 * ```ts
 * import { SqlEngine } from "./mod.ts";
 *
 * const engine = await SqlEngine.open([]);
 * await engine.define("source", "SELECT TIMESTAMPTZ '2026-06-01' AS ts, 1.5 AS value");
 * await timeBounds(engine, "SELECT * FROM source WHERE ts >= '2026-06-01'", "source", "ts");
 * // { from: 1780272000000 }
 * ```
 */
export async function timeBounds(
  engine: SqlEngine,
  sql: string,
  table: string,
  column: string,
): Promise<TimeBounds> {
  const [[text]] = await engine.rows(`SELECT json_serialize_sql(${quoteText(sql)})`);
  const tree = JSON.parse(String(text)) as { error?: boolean; statements?: { node: Node }[] };
  if (tree.error || tree.statements?.length !== 1) return {};
  const node = tree.statements[0].node;
  const from = node.from_table as Node | undefined;
  const named = (t: unknown) => String(t).toLowerCase() === table.toLowerCase();
  const mentions = (String(text).match(/"table_name":"((?:[^"\\]|\\.)*)"/g) ?? [])
    .filter((m) => named(JSON.parse(`{${m}}`).table_name)).length;
  if (
    node.type !== "SELECT_NODE" || from?.type !== "BASE_TABLE" || !named(from.table_name) ||
    mentions !== 1 || !node.where_clause || hasCtes(node)
  ) return {};
  const alias = String(from.alias ?? "");
  const bounds: TimeBounds = {};
  for (const part of conjuncts(node.where_clause as Node)) {
    for (const [op, constant] of comparisons(part, column, table, alias)) {
      const ms = await timeOf(engine, constant);
      if (ms === undefined) continue;
      if (op === "from" || op === "both") bounds.from = Math.max(bounds.from ?? -Infinity, ms);
      if (op === "to" || op === "both") bounds.to = Math.min(bounds.to ?? Infinity, ms);
    }
  }
  return bounds;
}

function hasCtes(node: Node): boolean {
  const map = (node.cte_map as { map?: unknown[] } | undefined)?.map;
  return (map?.length ?? 0) > 0;
}

function conjuncts(e: Node): Node[] {
  if (e.type === "CONJUNCTION_AND") return (e.children as Node[]).flatMap(conjuncts);
  return [e];
}

const LOWER: Record<string, string> = {
  COMPARE_GREATERTHANOREQUALTO: "from",
  COMPARE_GREATERTHAN: "from",
  COMPARE_LESSTHANOREQUALTO: "to",
  COMPARE_LESSTHAN: "to",
  COMPARE_EQUAL: "both",
};

const FLIPPED: Record<string, string> = { from: "to", to: "from", both: "both" };

/** The (bound, constant) pairs one part of the WHERE gives for the column. */
function comparisons(
  e: Node,
  column: string,
  table: string,
  alias: string,
): [string, Node][] {
  const isColumn = (x: unknown) => isColumnOf(x as Node, column, table, alias);
  if (e.class === "BETWEEN" && isColumn(e.input)) {
    return [["from", e.lower as Node], ["to", e.upper as Node]];
  }
  const op = LOWER[String(e.type)];
  if (e.class !== "COMPARISON" || !op) return [];
  if (isColumn(e.left)) return [[op, e.right as Node]];
  if (isColumn(e.right)) return [[FLIPPED[op], e.left as Node]];
  return [];
}

function isColumnOf(e: Node | undefined, column: string, table: string, alias: string): boolean {
  if (e?.class !== "COLUMN_REF") return false;
  const names = (e.column_names as string[]).map((n) => n.toLowerCase());
  if (names.at(-1) !== column.toLowerCase()) return false;
  if (names.length === 1) return true;
  return names.length === 2 && [table.toLowerCase(), alias.toLowerCase()].includes(names[0]);
}

/** A constant (or a constant cast to a type) as a time, when DuckDB reads it as one. */
async function timeOf(engine: SqlEngine, e: Node): Promise<number | undefined> {
  const constant = e.class === "CAST" ? e.child as Node : e;
  if (constant?.class !== "CONSTANT") return undefined;
  const value = constant.value as { is_null?: boolean; value?: unknown; type?: { id?: string } };
  if (value.is_null || value.type?.id !== "VARCHAR") return undefined;
  try {
    const [[ms]] = await engine.rows(
      `SELECT epoch_ms(CAST(${quoteText(String(value.value))} AS TIMESTAMPTZ))`,
    );
    return Number(ms);
  } catch {
    return undefined;
  }
}
