/** Publishing a pond as a static site with charts: the site YAML, the build into a directory, and a local server — the public face. */

export { VIEW_POINTS, expandTemplate, type PageSpec, parseSiteConfig, type SiteConfig } from "./config.ts";
export { SiteError, type SiteErrorCode } from "./errors.ts";
export { type BuildReport, buildSite, type FileCounts, SITE_MARKER, siteFiles, slugOf } from "./build.ts";
export { partitionPoints } from "./partitions.ts";
export { type SiteServer, serveSite } from "./serve.ts";
export { markdownToHtml } from "./markdown.ts";
