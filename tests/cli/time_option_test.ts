/** parseTime: the ISO 8601 forms a user types, UTC unless zoned, and every other text refused. */
import assert from "node:assert/strict";
import { UsageError } from "../../src/cli/errors.ts";
import { parseTime } from "../../src/cli/time_option.ts";

const parse = (text: string) => parseTime(text, "pond cat", "--from takes a time");

Deno.test("dates and date-times without a zone are UTC; a zone or offset is honoured", () => {
  assert.equal(parse("2026-06-01"), Date.UTC(2026, 5, 1));
  assert.equal(parse("2026-06-01T12:30"), Date.UTC(2026, 5, 1, 12, 30));
  assert.equal(parse("2026-06-01 12:30:15"), Date.UTC(2026, 5, 1, 12, 30, 15));
  assert.equal(parse("2026-06-01T12:30:15.25Z"), Date.UTC(2026, 5, 1, 12, 30, 15, 250));
  assert.equal(parse("2026-06-01T12:30:15,5z"), Date.UTC(2026, 5, 1, 12, 30, 15, 500));
  assert.equal(parse("2026-06-01T14:30+02:00"), Date.UTC(2026, 5, 1, 12, 30));
  assert.equal(parse("2026-06-01T07:00-0530"), Date.UTC(2026, 5, 1, 12, 30));
  assert.equal(parse("2026-06-01T13:30+01"), Date.UTC(2026, 5, 1, 12, 30));
  assert.equal(parse("2024-02-29"), Date.UTC(2024, 1, 29), "a leap day");
});

Deno.test("anything else is a one-line usage error naming the option and the text", () => {
  for (
    const text of [
      "",
      "-1",
      "1.5",
      " 2026-06-01",
      "2026-06-01 ",
      "2026-6-1",
      "2026-02-29",
      "2026-13-01",
      "2026-06-01T24:00",
      "2026-06-01T12:60",
      "2026-06-01T12",
      "2026-06-01T12:00+25:00",
      "June 1, 2026",
      "1780272000000",
    ]
  ) {
    assert.throws(
      () => parse(text),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message ===
          `pond cat: --from takes a time such as 2026-06-01T12:00:00Z, not '${text}'`,
      JSON.stringify(text),
    );
  }
});
