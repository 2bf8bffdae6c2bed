/** Debian's Chromium, headless, as the site tests and benchmark drive it through playwright-core: one fresh profile per launch. */
import { type BrowserContext, chromium } from "playwright-core";

/** Where Debian's chromium package (installed by .ci/run) puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** The flags Chromium needs here: no sandbox or GPU, and none of its own network traffic. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * A headless Chromium with the fresh profile directory `profile`.
 *
 * @example
 * ```ts
 * const context = await launchChromium(await Deno.makeTempDir());
 * await context.close();
 * ```
 */
export function launchChromium(
  profile: string,
  options: { acceptDownloads?: boolean; viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    timeout: 60_000,
    ...options,
  });
}
