/** Scans: the rows of a snapshot's live files, with file skipping, deletion vectors and partition values applied. */

import type { Table as ArrowTable } from "apache-arrow";
import { type AddFile, decodePath } from "./actions.ts";
import { loadArrow } from "./arrow_loader.ts";
import { fileMayMatch } from "./data_skipping.ts";
import { readDeletionVector } from "./deletion_vector.ts";
import { DeltaError } from "./errors.ts";
import { batchRows, type ColumnBatch, readColumns, type Row } from "./parquet_read.ts";
import { parsePartitionValue } from "./partition_values.ts";
import {
  bindPredicate,
  type BoundPredicate,
  evaluate,
  type Predicate,
  predicateFields,
} from "./predicate.ts";
import {
  type ColumnMappingMode,
  physicalName,
  type StructField,
  type StructType,
} from "./schema.ts";
import type { Store } from "./storage.ts";

/** Options of a scan. */
export interface ScanOptions {
  /** Only rows for which this is true; also used to skip files that cannot match. */
  predicate?: Predicate;
  /** Top-level columns to return, in this order (default: every column, in schema order). */
  columns?: string[];
}

/** What a scan reads: a snapshot's storage, schema and live files. */
export interface ScanSource {
  store: Store;
  schema: StructType;
  partitionColumns: string[];
  columnMappingMode: ColumnMappingMode;
  files: AddFile[];
}

/** Rows of one data file (one row group's worth at most), after deletion vectors and the predicate. */
export interface ScanBatch {
  file: AddFile;
  rows: Row[];
}

const URI_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/**
 * The storage path (relative to the table root) of a file named by an action's `path`: the
 * path decoded once; an absolute `file:` URI must point inside the table.
 *
 * @example
 * ```ts
 * import { LocalStore } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * dataFilePath(store, "date=2024-01-01/part%20one.parquet"); // "date=2024-01-01/part one.parquet"
 * ```
 */
export function dataFilePath(store: Store, path: string): string {
  if (!URI_SCHEME.test(path)) return decodePath(path);
  const root = store.locate("");
  const url = URL.parse(path);
  const local = url?.protocol === "file:" ? decodePath(url.pathname) : null;
  if (local !== null && local.startsWith(`${root}/`)) return local.slice(root.length + 1);
  throw new DeltaError(
    "UnsupportedFeature",
    `the data file ${path} is outside the table at ${root}; only files inside the table can be read`,
    { path },
  );
}

/**
 * A scan of a snapshot: which files it reads and, lazily, their rows. Created by
 * `snapshot.scan()`. Rows are streamed one row group at a time, so memory does not grow with
 * the size of the table.
 *
 * @example
 * ```ts
 * import { LocalStore, Table, gt } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * const scan = snapshot.scan({ predicate: gt("id", 10n), columns: ["id", "name"] });
 * for await (const row of scan.rows()) console.log(row.id, row.name);
 * ```
 */
export class Scan {
  /** The columns each row has, in order. */
  readonly fields: StructField[];
  readonly #source: ScanSource;
  readonly #predicate: BoundPredicate | null;
  readonly #partitionColumns: ReadonlySet<string>;

  constructor(source: ScanSource, options: ScanOptions = {}) {
    this.#source = source;
    const byName = new Map(source.schema.fields.map((f) => [f.name, f]));
    this.fields = (options.columns ?? source.schema.fields.map((f) => f.name)).map((name) =>
      byName.get(name) ??
        (() => {
          throw new DeltaError(
            "InvalidArgument",
            `the table has no column ${JSON.stringify(name)} (it has ${
              [...byName.keys()].join(", ")
            })`,
          );
        })()
    );
    this.#predicate = options.predicate === undefined
      ? null
      : bindPredicate(options.predicate, source.schema);
    this.#partitionColumns = new Set(source.partitionColumns);
  }

  /**
   * The live files this scan reads: all of them, minus those the predicate rules out by
   * partition values or statistics.
   *
   * @example
   * ```ts
   * import { LocalStore, Table } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const snapshot = await new Table(store).snapshot();
   * const scan = snapshot.scan();
   * console.log(`${scan.files().length} of ${snapshot.files().length} files to read`);
   * ```
   */
  files(): AddFile[] {
    const predicate = this.#predicate;
    if (predicate === null) return this.#source.files;
    const { columnMappingMode } = this.#source;
    return this.#source.files.filter((f) =>
      fileMayMatch(f, predicate, columnMappingMode, this.#partitionColumns)
    );
  }

  /**
   * The matching rows, file by file and row group by row group (empty batches are skipped).
   *
   * @example
   * ```ts
   * import { LocalStore, Table } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const snapshot = await new Table(store).snapshot();
   * const scan = snapshot.scan();
   * for await (const { file, rows } of scan.batches()) console.log(file.path, rows.length);
   * ```
   */
  async *batches(): AsyncGenerator<ScanBatch> {
    for await (const { file, batch } of this.#columnBatches()) {
      yield { file, rows: batchRows(batch, this.fields) };
    }
  }

  /**
   * The matching rows, one at a time.
   *
   * @example
   * ```ts
   * import { LocalStore, Table } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const snapshot = await new Table(store).snapshot();
   * const rows = await Array.fromAsync(snapshot.scan().rows());
   * ```
   */
  async *rows(): AsyncGenerator<Row> {
    for await (const batch of this.batches()) {
      for (const row of batch.rows) yield row; // cheaper per row than `yield*`
    }
  }

  /**
   * The matching rows as Arrow tables, one per batch, with Arrow types following the Delta
   * schema (timestamps in microseconds, decimals as 128-bit decimals). Loads apache-arrow on
   * first use.
   *
   * @example
   * ```ts
   * import { LocalStore, Table } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const snapshot = await new Table(store).snapshot();
   * const scan = snapshot.scan();
   * for await (const table of scan.arrow()) console.log(table.numRows, table.schema.fields.map((f) => f.name));
   * ```
   */
  async *arrow(): AsyncGenerator<ArrowTable> {
    const { columnsToArrow } = await loadArrow();
    for await (const { batch } of this.#columnBatches()) yield columnsToArrow(batch, this.fields);
  }

  /** The batches of every file to read, as columns whose first ones are `fields`. */
  async *#columnBatches(): AsyncGenerator<{ file: AddFile; batch: ColumnBatch }> {
    for (const file of this.files()) {
      for await (const batch of this.#readFile(file)) yield { file, batch };
    }
  }

  /**
   * The row groups of a file as columns (`fields`, then the predicate's other columns), each
   * with the selection of rows that survive the deletion vector and the predicate (groups
   * keeping no row are skipped).
   */
  async *#readFile(file: AddFile): AsyncGenerator<ColumnBatch> {
    const { store, columnMappingMode: mode } = this.#source;
    const path = dataFilePath(store, file.path);
    const needed = new Map(this.fields.map((f) => [f.name, f]));
    if (this.#predicate !== null) {
      for (const f of predicateFields(this.#predicate)) needed.set(f.name, f);
    }
    const fields = [...needed.values()];
    const partition: Row = {};
    for (const field of fields) {
      if (!this.#partitionColumns.has(field.name)) continue;
      const key = physicalName(field, mode);
      const raw = key in file.partitionValues
        ? file.partitionValues[key]
        : file.partitionValues[field.name];
      partition[field.name] = parsePartitionValue(raw, field.type, field.name, file.path);
    }
    const deleted = file.deletionVector
      ? await readDeletionVector(file.deletionVector, store)
      : null;
    let nextDeleted = 0;
    const predicate = this.#predicate;
    const tested = predicate === null ? [] : predicateFields(predicate).map(({ name }) => ({
      name,
      at: fields.findIndex((f) => f.name === name),
    }));
    const record: Row = {}; // the predicate's columns of the row being tested
    for await (const batch of readColumns(store, path, file.size, fields, mode, partition)) {
      const selection = new Uint32Array(batch.length);
      let kept = 0;
      for (let i = 0; i < batch.length; i++) {
        if (deleted !== null) {
          const index = batch.firstRowIndex + i;
          while (nextDeleted < deleted.length && deleted[nextDeleted] < index) nextDeleted++;
          if (nextDeleted < deleted.length && deleted[nextDeleted] === index) continue;
        }
        if (predicate !== null) {
          for (const { name, at } of tested) record[name] = batch.columns[at][i];
          if (evaluate(predicate, record) !== true) continue;
        }
        selection[kept++] = i;
      }
      if (kept === 0) continue;
      yield { ...batch, selection: kept === batch.length ? null : selection.subarray(0, kept) };
    }
  }
}
