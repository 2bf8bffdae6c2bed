/** Built-in plugin: glob aggregation — the matches of one or more globs, named from their captures. */

export const manifest = {
  name: "visit",
  version: "1.0.0",
  description: "One entry per match of the patterns, named by a template of the glob's captures",
  provides: ["directory"],
  config: {
    patterns: { type: "glob[]", required: true, description: "what to gather, e.g. [/in/*/*.csv]" },
    name: {
      type: "string",
      description: "entry name template: $0, $1… are the captures (default: captures joined by _)",
    },
  },
};

interface Match {
  path: string;
  name: string;
  captures: string[];
}

interface Request {
  config: { name?: string };
  inputs: { patterns: Match[] };
}

interface Host {
  expand(template: string, captures: string[]): string;
}

/** Each match shown as it is, under the name template (or its captures, or its own name). */
export function entries({ config, inputs }: Request, host: Host) {
  return inputs.patterns.map((match) => ({
    name: config.name !== undefined
      ? host.expand(config.name, match.captures)
      : match.captures.length > 0
      ? match.captures.join("_")
      : match.name,
    input: match.path,
  }));
}
