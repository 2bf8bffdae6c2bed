/** Typed errors of the table model: a file that does not fit pond's flat tables. */

import { PondError } from "../errors.ts";

/**
 * The stable codes a {@link TableError} can carry.
 *
 * - `NestedColumn`: a Parquet column is a group (struct, list, map); tables are flat columns.
 * - `UntypedColumn`: a column to store has no type.
 */
export type TableErrorCode = "NestedColumn" | "UntypedColumn";

/**
 * A Parquet file or table pond's table model cannot hold, naming the column at fault.
 *
 * @example
 * ```ts
 * throw new TableError("NestedColumn", "column l is nested; pond's tables are flat columns");
 * ```
 */
export class TableError extends PondError {
  constructor(override readonly code: TableErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
