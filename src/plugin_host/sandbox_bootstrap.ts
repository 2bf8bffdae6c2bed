/** The sandbox's main module: the sandbox program, the modules it imports inlined, and the call that starts it. */

import ARROW_IPC from "../table/arrow_ipc.ts" with { type: "text" };
import PROGRAM from "./sandbox_program.ts" with { type: "text" };

/**
 * The host's own modules the sandbox program imports, by the specifier it uses: embedded as text
 * (so `deno bundle` carries them) and handed to the sandbox as data: URLs, because every file:
 * URL is blocked there. Each imports nothing but Deno's `node:` built-ins and types.
 */
const INLINED: Readonly<Record<string, string>> = { "../table/arrow_ipc.ts": ARROW_IPC };

/** A type-only import or re-export (of the table model's types): nothing of it exists at run time. */
const TYPE_ONLY = /^(?:import|export) type \{[^}]*\} from "[^"]+";\n/gm;

/** Any relative import left in the program would reach for a file the sandbox cannot load. */
const RELATIVE_IMPORT = /\bfrom\s+["']\.{1,2}\//;

/**
 * The sandbox's main module as a data: URL: `sandbox_program.ts` with its imports of
 * {@link INLINED} modules pointed at data: URLs of their text (less their type-only imports),
 * then `await serve();`. Throws if the program imports a relative module that is not inlined (a
 * mistake in pond, not a plugin's).
 *
 * @example
 * ```ts
 * const flags = ["--no-prompt", "--allow-read=/data/pond"];
 * new Deno.Command(Deno.execPath(), { args: ["run", ...flags, sandboxMainModule()] });
 * ```
 */
export function sandboxMainModule(): string {
  let program = PROGRAM;
  for (const [specifier, text] of Object.entries(INLINED)) {
    const url = `data:application/typescript,${encodeURIComponent(text.replace(TYPE_ONLY, ""))}`;
    program = program.replaceAll(`from "${specifier}"`, `from "${url}"`);
  }
  const left = RELATIVE_IMPORT.exec(program);
  if (left) {
    throw new Error(
      `the sandbox program imports a module the bootstrap does not inline: ${left[0]}`,
    );
  }
  return `data:application/typescript,${encodeURIComponent(`${program}\nawait serve();\n`)}`;
}
