/** A snapshot: the state of a table at one version — protocol, metadata, schema, files — and scans of it. */

import type {
  AddFile,
  CommitInfo,
  DomainMetadata,
  Metadata,
  Protocol,
  RemoveFile,
  Txn,
} from "./actions.ts";
import type { TableState } from "./replay.ts";
import { Scan, type ScanOptions } from "./scan.ts";
import {
  type ColumnMappingMode,
  columnMappingMode,
  parseSchema,
  type StructType,
} from "./schema.ts";
import type { Store } from "./storage.ts";
import { checkReadSupported, columnMappingSupported } from "./table_features.ts";

/**
 * The state of a table at one version. Built by `table.snapshot()`, which has already
 * checked that this reader supports the table's protocol.
 *
 * @example
 * ```ts
 * import { openTable } from "./mod.ts";
 *
 * const snapshot = await (await openTable("/data/events")).snapshot();
 * console.log(snapshot.version, snapshot.schema.fields.map((f) => f.name), snapshot.files().length);
 * ```
 */
export class Snapshot {
  /** The table version this snapshot shows. */
  readonly version: number;
  readonly protocol: Protocol;
  readonly metadata: Metadata;
  /** The table schema (logical column names). */
  readonly schema: StructType;
  /** The partition columns, by logical name. */
  readonly partitionColumns: string[];
  /** How Parquet columns are found: by name (`none`), physical name (`name`) or field id (`id`). */
  readonly columnMappingMode: ColumnMappingMode;
  /** The `commitInfo` of the commit at this version, when it was read (not for a checkpoint-only version). */
  readonly commitInfo: CommitInfo | null;
  readonly #store: Store;
  readonly #state: TableState;

  /** Checks the protocol (`UnsupportedReaderVersion`, `UnsupportedFeature`) and parses the schema. */
  constructor(store: Store, state: TableState) {
    checkReadSupported(state.protocol, store.locate(""));
    this.#store = store;
    this.#state = state;
    this.version = state.version;
    this.protocol = state.protocol;
    this.metadata = state.metadata;
    this.commitInfo = state.commitInfo;
    this.schema = parseSchema(state.metadata.schemaString);
    this.partitionColumns = state.metadata.partitionColumns;
    this.columnMappingMode = columnMappingSupported(state.protocol)
      ? columnMappingMode(state.metadata.configuration)
      : "none";
  }

  /** The table's configuration (`metaData.configuration`). */
  get configuration(): Record<string, string> {
    return this.metadata.configuration;
  }

  /**
   * The live data files (`add` actions) of this version.
   *
   * @example
   * ```ts
   * import { LocalStore, Table } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const snapshot = await new Table(store).snapshot();
   * const bytes = snapshot.files().reduce((n, f) => n + f.size, 0);
   * ```
   */
  files(): AddFile[] {
    return [...this.#state.files.values()];
  }

  /**
   * The remove tombstones of this version (files no longer in the table, kept for vacuum).
   *
   * @example
   * ```ts
   * import { LocalStore, Table } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const snapshot = await new Table(store).snapshot();
   * const cutoff = Date.now() - 7 * 86_400_000;
   * const deletable = snapshot.tombstones().filter((r) => (r.deletionTimestamp ?? 0) < cutoff);
   * ```
   */
  tombstones(): RemoveFile[] {
    return [...this.#state.tombstones.values()];
  }

  /**
   * The latest `txn` of each application.
   *
   * @example
   * ```ts
   * import { LocalStore, Table } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const snapshot = await new Table(store).snapshot();
   * const done = snapshot.transactions().get("ingest-job")?.version ?? -1;
   * ```
   */
  transactions(): Map<string, Txn> {
    return new Map(this.#state.txns);
  }

  /**
   * The live metadata domains (removed ones excluded).
   *
   * @example
   * ```ts
   * import { LocalStore, Table } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const snapshot = await new Table(store).snapshot();
   * const clustering = snapshot.domainMetadata().find((d) => d.domain === "delta.clustering");
   * ```
   */
  domainMetadata(): DomainMetadata[] {
    return [...this.#state.domainMetadata.values()];
  }

  /**
   * A scan of this snapshot's rows, optionally filtered and projected.
   *
   * @example
   * ```ts
   * import { LocalStore, Table, eq } from "./mod.ts";
   *
   * const store = new LocalStore("/data/table");
   * const snapshot = await new Table(store).snapshot();
   * for await (const row of snapshot.scan({ predicate: eq("date", "2024-01-01") }).rows()) console.log(row);
   * ```
   */
  scan(options: ScanOptions = {}): Scan {
    return new Scan({
      store: this.#store,
      schema: this.schema,
      partitionColumns: this.partitionColumns,
      columnMappingMode: this.columnMappingMode,
      files: this.files(),
    }, options);
  }
}
