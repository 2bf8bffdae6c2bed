/** Reading a time typed on the command line: ISO 8601, a date or a date-time, UTC unless it names a zone. */
import { UsageError } from "./errors.ts";

/** `YYYY-MM-DD`, optionally `THH:MM[:SS[.fff]]` (or a space for the T), optionally a zone. */
const ISO_TIME =
  /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?(Z|[+-]\d\d(?::?\d\d)?)?)?$/i;

/**
 * Milliseconds since the epoch of an ISO 8601 date (`2026-06-01`, midnight UTC) or date-time
 * (`2026-06-01T12:00`, `2026-06-01T12:00:30.5+02:00`); a time without a zone is UTC, as pond
 * prints every time. Anything else — including a real date that does not exist, such as
 * 2026-02-30 — is a one-line usage error: `command: what such as …, not 'value'`.
 *
 * @example
 * ```ts
 * parseTime("2026-06-01", "pond cat", "--from takes a time");           // 1780272000000
 * parseTime("2026-06-01T02:00+02:00", "pond cat", "--from takes a time"); // 1780272000000
 * parseTime("yesterday", "pond cat", "--from takes a time");            // usage error
 * ```
 */
export function parseTime(value: string, command: string, what: string): number {
  const m = ISO_TIME.exec(value);
  const ms = m ? utcMillis(m) : NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(`${command}: ${what} such as 2026-06-01T12:00:00Z, not '${value}'`);
  }
  return ms;
}

/** The time the match names, or NaN when its fields name no real date or time. */
function utcMillis(m: RegExpExecArray): number {
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone = "Z"] = m;
  const fields = [y, mo, d, h, mi, s].map(Number);
  const [year, month, day, hour, minute, second] = fields;
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(local);
  const real = back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 &&
    back.getUTCDate() === day && back.getUTCHours() === hour && back.getUTCMinutes() === minute &&
    back.getUTCSeconds() === second;
  if (!real) return NaN;
  const ms = local + Math.round(Number(`0.${frac || "0"}`) * 1000);
  return ms - zoneOffsetMs(zone);
}

/** The offset from UTC of `Z`, `+02`, `+0200` or `-02:30`, in ms; NaN for an impossible one. */
function zoneOffsetMs(zone: string): number {
  if (zone.toUpperCase() === "Z") return 0;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || "0");
  if (hours > 23 || minutes > 59) return NaN;
  return (zone[0] === "-" ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}
