/** Arrow output on demand: apache-arrow is large, and only Arrow output needs it, so it loads on first use. */

/**
 * The Arrow output module (`columnsToArrow` and the apache-arrow classes it builds with), loaded
 * the first time it is asked for: commands that never write Arrow never load apache-arrow.
 *
 * @example
 * ```ts
 * const { columnsToArrow, RecordBatchStreamWriter } = await loadArrow();
 * const table = columnsToArrow(
 *   { firstRowIndex: 0, length: 1, columns: [[1]], selection: null },
 *   [{ name: "n", type: "long", nullable: true, metadata: {} }],
 * );
 * const bytes = await RecordBatchStreamWriter.writeAll(table).toUint8Array();
 * ```
 */
export function loadArrow(): Promise<typeof import("./arrow.ts")> {
  return import("./arrow.ts");
}
