/** Scan predicates: a small typed expression tree, bound to a table schema and evaluated on rows. */

import { DeltaError } from "./errors.ts";
import type { DataType, StructField, StructType } from "./schema.ts";
import { compareValues, decimalParts, parseDate, parseTimestamp, type Value } from "./values.ts";

/** A comparison operator. */
export type ComparisonOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

/**
 * A literal in a predicate. It is converted to the column's type when bound: numbers or
 * bigints for numeric columns, `Date`/ISO text/bigint microseconds for timestamps,
 * `Date`/`YYYY-MM-DD`/day number for dates, decimal text or number for decimals, text or
 * bytes for binary.
 */
export type Literal = null | boolean | number | bigint | string | Uint8Array | Date;

/** A predicate on top-level columns (by logical name). Comparisons with null are never true. */
export type Predicate =
  | { op: ComparisonOp; column: string; value: Literal }
  | { op: "isNull" | "isNotNull"; column: string }
  | { op: "and" | "or"; args: Predicate[] }
  | { op: "not"; arg: Predicate };

/** A predicate whose columns are resolved to schema fields and whose literals are typed values. */
export type BoundPredicate =
  | { op: ComparisonOp; field: StructField; value: Value }
  | { op: "isNull" | "isNotNull"; field: StructField }
  | { op: "and" | "or"; args: BoundPredicate[] }
  | { op: "not"; arg: BoundPredicate };

/**
 * `column = value`.
 *
 * @example
 * ```ts
 * import { LocalStore, Table } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * snapshot.scan({ predicate: eq("date", "2023-04-13") });
 * ```
 */
export function eq(column: string, value: Literal): Predicate {
  return { op: "=", column, value };
}

/**
 * `column != value`.
 *
 * @example
 * ```ts
 * ne("status", 200);
 * ```
 */
export function ne(column: string, value: Literal): Predicate {
  return { op: "!=", column, value };
}

/**
 * `column < value`.
 *
 * @example
 * ```ts
 * lt("id", 10n);
 * ```
 */
export function lt(column: string, value: Literal): Predicate {
  return { op: "<", column, value };
}

/**
 * `column <= value`.
 *
 * @example
 * ```ts
 * le("ts", new Date("2024-01-01T00:00:00Z"));
 * ```
 */
export function le(column: string, value: Literal): Predicate {
  return { op: "<=", column, value };
}

/**
 * `column > value`.
 *
 * @example
 * ```ts
 * gt("price", "9.99");
 * ```
 */
export function gt(column: string, value: Literal): Predicate {
  return { op: ">", column, value };
}

/**
 * `column >= value`.
 *
 * @example
 * ```ts
 * ge("day", "2024-01-01");
 * ```
 */
export function ge(column: string, value: Literal): Predicate {
  return { op: ">=", column, value };
}

/**
 * `column IS NULL`.
 *
 * @example
 * ```ts
 * isNull("comment");
 * ```
 */
export function isNull(column: string): Predicate {
  return { op: "isNull", column };
}

/**
 * `column IS NOT NULL`.
 *
 * @example
 * ```ts
 * isNotNull("comment");
 * ```
 */
export function isNotNull(column: string): Predicate {
  return { op: "isNotNull", column };
}

/**
 * All of `args` (true when there are none).
 *
 * @example
 * ```ts
 * and(ge("id", 10), lt("id", 20));
 * ```
 */
export function and(...args: Predicate[]): Predicate {
  return { op: "and", args };
}

/**
 * Any of `args` (false when there are none).
 *
 * @example
 * ```ts
 * or(eq("kind", "a"), isNull("kind"));
 * ```
 */
export function or(...args: Predicate[]): Predicate {
  return { op: "or", args };
}

/**
 * The negation of `arg` (NOT of an unknown is unknown, so rows with nulls stay out).
 *
 * @example
 * ```ts
 * not(eq("kind", "a"));
 * ```
 */
export function not(arg: Predicate): Predicate {
  return { op: "not", arg };
}

function invalid(message: string): never {
  throw new DeltaError("InvalidArgument", message);
}

/** Converts a literal to the reader's value for `type` (see `Value`), or throws `InvalidArgument`. */
function literalValue(value: Literal, type: DataType, column: string): Value {
  if (value === null) return null;
  const fail = (): never =>
    invalid(
      `${
        typeof value === "bigint" ? `${value}n` : JSON.stringify(value)
      } cannot be compared with column ${column} of type ${
        typeof type === "string" ? type : type.type
      }`,
    );
  if (typeof type === "object") {
    if (type.type !== "decimal") return fail();
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint") {
      return fail();
    }
    const text = String(value);
    decimalParts(text);
    return text;
  }
  switch (type) {
    case "string":
      return typeof value === "string" ? value : fail();
    case "binary":
      return value instanceof Uint8Array
        ? value
        : typeof value === "string"
        ? new TextEncoder().encode(value)
        : fail();
    case "boolean":
      return typeof value === "boolean" ? value : fail();
    case "byte":
    case "short":
    case "integer":
    case "float":
    case "double":
      return typeof value === "number" || typeof value === "bigint" ? Number(value) : fail();
    case "long":
      if (typeof value === "bigint") return value;
      if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
      return typeof value === "number" ? value : fail();
    case "date":
      if (typeof value === "number" && Number.isInteger(value)) return value;
      if (typeof value === "string") return parseDate(value);
      if (value instanceof Date) return Math.floor(value.getTime() / 86_400_000);
      return fail();
    case "timestamp":
    case "timestamp_ntz":
      if (typeof value === "bigint") return value;
      if (typeof value === "string") return parseTimestamp(value);
      if (value instanceof Date) return BigInt(value.getTime()) * 1000n;
      return fail();
  }
}

/**
 * Resolves a predicate's columns against `schema` (exact top-level names) and types its
 * literals. Throws `InvalidArgument` for an unknown column or a literal of the wrong kind.
 *
 * @example
 * ```ts
 * import { LocalStore, Table } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * const bound = bindPredicate(and(eq("id", 3), isNotNull("name")), snapshot.schema);
 * ```
 */
export function bindPredicate(predicate: Predicate, schema: StructType): BoundPredicate {
  const field = (column: string): StructField =>
    schema.fields.find((f) => f.name === column) ??
      invalid(
        `the predicate names column ${
          JSON.stringify(column)
        }, which the table does not have (it has ${schema.fields.map((f) => f.name).join(", ")})`,
      );
  switch (predicate.op) {
    case "and":
    case "or":
      return { op: predicate.op, args: predicate.args.map((p) => bindPredicate(p, schema)) };
    case "not":
      return { op: "not", arg: bindPredicate(predicate.arg, schema) };
    case "isNull":
    case "isNotNull":
      return { op: predicate.op, field: field(predicate.column) };
    default: {
      const f = field(predicate.column);
      if (!["=", "!=", "<", "<=", ">", ">="].includes(predicate.op)) {
        invalid(`unknown predicate operator ${predicate.op}`);
      }
      return {
        op: predicate.op,
        field: f,
        value: literalValue(predicate.value, f.type, predicate.column),
      };
    }
  }
}

/**
 * Whether an ordering result (negative, zero, positive, or NaN when unordered) satisfies a
 * comparison operator; an unordered pair satisfies only `!=`.
 *
 * @example
 * ```ts
 * import { compareValues } from "./mod.ts";
 *
 * satisfies("<=", compareValues("long", 3n, 4n)); // true
 * ```
 */
export function satisfies(op: ComparisonOp, order: number): boolean {
  if (Number.isNaN(order)) return op === "!=";
  switch (op) {
    case "=":
      return order === 0;
    case "!=":
      return order !== 0;
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
  }
}

/**
 * Evaluates a bound predicate on a row with SQL's three-valued logic: `true`, `false`, or
 * `null` (unknown, e.g. a comparison with null). A scan keeps the rows where it is `true`.
 *
 * @example
 * ```ts
 * import { LocalStore, Table } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * const { schema } = snapshot;
 * evaluate(bindPredicate(gt("id", 2), schema), { id: 3n }); // true
 * ```
 */
export function evaluate(predicate: BoundPredicate, row: Record<string, Value>): boolean | null {
  switch (predicate.op) {
    case "and": {
      let result: boolean | null = true;
      for (const p of predicate.args) {
        const v = evaluate(p, row);
        if (v === false) return false;
        if (v === null) result = null;
      }
      return result;
    }
    case "or": {
      let result: boolean | null = false;
      for (const p of predicate.args) {
        const v = evaluate(p, row);
        if (v === true) return true;
        if (v === null) result = null;
      }
      return result;
    }
    case "not": {
      const v = evaluate(predicate.arg, row);
      return v === null ? null : !v;
    }
    case "isNull":
      return (row[predicate.field.name] ?? null) === null;
    case "isNotNull":
      return (row[predicate.field.name] ?? null) !== null;
    default: {
      const v = row[predicate.field.name] ?? null;
      if (v === null || predicate.value === null) return null;
      return satisfies(predicate.op, compareValues(predicate.field.type, v, predicate.value));
    }
  }
}

/**
 * The top-level fields a bound predicate reads.
 *
 * @example
 * ```ts
 * import { LocalStore, Table } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * const { schema } = snapshot;
 * predicateFields(bindPredicate(eq("a", 1), schema)).map((f) => f.name); // ["a"]
 * ```
 */
export function predicateFields(predicate: BoundPredicate): StructField[] {
  switch (predicate.op) {
    case "and":
    case "or":
      return predicate.args.flatMap(predicateFields);
    case "not":
      return predicateFields(predicate.arg);
    default:
      return [predicate.field];
  }
}

const NEGATED: Record<ComparisonOp, ComparisonOp> = {
  "=": "!=",
  "!=": "=",
  "<": ">=",
  "<=": ">",
  ">": "<=",
  ">=": "<",
};

/**
 * The negation normal form of a predicate: NOT pushed down to the leaves (De Morgan; a
 * negated comparison flips its operator, which keeps three-valued semantics). A negated
 * comparison on a `float`/`double` column stays a `not` node, because NaN makes the flipped
 * operator disagree with the negation.
 *
 * @example
 * ```ts
 * import { LocalStore, Table } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * const { schema } = snapshot;
 * negationNormalForm(bindPredicate(not(lt("id", 5)), schema)); // id >= 5
 * ```
 */
export function negationNormalForm(predicate: BoundPredicate, negate = false): BoundPredicate {
  switch (predicate.op) {
    case "not":
      return negationNormalForm(predicate.arg, !negate);
    case "and":
    case "or": {
      const op = negate ? (predicate.op === "and" ? "or" : "and") : predicate.op;
      return { op, args: predicate.args.map((p) => negationNormalForm(p, negate)) };
    }
    case "isNull":
    case "isNotNull":
      return negate
        ? { op: predicate.op === "isNull" ? "isNotNull" : "isNull", field: predicate.field }
        : predicate;
    default: {
      if (!negate) return predicate;
      const floating = predicate.field.type === "float" || predicate.field.type === "double";
      return floating ? { op: "not", arg: predicate } : { ...predicate, op: NEGATED[predicate.op] };
    }
  }
}
