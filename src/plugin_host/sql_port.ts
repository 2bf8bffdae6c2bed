/** The port through which plugins' `host.sql` reaches a SQL engine: the plugin host defines it, the wiring layer fills it. */

import type { NodePath } from "../tinyfs/mod.ts";

/** One table a plugin's query names: its SQL name and the matched nodes behind it. */
export interface SqlTable {
  readonly name: string;
  /**
   * Each node with what its glob captured (the columns `capture0`, `capture1`, …) and, for a
   * series, the versions to read (default: all); the columns are those of all its versions even
   * when only some are read.
   */
  readonly matches: readonly {
    readonly node: NodePath;
    readonly captures: readonly string[];
    readonly versions?: readonly number[];
  }[];
  /** Parquet bodies the host holds (results it kept), read as rows of the table too. */
  readonly parquet?: readonly Uint8Array[];
  /**
   * A kept query's rows still to compute, in the same engine before the queries: `query` over
   * `rows` (the table `rows` it reads, a series' versions pinned), its result read as rows of this
   * table too and handed back after the queries' results, for the host to keep.
   */
  readonly fresh?: { readonly query: string; readonly rows: SqlTable["matches"] };
}

/** What one run of a plugin's queries may cost. */
export interface SqlBounds {
  /** The most each result may take as Parquet, in bytes; more is an error. */
  readonly maxBytes: number;
  /** Aborted when the call that asked is out of time: the engine stops the query. */
  readonly signal: AbortSignal;
}

/** Queries over their own tables: one group of a {@link SqlPort} run. */
export interface SqlGroup {
  readonly queries: readonly string[];
  readonly tables: readonly SqlTable[];
}

/**
 * Runs each group's `queries` over its `tables` (several matches of a name combined
 * `UNION ALL BY NAME`) one after another in one locked-down engine that reads nothing else,
 * a group's tables visible to its own queries only, and returns each group's results as Parquet
 * bytes, in order, then the result of its table's `fresh` query (one engine for several queries,
 * or several groups, costs one start). In a group at most one table has a `fresh` query, and
 * then no table is named `rows`. The plugin host never imports an engine: `PluginHost`'s `sql`
 * option is this, and whoever opens the pond (the CLI: `src/sql`'s `queryGroups`) fills it. Its
 * errors are one line each.
 *
 * @example
 * ```ts
 * const none: SqlPort = () => Promise.reject(new Error("no SQL here"));
 * ```
 */
export type SqlPort = (
  groups: readonly SqlGroup[],
  bounds: SqlBounds,
) => Promise<Uint8Array[][]>;
