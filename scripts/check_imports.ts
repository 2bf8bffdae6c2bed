/** The import lint: no module cycles, and one layer reaches another only through its mod.ts face. */

import { dirname, join, normalize, relative } from "node:path";

/** The layers, each a folder of src/ whose public face is its mod.ts. */
export const LAYERS = [
  "table",
  "delta",
  "oplog",
  "tinyfs",
  "plugin_host",
  "pond",
  "sql",
  "site",
  "remote",
  "cli",
] as const;

/** Modules any layer may import directly: shared by all and part of none. */
export const SHARED = new Set(["src/errors.ts", "src/process_end.ts"]);

/** A cycle the lint knows about and lets stand: its files (paths from the repository root) and why. */
export interface KnownCycle {
  readonly files: readonly string[];
  readonly reason: string;
}

/**
 * Cycles that exist on purpose or are waiting for a named change; a cycle not listed here, or
 * one that grew beyond its listed files, fails the lint.
 */
export const KNOWN_CYCLES: readonly KnownCycle[] = [];

/** A file that may still import another layer's file directly: which, and why. */
export interface FaceException {
  readonly file: string;
  readonly reason: string;
}

/** Files allowed past a face for now; any other import that skips one fails the lint. */
export const FACE_EXCEPTIONS: readonly FaceException[] = [
  {
    file: "src/plugin_host/sandbox_program.ts",
    reason: "the sandbox program imports the table model's Arrow IPC codec by the specifier " +
      "sandbox_bootstrap.ts replaces with a data: URL of that one file's text: a face would " +
      "pull in modules the sandbox cannot load",
  },
];

/** One import of one module: the importing file, the imported one, and the line it is on. */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  readonly line: number;
}

/** A cycle: the files that import each other round (one strongly connected group) and one path through them. */
export interface Cycle {
  readonly files: readonly string[];
  readonly path: readonly string[];
}

/** What the lint found: cycles not known, cycles known, and each import that skips a face. */
export interface ImportReport {
  readonly cycles: readonly Cycle[];
  readonly knownCycles: readonly Cycle[];
  readonly faceViolations: readonly ImportEdge[];
}

/**
 * Matches the specifier of a static `import … from`, `export … from` or bare `import "…"` that
 * starts a line (so examples in doc comments, which start with ` *`, are not imports), and its
 * import attributes, if any.
 */
const STATIC_IMPORT =
  /^(?:import|export)\b(?:[^;"'`]*?\bfrom\s*)?\s*["']([^"']+)["']\s*(with\s*\{[^}]*\})?/gm;

/**
 * The relative module imports of one file's text, resolved against `file` (a path from the
 * repository root). Imports of text (`with { type: "text" }`) carry data, not code, and are left out.
 *
 * @example
 * ```ts
 * moduleImports("src/pond/pond.ts", 'import { FS } from "../tinyfs/mod.ts";\n');
 * // [{ from: "src/pond/pond.ts", to: "src/tinyfs/mod.ts", line: 1 }]
 * ```
 */
export function moduleImports(file: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const m of text.matchAll(STATIC_IMPORT)) {
    const [, specifier, attributes] = m;
    if (!specifier.startsWith(".") || /type\s*:\s*["']text["']/.test(attributes ?? "")) continue;
    const line = text.slice(0, m.index).split("\n").length;
    edges.push({ from: file, to: normalize(join(dirname(file), specifier)), line });
  }
  return edges;
}

/** The layer a path from the repository root belongs to, or undefined outside every layer. */
export function layerOf(path: string): string | undefined {
  const [top, layer, ...rest] = path.split("/");
  return top === "src" && rest.length > 0 && (LAYERS as readonly string[]).includes(layer)
    ? layer
    : undefined;
}

/**
 * Whether `edge` reaches into another layer past its face: the importer and the imported file
 * are in different layers and the imported file is not that layer's `mod.ts` (nor shared).
 *
 * @example
 * ```ts
 * skipsFace({ from: "src/pond/pond.ts", to: "src/tinyfs/wd.ts", line: 3 }); // true
 * skipsFace({ from: "src/pond/pond.ts", to: "src/tinyfs/mod.ts", line: 3 }); // false
 * ```
 */
export function skipsFace(edge: ImportEdge): boolean {
  if (SHARED.has(edge.to)) return false;
  const [from, to] = [layerOf(edge.from), layerOf(edge.to)];
  return to !== undefined && from !== to && edge.to !== `src/${to}/mod.ts`;
}

/**
 * The cycles of a module graph: each strongly connected group of more than one module (or a
 * module importing itself), with one shortest closed path through it from its first file.
 *
 * @example
 * ```ts
 * const edges = [
 *   { from: "a.ts", to: "b.ts", line: 1 },
 *   { from: "b.ts", to: "a.ts", line: 1 },
 *   { from: "b.ts", to: "c.ts", line: 2 },
 * ];
 * findCycles(edges); // [{ files: ["a.ts", "b.ts"], path: ["a.ts", "b.ts", "a.ts"] }]
 * ```
 */
export function findCycles(edges: readonly ImportEdge[]): Cycle[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const groups = stronglyConnected([...next.keys()].sort(), (n) => next.get(n) ?? []);
  return groups
    .filter((g) => g.length > 1 || (next.get(g[0]) ?? []).includes(g[0]))
    .map((g) => g.sort())
    .map((files) => ({ files, path: closedPath(files, (n) => next.get(n) ?? []) }))
    .sort((a, b) => a.files[0].localeCompare(b.files[0]));
}

/** Tarjan's strongly connected components, iteratively (no recursion limit on long chains). */
function stronglyConnected(nodes: string[], next: (n: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: [string, number][] = [[start, 0]];
    while (work.length > 0) {
      const top = work[work.length - 1];
      const [node, i] = top;
      if (i === 0) {
        index.set(node, index.size);
        low.set(node, index.get(node)!);
        stack.push(node);
        onStack.add(node);
      }
      const targets = next(node);
      if (i < targets.length) {
        top[1] = i + 1;
        const t = targets[i];
        if (!index.has(t)) work.push([t, 0]);
        else if (onStack.has(t)) low.set(node, Math.min(low.get(node)!, index.get(t)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent)!, low.get(node)!));
      }
      if (low.get(node) === index.get(node)) {
        const group: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          group.push(member);
        } while (member !== node);
        groups.push(group);
      }
    }
  }
  return groups;
}

/** A shortest closed path from the group's first module back to itself, inside the group. */
function closedPath(group: string[], next: (n: string) => string[]): string[] {
  const inGroup = new Set(group);
  const start = group[0];
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const t of next(node)) {
      if (!inGroup.has(t)) continue;
      if (t === start) {
        const path = [start];
        for (let n = node; n !== start; n = cameFrom.get(n)!) path.splice(1, 0, n);
        return [...path, start];
      }
      if (!cameFrom.has(t)) {
        cameFrom.set(t, node);
        queue.push(t);
      }
    }
  }
  return [start, start];
}

/** Whether every file of `cycle` is among the files of one known cycle. */
function isKnown(cycle: Cycle, known: readonly KnownCycle[]): boolean {
  return known.some((k) => cycle.files.every((f) => k.files.includes(f)));
}

/** The modules the lint reads: the entry point, the scripts and everything in src/. */
const CHECKED = ["main.ts", "scripts", "src"];

/** Every .ts file at or under `path` (from `root`; none if it is missing), as paths from `root`, sorted. */
async function sourceFiles(root: string, path: string): Promise<string[]> {
  const info = await Deno.stat(join(root, path)).catch((e) => {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  });
  if (!info) return [];
  if (info.isFile) return path.endsWith(".ts") ? [path] : [];
  const files: string[] = [];
  for await (const entry of Deno.readDir(join(root, path))) {
    files.push(...await sourceFiles(root, join(path, entry.name)));
  }
  return files.sort();
}

/**
 * Reads `main.ts`, `scripts/` and `src/` under `root` and checks the two rules, letting
 * `known` cycles and the files of `exceptions` stand.
 *
 * @example
 * ```ts
 * const report = await checkImports(Deno.cwd());
 * report.cycles.length === 0 && report.faceViolations.length === 0; // the lint passes
 * ```
 */
export async function checkImports(
  root: string,
  known: readonly KnownCycle[] = KNOWN_CYCLES,
  exceptions: readonly FaceException[] = FACE_EXCEPTIONS,
): Promise<ImportReport> {
  const edges: ImportEdge[] = [];
  for (const file of (await Promise.all(CHECKED.map((p) => sourceFiles(root, p)))).flat()) {
    edges.push(...moduleImports(file, await Deno.readTextFile(join(root, file))));
  }
  const all = findCycles(edges);
  return {
    cycles: all.filter((c) => !isKnown(c, known)),
    knownCycles: all.filter((c) => isKnown(c, known)),
    faceViolations: edges.filter((e) => skipsFace(e) && !exceptions.some((x) => x.file === e.from)),
  };
}

if (import.meta.main) {
  const root = relative(Deno.cwd(), join(dirname(new URL(import.meta.url).pathname), ".."));
  const report = await checkImports(root || ".");
  for (const c of report.knownCycles) {
    console.log(`known cycle of ${c.files.length} files (KNOWN_CYCLES): ${c.path.join(" -> ")}`);
  }
  for (const c of report.cycles) {
    console.error(`import cycle of ${c.files.length} files: ${c.path.join(" -> ")}`);
    console.error(`  its files: ${c.files.join(", ")}`);
  }
  for (const e of report.faceViolations) {
    console.error(
      `${e.from}:${e.line} imports ${e.to}: import src/${layerOf(e.to)}/mod.ts, that layer's face`,
    );
  }
  if (report.cycles.length > 0 || report.faceViolations.length > 0) Deno.exit(1);
  console.log("imports: no new cycles, every cross-layer import goes through a face");
}
