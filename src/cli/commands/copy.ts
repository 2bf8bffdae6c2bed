/** `pond copy`: cp for the pond — host files in, pond files out, or within the pond, in one transaction. */
import { copy, endpoint, expandEndpoints, HOST_PREFIX, STANDARD_STREAM } from "../../pond/mod.ts";
import type { FileEntryType } from "../../tinyfs/mod.ts";
import type { CommandBody } from "../command.ts";
import { printCommitted } from "../committed.ts";
import { UsageError } from "../errors.ts";
import { openPond } from "../pond_options.ts";
import { humanBytes } from "../format.ts";
import { Progress } from "../progress.ts";

const TYPES: Record<string, FileEntryType> = {
  data: "file:data",
  table: "file:table",
  series: "file:series",
};

/** `pond copy [-r] [--type T] SRC... DEST`. */
export const copyCommand: CommandBody = {
  usage: "pond copy [-r] [--type data|table|series] SRC... DEST",
  description:
    `Paths starting with '${HOST_PREFIX}' are on this computer; all others are in the pond.\n` +
    "As with cp: one file to a new name or over an existing file (its new version);\n" +
    "any number into an existing directory; -r for directories. Every source is\n" +
    "checked first and the copy is one transaction: if any source is missing or\n" +
    "unreadable, nothing is copied. Parquet files become tables unless --type says.\n" +
    "Sources may be glob patterns ('/raw/*.csv', 'host:data/*.csv'), expanded as a shell would.\n" +
    `'${HOST_PREFIX}${STANDARD_STREAM}' is standard input as a source, standard output as the destination.`,
  options: {
    recursive: { type: "boolean", short: "r", help: "copy directories and what they hold" },
    type: {
      type: "string",
      value: "T",
      help: "entry type of files copied in: data, table (Parquet) or series (Parquet with time)",
    },
  },
  examples: [
    "pond copy host:./readings.csv /sites/lake_north/",
    "pond copy host:a.csv host:b.csv /raw",
    "pond copy -r host:./samples /samples",
    "pond copy /raw/a.csv host:./a-copy.csv",
    "pond copy '/raw/*.csv' /archive/",
    "curl -s https://example.com/data.csv | pond copy host:- /raw/today.csv",
  ],
  minArgs: 2,
  async run(ctx) {
    const typeName = ctx.options.type as string | undefined;
    if (typeName !== undefined && !(typeName in TYPES)) {
      throw new UsageError(`pond copy: --type is data, table or series, not '${typeName}'`);
    }
    for (const arg of ctx.positionals) {
      if (/^\.\.?(\/|$)/.test(arg)) {
        throw new UsageError(
          `pond copy: ${arg} is a path on this computer: write ${HOST_PREFIX}${arg} ` +
            "(paths in the pond start with /)",
        );
      }
    }
    const args = ctx.positionals.map(endpoint);
    const dest = args.pop()!;
    if (ctx.options.json && dest.side === "host" && dest.path === STANDARD_STREAM) {
      throw new UsageError(
        `pond copy: --json and the destination ${HOST_PREFIX}${STANDARD_STREAM} both write to standard output; choose one`,
      );
    }
    const { pond, stages } = await openPond(ctx, "pond copy");
    const bar = new Progress(ctx.output, "copying");
    try {
      const { result, seq } = await pond.transact(
        ctx.argv,
        async (root) =>
          copy(root, await expandEndpoints(root, args), dest, {
            recursive: Boolean(ctx.options.recursive),
            entryType: typeName === undefined ? undefined : TYPES[typeName],
            onProgress: ({ files, bytes }) => bar.update(`${files} files, ${humanBytes(bytes)}`),
            stdout: new WritableStream({ write: (chunk) => ctx.output.outBytes(chunk) }),
          }),
      );
      stages.mark("copy");
      await printCommitted(ctx, pond, seq);
      stages.report(pond, {
        transaction: seq,
        "files copied": result.files,
        "bytes copied": result.bytes,
        "directories made": result.directories,
      });
    } finally {
      bar.done();
    }
  },
};
