/** `pond check` (alias `fsck`): verify a pond's log, rows, blobs and marker; repair what is safe with --repair. */
import type { Finding } from "../../pond/check_findings.ts";
import { checkPond, type CheckReport, isDamaged } from "../../pond/check.ts";
import type { Command } from "../command.ts";
import { formatTable } from "../format.ts";
import { confirm, pondPath } from "../pond_options.ts";
import { humanBytes } from "../format.ts";

/** `pond check [--repair] [--json]`. */
export const checkCommand: Command = {
  name: "check",
  aliases: ["fsck"],
  summary: "verify the pond: its log, every row, every blob; --repair fixes what is safe",
  usage: "pond check [--repair [--yes]] [--json]",
  description:
    "Reads everything: the Delta log (contiguous commits, checkpoints that agree with\n" +
    "the commits, the checkpoint hint), every live data file, every row (bodies against their\n" +
    "hashes, large bodies chunk by chunk, directory entries against the nodes they name) and\n" +
    "the pond.json marker. Prints one line per problem: errors are damage (exit 1), warnings\n" +
    "are leftovers of interrupted commands and stale hints (exit 0). --repair removes\n" +
    "temporary files no running command owns, rewrites checkpoints from the commits and the\n" +
    "checkpoint hint, writes a lost pond.json again from the log, and sets aside (renames)\n" +
    "a newest commit that was cut short while written, after saying so and asking (--yes\n" +
    "to go ahead unasked); it never deletes what a version needs (`pond maintain --vacuum`\n" +
    "deletes unreferenced files).",
  options: {
    repair: {
      type: "boolean",
      help: "apply the safe repairs, and say what was and was not repaired",
    },
    yes: {
      type: "boolean",
      short: "y",
      help: "with --repair: set a torn newest commit aside without asking",
    },
  },
  examples: [
    "pond check",
    "pond fsck --pond /data/pond --json",
    "pond check --repair",
  ],
  maxArgs: 0,
  async run(ctx) {
    const started = performance.now();
    const report = await checkPond(pondPath(ctx, "pond check"), {
      repair: Boolean(ctx.options.repair),
      confirm: async (plan) => {
        if (ctx.options.yes) ctx.output.err(`pond check --repair: will ${plan}\n`);
        await confirm(ctx, "pond check --repair", plan);
      },
    });
    const { output } = ctx;
    const entries = listed(report, Boolean(ctx.options.repair));
    if (ctx.options.json) {
      output.out(JSON.stringify(entries, null, 2) + "\n");
    } else {
      output.out(formatTable(entries.map((e) => [
        e.status === "repaired" ? "repaired" : e.severity,
        `${e.subject}: ${e.status === "repaired" ? e.repair : e.message}${
          e.repair && e.status === "open" ? ` (${e.repair})` : ""
        }`,
      ])));
      output.out(summary(report) + "\n");
    }
    const c = report.counts;
    output.verbose(
      `checked ${c.commits} commits, ${c.checkpoints} checkpoints, ${c.dataFiles} data files, ` +
        `${c.rows} rows of ${c.nodes} nodes, ${c.blobs} blobs (${humanBytes(c.blobBytes)})`,
    );
    output.verbose(`time: ${(performance.now() - started).toFixed(1)} ms`);
    return isDamaged(report) ? 1 : 0; // 1: the pond is damaged
  },
};

/** One line of output: a repair that was made, or a problem the pond still has. */
interface Listed {
  status: "repaired" | "open";
  severity: Finding["severity"];
  code: Finding["code"];
  subject: string;
  message: string;
  repairable: boolean;
  /** With --repair: what the repair did, why it failed, or `not repaired`. */
  repair?: string;
}

function listed(report: CheckReport, repairing: boolean): Listed[] {
  const entry = (f: Finding, status: Listed["status"], repair?: string): Listed => ({
    status,
    severity: f.severity,
    code: f.code,
    subject: f.subject,
    message: f.message,
    repairable: f.repair !== undefined,
    ...(repair !== undefined && { repair }),
  });
  const failed = (f: Finding) =>
    report.repairs.find((r) =>
      !r.repaired && r.finding.code === f.code && r.finding.subject === f.subject
    )?.note;
  return [
    ...report.repairs.filter((r) => r.repaired).map((r) => entry(r.finding, "repaired", r.note)),
    ...report.findings.map((f) =>
      entry(f, "open", repairing ? failed(f) ?? "not repaired" : undefined)
    ),
  ];
}

function summary(report: CheckReport): string {
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  const errors = report.findings.filter((f) => f.severity === "error").length;
  const warnings = report.findings.length - errors;
  const repaired = report.repairs.filter((r) => r.repaired).length;
  const at = report.counts.version === null
    ? "the pond (its log does not open)"
    : `the pond at transaction ${report.counts.version}`;
  const parts = [count(errors, "error"), count(warnings, "warning")];
  if (repaired) parts.push(`${repaired} repaired`);
  const verdict = errors ? "is damaged" : "is consistent";
  const { rows, blobs, plugins } = report.counts;
  const checked = [count(rows, "row"), count(blobs, "blob")];
  if (plugins) checked.push(count(plugins, "plugin"));
  return `${at} ${verdict}: ${parts.join(", ")} (${checked.join(", ")} checked)`;
}
