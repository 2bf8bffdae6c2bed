/** What a command that changes the pond prints with --json: the transaction it committed. */
import { type Pond, transactionLog } from "../pond/mod.ts";
import { transactionToJson } from "./change_format.ts";
import type { CommandContext } from "./command.ts";

/**
 * With `--json`, prints the transaction `seq` as one JSON object on stdout — its number,
 * time, user, command and the paths it added, modified, moved or removed — or
 * `{"seq": null, "changes": []}` when the command changed nothing. Without `--json`, nothing.
 *
 * @example
 * ```ts
 * import type { CommandContext } from "./command.ts";
 * import { Pond } from "../pond/mod.ts";
 *
 * async function example(ctx: CommandContext) {
 *   const pond = await Pond.open("/data/pond");
 *   const { seq } = await pond.transact(ctx.argv, (root) => root.createDirectory("/a"));
 *   await printCommitted(ctx, pond, seq);
 * }
 * ```
 */
export async function printCommitted(
  ctx: CommandContext,
  pond: Pond,
  seq: number | null,
): Promise<void> {
  if (!ctx.options.json) return;
  const [committed] = seq === null
    ? []
    : await transactionLog(pond, { since: { seq }, until: { seq } });
  const json = committed ? transactionToJson(committed) : { seq: null, changes: [] };
  ctx.output.out(JSON.stringify(json, null, 2) + "\n");
}
