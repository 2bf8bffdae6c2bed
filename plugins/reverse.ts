/** Built-in plugin: another directory's entries under reversed names — the smallest plugin there is. */

export const manifest = {
  name: "reverse",
  version: "1.0.0",
  description: "Shows what a glob matches under reversed names; directories are reversed in turn",
  provides: ["directory"],
  config: {
    source: { type: "glob", required: true, description: "what to show, e.g. /data/*" },
  },
};

interface Match {
  path: string;
  name: string;
  kind: "file" | "directory";
}

/** Each match under its name reversed: a file as it is, a directory as another reverse. */
export function entries(request: { inputs: { source: Match[] } }) {
  return request.inputs.source.map((match) => {
    const name = [...match.name].reverse().join("");
    return match.kind === "directory"
      ? { name, directory: { source: `${escapeGlob(match.path)}/*` } }
      : { name, input: match.path };
  });
}

/** `path` as a glob matching only itself. */
function escapeGlob(path: string): string {
  return path.replace(/[*?[\]{}\\]/g, "\\$&");
}
