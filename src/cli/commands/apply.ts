/** `pond apply`: set a pond up from a YAML file of mkdir, copy, mknod and plugin documents, in one transaction. */
import {
  type AppliedDocument,
  applyDocuments,
  type ApplyResult,
  documentSource,
  HOST_PREFIX,
  readDocuments,
  readHostFile,
  STANDARD_STREAM,
} from "../../pond/mod.ts";
import type { CommandBody, CommandContext } from "../command.ts";
import { UsageError } from "../errors.ts";
import { formatTable } from "../format.ts";
import { confirm, openPond } from "../pond_options.ts";
import { escapeControl } from "../terminal_text.ts";

/** `pond apply -f FILE [--dry-run] [--yes]`. */
export const applyCommand: CommandBody = {
  usage: "pond apply -f FILE [--dry-run] [--yes] [--json]",
  description:
    "FILE (on this computer; '-' or 'host:-' is standard input) holds YAML documents separated\n" +
    "by lines of ---, each one change, applied in order in ONE transaction: if any document is\n" +
    "wrong or cannot be applied, the error names it (index, line, kind, path, field) and\n" +
    "nothing is applied. Each is applied only where the pond differs, so applying the same\n" +
    "file again changes nothing and commits nothing. Host paths are marked host: and are\n" +
    "relative to FILE's directory (the working directory for standard input).\n" +
    "\n" +
    "  kind: mkdir    path: /p   [parents: true]       an existing directory is fine\n" +
    "  kind: copy     from: host:f   path: /p/f   [type: data|table|series]\n" +
    "                 one file; unchanged when its newest version has f's bytes\n" +
    "  kind: mknod    plugin: NAME   path: /p or PATTERN   config: {…} or config_file: host:f\n" +
    "                 [file: true|false] [parents: true]   as pond mknod; unchanged when the\n" +
    "                 node there has this plugin and config (as values); else it is replaced\n" +
    "  kind: plugin   from: host:f.ts   [grants: {net: [HOST, …]}]   as pond plugin add;\n" +
    "                 grants must cover what the plugin asks for; unchanged when installed\n" +
    "\n" +
    "Unknown fields are refused. Adding a plugin (it runs with what it is granted) or\n" +
    "replacing a dynamic node needs consent: asked on a terminal, else pass --yes.\n" +
    "--dry-run shows what would change and commits nothing. --json prints {documents: [{index,\n" +
    "kind, path (a plugin's name), action: create|update|replace|unchanged, detail, consent}],\n" +
    "seq (the transaction, or null), dryRun}.",
  options: {
    file: { type: "string", short: "f", value: "FILE", help: "the setup file (YAML; - is stdin)" },
    "dry-run": { type: "boolean", short: "n", help: "show what would change; commit nothing" },
    yes: {
      type: "boolean",
      short: "y",
      help: "add plugins with the grants given, and replace dynamic nodes, without asking",
    },
  },
  examples: [
    "pond apply -f setup.yaml",
    "pond apply -f setup.yaml --dry-run",
    "pond apply -f host:conf/setup.yaml --yes --json",
    "generate-setup | pond apply -f - --yes",
  ],
  maxArgs: 0,
  async run(ctx) {
    const arg = ctx.options.file as string | undefined;
    if (arg === undefined) throw new UsageError("pond apply: missing -f FILE (the setup file)");
    const source = documentSource(arg);
    const text = await readSetup(arg);
    const documents = await readDocuments(text, source);
    const { pond, stages } = await openPond(ctx, "pond apply");
    const result = await applyDocuments(pond, documents, source, {
      command: ctx.argv,
      dryRun: Boolean(ctx.options["dry-run"]),
      consent: (changes) => consent(ctx, changes),
    });
    stages.mark("apply");
    if (ctx.options.json) {
      ctx.output.out(JSON.stringify(result, null, 2) + "\n");
    } else {
      ctx.output.out(resultTable(result));
      ctx.output.err(summary(result));
    }
    stages.report(pond, { transaction: result.seq });
  },
};

/** The text of the setup file `arg` names, or of standard input. */
async function readSetup(arg: string): Promise<string> {
  const path = arg.startsWith(HOST_PREFIX) ? arg.slice(HOST_PREFIX.length) : arg;
  const bytes = path === STANDARD_STREAM
    ? new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer())
    : (await readHostFile(path)).bytes;
  return new TextDecoder().decode(bytes);
}

/** Shows the changes that need consent and asks (or takes --yes). */
async function consent(ctx: CommandContext, changes: readonly AppliedDocument[]): Promise<void> {
  if (!ctx.options.yes) {
    for (const c of changes) ctx.output.err(`  ${escapeControl(c.detail)}\n`);
  }
  const what = changes.length === 1
    ? escapeControl(changes[0].detail)
    : `make these ${changes.length} changes`;
  await confirm(ctx, "pond apply", what);
}

/** One line per document: what was (or would be) done, its kind and path. */
function resultTable(result: ApplyResult): string {
  const verb = (a: AppliedDocument) =>
    result.dryRun && a.action !== "unchanged" ? `would ${a.action}` : a.action;
  return formatTable(result.documents.map((d) => [String(d.index), verb(d), d.kind, d.path]));
}

function summary(result: ApplyResult): string {
  const changed = result.documents.filter((d) => d.action !== "unchanged").length;
  const n = result.documents.length;
  if (result.dryRun) {
    return `pond apply: dry run: ${changed} of ${n} documents would change the pond; nothing committed\n`;
  }
  if (result.seq === null) {
    return `pond apply: nothing to change: the pond is as the ${n} documents say\n`;
  }
  return `pond apply: ${changed} of ${n} documents applied in transaction ${result.seq}\n`;
}
