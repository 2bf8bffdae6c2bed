/** Errors of SQL over the pond: a query DuckDB refuses, a table or match that is not there, a source that cannot be read. */
import { PondError } from "../errors.ts";

/** Stable codes of {@link SqlError}. */
export type SqlErrorCode =
  /** The text does not parse (the message has DuckDB's words and the position). */
  | "SqlSyntax"
  /** A table the query names is not registered (the message lists those that are). */
  | "UnknownTable"
  /** The text is not one query: several statements, or a statement that is not a SELECT. */
  | "NotAQuery"
  /** DuckDB refused or failed the query (a file it may not read, a type mismatch, …). */
  | "QueryFailed"
  /** A glob named as a source matched nothing. */
  | "NoMatch"
  /** A matched node cannot be read as rows (a directory, a file of unknown format, …). */
  | "NotQueryable"
  /** DuckDB itself cannot be loaded (not installed where pond runs). */
  | "EngineMissing"
  /** An export's directory holds something other than an earlier export of the same rows. */
  | "NotAnExport"
  /** Rows cannot be exported as asked (a type the format cannot hold, a replaced table). */
  | "NotExportable";

/**
 * A failure of a query, as one line naming what is wrong and what to do.
 *
 * @example
 * ```ts
 * throw new SqlError("NoMatch", "-t r=/sites/*.series matched nothing; check the glob with pond list");
 * ```
 */
export class SqlError extends PondError {
  declare readonly code: SqlErrorCode;
  constructor(code: SqlErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
