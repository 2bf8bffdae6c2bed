/** Binary output is refused on a terminal with one line saying what to do, and still flows into a pipe. */
import assert from "node:assert/strict";
import { pondProcess, REPO_ROOT } from "./harness.ts";
import { command } from "../subprocess.ts";

/** Runs `pond ARGS` with stdout on a pseudo-terminal (script(1)); what the terminal showed. */
async function onTerminal(args: string[], pond: string) {
  const quoted = args.map((a) => `'${a}'`).join(" ");
  const out = await command("script", {
    args: ["-qec", `'${Deno.execPath()}' run --no-prompt -A main.ts ${quoted}`, "/dev/null"],
    cwd: REPO_ROOT,
    env: { POND: pond, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, shown: new TextDecoder().decode(out.stdout).replaceAll("\r\n", "\n") };
}

Deno.test("delta scan, query --format parquet|arrow and cat of a table refuse a terminal, not a pipe", async () => {
  const host = await Deno.makeTempDir({ prefix: "pond-binary-" });
  try {
    const pond = `${host}/pond`;
    for (const args of [["init"], ["query", "SELECT 1 AS one", "--into", "/one.parquet"]]) {
      const r = await pondProcess(args, { POND: pond });
      assert.equal(r.code, 0, r.stderr);
    }
    const refusals: [string[], string][] = [
      [
        ["delta", "scan", `${pond}/oplog`],
        "pond delta scan: will not write binary columns (content, blob_chunks, entries, config, blob_crcs) " +
        "to a terminal; leave them out with --columns, print rows as JSON with --json, or " +
        "redirect stdout into a file\n",
      ],
      [
        ["query", "SELECT 1", "--format", "arrow"],
        "pond query: will not write binary arrow to a terminal; use --format csv or --output " +
        "host:FILE, or redirect stdout into a file\n",
      ],
      [
        ["cat", "/one.parquet"],
        "pond cat: will not write binary Parquet (/one.parquet) to a terminal; print its rows " +
        "with --rows, or redirect stdout into a file\n",
      ],
    ];
    for (const [args, line] of refusals) {
      assert.deepEqual(await onTerminal(args, pond), { code: 2, shown: line }, args.join(" "));
      const piped = await pondProcess(args, { POND: pond });
      assert.equal(piped.code, 0, piped.stderr);
      assert.ok(piped.stdout.length > 0, `pond ${args.join(" ")} writes into a pipe`);
    }
    const text = await onTerminal(
      ["delta", "scan", `${pond}/oplog`, "--columns", "seq,version"],
      pond,
    );
    assert.equal(text.code, 0, text.shown);
    assert.match(text.shown, /^seq\tversion\n/);
    assert.equal((await onTerminal(["cat", "--rows", "/one.parquet"], pond)).shown, "one\n1\n");
  } finally {
    await Deno.remove(host, { recursive: true });
  }
});
