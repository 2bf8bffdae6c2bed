import assert from "node:assert/strict";
import { escapeControl } from "../../src/cli/terminal_text.ts";

Deno.test("escapeControl: a name with line breaks prints as one line", () => {
  assert.equal(escapeControl("a\nb\r\tc"), "a\\nb\\r\\tc");
});

Deno.test("escapeControl: terminal sequences (ESC, CSI, OSC, DEL) cannot act", () => {
  assert.equal(
    escapeControl("\x1b[4A\x9b2J\x1b]0;t\x07\x7f"),
    "\\x1b[4A\\x9b2J\\x1b]0;t\\x07\\x7f",
  );
});

Deno.test("escapeControl: the backslash is escaped, so escaped output is unambiguous", () => {
  assert.equal(escapeControl("a\\nb"), "a\\\\nb");
  assert.notEqual(escapeControl("a\\nb"), escapeControl("a\nb"));
});

Deno.test("escapeControl: lone surrogates are shown, pairs and other text kept", () => {
  assert.equal(escapeControl("a\uD800"), "a\\ud800");
  assert.equal(escapeControl("\uDC00b"), "\\udc00b");
  assert.equal(escapeControl("µS/cm 🌊 é"), "µS/cm 🌊 é");
});
