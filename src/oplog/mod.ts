/** The public face of pond's operation log: tinyfs persisted as rows of a Delta table, bodies as blobs. */

export { OplogError, type OplogErrorCode } from "./errors.ts";
export { OplogStore, type PondCommitInfo, type StoreCounters } from "./oplog_store.ts";
export {
  BLOB_CHUNK,
  type BlobFault,
  type BlobRef,
  BlobStore,
  bodyFaultText,
} from "./blob_store.ts";
export { type BlobFiles, blobFiles, type BlobGarbage, collectBlobGarbage } from "./blob_gc.ts";
export {
  checkRows,
  type NodeName,
  type RowAt,
  type RowProblem,
  type RowProblemCode,
  type RowsInput,
  type RowsReport,
} from "./check_rows.ts";
export { blobsReferenced, oplogRows, scanFiles } from "./row_scan.ts";
export { type RowBody, type RowHeader, RowReader } from "./row_reader.ts";
export { INLINE_LIMIT, type OplogRow, PARTITION_COLUMN } from "./schema.ts";
export { decodeChanges, encodeChanges } from "./directory_codec.ts";
export { bytesAsBuffer } from "./bytes_buffer.ts";
export { parquetFooter } from "./parquet_body.ts";
export { seriesEventTimes, timeColumn } from "./series_times.ts";
export { type BodyFault, type ChunkedBody, verifiedStream } from "./verified_stream.ts";
