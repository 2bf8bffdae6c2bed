/** Text from a pond or a plugin made safe to print for people: control characters escaped. */

const NAMED: Record<string, string> = {
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\\": "\\\\",
};

/**
 * Escapes what a terminal would act on instead of showing — C0 controls, DEL, C1 controls
 * (ESC and CSI start the sequences that move the cursor or rewrite lines), lone surrogates,
 * and the backslash that introduces the escapes — so one name prints as one visible line,
 * as `ls` does. JSON output does not use this: it stays exact.
 *
 * @example
 * ```ts
 * escapeControl("two\nlines"); // "two\\nlines"
 * escapeControl("\x1b[4Aup");  // "\\x1b[4Aup"
 * escapeControl("plain é");    // "plain é"
 * ```
 */
export function escapeControl(text: string): string {
  // deno-lint-ignore no-control-regex
  return escapeMatches(text, /[\x00-\x1f\x7f-\x9f\\]|[\uD800-\uDFFF]/g);
}

/**
 * {@link escapeControl} for pond's own messages, which quote names already escaped (tinyfs's
 * `quoted`, a plugin's report): their backslashes stay as they are, so an escape is never
 * escaped twice; raw control characters are escaped all the same.
 *
 * @example
 * ```ts
 * escapeMessage('cannot create "/a\\nb"'); // unchanged
 * escapeMessage("/two\nlines is not a directory"); // "/two\\nlines is not a directory"
 * ```
 */
export function escapeMessage(text: string): string {
  // deno-lint-ignore no-control-regex
  return escapeMatches(text, /[\x00-\x1f\x7f-\x9f]|[\uD800-\uDFFF]/g);
}

function escapeMatches(text: string, pattern: RegExp): string {
  return text.replace(pattern, (c, offset: number) => {
    const code = c.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(offset + 1);
      if (next >= 0xdc00 && next <= 0xdfff) return c;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      const previous = text.charCodeAt(offset - 1);
      if (previous >= 0xd800 && previous <= 0xdbff) return c;
    }
    return NAMED[c] ??
      (code > 0xff
        ? `\\u${code.toString(16).padStart(4, "0")}`
        : `\\x${code.toString(16).padStart(2, "0")}`);
  });
}
