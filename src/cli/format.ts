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

/**
 * One CSV line (RFC 4180): values quoted when they hold a comma, quote or line break; dates
 * as ISO 8601, null as empty.
 *
 * @example
 * ```ts
 * csvLine(["a", 1, null, 'say "hi"']); // 'a,1,,"say ""hi"""\n'
 * ```
 */
export function csvLine(values: readonly unknown[]): string {
  return values.map((v) => {
    const text = v === null || v === undefined
      ? ""
      : v instanceof Date
      ? v.toISOString()
      : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  }).join(",") + "\n";
}

/**
 * A byte count for people: `512 B`, `4.0 KiB`, `1.5 GiB`.
 *
 * @example
 * ```ts
 * humanBytes(1536); // "1.5 KiB"
 * ```
 */
export function humanBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

/**
 * A version's size as people read it: bytes for files, entries for directories, nothing for
 * symlinks and dynamic directories.
 *
 * @example
 * ```ts
 * sizeText("file:data", 1536); // "1.5 KiB"
 * sizeText("directory", 3);    // "3 entries"
 * ```
 */
export function sizeText(entryType: string, size: number): string {
  if (entryType.startsWith("file:")) return humanBytes(size);
  return entryType === "directory" ? `${size} ${size === 1 ? "entry" : "entries"}` : "";
}

/**
 * A recorded command line as a shell would need it typed: `pond` and each word, quoted
 * where needed.
 *
 * @example
 * ```ts
 * commandText(["mv", "/a", "/lake north"]); // "pond mv /a '/lake north'"
 * ```
 */
export function commandText(words: readonly string[]): string {
  return ["pond", ...words.map(shellWord)].join(" ");
}

function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
