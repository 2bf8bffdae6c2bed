/** The column and table types every layer shares: a column's name, type and values. */

// The plugin sandbox reads tables with this model (through src/table/arrow_ipc.ts), so this
// module imports nothing and holds only types: a type-only import of it leaves no trace there.

/** The units a timestamp's integer counts since the epoch. */
export type TimeUnit = "s" | "ms" | "us" | "ns";

/**
 * The column types: booleans, integers, floats, UTF-8 text, bytes, dates (days since the epoch)
 * and timestamps in a unit (`timestamp[ms]`), optionally in a time zone (`timestamp[us, UTC]`,
 * the type pond stores every timestamp as).
 */
export type ColumnType =
  | "bool"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "float32"
  | "float64"
  | "utf8"
  | "binary"
  | "date32"
  | `timestamp[${TimeUnit}${"" | `, ${string}`}]`;

/**
 * One column of a table: its name, its type (guessed from the values when absent), its values,
 * and whether they may be null (default: they may).
 */
export interface Column {
  readonly name: string;
  readonly type?: ColumnType;
  /** A typed array, or an array whose missing values are `null`. */
  readonly values: ArrayLike<unknown>;
  /** `false` when no value is null: the column is then stored as required. */
  readonly nullable?: boolean;
}

/** A table as every layer hands it around: its columns, all of one length. */
export type Table = readonly Column[];
