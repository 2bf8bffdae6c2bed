/** `pond remote add|list|remove|verify`: the places a pond is pushed to, kept in the pond's directory without credentials, and checking one. */
import {
  addRemote,
  readRemotes,
  type RemoteSpec,
  removeRemote,
  verifyRemote,
} from "../../remote/mod.ts";
import type { Command, CommandBody, CommandContext, OptionSpec } from "../command.ts";
import { UsageError } from "../errors.ts";
import { formatTable, humanBytes } from "../format.ts";
import { pondPath } from "../pond_options.ts";
import { escapeControl } from "../terminal_text.ts";

/** The options that say how to reach an S3 remote (never how to sign: that is the environment's). */
export const REMOTE_OPTIONS: Record<string, OptionSpec> = {
  endpoint: {
    type: "string",
    value: "URL",
    help: "the S3 server, e.g. http://127.0.0.1:9000 (default: AWS for the region)",
  },
  region: {
    type: "string",
    value: "R",
    help: "the region to sign for (default: $AWS_REGION or us-east-1)",
  },
  profile: {
    type: "string",
    value: "P",
    help: "sign with profile P of ~/.aws/credentials (default: the AWS_* variables)",
  },
};

/**
 * The remote a URL and the {@link REMOTE_OPTIONS} of a command line describe.
 *
 * @example
 * ```ts
 * import type { CommandContext } from "../command.ts";
 *
 * function example(ctx: CommandContext) {
 *   const spec = remoteSpec(ctx, "s3://backups/lake"); // { url, endpoint?, region?, profile? }
 * }
 * ```
 */
export function remoteSpec(ctx: CommandContext, url: string): RemoteSpec {
  const o = ctx.options;
  return {
    url,
    ...(o.endpoint !== undefined && { endpoint: o.endpoint as string }),
    ...(o.region !== undefined && { region: o.region as string }),
    ...(o.profile !== undefined && { profile: o.profile as string }),
  };
}

const add: Command = {
  name: "add",
  summary: "add a remote: an S3 bucket and prefix, or a directory",
  usage: "pond remote add NAME URL [--endpoint URL] [--region R] [--profile P]",
  description: "URL is s3://BUCKET[/PREFIX] (path-style requests to --endpoint, for AWS or any\n" +
    "S3-compatible server) or file:///DIR (a directory, e.g. on a USB disk). The remote is\n" +
    "written to remotes.json in the pond's directory, outside its versioned tree; no\n" +
    "credential is ever stored: they come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /\n" +
    "AWS_SESSION_TOKEN, or from --profile's section of ~/.aws/credentials.",
  options: REMOTE_OPTIONS,
  examples: [
    "pond remote add backup s3://my-bucket/lake --region eu-west-1",
    "pond remote add local s3://pond/lake --endpoint http://127.0.0.1:9000",
    "pond remote add usb file:///media/usb/lake",
  ],
  minArgs: 2,
  maxArgs: 2,
  async run(ctx) {
    const [name, url] = ctx.positionals;
    await addRemote(await pondPath(ctx, "pond remote add"), name, remoteSpec(ctx, url));
    ctx.output.err(`added remote ${escapeControl(name)}: ${escapeControl(url)}\n`);
  },
};

const list: Command = {
  name: "list",
  aliases: ["ls"],
  summary: "list the remotes: name, URL, endpoint, region, profile",
  usage: "pond remote list [--json]",
  options: {},
  examples: ["pond remote list", "pond remote list --json"],
  maxArgs: 0,
  async run(ctx) {
    const remotes = await readRemotes(await pondPath(ctx, "pond remote list"));
    if (ctx.options.json) {
      ctx.output.out(JSON.stringify(remotes, null, 2) + "\n");
      return;
    }
    const rows = Object.entries(remotes).map(([name, s]) =>
      [name, s.url, s.endpoint ?? "", s.region ?? "", s.profile ? `profile ${s.profile}` : ""].map(
        escapeControl,
      )
    );
    if (rows.length) ctx.output.out(formatTable(rows) + "\n");
    else ctx.output.err("no remotes (add one with 'pond remote add NAME URL')\n");
  },
};

const remove: Command = {
  name: "remove",
  aliases: ["rm"],
  summary: "forget a remote (what was pushed there stays)",
  usage: "pond remote remove NAME",
  options: {},
  examples: ["pond remote remove usb"],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    await removeRemote(await pondPath(ctx, "pond remote remove"), ctx.positionals[0]);
    ctx.output.err(`removed remote ${escapeControl(ctx.positionals[0])}\n`);
  },
};

const verify: Command = {
  name: "verify",
  summary: "check a remote against the pond; --read-data downloads and re-hashes its objects",
  usage: "pond remote verify NAME [--read-data [--subset n/m]] [--json]",
  description:
    "Lists the remote and compares it with the pond: its log (ahead of or disagreeing with\n" +
    "the pond's), and the size of every object both hold. With --read-data every remote\n" +
    "object is downloaded: blobs re-hashed against their names, the others compared byte\n" +
    "for byte with the pond's copies; --subset n/m reads only the n-th of m slices, so a\n" +
    "large remote can be read over m runs. Exit 1 when anything on the remote is damaged.",
  options: {
    "read-data": { type: "boolean", help: "download every object and check its bytes" },
    subset: {
      type: "string",
      value: "n/m",
      help: "with --read-data: only slice n of m (1 ≤ n ≤ m)",
    },
  },
  examples: [
    "pond remote verify backup",
    "pond remote verify backup --read-data",
    "pond remote verify backup --read-data --subset 2/7",
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const subset = parseSubset(ctx.options.subset as string | undefined);
    if (subset && !ctx.options["read-data"]) {
      throw new UsageError(
        "pond remote verify: --subset chooses what --read-data reads; add --read-data",
      );
    }
    const root = await pondPath(ctx, "pond remote verify");
    const report = await verifyRemote(root, ctx.positionals[0], ctx.env, {
      readData: Boolean(ctx.options["read-data"]),
      ...(subset && { subset }),
    });
    const errors = report.findings.filter((f) => f.severity === "error").length;
    if (ctx.options.json) {
      ctx.output.out(JSON.stringify(report, null, 2) + "\n");
    } else {
      const rows = report.findings.map((f) => [f.severity, escapeControl(f.message)]);
      if (rows.length) ctx.output.out(formatTable(rows) + "\n");
      const read = ctx.options["read-data"]
        ? `, ${report.read.objects} objects (${humanBytes(report.read.bytes)}) read`
        : "";
      ctx.output.out(
        `remote ${escapeControl(ctx.positionals[0])} at transaction ${report.remoteTip} ` +
          `(this pond: ${report.localTip}) ${
            errors ? "is damaged" : "is sound"
          }: ${errors} errors, ` +
          `${report.unpushed} objects not pushed yet${read}\n`,
      );
    }
    return errors ? 1 : 0;
  },
};

/** `n/m` of `--subset`, checked. */
function parseSubset(value: string | undefined): { n: number; m: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const [a, b] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || a < 1 || a > b) {
    throw new UsageError(
      `pond remote verify: --subset is n/m with 1 ≤ n ≤ m, like 1/4, not '${value}'`,
    );
  }
  return { n: a, m: b };
}

/** `pond remote`. */
export const remoteCommand: CommandBody = {
  usage: "pond remote COMMAND [OPTIONS]",
  description: "Where the pond is backed up: see 'pond push', 'pond pull' and 'pond restore'.",
  options: {},
  examples: [
    "pond remote add backup s3://my-bucket/lake",
    "pond remote list",
    "pond remote verify backup --read-data",
  ],
  subcommands: [add, list, remove, verify],
};
