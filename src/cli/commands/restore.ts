/** `pond restore URL DIR`: a new pond from a remote, every object re-hashed or checked against the log, the result checked whole. */
import { restorePond } from "../../remote/mod.ts";
import type { CommandBody } from "../command.ts";
import { UsageError } from "../errors.ts";
import { REMOTE_OPTIONS, remoteSpec } from "./remote.ts";
import { runTransfer } from "./push.ts";

/** `pond restore URL DIR [--at N]`. */
export const restoreCommand: CommandBody = {
  usage: "pond restore URL DIR [--at N] [--endpoint URL] [--region R] [--profile P] [--json]",
  description:
    "Makes a new pond in DIR (absent or empty; anything else is refused) from the pond at\n" +
    "URL (s3://BUCKET[/PREFIX] or file:///DIR), up to its newest transaction or to --at N.\n" +
    "Every blob is re-hashed against its name, every data file checked against the size\n" +
    "the log records, and the restored pond checked whole as 'pond check' does; on any\n" +
    "damage nothing is kept and the command fails naming the object.",
  options: {
    ...REMOTE_OPTIONS,
    at: { type: "string", value: "N", help: "restore up to transaction N (not past it)" },
  },
  examples: [
    "pond restore s3://backups/lake ./lake --endpoint http://127.0.0.1:9000",
    "pond restore file:///media/usb/lake ./lake --at 12",
  ],
  minArgs: 2,
  maxArgs: 2,
  async run(ctx) {
    const [url, given] = ctx.positionals;
    const dir = given.replace(/^host:/, "");
    const at = ctx.options.at as string | undefined;
    if (at !== undefined && !/^\d+$/.test(at)) {
      throw new UsageError(`pond restore: --at takes a transaction number, not '${at}'`);
    }
    await runTransfer(
      ctx,
      `restored into ${dir}`,
      (o) =>
        restorePond(remoteSpec(ctx, url), dir, ctx.env, {
          ...o,
          ...(at !== undefined && { at: Number(at) }),
        }),
    );
  },
};
