/** Timestamps as pond stores them: bigint microseconds since the epoch, from any unit. */

import type { TimeUnit } from "./column.ts";

/** How many microseconds one of each unit coarser than nanoseconds is. */
const MICROS: Readonly<Record<string, bigint>> = { s: 1_000_000n, ms: 1000n, us: 1n };

/**
 * A count of `unit`s since the epoch as microseconds, rounded down (towards the past) when the
 * unit is finer; a Date counts by its milliseconds whatever `unit` is.
 *
 * @example
 * ```ts
 * microsFrom(1_500n, "ms"); // 1_500_000n
 * microsFrom(-1n, "ns"); // -1n
 * microsFrom(new Date(2), "s"); // 2_000n
 * ```
 */
export function microsFrom(value: bigint | number | Date, unit: TimeUnit): bigint {
  if (value instanceof Date) return BigInt(value.getTime()) * 1000n;
  const n = typeof value === "bigint" ? value : BigInt(Math.floor(value));
  const per = MICROS[unit];
  if (per) return n * per;
  const q = n / 1000n;
  return n < 0n && q * 1000n !== n ? q - 1n : q;
}
