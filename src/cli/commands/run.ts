/** `pond run`: run collector nodes — each fetches new rows and commits them as new series versions, in one transaction of its own. */
import { isPondError } from "../../errors.ts";
import { DEFAULT_MEMORY_LIMIT_MB } from "../../plugin_host/mod.ts";
import { collectorNodes, type CollectorRun, runCollectorAt } from "../../pond/mod.ts";
import type { CommandBody, CommandContext } from "../command.ts";
import { UsageError } from "../errors.ts";
import { openPond } from "../pond_options.ts";
import { Progress } from "../progress.ts";
import { escapeControl, escapeMessage } from "../terminal_text.ts";

/** The environment variable that sets how long one collector run may take, in ms. */
export const RUN_DEADLINE_ENV = "POND_RUN_DEADLINE_MS";
/** The default of {@link RUN_DEADLINE_ENV}: ten minutes. */
const DEFAULT_RUN_DEADLINE_MS = 600_000;

/** One collector's outcome, as `--json` prints it. */
interface RunOutcome {
  readonly path: string;
  readonly run?: CollectorRun;
  readonly error?: string;
}

/** `pond run PATH | --all`. */
export const runCommand: CommandBody = {
  usage: "pond run PATH | --all [--json]",
  description:
    "Runs the collector node at PATH (made with 'pond mknod', e.g. of the built-in hydrovu\n" +
    "plugin), or with --all every collector in the pond, in path order. Each run fetches\n" +
    "what is new since what is stored and commits it as new versions of its series in one\n" +
    "transaction of its own: a run that fails or is killed commits nothing, and the next\n" +
    "one fetches it again. ${env:NAME} in a collector's config is read from the environment\n" +
    "for the run only. Quiet on success (progress on a terminal); exit 1 when any run, or\n" +
    "any device of one, failed. Two runs of one collector never overlap: the second says so\n" +
    `and exits 1. A run may take $${RUN_DEADLINE_ENV} ms (default ${DEFAULT_RUN_DEADLINE_MS}).`,
  options: {
    all: { type: "boolean", help: "run every collector in the pond, in path order" },
  },
  examples: [
    "pond run /etc/hydrovu",
    "pond run --all   # from cron: quiet unless something failed",
    "pond run /etc/hydrovu --json   # per series: rows, time range, version",
  ],
  maxArgs: 1,
  async run(ctx) {
    const all = Boolean(ctx.options.all);
    if (all === (ctx.positionals.length === 1)) {
      throw new UsageError("pond run: name one collector PATH, or pass --all (not both)");
    }
    const deadlineMs = runDeadline(ctx);
    const { pond, stages } = await openPond(ctx, "pond run");
    const paths = all
      ? (await collectorNodes(await pond.root())).map((use) => use.path)
      : ctx.positionals;
    const progress = new Progress(ctx.output, "pond run");
    const outcomes: RunOutcome[] = [];
    for (const path of paths) {
      progress.update(`collecting ${escapeControl(path)}`);
      try {
        const run = await runCollectorAt(pond, path, {
          env: (name) => ctx.env[name],
          limits: {
            deadlineMs,
            memoryLimitMb: DEFAULT_MEMORY_LIMIT_MB,
            onOutput: (plugin, text) => {
              for (const line of text.replace(/\n$/, "").split("\n")) {
                ctx.output.verbose(`plugin ${escapeControl(plugin)}: ${escapeControl(line)}`);
              }
            },
          },
          command: ctx.argv,
          onStage: (stage) => stages.mark(`${escapeControl(path)} ${stage}`),
        });
        outcomes.push({ path, run });
      } catch (e) {
        if (!isPondError(e) || (e instanceof UsageError)) throw e;
        outcomes.push({ path, error: e.message });
      }
    }
    progress.done();
    report(ctx, outcomes);
    stages.report(pond);
    const failed = outcomes.some((o) => o.error !== undefined || (o.run?.failed.length ?? 0) > 0);
    return failed ? 1 : 0;
  },
};

/** Failures on stderr, one line each; with --json, every outcome on stdout; else, under --verbose, what was written. */
function report(ctx: CommandContext, outcomes: readonly RunOutcome[]): void {
  for (const { path, run, error } of outcomes) {
    const where = `pond run: ${escapeControl(path)}`;
    if (error !== undefined) ctx.output.err(`${where}: ${escapeMessage(error)}\n`);
    for (const f of run?.failed ?? []) {
      ctx.output.err(`${where}: ${escapeMessage(f.what)}: ${escapeMessage(f.message)}\n`);
    }
    for (const s of run?.series ?? []) {
      ctx.output.verbose(
        `${escapeControl(s.path)}: ${s.rows} rows, ${iso(s.first)} to ${iso(s.last)}, ` +
          `version ${s.version}`,
      );
    }
  }
  if (!ctx.options.json) return;
  const json = outcomes.map(({ path, run, error }) => ({
    path,
    ...(run
      ? {
        plugin: run.plugin,
        version: run.version,
        seq: run.seq,
        series: run.series.map((s) => ({
          path: s.path,
          rows: s.rows,
          first: iso(s.first),
          last: iso(s.last),
          version: s.version,
        })),
        failed: run.failed,
      }
      : { error }),
  }));
  ctx.output.out(JSON.stringify({ runs: json }, null, 2) + "\n");
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function runDeadline(ctx: CommandContext): number {
  const value = ctx.env[RUN_DEADLINE_ENV];
  if (value === undefined) return DEFAULT_RUN_DEADLINE_MS;
  if (!/^[1-9]\d*$/.test(value)) {
    throw new UsageError(
      `pond run: ${RUN_DEADLINE_ENV} is a whole number of milliseconds, like ` +
        `${DEFAULT_RUN_DEADLINE_MS}, not '${escapeControl(value)}'`,
    );
  }
  return Number(value);
}
