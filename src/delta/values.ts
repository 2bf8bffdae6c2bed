/** Row values of the Delta reader: their JS representation per Delta type, parsing, formatting and ordering. */

import { DeltaError } from "./errors.ts";
import type { DataType } from "./schema.ts";

/**
 * A value in a row read from a table, by Delta type (`null` is null for every type):
 * - `string`: string; `binary`: Uint8Array; `boolean`: boolean
 * - `byte`, `short`, `integer`, `float`, `double`: number (a `float` is the shortest decimal
 *   that round-trips its 32-bit value, so 1.1f reads as 1.1)
 * - `long`: bigint
 * - `decimal(p,s)`: the exact decimal as a string with `s` fraction digits (`"-12.30"`)
 * - `date`: number of days since 1970-01-01
 * - `timestamp`: bigint microseconds since 1970-01-01T00:00:00Z; `timestamp_ntz`: bigint
 *   microseconds of wall-clock time since 1970-01-01T00:00:00
 * - `struct`: an object by field name; `array`: an array; `map`: a Map (keys typed as above,
 *   except keys of struct/array/map type, which the Parquet decoder hands over only as text
 *   such as `"0,1"`)
 */
export type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Value[]
  | Map<Value, Value>
  | { [field: string]: Value };

const DAY_MICROS = 86_400_000_000n;
const DATE = /^([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})$/;
const TIMESTAMP =
  /^([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function bad(what: string, text: string): never {
  throw new DeltaError("InvalidArgument", `${JSON.stringify(text)} is not a valid ${what}`);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (valid for any year). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The proleptic Gregorian date of a day number since 1970-01-01. */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [era * 400 + yoe + (month <= 2 ? 1 : 0), month, day];
}

function checkDate(text: string, month: number, day: number): void {
  if (month < 1 || month > 12 || day < 1 || day > 31) bad("date", text);
}

/**
 * Days since 1970-01-01 of a `YYYY-MM-DD` date.
 *
 * @example
 * ```ts
 * parseDate("2021-09-08"); // 18878
 * ```
 */
export function parseDate(text: string): number {
  const m = DATE.exec(text.trim());
  if (!m) bad("date (YYYY-MM-DD)", text);
  const month = Number(m[2]), day = Number(m[3]);
  checkDate(text, month, day);
  return daysFromCivil(Number(m[1]), month, day);
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? `-${s}` : s;
}

/**
 * The `YYYY-MM-DD` text of a day number since 1970-01-01.
 *
 * @example
 * ```ts
 * formatDate(18878); // "2021-09-08"
 * ```
 */
export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/**
 * Microseconds since the epoch of a timestamp text: `YYYY-MM-DD[( |T)HH:MM[:SS[.fraction]]][zone]`
 * with up to 9 fraction digits (cut to microseconds) and an optional `Z` or `±HH[:MM]` zone.
 * A text without a zone is taken as UTC (for `timestamp_ntz`: as the wall-clock value).
 *
 * @example
 * ```ts
 * parseTimestamp("2021-09-08 11:11:11.5"); // 1631099471500000n
 * ```
 */
export function parseTimestamp(text: string): bigint {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) bad("timestamp", text);
  const month = Number(m[2]), day = Number(m[3]);
  checkDate(text, month, day);
  const hour = Number(m[4] ?? 0), minute = Number(m[5] ?? 0), second = Number(m[6] ?? 0);
  if (hour > 23 || minute > 59 || second > 59) bad("timestamp", text);
  const fraction = BigInt((m[7] ?? "").padEnd(6, "0").slice(0, 6));
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    offsetMinutes = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) *
      (zone[0] === "-" ? -1 : 1);
  }
  const days = BigInt(daysFromCivil(Number(m[1]), month, day));
  const seconds = BigInt(hour * 3600 + (minute - offsetMinutes) * 60 + second);
  return days * DAY_MICROS + seconds * 1_000_000n + fraction;
}

/**
 * The `YYYY-MM-DDTHH:MM:SS.ffffff` text (no zone) of microseconds since the epoch.
 *
 * @example
 * ```ts
 * formatTimestamp(1631099471500000n); // "2021-09-08T11:11:11.500000"
 * ```
 */
export function formatTimestamp(micros: bigint): string {
  let days = micros / DAY_MICROS;
  let rest = micros % DAY_MICROS;
  if (rest < 0n) {
    rest += DAY_MICROS;
    days -= 1n;
  }
  const secondsOfDay = Number(rest / 1_000_000n);
  const fraction = Number(rest % 1_000_000n);
  const h = Math.floor(secondsOfDay / 3600),
    mi = Math.floor(secondsOfDay / 60) % 60,
    s = secondsOfDay % 60;
  return `${formatDate(Number(days))}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(fraction, 6)}`;
}

/**
 * The decimal text of an unscaled integer at `scale` (`12345n`, 2 → `"123.45"`).
 *
 * @example
 * ```ts
 * decimalFromUnscaled(-5n, 2); // "-0.05"
 * ```
 */
export function decimalFromUnscaled(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/**
 * A decimal number text as `[unscaled, scale]`, exactly (`"1.50"` → `[150n, 2]`; `"1e3"` → `[1000n, 0]`).
 *
 * @example
 * ```ts
 * decimalParts("-0.05"); // [-5n, 2]
 * ```
 */
export function decimalParts(text: string): [bigint, number] {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) bad("decimal number", text);
  let digits = m[2] + (m[3] ?? "");
  let scale = (m[3] ?? "").length - Number(m[4] ?? 0);
  if (scale < 0) {
    digits += "0".repeat(-scale);
    scale = 0;
  }
  const unscaled = BigInt(digits || "0");
  return [m[1] === "-" ? -unscaled : unscaled, scale];
}

/**
 * Canonical decimal text at `scale` for a decimal literal (rounding half away from zero
 * when it has more fraction digits).
 *
 * @example
 * ```ts
 * normalizeDecimal("1.5", 2); // "1.50"
 * ```
 */
export function normalizeDecimal(text: string, scale: number): string {
  const [unscaled, from] = decimalParts(text);
  if (from <= scale) return decimalFromUnscaled(unscaled * 10n ** BigInt(scale - from), scale);
  const divisor = 10n ** BigInt(from - scale);
  const q = unscaled / divisor, r = unscaled % divisor;
  const away = (r < 0n ? -r : r) * 2n >= divisor ? (unscaled < 0n ? -1n : 1n) : 0n;
  return decimalFromUnscaled(q + away, scale);
}

/** Compares two decimal texts exactly. */
function compareDecimals(a: string, b: string): number {
  const [ua, sa] = decimalParts(a), [ub, sb] = decimalParts(b);
  const scale = Math.max(sa, sb);
  const x = ua * 10n ** BigInt(scale - sa), y = ub * 10n ** BigInt(scale - sb);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The shortest decimal that reads back as the same 32-bit float, as a number (for `float`
 * columns: 1.100000023841858 becomes 1.1).
 *
 * @example
 * ```ts
 * shortestFloat32(Math.fround(1.1)); // 1.1
 * ```
 */
export function shortestFloat32(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

/** Compares strings by Unicode code point (the order of their UTF-8 bytes). */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!, y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length < 0 ? -1 : 1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Orders two non-null values of the same primitive Delta type: negative, zero or positive.
 * Numbers and bigints compare with each other; NaN compares as unordered (returns NaN).
 *
 * @example
 * ```ts
 * compareValues("long", 3n, 4); // -1
 * compareValues({ type: "decimal", precision: 5, scale: 2 }, "1.50", "1.5"); // 0
 * ```
 */
export function compareValues(type: DataType, a: Value, b: Value): number {
  if (typeof type === "object") {
    if (type.type === "decimal") return compareDecimals(String(a), String(b));
    throw new DeltaError("InvalidArgument", `values of type ${type.type} cannot be ordered`);
  }
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (
    (typeof a === "number" || typeof a === "bigint") &&
    (typeof b === "number" || typeof b === "bigint")
  ) {
    if (typeof a === "number" && typeof b === "number") {
      return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
    }
    if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  throw new DeltaError("InvalidArgument", `cannot compare ${typeof a} with ${typeof b} as ${type}`);
}
