/** Plain-text layout for terminal output: aligned columns. */

/**
 * Lays out rows as left-aligned columns separated by two spaces, each line
 * prefixed by `indent`; trailing empty cells are dropped.
 *
 * @example
 * ```ts
 * formatTable([["id", "long"], ["name", "string"]]); // "id    long\nname  string\n"
 * ```
 */
export function formatTable(rows: string[][], indent = ""): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => widths[i] = Math.max(widths[i] ?? 0, cell.length));
  }
  return rows.map((row) =>
    indent + row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i]))
      .join("  ").trimEnd() +
    "\n"
  ).join("");
}
