import assert from "node:assert/strict";
import { escapeControl, escapeMessage } from "../../src/cli/terminal_text.ts";
import { pondInProcess } from "./harness.ts";

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

Deno.test("escapeMessage: a message's quoted names are escaped once; its raw control characters still are", () => {
  assert.equal(escapeMessage('cannot create "/a\\nb"'), 'cannot create "/a\\nb"');
  assert.equal(escapeMessage("/a\nb\x1b[2J"), "/a\\nb\\x1b[2J");
});

Deno.test("an error naming a hostile path shows its escape once, not doubled", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const name = `/a\nb${"x".repeat(300)}`;
    const init = await pondInProcess(["init", `${dir}/pond`]);
    assert.equal(init.code, 0, init.stderr);
    const made = await pondInProcess(["mkdir", name], { POND: `${dir}/pond` });
    assert.equal(made.code, 1);
    assert.match(made.stderr, /^pond: cannot create "\/a\\nbx+…x+": it has a name of 303 bytes/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
