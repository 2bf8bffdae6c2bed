/** The public face of pond's command line: run it with the words a user typed. */

export { runCli } from "./dispatch.ts";
