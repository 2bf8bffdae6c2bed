/** Reads a plain literal (objects, arrays, strings, numbers, booleans, null) out of an AST node. */

import { PLUGIN_LIMITS } from "./limits.ts";

/** What a plain literal evaluates to. */
export type StaticValue =
  | string
  | number
  | boolean
  | null
  | readonly StaticValue[]
  | { readonly [key: string]: StaticValue };

/** The AST fields a literal can use. */
interface LiteralNode {
  readonly type: string;
  readonly loc?: { readonly start: { readonly line: number } } | null;
  readonly value?: unknown;
  readonly expression?: LiteralNode;
  readonly elements?: readonly (LiteralNode | null)[];
  readonly properties?: readonly LiteralNode[];
  readonly key?: LiteralNode;
  readonly computed?: boolean;
  readonly name?: string;
  readonly operator?: string;
  readonly argument?: LiteralNode;
  readonly left?: LiteralNode;
  readonly right?: LiteralNode;
  readonly expressions?: readonly LiteralNode[];
  readonly quasis?: readonly { readonly value: { readonly cooked?: string | null } }[];
}

/**
 * Evaluates `node` without running anything: it must be a literal built only from objects
 * (plain keys, no spreads, methods or computed keys), arrays, strings (template strings without
 * substitutions, and `+` joining strings), numbers (optionally negated), booleans and `null`; TypeScript's `as`,
 * `satisfies` and `!` wrappers are looked through. Anything else, and literals nested deeper
 * than `PLUGIN_LIMITS.manifestDepth`, throws an `Error` saying what and where; the caller wraps
 * it in its own error.
 *
 * @example
 * ```ts
 * import { parseExpression } from "@babel/parser";
 *
 * const node = parseExpression('{ name: "visit", tags: ["a"], size: -1 } as const', { plugins: ["typescript"] });
 * staticValue(node as Parameters<typeof staticValue>[0]); // { name: "visit", tags: ["a"], size: -1 }
 * ```
 */
export function staticValue(node: LiteralNode, depth = 0): StaticValue {
  if (depth > PLUGIN_LIMITS.manifestDepth) {
    throw notLiteral(
      `a literal nested over the limit of ${PLUGIN_LIMITS.manifestDepth} levels`,
      node,
    );
  }
  const inner = (child: LiteralNode) => staticValue(child, depth + 1);
  switch (node.type) {
    case "TSAsExpression":
    case "TSSatisfiesExpression":
    case "TSNonNullExpression":
    case "ParenthesizedExpression":
      return inner(node.expression!);
    case "StringLiteral":
    case "NumericLiteral":
    case "BooleanLiteral":
      return node.value as string | number | boolean;
    case "NullLiteral":
      return null;
    case "TemplateLiteral":
      if (node.expressions!.length === 0) return node.quasis![0].value.cooked ?? "";
      break;
    case "BinaryExpression": {
      const [left, right] = [inner(node.left!), inner(node.right!)];
      if (node.operator === "+" && typeof left === "string" && typeof right === "string") {
        return left + right;
      }
      break;
    }
    case "UnaryExpression":
      if (node.operator === "-" && node.argument!.type === "NumericLiteral") {
        return -(node.argument!.value as number);
      }
      break;
    case "ArrayExpression":
      return node.elements!.map((element) => {
        if (element === null) throw notLiteral("an array hole", node);
        return inner(element);
      });
    case "ObjectExpression": {
      const object: Record<string, StaticValue> = {};
      for (const property of node.properties!) {
        if (property.type !== "ObjectProperty" || property.computed) {
          throw notLiteral("a spread, method or computed key", property);
        }
        const key = propertyKey(property.key!);
        if (Object.hasOwn(object, key)) throw notLiteral(`a repeated key "${key}"`, property);
        Object.defineProperty(object, key, {
          value: inner(property.value as LiteralNode),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    }
  }
  throw notLiteral(`a ${node.type}`, node);
}

function propertyKey(key: LiteralNode): string {
  if (key.type === "Identifier") return key.name!;
  if (key.type === "StringLiteral" || key.type === "NumericLiteral") return String(key.value);
  throw notLiteral(`a ${key.type} key`, key);
}

function notLiteral(what: string, node: LiteralNode): Error {
  const line = node.loc?.start.line;
  return new Error(`${what}${line === undefined ? "" : ` on line ${line}`} is not a plain literal`);
}
