/** `pond push [NAME]`: upload what a remote lacks, blobs and data files first, the new transactions last; and the report every transfer command prints. */
import { pushPond, readRemotes, type SyncOptions, type SyncReport } from "../../remote/mod.ts";
import type { CommandBody, CommandContext } from "../command.ts";
import { UsageError } from "../errors.ts";
import { humanBytes } from "../format.ts";
import { pondPath } from "../pond_options.ts";
import { Progress } from "../progress.ts";
import { escapeControl } from "../terminal_text.ts";

/**
 * Runs one transfer with progress on a terminal's stderr and `--verbose` naming each object,
 * then prints its summary: one line, or JSON on stdout with `--json`.
 *
 * @example
 * ```ts
 * import { pushPond } from "../../remote/mod.ts";
 * import type { CommandContext } from "../command.ts";
 *
 * async function example(ctx: CommandContext) {
 *   await runTransfer(ctx, "pushed to backup", (o) => pushPond("/data/pond", "backup", ctx.env, o));
 * }
 * ```
 */
export async function runTransfer(
  ctx: CommandContext,
  done: string,
  run: (options: SyncOptions) => Promise<SyncReport>,
): Promise<SyncReport> {
  const bar = new Progress(ctx.output, done.split(" ")[0]);
  let objects = 0, bytes = 0;
  let report: SyncReport;
  try {
    report = await run({
      onObject(path, size, sent) {
        if (sent) {
          objects++;
          bytes += size;
        }
        ctx.output.verbose(`${sent ? "sent" : "have"} ${escapeControl(path)} (${size} bytes)`);
        bar.update(`${objects} objects, ${humanBytes(bytes)}`);
      },
    });
  } finally {
    bar.done();
  }
  if (ctx.options.json) {
    ctx.output.out(JSON.stringify(report, null, 2) + "\n");
  } else {
    const { sent, skipped } = report;
    ctx.output.out(
      `${done}: transaction ${report.tip}; ${sent.objects} objects (${humanBytes(sent.bytes)}) ` +
        `copied, ${skipped.objects} (${humanBytes(skipped.bytes)}) already there\n`,
    );
  }
  return report;
}

/**
 * The remote a push or pull means: NAME, else the pond's only remote; a usage error otherwise.
 *
 * @example
 * ```ts
 * import type { CommandContext } from "../command.ts";
 *
 * async function example(ctx: CommandContext) {
 *   const name = await remoteArgument(ctx, "/data/pond", "pond push"); // "backup"
 * }
 * ```
 */
export async function remoteArgument(
  ctx: CommandContext,
  root: string,
  command: string,
): Promise<string> {
  if (ctx.positionals[0] !== undefined) return ctx.positionals[0];
  const names = Object.keys(await readRemotes(root));
  if (names.length === 1) return names[0];
  throw new UsageError(
    names.length === 0
      ? `${command}: this pond has no remote: add one with 'pond remote add NAME URL'`
      : `${command}: which remote? this pond has ${names.join(", ")}: name one`,
  );
}

/** `pond push [NAME]`. */
export const pushCommand: CommandBody = {
  usage: "pond push [NAME] [--json] [--verbose]",
  description:
    "Uploads to remote NAME (the pond's only remote when not named) what it lacks: first\n" +
    "the blobs and Delta data files, then each new transaction's commit in order, then the\n" +
    "checkpoint hint and the pond.json marker. So the remote is a valid pond at every\n" +
    "instant, and a push cut short (Ctrl-C, kill, lost network) resumes with what is missing.\n" +
    "A remote holding transactions this pond lacks (another pond pushed there) is refused,\n" +
    "never overwritten. The cache is not pushed (it is rebuilt on use). Credentials come from\n" +
    "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN or the remote's profile.",
  options: {},
  examples: ["pond push", "pond push backup --json", "pond push usb --verbose"],
  maxArgs: 1,
  async run(ctx) {
    const root = await pondPath(ctx, "pond push");
    const name = await remoteArgument(ctx, root, "pond push");
    await runTransfer(ctx, `pushed to ${name}`, (o) => pushPond(root, name, ctx.env, o));
  },
};
