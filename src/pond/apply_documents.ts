/** The documents of a `pond apply` file: YAML documents separated by `---`, each a `mkdir`, `copy`, `mknod` or `plugin`, checked field by field. */
import { dirname, isAbsolute, resolve } from "node:path";
import { PondError } from "../errors.ts";
import type { FileEntryType } from "../tinyfs/mod.ts";
import { HOST_PREFIX, STANDARD_STREAM } from "./endpoint.ts";

/** Make a directory (and its missing parents with `parents`); an existing directory is fine. */
export interface MkdirDocument {
  readonly kind: "mkdir";
  readonly path: string;
  readonly parents: boolean;
}

/** Copy one host file to the pond file `path`: a new version unless the newest has its bytes. */
export interface CopyDocument {
  readonly kind: "copy";
  /** The host file, absolute. */
  readonly from: string;
  readonly path: string;
  /** The entry type to store; by default, what `pond copy` picks (Parquet: a table). */
  readonly type: FileEntryType | undefined;
}

/** Make a dynamic node of `plugin` at `path` (a pattern registers one), as `pond mknod` does. */
export interface MknodDocument {
  readonly kind: "mknod";
  readonly plugin: string;
  readonly path: string;
  /** The config inline (as JSON text, which YAML reads), or the host file `config_file` names (absolute). */
  readonly config: { readonly text: string } | { readonly file: string };
  /** A dynamic file (true) or directory (false); needed only for a plugin providing both. */
  readonly file: boolean | undefined;
  readonly parents: boolean;
}

/** Add the plugin in host file `from`, granting it `grants`, as `pond plugin add` does. */
export interface PluginDocument {
  readonly kind: "plugin";
  /** The plugin's source on the host, absolute. */
  readonly from: string;
  /** The hosts it may reach: exactly what its manifest asks for. */
  readonly grants: { readonly net: readonly string[] };
}

/** One document of an apply file, with where it is. */
export type ApplyDocument = (MkdirDocument | CopyDocument | MknodDocument | PluginDocument) & {
  /** Its position in the file, from 1. */
  readonly index: number;
  /** The line it starts on, from 1. */
  readonly line: number;
};

/** The kinds of document, and the fields each may have (beside `kind`). */
const DOCUMENT_FIELDS = {
  mkdir: ["path", "parents"],
  copy: ["from", "path", "type"],
  mknod: ["plugin", "path", "config", "config_file", "file", "parents"],
  plugin: ["from", "grants"],
} as const;

const TYPES: Record<string, FileEntryType> = {
  data: "file:data",
  table: "file:table",
  series: "file:series",
};

/**
 * A document of an apply file that is wrong or could not be applied (code `InvalidDocument`):
 * the message names the file, the document's index and line, its kind and path, and the
 * field at fault when there is one; `cause` is the error it wraps, if any.
 *
 * @example
 * ```ts
 * try {
 *   await readDocuments("kind: mkdri\npath: /a\n", { label: "setup.yaml", base: "." });
 * } catch (e) {
 *   if (e instanceof DocumentError) console.log(e.index, e.field); // 1 "kind"
 * }
 * ```
 */
export class DocumentError extends PondError {
  constructor(
    readonly label: string,
    readonly index: number,
    readonly where: { line: number; kind?: string; path?: string },
    readonly field: string | undefined,
    problem: string,
    options?: ErrorOptions,
  ) {
    const what = [where.kind, where.path].filter((s) => s !== undefined).join(" ");
    super(
      "InvalidDocument",
      `${label} document ${index} (line ${where.line}${what ? `, ${what}` : ""}): ` +
        `${field === undefined ? "" : `${field}: `}${problem}; nothing was applied`,
      options,
    );
  }
}

/** Where an apply file came from: its name for messages, and the directory host paths start in. */
export interface DocumentSource {
  readonly label: string;
  /** Relative host paths in the documents are resolved against this directory. */
  readonly base: string;
}

/**
 * Where the documents of the apply file `arg` (`host:` prefix optional; `-` is standard
 * input) are read from: its label and the directory relative host paths in it start in
 * (the file's own, or the working directory for standard input).
 *
 * @example
 * ```ts
 * documentSource("host:conf/setup.yaml"); // { label: "conf/setup.yaml", base: "/home/me/conf" }
 * ```
 */
export function documentSource(arg: string): DocumentSource {
  const path = arg.startsWith(HOST_PREFIX) ? arg.slice(HOST_PREFIX.length) : arg;
  return path === STANDARD_STREAM
    ? { label: "standard input", base: Deno.cwd() }
    : { label: path, base: dirname(resolve(path)) };
}

/**
 * The documents of an apply file's `text`, each checked: a known `kind`, no unknown field,
 * every field of the right type, host paths marked `host:` (made absolute against
 * `source.base`), pond paths absolute. Empty documents are skipped (but counted). The
 * first problem is a {@link DocumentError} naming the document and field.
 *
 * @example
 * ```ts
 * const docs = await readDocuments(
 *   "kind: mkdir\npath: /sites\n---\nkind: copy\nfrom: host:a.csv\npath: /sites/a.csv\n",
 *   { label: "setup.yaml", base: "/home/me" },
 * );
 * docs.map((d) => d.kind); // ["mkdir", "copy"]
 * ```
 */
export async function readDocuments(
  text: string,
  source: DocumentSource,
): Promise<ApplyDocument[]> {
  const { parseAllDocuments, LineCounter } = await import("yaml");
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true });
  const all = Array.isArray(parsed) ? parsed : [parsed];
  const documents: ApplyDocument[] = [];
  for (const [i, doc] of all.entries()) {
    const index = i + 1;
    const line = lines.linePos(doc.contents?.range[0] ?? doc.range[0]).line;
    const error = doc.errors[0];
    if (error) {
      const at = error.linePos?.[0]?.line ?? line;
      throw new DocumentError(
        source.label,
        index,
        { line: at },
        undefined,
        `not valid YAML: ${error.message.split("\n")[0].replace(/:$/, "")}`,
      );
    }
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    documents.push(checkDocument(value, { ...source, index, line }));
  }
  if (documents.length === 0) {
    throw new PondError(
      "InvalidDocument",
      `${source.label} holds no documents; write one per change (kind: mkdir, copy, mknod or ` +
        "plugin), separated by lines of ---",
    );
  }
  return documents;
}

type Place = DocumentSource & { index: number; line: number };

function checkDocument(value: unknown, place: Place): ApplyDocument {
  const fail = (field: string | undefined, problem: string, kind?: string, path?: string) =>
    new DocumentError(place.label, place.index, { line: place.line, kind, path }, field, problem);
  if (typeof value !== "object" || Array.isArray(value) || value === null) {
    throw fail(undefined, "a document is a mapping of fields (kind: mkdir, path: /a)");
  }
  const fields = value as Record<string, unknown>;
  const kind = fields.kind;
  if (kind === undefined) {
    throw fail("kind", "missing: say what the document does (mkdir, copy, mknod or plugin)");
  }
  if (typeof kind !== "string" || !Object.hasOwn(DOCUMENT_FIELDS, kind)) {
    throw fail(
      "kind",
      `${JSON.stringify(kind)} is not a kind; kinds are mkdir, copy, mknod, plugin`,
    );
  }
  const known = DOCUMENT_FIELDS[kind as keyof typeof DOCUMENT_FIELDS] as readonly string[];
  const path = typeof fields.path === "string" ? fields.path : undefined;
  const from = typeof fields.from === "string" ? fields.from : undefined;
  const named = (field: string, problem: string) =>
    fail(field, problem, kind, kind === "plugin" ? from : path);
  for (const field of Object.keys(fields)) {
    if (field !== "kind" && !known.includes(field)) {
      throw named(field, `unknown field; a ${kind} document has kind, ${known.join(", ")}`);
    }
  }
  const read = new Fields(fields, named, place);
  const at = { index: place.index, line: place.line };
  switch (kind) {
    case "mkdir":
      return {
        kind,
        path: read.pondPath("path"),
        parents: read.boolean("parents") ?? false,
        ...at,
      };
    case "copy": {
      const type = read.string("type", false);
      if (type !== undefined && !Object.hasOwn(TYPES, type)) {
        throw named("type", `is data, table or series, not ${JSON.stringify(type)}`);
      }
      return {
        kind,
        from: read.hostPath("from", true)!,
        path: read.pondPath("path"),
        type: type === undefined ? undefined : TYPES[type],
        ...at,
      };
    }
    case "mknod": {
      const inline = fields.config;
      const configFile = read.hostPath("config_file", false);
      if ((inline === undefined) === (configFile === undefined)) {
        throw named(
          inline === undefined ? "config" : "config_file",
          inline === undefined
            ? "missing: give the plugin's config inline (config:) or in a host file (config_file:)"
            : "give config or config_file, not both",
        );
      }
      if (
        inline !== undefined &&
        (typeof inline !== "object" || inline === null || Array.isArray(inline))
      ) {
        throw named(
          "config",
          "is a mapping of the plugin's fields (see 'pond plugin info PLUGIN')",
        );
      }
      return {
        kind,
        plugin: read.string("plugin", true)!,
        path: read.pondPath("path"),
        config: configFile === undefined
          ? { text: JSON.stringify(inline) + "\n" }
          : { file: configFile },
        file: read.boolean("file"),
        parents: read.boolean("parents") ?? false,
        ...at,
      };
    }
    default:
      return { kind: "plugin", from: read.hostPath("from", true)!, grants: read.grants(), ...at };
  }
}

/** Reads one document's fields, each checked, failing with the document and field named. */
class Fields {
  constructor(
    readonly fields: Record<string, unknown>,
    readonly fail: (field: string, problem: string) => DocumentError,
    readonly place: Place,
  ) {}

  string(field: string, required: boolean): string | undefined {
    const value = this.fields[field];
    if (value === undefined) {
      if (required) throw this.fail(field, "missing");
      return undefined;
    }
    if (typeof value !== "string" || value === "") {
      throw this.fail(field, `is a non-empty string, not ${JSON.stringify(value)}`);
    }
    return value;
  }

  boolean(field: string): boolean | undefined {
    const value = this.fields[field];
    if (value !== undefined && typeof value !== "boolean") {
      throw this.fail(field, `is true or false, not ${JSON.stringify(value)}`);
    }
    return value;
  }

  pondPath(field: string): string {
    const path = this.string(field, true)!;
    if (path.startsWith(HOST_PREFIX)) {
      throw this.fail(field, `is a path in the pond (starting with /), not on this computer`);
    }
    if (!path.startsWith("/")) {
      throw this.fail(field, `is a path in the pond, which starts with / (/${path}?)`);
    }
    return path;
  }

  /** A host file (`host:PATH`), absolute: relative paths start in the file's directory. */
  hostPath(field: string, required: boolean): string | undefined {
    const value = this.string(field, required);
    if (value === undefined) return undefined;
    if (!value.startsWith(HOST_PREFIX)) {
      throw this.fail(field, `is a file on this computer: write ${HOST_PREFIX}${value}`);
    }
    const path = value.slice(HOST_PREFIX.length);
    if (path === "" || path === STANDARD_STREAM) {
      throw this.fail(field, "names a file on this computer (standard input is not one here)");
    }
    return isAbsolute(path) ? path : resolve(this.place.base, path);
  }

  grants(): { net: string[] } {
    const value = this.fields.grants;
    if (value === undefined) return { net: [] };
    const shape = "is a mapping like {net: [api.example.com]}";
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw this.fail("grants", shape);
    }
    for (const key of Object.keys(value)) {
      if (key !== "net") {
        throw this.fail(`grants.${key}`, "unknown; the grants a plugin takes are net");
      }
    }
    const net = (value as { net?: unknown }).net ?? [];
    if (!Array.isArray(net) || !net.every((h) => typeof h === "string" && h !== "")) {
      throw this.fail("grants.net", "is a list of host names (api.example.com or host:port)");
    }
    return { net };
  }
}
