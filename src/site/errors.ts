/** Errors of publishing a site: a config the site cannot be built from, nothing to chart, a directory that is not a site. */
import { PondError } from "../errors.ts";

/** Stable codes of {@link SiteError}. */
export type SiteErrorCode =
  /** The site YAML does not parse, or a field is missing, unknown or of the wrong kind. */
  | "SiteConfig"
  /** A page's series glob matches no series at a resolution (`…/res=<duration>.series`). */
  | "NoSeries"
  /** Two pages, or two series of a page, would share one name. */
  | "NameClash"
  /** The output directory holds files that are not a site pond built. */
  | "NotASite";

/**
 * A failure of building a site, as one line naming what is wrong and what to do.
 *
 * @example
 * ```ts
 * throw new SiteError("SiteConfig", 'site config: field "title" is missing; give the site a title');
 * ```
 */
export class SiteError extends PondError {
  declare readonly code: SiteErrorCode;
  constructor(code: SiteErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
