/** `pond check` (alias `fsck`): verify a pond's log, rows, blobs and marker; repair what is safe with --repair. */
import { checkPond, type CheckReport, type Finding, isDamaged } from "../../pond/mod.ts";
import type { CommandBody } from "../command.ts";
import { formatTable } from "../format.ts";
import { UsageError } from "../errors.ts";
import { confirm, pondStores } from "../pond_options.ts";
import { humanBytes } from "../format.ts";

/** `pond check [--repair [--yes] | --quick] [--json]`. */
export const checkCommand: CommandBody = {
  usage: "pond check [--repair [--yes] | --quick] [--json]",
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
    "deletes unreferenced files). --quick checks only what opening the pond needs: the\n" +
    "marker, the log's listing and its newest commit.",
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
    quick: {
      type: "boolean",
      help: "only the marker, the log's listing and its newest commit (no data files, rows, blobs)",
    },
  },
  examples: [
    "pond check",
    "pond fsck --pond /data/pond --json",
    "pond check --repair",
    "pond check --quick",
  ],
  maxArgs: 0,
  async run(ctx) {
    const started = performance.now();
    const quick = Boolean(ctx.options.quick);
    if (quick && ctx.options.repair) {
      throw new UsageError("pond check: --repair needs the whole check; drop --quick");
    }
    const report = await checkPond(await pondStores(ctx, "pond check"), {
      repair: Boolean(ctx.options.repair),
      quick,
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
      output.out(findingsText(entries) + summary(report, quick) + "\n");
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
export interface Listed {
  status: "repaired" | "open";
  severity: Finding["severity"];
  code: Finding["code"];
  subject: string;
  message: string;
  repairable: boolean;
  /** With --repair: what the repair did, why it failed, or `not repaired`. */
  repair?: string;
}

/**
 * What a check found and repaired, one entry per line of output.
 *
 * @example
 * ```ts
 * import { checkPond } from "../../pond/mod.ts";
 *
 * const entries = listed(await checkPond("/data/pond"), false);
 * ```
 */
export function listed(report: CheckReport, repairing: boolean): Listed[] {
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

/**
 * The lines of a check's entries for people: what was repaired, what is still wrong.
 *
 * @example
 * ```ts
 * import { checkPond } from "../../pond/mod.ts";
 * import { consoleOutput } from "../output.ts";
 *
 * const report = await checkPond("/data/pond");
 * consoleOutput({ verbose: false, noColor: false }).out(findingsText(listed(report, false)));
 * ```
 */
export function findingsText(entries: Listed[]): string {
  return formatTable(entries.map((e) => [
    e.status === "repaired" ? "repaired" : e.severity,
    `${e.subject}: ${e.status === "repaired" ? e.repair : e.message}${
      e.repair && e.status === "open" ? ` (${e.repair})` : ""
    }`,
  ]));
}

/**
 * The verdict line: where the pond stands, what was found, and what was checked.
 *
 * @example
 * ```ts
 * import { checkPond } from "../../pond/mod.ts";
 *
 * const report = await checkPond("/data/pond");
 * summary(report, false); // "the pond at transaction 4 is consistent: 0 errors, 0 warnings (10 rows, 0 blobs checked)"
 * ```
 */
export function summary(report: CheckReport, quick: boolean): string {
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
  const read = [count(rows, "row"), count(blobs, "blob")];
  if (plugins) read.push(count(plugins, "plugin"));
  const checked = quick
    ? "quick: the marker, the log and its newest commit; 'pond check' reads everything"
    : `${read.join(", ")} checked`;
  return `${at} ${verdict}: ${parts.join(", ")} (${checked})`;
}
