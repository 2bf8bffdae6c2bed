/** Publishing a pond as a static site with charts: the site YAML, the build into a directory, and a local server — the public face. */

export {
  expandTemplate,
  type PageSpec,
  parseSiteConfig,
  type SiteConfig,
  VIEW_POINTS,
} from "./config.ts";
export { SiteError, type SiteErrorCode } from "./errors.ts";
export { type BuildReport, buildSite, type FileCounts, siteFiles, slugOf } from "./build.ts";
export { partitionPoints } from "./partitions.ts";
export { MANIFEST_FORMAT, PreviousBuild, SITE_MARKER } from "./previous_build.ts";
export type { SeriesCounts } from "./series_data.ts";
export { serveSite, type SiteServer } from "./serve.ts";
export { markdownToHtml } from "./markdown.ts";
