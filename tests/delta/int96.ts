/** Parquet as other writers leave it: INT96 timestamps, which hyparquet-writer cannot write itself. */

import type { SchemaElement } from "hyparquet";
import { type ColumnSource, parquetWriteBuffer } from "hyparquet-writer";

/** The 12 INT96 bytes (nanos of day, then Julian day, little endian) of microseconds since the epoch. */
export function int96(micros: bigint): Uint8Array {
  const dayMicros = 86_400_000_000n;
  const days = micros / dayMicros - (micros % dayMicros < 0n ? 1n : 0n);
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, (micros - days * dayMicros) * 1000n, true);
  view.setUint32(8, Number(days + 2440588n), true);
  return bytes;
}

/**
 * Writes Parquet with hyparquet-writer, then turns the FIXED_LEN_BYTE_ARRAY(12) columns named
 * in `int96` into INT96 by patching the footer (hyparquet-writer cannot write INT96 itself):
 * in Thrift compact form a type field is `0x15 <zigzag type>`, 7 (0x0e) becoming 3 (0x06). The
 * schema element is the one followed by `type_length` 12 (`0x15 0x18`); the column chunk
 * metadata is the one followed shortly by the column's name.
 */
export function parquet(
  schema: SchemaElement[],
  columnData: ColumnSource[],
  { rowGroupSize, int96 = [] }: { rowGroupSize?: number; int96?: string[] } = {},
): Uint8Array {
  const bytes = new Uint8Array(
    parquetWriteBuffer({ schema, columnData, statistics: false, rowGroupSize }),
  );
  const footer = new DataView(bytes.buffer).getUint32(bytes.length - 8, true);
  const names = int96.map((n) => new TextEncoder().encode(n));
  const nameSoonAfter = (at: number) =>
    names.some((name) => {
      for (let k = at; k < at + 24; k++) if (name.every((b, j) => bytes[k + j] === b)) return true;
      return false;
    });
  for (let i = bytes.length - 8 - footer; i < bytes.length - 9; i++) {
    if (bytes[i] !== 0x15 || bytes[i + 1] !== 0x0e) continue;
    if ((bytes[i + 2] === 0x15 && bytes[i + 3] === 0x18) || nameSoonAfter(i + 2)) {
      bytes[i + 1] = 0x06;
    }
  }
  return bytes;
}
