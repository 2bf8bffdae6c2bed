/** `pond export --format delta`: a query's rows as a standalone Delta table, re-exports appending only the versions not yet written, each in one commit. */
import type { DuckDBDataChunk, DuckDBValue } from "@duckdb/node-api";
import {
  type Action,
  type AddFile,
  createTable,
  type DataType,
  decodePath,
  isDeltaError,
  LocalStore,
  type Metadata,
  parseSchema,
  serializeSchema,
  type StructField,
  TableWriter,
  writeDataFiles,
} from "../delta/mod.ts";
import { quoteName } from "./engine.ts";
import { SqlError } from "./errors.ts";
import type { PondQuery } from "./query.ts";
import type { SourceMatch } from "./sources.ts";

/** The table property holding what an export wrote: {@link ExportRecord} as JSON. */
export const EXPORT_PROPERTY = "pond.export";

/** Rows gathered from DuckDB before they are written as data files (in row groups of 100,000). */
const FILE_ROWS = 200_000;

/** What a Delta export holds: the glob and time range it reads and the versions it wrote. */
export interface ExportRecord {
  readonly glob: string;
  readonly from?: number;
  readonly to?: number;
  /** Per node ({@link SourceMatch.key}): the versions written, as ranges (`"1-3,5"`). */
  readonly versions: Record<string, string>;
}

/** What one export committed (nothing when the source held no version not yet written). */
export interface DeltaExportResult {
  /** The table version committed, or undefined when there was nothing new. */
  readonly version?: number;
  readonly rows: number;
  readonly files: number;
}

/** A Delta type and the SQL that makes a DuckDB column of it. */
interface ColumnPlan {
  readonly name: string;
  readonly type: DataType;
  readonly select: string;
}

/**
 * `1,2,3,5` as `"1-3,5"`.
 *
 * @example
 * ```ts
 * versionRanges([5, 1, 2, 3]); // "1-3,5"
 * ```
 */
export function versionRanges(versions: Iterable<number>): string {
  const sorted = [...new Set(versions)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    out.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(",");
}

/**
 * The versions `"1-3,5"` names.
 *
 * @example
 * ```ts
 * parseRanges("1-3,5"); // Set {1, 2, 3, 5}
 * ```
 */
export function parseRanges(text: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",").filter((p) => p !== "")) {
    const [a, b = a] = part.split("-").map(Number);
    for (let v = a; v <= b; v++) out.add(v);
  }
  return out;
}

/**
 * The Delta table a Delta export writes into: none yet (a new or empty directory), or one an
 * earlier export of the same glob and time range wrote. {@link open} refuses anything else.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 * import { PondQuery } from "./mod.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const spec = { glob: "/sensors/north.series", versions: {} };
 * const target = await DeltaExport.open("/data/north", spec, false); // false: it holds files
 * const query = await PondQuery.open(pond, "SELECT * FROM source", {
 *   sources: [{ name: "source", glob: "/sensors/north.series" }],
 *   read: { skip: target.skip },
 * });
 * await target.write(query, "SELECT * FROM source", []);
 * ```
 */
export class DeltaExport {
  private constructor(
    readonly dir: string,
    readonly spec: ExportRecord,
    readonly writer: TableWriter | undefined,
    readonly recorded: ExportRecord,
  ) {}

  /**
   * Opens `dir` for an export of `spec` (its `versions` unused): `empty` says it holds
   * nothing. `NotAnExport` when it holds files that are not a Delta table pond exported, or
   * an export of another glob or time range.
   */
  static async open(dir: string, spec: ExportRecord, empty: boolean): Promise<DeltaExport> {
    if (empty) return new DeltaExport(dir, spec, undefined, { ...spec, versions: {} });
    const writer = await TableWriter.open(new LocalStore(dir)).catch((e) => {
      if (isDeltaError(e, "NotATable")) {
        throw new SqlError(
          "NotAnExport",
          `${dir} holds files but no Delta table; export into a new or empty directory`,
          { cause: e },
        );
      }
      throw e;
    });
    const text = writer.state.metadata.configuration[EXPORT_PROPERTY];
    if (text === undefined) {
      throw new SqlError(
        "NotAnExport",
        `${dir} is a Delta table pond did not export; export into a new or empty directory`,
      );
    }
    const recorded = parseRecord(text, dir);
    if (
      recorded.glob !== spec.glob || recorded.from !== spec.from || recorded.to !== spec.to
    ) {
      throw new SqlError(
        "NotAnExport",
        `${dir} holds the export of ${recorded.glob}${rangeText(recorded)}, not of ${spec.glob}${
          rangeText(spec)
        }; re-export the same, or export into a new or empty directory`,
      );
    }
    return new DeltaExport(dir, spec, writer, recorded);
  }

  /** The table's partition columns (none when there is no table yet). */
  get partitionColumns(): readonly string[] | undefined {
    return this.writer?.state.metadata.partitionColumns;
  }

  /** The versions already written, by node: what a re-export's query leaves out. */
  get skip(): Map<string, Set<number>> {
    return new Map(
      Object.entries(this.recorded.versions).map(([key, text]) => [key, parseRanges(text)]),
    );
  }

  /**
   * Writes the rows of pond's own `select` over `query`'s sources (the versions not yet
   * written) as data files and commits them with the record of every version written, in
   * one commit; a new table is created first. Commits nothing when the sources hold no
   * version not yet written. Data files of a write that fails are removed (and a table
   * created for it).
   */
  async write(
    query: PondQuery,
    select: string,
    partitionBy: readonly string[],
  ): Promise<DeltaExportResult> {
    const fresh = newVersions(query.report.matches, this.skip, this.dir);
    if (fresh.size === 0) return { rows: 0, files: 0 };
    const described = await query.engine.rows(`DESCRIBE ${select}`);
    const plans = described.map(([name, type]) => columnPlan(String(name), String(type)));
    const fields: StructField[] = plans.map((p) => ({
      name: p.name,
      type: p.type,
      nullable: true,
      metadata: {},
    }));
    const record: ExportRecord = {
      ...this.spec,
      versions: merged(this.recorded.versions, fresh),
    };
    const store = new LocalStore(this.dir);
    const metadata = this.writer
      ? evolved(this.writer.state.metadata, fields, this.dir)
      : undefined;
    const writer = this.writer ?? await createTable(store, {
      schema: { type: "struct", fields },
      partitionColumns: [...partitionBy],
      configuration: { "delta.checkpointInterval": "10" },
    });
    const adds: AddFile[] = [];
    try {
      const table = writer.state.metadata;
      const target: Metadata = {
        ...(metadata ?? table),
        configuration: { ...table.configuration, [EXPORT_PROPERTY]: JSON.stringify(record) },
      };
      const order = partitionBy.length ? ` ORDER BY ${partitionBy.map(quoteName).join(", ")}` : "";
      const stream = await query.engine.query(
        `SELECT ${plans.map((p) => p.select).join(", ")} FROM (${select})${order}`,
      );
      let rows = 0;
      let pending: DuckDBDataChunk[] = [];
      let pendingRows = 0;
      const flush = async () => {
        const written = await writeDataFiles(store, target, columnsOf(plans, pending));
        adds.push(...written.adds);
        rows += written.numRows;
        pending = [];
        pendingRows = 0;
      };
      for await (const chunk of stream.chunks()) {
        pending.push(chunk);
        pendingRows += chunk.rowCount;
        if (pendingRows >= FILE_ROWS) await flush();
      }
      await flush();
      const actions: Action[] = [{ metaData: target }, ...adds.map((add) => ({ add }))];
      const { version } = await writer.commit(actions, {
        operation: "WRITE",
        operationParameters: { mode: "Append", partitionBy: JSON.stringify(partitionBy) },
        operationMetrics: { numFiles: String(adds.length), numOutputRows: String(rows) },
        isBlindAppend: true,
        info: { pondExport: { glob: this.spec.glob, versions: merged({}, fresh) } },
      });
      return { version, rows, files: adds.length };
    } catch (e) {
      for (const add of adds) await store.delete(decodePath(add.path)).catch(() => {});
      if (!this.writer) {
        await Deno.remove(`${this.dir}/_delta_log`, { recursive: true }).catch(() => {});
      }
      throw e;
    }
  }
}

/** The record a table property holds; `NotAnExport` when it is not one. */
function parseRecord(text: string, dir: string): ExportRecord {
  try {
    const record = JSON.parse(text);
    if (
      typeof record?.glob === "string" && typeof record.versions === "object" &&
      record.versions !== null
    ) return record;
  } catch {
    // not JSON: refused below
  }
  throw new SqlError(
    "NotAnExport",
    `${dir} has a ${EXPORT_PROPERTY} property that is not pond's record; export into a new or empty directory`,
  );
}

/** ` from … to …` of a record's time range, or nothing. */
function rangeText(record: ExportRecord): string {
  const at = (ms: number | undefined) => ms === undefined ? "" : new Date(ms).toISOString();
  return record.from === undefined && record.to === undefined
    ? ""
    : ` (--from ${at(record.from) || "-"} --to ${at(record.to) || "-"})`;
}

/**
 * The versions of each match not written yet. A table or data file whose written version
 * was replaced is refused: its new version is not an append.
 */
function newVersions(
  matches: ReadonlyMap<string, readonly SourceMatch[]>,
  skip: ReadonlyMap<string, ReadonlySet<number>>,
  dir: string,
): Map<string, number[]> {
  const fresh = new Map<string, number[]>();
  for (const match of [...matches.values()].flat()) {
    const written = skip.get(match.key);
    const versions = match.files.map((f) => f.version).filter((v) => !written?.has(v));
    if (versions.length === 0) continue;
    if (!match.series && written !== undefined) {
      throw new SqlError(
        "NotExportable",
        `${match.path} was replaced by version ${
          versions[0]
        } since ${dir} was exported; a new version of a table is not an append: export into a new or empty directory`,
      );
    }
    fresh.set(match.key, versions);
  }
  return fresh;
}

/** The record `versions` with `fresh` added. */
function merged(
  versions: Record<string, string>,
  fresh: ReadonlyMap<string, readonly number[]>,
): Record<string, string> {
  const out = { ...versions };
  for (const [key, list] of fresh) {
    out[key] = versionRanges([...parseRanges(out[key] ?? ""), ...list]);
  }
  return out;
}

/**
 * The table's metadata with columns the rows gained added (nullable, so older files read as
 * null); a column whose type changed is refused.
 */
function evolved(metadata: Metadata, fields: readonly StructField[], dir: string): Metadata {
  const schema = parseSchema(metadata.schemaString);
  const added: StructField[] = [];
  for (const field of fields) {
    const had = schema.fields.find((f) => f.name === field.name);
    if (had === undefined) added.push(field);
    else if (JSON.stringify(had.type) !== JSON.stringify(field.type)) {
      throw new SqlError(
        "NotExportable",
        `column ${field.name} is ${JSON.stringify(field.type)} now but ${
          JSON.stringify(had.type)
        } in ${dir}; export into a new or empty directory`,
      );
    }
  }
  if (added.length === 0) return metadata;
  return {
    ...metadata,
    schemaString: serializeSchema({ type: "struct", fields: [...schema.fields, ...added] }),
  };
}

/** DuckDB types as Delta types: [pattern, Delta type, the SQL type cast to first (`%` the column)]. */
const TYPES: [RegExp, DataType, string?][] = [
  [/^BOOLEAN$/, "boolean"],
  [/^TINYINT$/, "byte"],
  [/^(SMALLINT|UTINYINT)$/, "short", "CAST(% AS SMALLINT)"],
  [/^(INTEGER|USMALLINT)$/, "integer", "CAST(% AS INTEGER)"],
  [/^(BIGINT|UINTEGER)$/, "long", "CAST(% AS BIGINT)"],
  [/^FLOAT$/, "float"],
  [/^DOUBLE$/, "double"],
  [/^VARCHAR$/, "string"],
  [/^BLOB$/, "binary"],
  [/^DATE$/, "date"],
  [/^TIMESTAMP( WITH TIME ZONE|_S|_MS|_NS)?$/, "timestamp", "epoch_us(CAST(% AS TIMESTAMPTZ))"],
];

/** How a column of DuckDB type `type` is written: timestamps as UTC microseconds (a BIGINT, read as is). */
function columnPlan(name: string, type: string): ColumnPlan {
  const column = quoteName(name);
  const decimal = type.match(/^DECIMAL\((\d+),(\d+)\)$/);
  if (decimal) {
    const [precision, scale] = [Number(decimal[1]), Number(decimal[2])];
    return { name, type: { type: "decimal", precision, scale }, select: column };
  }
  const found = TYPES.find(([pattern]) => pattern.test(type));
  if (!found) {
    throw new SqlError(
      "NotExportable",
      `column ${name} is ${type}, which a Delta table cannot hold; export it as --format parquet`,
    );
  }
  const [, delta, cast] = found;
  return { name, type: delta, select: cast ? `${cast.replace("%", column)} AS ${column}` : column };
}

/** The rows of `chunks` as the Delta layer's columns (dates as days, decimals unscaled). */
function columnsOf(
  plans: readonly ColumnPlan[],
  chunks: readonly DuckDBDataChunk[],
): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  plans.forEach((plan, i) => {
    const convert = converter(plan.type);
    out[plan.name] = chunks.flatMap((c) => c.getColumnValues(i).map(convert));
  });
  return out;
}

/** Turns DuckDB's value of a column of `type` into what the Delta layer writes. */
function converter(type: DataType): (value: DuckDBValue) => unknown {
  const field = typeof type === "string" ? type : type.type;
  const of = <K extends string>(key: K) => (v: DuckDBValue) =>
    v === null ? null : (v as unknown as Record<K, unknown>)[key];
  switch (field) {
    case "date":
      return of("days");
    case "decimal":
      return of("value");
    case "binary":
      return of("bytes");
    default:
      return (v) => v;
  }
}
