/** What a command that changes the pond prints with --json: the transaction it committed. */
import { type Pond, transactionLog } from "../pond/mod.ts";
import { transactionToJson } from "./change_format.ts";
import type { CommandContext } from "./command.ts";

/**
 * The transaction `seq` as JSON — its number, time, user, command and the paths it added,
 * modified, moved or removed — or `{"seq": null, "changes": []}` when nothing was committed.
 *
 * @example
 * ```ts
 * import { Pond } from "../pond/mod.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const transaction = await committedJson(pond, await pond.head());
 * ```
 */
export async function committedJson(
  pond: Pond,
  seq: number | null,
): Promise<ReturnType<typeof transactionToJson> | { seq: null; changes: [] }> {
  const [committed] = seq === null
    ? []
    : (await transactionLog(pond, { since: { seq }, until: { seq } })).transactions;
  return committed ? transactionToJson(committed) : { seq: null, changes: [] };
}

/**
 * With `--json`, prints {@link committedJson} of `seq` as one JSON object on stdout.
 * Without `--json`, nothing.
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
  ctx.output.out(JSON.stringify(await committedJson(pond, seq), null, 2) + "\n");
}
