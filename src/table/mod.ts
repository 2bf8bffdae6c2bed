/** The table model every layer shares — columns, tables — and its one mapping to and from Parquet. */

export type { Column, ColumnType, Table, TimeUnit } from "./column.ts";
export {
  ArrowIpcError,
  tableFromIPC,
  tableToIPC,
  type TextColumn,
  textColumnsFromIPC,
} from "./arrow_ipc.ts";
export { TableError, type TableErrorCode } from "./errors.ts";
export { microsFrom } from "./micros.ts";
export { columnTypeOf, parquetElement, STORED_TIMESTAMP } from "./parquet_types.ts";
export {
  flatColumns,
  PARQUET_PARSERS,
  tableFromParquet,
  type TableFromParquetOptions,
} from "./parquet_read.ts";
export {
  type ColumnData,
  type ParquetWriteOptions,
  tableToParquet,
  writeParquet,
} from "./parquet_write.ts";
