/** What this process undoes however it ends: cleanups run on its normal exit and on the signals that end it (Ctrl-C too). */

/** The signals that end pond, by the exit status a shell gives a process they end. */
const ENDING_SIGNALS = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

const cleanups = new Set<() => void>();

/** Runs (and forgets) every cleanup; one that fails does not keep the others from running. */
function runAll(): void {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // The process is ending: what a cleanup could not undo is for the next command's sweep.
    }
  }
}

/** A signal ends the process as it would have without a handler, cleanups first (`unload`). */
const onSignal: Record<string, () => void> = Object.fromEntries(
  Object.entries(ENDING_SIGNALS).map(([signal, status]) => [signal, () => Deno.exit(status)]),
);

function endingSignals(): Deno.Signal[] {
  return Deno.build.os === "windows" ? ["SIGINT"] : Object.keys(ENDING_SIGNALS) as Deno.Signal[];
}

/**
 * Runs `cleanup` (synchronous: the process is going) when this process ends before the
 * returned function is called: on its normal exit or `Deno.exit` (`unload`), and on SIGINT,
 * SIGTERM or SIGHUP, after which it exits with the status a shell gives a process those
 * signals end (130, 143, 129). The handlers are installed only while a cleanup waits, so a
 * process with none ends on those signals as Deno's default has it. Nothing runs when the
 * process is killed outright (SIGKILL): what is left then is for the next command to sweep.
 *
 * @example
 * ```ts
 * const temp = await Deno.makeTempFile();
 * const forget = atProcessEnd(() => Deno.removeSync(temp));
 * try {
 *   await Deno.writeTextFile(temp, "work in progress");
 * } finally {
 *   forget();
 *   await Deno.remove(temp);
 * }
 * ```
 */
export function atProcessEnd(cleanup: () => void): () => void {
  const entry = () => cleanup();
  if (cleanups.size === 0) {
    globalThis.addEventListener("unload", runAll);
    for (const signal of endingSignals()) Deno.addSignalListener(signal, onSignal[signal]);
  }
  cleanups.add(entry);
  return () => {
    if (!cleanups.delete(entry) || cleanups.size > 0) return;
    globalThis.removeEventListener("unload", runAll);
    for (const signal of endingSignals()) Deno.removeSignalListener(signal, onSignal[signal]);
  };
}
