/** Printing a query's result, chunk by chunk as DuckDB hands it over: CSV, JSON, JSON lines, an aligned table, Parquet. */
import type { DuckDBType, DuckDBValue } from "@duckdb/node-api";
import { type DataType, loadArrow, type StructField, type Value } from "../delta/mod.ts";
import { createHostFile, HOST_PREFIX, hostFileStream } from "../pond/mod.ts";
import type { Pond } from "../pond/mod.ts";
import { PondQuery, type QueryOptions, type ResultStream } from "../sql/mod.ts";
import type { CommandContext } from "./command.ts";
import { UsageError } from "./errors.ts";
import { csvLine } from "./format.ts";
import { refuseBinaryOnTerminal } from "./output.ts";
import { RESULT_FORMATS, type ResultFormat } from "./result_options.ts";
import type { Stages } from "./pond_options.ts";
import { escapeControl } from "./terminal_text.ts";

/**
 * The format a command prints its result in: `--format`, else JSON with `--json`, else an
 * aligned table on a terminal and CSV into a pipe or file.
 *
 * @example
 * ```ts
 * import type { CommandContext } from "./command.ts";
 *
 * function example(ctx: CommandContext) {
 *   resultFormat(ctx, "pond query"); // "csv" when stdout is a pipe
 * }
 * ```
 */
export function resultFormat(ctx: CommandContext, command: string): ResultFormat {
  const given = ctx.options.format as string | undefined;
  if (given === undefined) {
    if (ctx.options.json) return "json";
    return ctx.output.stdoutIsTerminal && ctx.options.output === undefined ? "table" : "csv";
  }
  if (!(RESULT_FORMATS as readonly string[]).includes(given)) {
    throw new UsageError(
      `${command}: --format takes ${RESULT_FORMATS.join(", ")}, not '${given}'`,
    );
  }
  return given as ResultFormat;
}

/** The host file `--output host:FILE` names, if any. */
function outputFile(ctx: CommandContext, command: string): string | undefined {
  const given = ctx.options.output as string | undefined;
  if (given === undefined) return undefined;
  if (!given.startsWith(HOST_PREFIX) || given.length === HOST_PREFIX.length) {
    throw new UsageError(`${command}: --output takes a file on this computer, host:FILE`);
  }
  return given.slice(HOST_PREFIX.length);
}

/**
 * Runs `sql` over `pond` and prints its result as the command line asks (`--format`,
 * `--output`), streaming it; under `--verbose`, reports the series versions it skipped.
 *
 * @example
 * ```ts
 * import type { CommandContext } from "./command.ts";
 * import { openPond } from "./pond_options.ts";
 *
 * async function example(ctx: CommandContext) {
 *   const { pond, stages } = await openPond(ctx, "pond query");
 *   await printQuery(ctx, pond, stages, "SELECT count(*) FROM oplog", {}, "pond query");
 * }
 * ```
 */
export async function printQuery(
  ctx: CommandContext,
  pond: Pond,
  stages: Stages,
  sql: string,
  options: QueryOptions,
  command: string,
): Promise<void> {
  const format = resultFormat(ctx, command);
  const file = outputFile(ctx, command);
  if ((format === "parquet" || format === "arrow") && !file) {
    refuseBinaryOnTerminal(ctx.output, command, format, "use --format csv or --output host:FILE");
  }
  const absolute = file === undefined ? undefined : await Deno.realPath(dirOf(file))
    .then((dir) => `${dir}/${file.slice(file.lastIndexOf("/") + 1)}`)
    .catch(() => {
      throw new UsageError(`${command}: cannot write ${file}: its directory does not exist`);
    });
  const query = await PondQuery.open(pond, sql, {
    ...options,
    outputs: format === "parquet" && absolute ? [absolute] : [],
    ...(format === "parquet" && !absolute && { scratch: "parquet" }),
    countRowGroups: ctx.output.isVerbose,
  });
  try {
    stages.mark("plan");
    for (const [name, { versions, of, rowGroups }] of query.report.pruned) {
      if (of === 0) continue;
      const groups = rowGroups
        ? `; in those read, ${rowGroups.skipped} of ${rowGroups.of} row groups by their statistics`
        : "";
      ctx.output.verbose(
        `${name}: ${versions} of ${of} versions skipped by their event times${groups}`,
      );
    }
    if (format === "parquet") {
      const target = absolute ?? query.scratch!;
      const rows = await query.copy(target, "parquet");
      if (!absolute) {
        for await (const chunk of await hostFileStream(target)) await ctx.output.outBytes(chunk);
      }
      ctx.output.verbose(`rows: ${rows}`);
    } else if (format === "arrow") {
      const out = absolute === undefined ? undefined : await createHostFile(absolute);
      try {
        const rows = await writeArrow(
          await query.stream(),
          (bytes) => out ? writeAllBytes(out, bytes) : ctx.output.outBytes(bytes),
        );
        ctx.output.verbose(`rows: ${rows}`);
      } finally {
        out?.close();
      }
    } else {
      const written = await writeText(ctx, await query.stream(), format, absolute);
      ctx.output.verbose(`rows: ${written.rows}`);
    }
    stages.mark("query");
  } finally {
    await query.close();
  }
}

async function writeText(
  ctx: CommandContext,
  result: ResultStream,
  format: TextFormat,
  file: string | undefined,
): Promise<Written> {
  if (file === undefined) {
    const written = await writeResult(result, format, (t) => ctx.output.out(t));
    if (written.hiddenRows > 0) {
      ctx.output.err(
        `(${written.hiddenRows} more rows not shown; --format csv or --output host:FILE for all)\n`,
      );
    }
    if (written.truncatedValues > 0) {
      ctx.output.err(
        `(${written.truncatedValues} long values cut short with …; --format csv for them whole)\n`,
      );
    }
    return written;
  }
  const out = await createHostFile(file);
  const writer = out.writable.getWriter();
  const encoder = new TextEncoder();
  try {
    return await writeResult(result, format, (t) => writer.write(encoder.encode(t)), {
      rows: Infinity,
      width: Infinity,
    });
  } finally {
    await writer.close();
  }
}

function dirOf(file: string): string {
  const i = file.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : file.slice(0, i);
}

/** A value as it prints: JSON's kinds (a time as ISO 8601, a 64-bit integer as a number where it fits). */
export type PlainValue = string | number | boolean | null;

/** The text formats a result prints in. */
export type TextFormat = "csv" | "json" | "jsonl" | "table";

/** Where text goes (a command's stdout). */
export type Sink = (text: string) => void | Promise<void>;

/** How {@link writeTable} shortens what a terminal shows. */
export interface TableLimits {
  /** Rows shown (the rest are counted). */
  readonly rows: number;
  /** Characters shown of one value. */
  readonly width: number;
}

/** What was written: rows, and for a table the rows and values left out. */
export interface Written {
  readonly rows: number;
  readonly hiddenRows: number;
  readonly truncatedValues: number;
}

/**
 * Writes `result` to `sink` in `format`; large results stream, one DuckDB chunk at a time, so
 * memory holds one chunk (a table holds the rows it shows).
 *
 * @example
 * ```ts
 * import { SqlEngine } from "../sql/mod.ts";
 * import { consoleOutput } from "./output.ts";
 *
 * const output = consoleOutput({ verbose: false, noColor: false });
 * const engine = await SqlEngine.open([]);
 * await writeResult(await engine.query("SELECT 1 AS one"), "csv", (t) => output.out(t)); // "one\n1\n"
 * ```
 */
export async function writeResult(
  result: ResultStream,
  format: TextFormat,
  sink: Sink,
  limits: TableLimits = { rows: 1000, width: 40 },
): Promise<Written> {
  if (format === "table") return await writeTable(result, sink, limits);
  const names = result.columns.map((c) => c.name);
  const readers = result.columns.map((c) => plainReader(c.type));
  let rows = 0;
  if (format === "csv") await sink(csvLine(names));
  if (format === "json") await sink("[");
  for await (const chunk of result.chunks()) {
    const columns = readers.map((read, i) => chunk.getColumnValues(i).map(read));
    const lines: string[] = [];
    for (let r = 0; r < chunk.rowCount; r++) {
      const row = columns.map((c) => c[r]);
      if (format === "csv") lines.push(csvLine(row));
      else {
        const text = `{${names.map((n, i) => `${JSON.stringify(n)}:${JSON.stringify(row[i])}`)}}`;
        lines.push(format === "json" ? `${rows + r === 0 ? "" : ","}\n${text}` : `${text}\n`);
      }
    }
    rows += chunk.rowCount;
    await sink(lines.join(""));
  }
  if (format === "json") await sink(rows === 0 ? "]\n" : "\n]\n");
  return { rows, hiddenRows: 0, truncatedValues: 0 };
}

async function writeTable(result: ResultStream, sink: Sink, limits: TableLimits): Promise<Written> {
  const readers = result.columns.map((c) => plainReader(c.type));
  const cells: string[][] = [result.columns.map((c) => escapeControl(c.name))];
  const numeric = result.columns.map((c) => NUMERIC.has(c.type.typeId));
  let rows = 0, truncated = 0;
  for await (const chunk of result.chunks()) {
    const take = Math.min(chunk.rowCount, Math.max(0, limits.rows - rows));
    if (take > 0) {
      const columns = readers.map((read, i) => chunk.getColumnValues(i).slice(0, take).map(read));
      for (let r = 0; r < take; r++) {
        cells.push(columns.map((c) => {
          const text = c[r] === null ? "" : escapeControl(String(c[r]));
          if (text.length <= limits.width) return text;
          truncated++;
          return `${text.slice(0, limits.width - 1)}…`;
        }));
      }
    }
    rows += chunk.rowCount;
  }
  const widths = cells[0].map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row.map((cell, i) =>
      numeric[i] ? cell.padStart(widths[i]) : i === row.length - 1 ? cell : cell.padEnd(widths[i])
    ).join("  ").trimEnd() + "\n";
  const rule = widths.map((w) => "-".repeat(w)).join("  ") + "\n";
  await sink(line(cells[0]) + rule + cells.slice(1).map(line).join(""));
  return { rows, hiddenRows: rows - (cells.length - 1), truncatedValues: truncated };
}

const NUMERIC = new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 19, 32]);

/**
 * How to read the values of a column of `type` as plain values: times as ISO 8601 in UTC
 * (milliseconds, or microseconds where they are not whole milliseconds), integers as numbers
 * where they fit a double exactly, everything else as DuckDB writes it.
 *
 * @example
 * ```ts
 * import { SqlEngine } from "../sql/mod.ts";
 *
 * const engine = await SqlEngine.open([]);
 * const result = await engine.query("SELECT TIMESTAMPTZ '2026-06-01' AS t");
 * const read = plainReader(result.columns[0].type);
 * for await (const chunk of result.chunks()) {
 *   chunk.getColumnValues(0).map(read); // ["2026-06-01T00:00:00.000Z"]
 * }
 * ```
 */
export function plainReader(type: DuckDBType): (value: DuckDBValue) => PlainValue {
  const id = type.typeId;
  const micros = (m: bigint) => isoMicros(m);
  switch (id) {
    case 12: // TIMESTAMP
    case 31: // TIMESTAMP_TZ
      return (v) => v === null ? null : micros((v as { micros: bigint }).micros);
    case 20: // TIMESTAMP_S
      return (v) => v === null ? null : micros((v as { seconds: bigint }).seconds * 1_000_000n);
    case 21: // TIMESTAMP_MS
      return (v) => v === null ? null : micros((v as { millis: bigint }).millis * 1000n);
    case 22: // TIMESTAMP_NS
      return (v) => v === null ? null : micros((v as { nanos: bigint }).nanos / 1000n);
    case 1: // BOOLEAN
    case 10: // FLOAT
    case 11: // DOUBLE
    case 17: // VARCHAR
      return (v) => v as PlainValue;
    case 2:
    case 3:
    case 4:
    case 6:
    case 7:
    case 8:
      return (v) => v === null ? null : Number(v);
    case 5: // BIGINT
    case 9: // UBIGINT
    case 16: // HUGEINT
    case 32: // UHUGEINT
      return (v) => {
        if (v === null) return null;
        const n = Number(v);
        return Number.isSafeInteger(n) ? n : String(v);
      };
    default:
      return (v) => v === null ? null : String(v);
  }
}

/** A time in µs since the epoch as ISO 8601 in UTC; microseconds shown only when present. */
function isoMicros(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const rest = Number(micros - ms * 1000n);
  const iso = new Date(Number(ms)).toISOString();
  return rest === 0 ? iso : `${iso.slice(0, -1)}${String(rest).padStart(3, "0")}Z`;
}

async function writeAllBytes(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
}

/**
 * Writes `result` as an Arrow IPC stream, one record batch per DuckDB chunk, into `sink` as
 * the bytes are made; returns the number of rows. Times are microseconds (in UTC for DuckDB's
 * TIMESTAMPTZ), 64-bit integers exact; types Arrow output does not map are written as text.
 *
 * @example
 * ```ts
 * import { SqlEngine } from "../sql/mod.ts";
 * import { consoleOutput } from "./output.ts";
 *
 * const output = consoleOutput({ verbose: false, noColor: false });
 * const engine = await SqlEngine.open([]);
 * await writeArrow(await engine.query("SELECT 1 AS one"), (b) => output.outBytes(b)); // 1
 * ```
 */
export async function writeArrow(
  result: ResultStream,
  sink: (bytes: Uint8Array) => Promise<void>,
): Promise<number> {
  const { columnsToArrow, RecordBatchStreamWriter } = await loadArrow();
  const kinds = result.columns.map((c) => arrowKind(c.type));
  const fields: StructField[] = result.columns.map((c, i) => ({
    name: c.name,
    type: kinds[i].type,
    nullable: true,
    metadata: {},
  }));
  let rows = 0;
  async function* batches() {
    let any = false;
    for await (const chunk of result.chunks()) {
      any = true;
      rows += chunk.rowCount;
      const columns = kinds.map((k, i) => chunk.getColumnValues(i).map(k.value));
      yield columnsToArrow(
        { firstRowIndex: 0, length: chunk.rowCount, columns, selection: null },
        fields,
      )
        .batches[0];
    }
    if (!any) {
      const columns = fields.map(() => []);
      yield columnsToArrow({ firstRowIndex: 0, length: 0, columns, selection: null }, fields)
        .batches[0];
    }
  }
  const writer = new RecordBatchStreamWriter();
  const written = writer.writeAll(batches());
  for await (const bytes of writer) await sink(bytes);
  await written;
  return rows;
}

/** The Delta type an Arrow column of DuckDB `type` gets, and how each value converts. */
function arrowKind(type: DuckDBType): { type: DataType; value: (v: DuckDBValue) => Value } {
  const same = (t: DataType) => ({ type: t, value: (v: DuckDBValue) => v as Value });
  const micros = (t: DataType, f: (v: DuckDBValue) => bigint) => ({
    type: t,
    value: (v: DuckDBValue) => (v === null ? null : f(v)),
  });
  switch (type.typeId) {
    case 1:
      return same("boolean");
    case 2:
      return same("byte");
    case 3:
      return same("short");
    case 4:
      return same("integer");
    case 5:
      return same("long");
    case 10:
      return same("float");
    case 11:
      return same("double");
    case 17:
      return same("string");
    case 18:
      return {
        type: "binary",
        value: (v) => v === null ? null : (v as { bytes: Uint8Array }).bytes,
      };
    case 13:
      return { type: "date", value: (v) => v === null ? null : (v as { days: number }).days };
    case 31:
      return micros("timestamp", (v) => (v as { micros: bigint }).micros);
    case 12:
      return micros("timestamp_ntz", (v) => (v as { micros: bigint }).micros);
    case 20:
      return micros("timestamp_ntz", (v) => (v as { seconds: bigint }).seconds * 1_000_000n);
    case 21:
      return micros("timestamp_ntz", (v) => (v as { millis: bigint }).millis * 1000n);
    case 22:
      return micros("timestamp_ntz", (v) => (v as { nanos: bigint }).nanos / 1000n);
    default:
      return { type: "string", value: (v) => v === null ? null : String(v) };
  }
}
