/** Parses plugin source and refuses every piece of syntax that reaches Deno's module loader. */

import type { parse, ParseResult } from "@babel/parser";
import { PluginError } from "./errors.ts";
import { overLimit, PLUGIN_LIMITS } from "./limits.ts";

/** A parsed plugin module (Babel's AST). */
export type PluginAst = ParseResult<ReturnType<typeof parse>>;

/** The shape every AST node shares; the checks below only look at these fields. */
interface AstNode {
  readonly type: string;
  readonly loc?: { readonly start: { readonly line: number; readonly column: number } } | null;
  readonly callee?: AstNode;
  readonly name?: string;
  readonly meta?: AstNode;
  readonly source?: AstNode | null;
}

/** Node types that load a module, whatever their details. */
const LOADING_NODES: Readonly<Record<string, string>> = {
  ImportDeclaration: "an import declaration",
  ImportExpression: "an import() expression",
  Import: "an import() expression",
  ExportAllDeclaration: "an `export * from` declaration",
  TSImportEqualsDeclaration: "an `import … = require(…)` declaration",
  TSExternalModuleReference: "a `require(…)` module reference",
  TSImportType: "an `import(…)` type",
};

/**
 * Comment pragmas that make Deno load something: triple-slash references, JSX and type sources,
 * and source map or source URLs (a source map is fetched to map stack traces).
 */
const LOADING_PRAGMA =
  /^\/\s*<reference\b|@(jsx|jsxImportSource|jsxFrag|deno-types|ts-types|ts-self-types)\b|[#@]\s*source(Mapping)?URL\b/;

/**
 * Parses plugin `source` (UTF-8 TypeScript, an ES module) and refuses it if anything in it
 * could reach the module loader, which in Deno ignores permissions: import declarations
 * (type-only ones too), `import()`, `import.meta`, `export … from`, `require`, TypeScript's
 * `import x = require()` and `import("…")` types, and loader pragmas in comments. `label`
 * names the source in errors (a file name or the plugin's name). Errors: `InvalidSource`
 * (also for syntax nested deeper than `PLUGIN_LIMITS.sourceDepth`, or too deep for the parser),
 * `RefusedSyntax`, each naming `label` and the line. The parser (Babel's) loads on first use.
 *
 * @example
 * ```ts
 * const ast = await checkSource(new TextEncoder().encode("export const x = 1;"), "x.ts");
 * await checkSource(new TextEncoder().encode('import "node:fs";'), "bad.ts"); // throws RefusedSyntax
 * ```
 */
export async function checkSource(
  source: Uint8Array,
  label: string,
): Promise<{ text: string; ast: PluginAst }> {
  const text = decodeSource(source, label);
  const { parse } = await (parser ??= import("@babel/parser"));
  let ast: PluginAst;
  try {
    ast = parse(text, { sourceType: "module", plugins: ["typescript"], errorRecovery: false });
  } catch (e) {
    if (e instanceof RangeError) {
      throw new PluginError(
        "InvalidSource",
        label,
        `plugin ${label} nests too deeply for the host's parser to follow; ` +
          `keep its syntax under ${PLUGIN_LIMITS.sourceDepth} levels deep`,
      );
    }
    throw new PluginError(
      "InvalidSource",
      label,
      `plugin ${label} does not parse as a TypeScript module: ${(e as Error).message}`,
      { cause: e },
    );
  }
  for (const comment of ast.comments ?? []) {
    if (LOADING_PRAGMA.test(comment.value.trimStart())) {
      throw refused(label, "a module-loading pragma in a comment", comment.loc?.start.line);
    }
  }
  walk(ast.program, (node, depth) => {
    if (depth > PLUGIN_LIMITS.sourceDepth) {
      const line = node.loc?.start.line;
      throw overLimit(
        "InvalidSource",
        label,
        `nests syntax ${depth} levels deep${line === undefined ? "" : ` (line ${line})`}`,
        `${PLUGIN_LIMITS.sourceDepth} levels`,
      );
    }
    const what = loadingSyntax(node);
    if (what) throw refused(label, what, node.loc?.start.line);
  });
  return { text, ast };
}

/** Babel's parser, imported by the first check (it is large, and most commands check no plugin). */
let parser: Promise<typeof import("@babel/parser")> | undefined;

function decodeSource(source: Uint8Array, label: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(source);
  } catch (e) {
    throw new PluginError(
      "InvalidSource",
      label,
      `plugin ${label} is not UTF-8 text; save it as UTF-8 TypeScript`,
      { cause: e },
    );
  }
}

/** What loader-reaching syntax `node` is, if it is any. */
function loadingSyntax(node: AstNode): string | undefined {
  if (Object.hasOwn(LOADING_NODES, node.type)) return LOADING_NODES[node.type];
  if (node.type === "MetaProperty" && node.meta?.name === "import") return "import.meta";
  if (node.type === "ExportNamedDeclaration" && node.source) {
    return "an `export … from` declaration";
  }
  if (
    (node.type === "CallExpression" || node.type === "NewExpression") &&
    node.callee?.type === "Identifier" && node.callee.name === "require"
  ) {
    return "a require() call";
  }
  return undefined;
}

/**
 * Calls `visit` on every node under `value` with how many nodes enclose it, depth-first, with a
 * stack of its own (a deep tree cannot overflow the call stack); comments and positions are
 * skipped.
 */
function walk(value: unknown, visit: (node: AstNode, depth: number) => void): void {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], depth]);
      continue;
    }
    if (item === null || typeof item !== "object") continue;
    const node = item as AstNode;
    const isNode = typeof node.type === "string";
    if (isNode) visit(node, depth);
    const children = Object.entries(node).filter(([key]) =>
      key !== "loc" && !key.endsWith("Comments") && key !== "extra"
    );
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push([children[i][1], isNode ? depth + 1 : depth]);
    }
  }
}

function refused(label: string, what: string, line: number | undefined): PluginError {
  const where = line === undefined ? "" : ` (line ${line})`;
  return new PluginError(
    "RefusedSyntax",
    label,
    `plugin ${label} uses ${what}${where}; plugins may not load modules: ` +
      "keep the plugin in one file without imports, and ask the host for what it needs",
  );
}
