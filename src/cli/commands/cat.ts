/** `pond cat`: write a file's bytes to stdout, streamed. */
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { AT_OPTION, openPond, parseAt } from "../pond_options.ts";

/** `pond cat PATH... [--version N] [--at SEQ|TIME]`. */
export const catCommand: Command = {
  name: "cat",
  summary: "print files' contents",
  usage: "pond cat PATH... [--version N] [--at SEQ|TIME]",
  description: "Streams each file in turn; large files never sit whole in memory.",
  options: {
    version: { type: "string", value: "N", help: "the file's version N (default: the newest)" },
    ...AT_OPTION,
  },
  examples: [
    "pond cat /sites/lake_north/readings.csv",
    "pond cat /notes.txt --version 1",
    "pond cat /notes.txt --at 2026-06-01T12:00:00Z",
  ],
  minArgs: 1,
  async run(ctx) {
    const versionText = ctx.options.version as string | undefined;
    if (versionText !== undefined && !/^[1-9]\d*$/.test(versionText)) {
      throw new UsageError(
        `pond cat: --version takes a version number from 1, not '${versionText}'`,
      );
    }
    const at = parseAt(ctx.options.at as string | undefined, "pond cat");
    const { pond, stages } = await openPond(ctx, "pond cat");
    const root = await pond.root(at);
    const version = versionText === undefined ? undefined : Number(versionText);
    for (const path of ctx.positionals) {
      for await (const chunk of await root.stream(path, { version })) {
        await ctx.output.outBytes(chunk);
      }
    }
    stages.mark("read");
    stages.report(pond);
  },
};
