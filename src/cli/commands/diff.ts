/** `pond diff`: what changed between two transactions (or times), under a path. */
import { diff } from "../../pond/mod.ts";
import type { CommandBody } from "../command.ts";
import { formatTable } from "../format.ts";
import { openPond, parseAt } from "../pond_options.ts";
import { changeLines, changeToJson } from "../change_format.ts";

/** `pond diff A B [PATH] [--json]`. */
export const diffCommand: CommandBody = {
  usage: "pond diff A B [PATH] [--json]",
  description:
    "A and B are transaction numbers or times (ISO 8601: the newest transaction then).\n" +
    "Lists the paths under PATH (default /) added, removed, modified (with versions and\n" +
    "sizes) or moved from A to B. A removed or moved directory takes its contents along;\n" +
    "they are not listed again. PATH is taken as of B (else A) and followed if it was\n" +
    "moved or renamed in between. Prints nothing when nothing changed.",
  options: {},
  examples: [
    "pond diff 3 9",
    "pond diff 2026-06-01T00:00:00Z 2026-06-02T00:00:00Z /sites",
    "pond diff 0 12 /sites/lake_north --json",
  ],
  minArgs: 2,
  maxArgs: 3,
  async run(ctx) {
    const [a, b, path] = ctx.positionals;
    const [from, to] = [a, b].map((v) =>
      parseAt(v, "pond diff", "A and B are transaction numbers or times")!
    );
    const { pond, stages } = await openPond(ctx, "pond diff");
    const found = await diff(pond, from, to, path);
    stages.mark("diff");
    if (ctx.options.json) {
      ctx.output.out(
        JSON.stringify({ ...found, changes: found.changes.map(changeToJson) }, null, 2) + "\n",
      );
    } else {
      ctx.output.out(formatTable(changeLines(found.changes)));
    }
    stages.report(pond, { from: found.from, to: found.to, changes: found.changes.length });
  },
};
