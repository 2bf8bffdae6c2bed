/** pond's command-line entry point: `deno run main.ts COMMAND ...` or the compiled `pond`. */
import { runCli } from "./src/cli/mod.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args));
}
