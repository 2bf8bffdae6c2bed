/** `pond apply`: the documents of a setup file applied in one transaction, each only where the pond differs — mkdir, copy, mknod and plugin add as their commands do them. */
import { isDeepStrictEqual } from "node:util";
import { isPondError, PondError } from "../errors.ts";
import { loadPlugin, type PluginModule } from "../plugin_host/mod.ts";
import { INLINE_LIMIT } from "../oplog/mod.ts";
import { isTinyFsError, type WD } from "../tinyfs/mod.ts";
import { type ApplyDocument, DocumentError, type DocumentSource } from "./apply_documents.ts";
import { copy } from "./copy.ts";
import { isPattern, type MadeDynamic, makeDynamic } from "./dynamic_nodes.ts";
import { endpoint, HOST_PREFIX } from "./endpoint.ts";
import { hostError } from "./host_error.ts";
import { readHostFile } from "./host_files.ts";
import { collectorHosts, createCollector } from "./collectors.ts";
import { addPlugin, listPlugins } from "./plugins.ts";
import type { Pond } from "./pond.ts";
import { type PluginUse, storedUse } from "./plugin_uses.ts";

/** What applying a document does: the node made, a new version or config, or nothing. */
export type ApplyAction = "create" | "update" | "replace" | "unchanged";

/** One document as applied (or, in a dry run, as it would be). */
export interface AppliedDocument {
  readonly index: number;
  readonly kind: ApplyDocument["kind"];
  /** The pond path it is about; for a plugin, its name. */
  readonly path: string;
  readonly action: ApplyAction;
  /** What it does, in words (`add plugin shout 1.0.0 with network access to …`). */
  readonly detail: string;
  /** Whether it needs the user's consent: it grants a plugin permissions, or replaces a dynamic node. */
  readonly consent: boolean;
}

/** What {@link applyDocuments} did. */
export interface ApplyResult {
  readonly documents: readonly AppliedDocument[];
  /** The transaction committed; null when nothing changed or in a dry run. */
  readonly seq: number | null;
  readonly dryRun: boolean;
}

/** How to apply. */
export interface ApplyOptions {
  /** Recorded with the transaction. */
  readonly command: readonly string[];
  /** Work out what would change, and commit nothing. */
  readonly dryRun?: boolean;
  /**
   * Asked, before the commit, to allow the changes that need consent (plugins added with
   * their grants, dynamic nodes replaced); it throws to refuse. Without it they are refused
   * (`ConsentNeeded`).
   */
  readonly consent?: (changes: readonly AppliedDocument[]) => Promise<void>;
}

/** A document with the host files it names read (a copy's only looked at: its size). */
type Loaded =
  | Doc<"mkdir">
  | Doc<"copy"> & { size: number }
  | Doc<"mknod"> & { configBytes: Uint8Array }
  | Doc<"plugin"> & { source: Uint8Array; module: PluginModule };

/** The documents of kind `K`. */
type Doc<K extends ApplyDocument["kind"]> = Extract<ApplyDocument, { kind: K }>;

/**
 * Applies `documents` (see `readDocuments`) to `pond` in one transaction: each in order, seeing
 * what those before it did, and each only where the pond differs. A `mkdir` of an existing
 * directory, a `copy` whose host file has the bytes (and asked-for type) of the file's newest
 * version, a `mknod` whose plugin, kind and config (compared as values) are those of the node
 * already there, and a `plugin` whose source is installed, change nothing; so applying a file
 * again commits nothing. A `mknod` at a dynamic node with another plugin or config replaces it
 * (the old one stays readable as of earlier transactions). `mknod` and `plugin` go through
 * `makeDynamic` and `addPlugin`, which join the transaction; a mknod may use a plugin a
 * document before it adds.
 *
 * The host files are looked at first, then the documents are applied once without
 * committing and without storing large copies (the plan, which a dry run returns), then
 * for real. Any document that cannot be applied is a `DocumentError` naming it and its
 * field, and nothing is committed.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 * import { documentSource, readDocuments } from "./apply_documents.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const source = documentSource("setup.yaml");
 * const documents = await readDocuments(await Deno.readTextFile("setup.yaml"), source);
 * const { documents: done, seq } = await applyDocuments(pond, documents, source, {
 *   command: Deno.args,
 *   consent: async (changes) => console.log(changes.map((c) => c.detail)),
 * });
 * ```
 */
export async function applyDocuments(
  pond: Pond,
  documents: readonly ApplyDocument[],
  source: DocumentSource,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const loaded: Loaded[] = [];
  for (const doc of documents) loaded.push(await load(doc, source));
  const plugins = loaded.flatMap((d) => d.kind === "plugin" ? [d.module] : []);
  const run = (plan: boolean, check: (done: AppliedDocument[]) => void) =>
    pond.transact(options.command, async (root) => {
      const done: AppliedDocument[] = [];
      for (const doc of loaded) done.push(await applyOne(pond, root, doc, source, options, plan));
      check(done);
      return done;
    }, { plugins });
  let planned: AppliedDocument[] = [];
  try {
    await run(true, (done) => {
      throw new DryRun(done);
    });
  } catch (e) {
    if (!(e instanceof DryRun)) throw e;
    planned = e.documents;
  }
  if (options.dryRun || planned.every((d) => d.action === "unchanged")) {
    return { documents: planned, seq: null, dryRun: Boolean(options.dryRun) };
  }
  const asked = planned.filter((d) => d.consent);
  if (asked.length > 0) {
    if (!options.consent) {
      throw new PondError(
        "ConsentNeeded",
        `applying this needs consent to ${asked.map((d) => d.detail).join("; ")}`,
      );
    }
    await options.consent(asked);
  }
  const consented = new Set(asked.map((d) => `${d.index} ${d.detail}`));
  const { result, seq } = await run(false, (done) => {
    const unasked = done.filter((d) => d.consent && !consented.has(`${d.index} ${d.detail}`));
    if (unasked.length > 0) {
      throw new PondError(
        "ConsentNeeded",
        `the pond changed meanwhile, and applying this now needs consent to ${
          unasked.map((d) => d.detail).join("; ")
        }; run it again`,
      );
    }
  });
  return { documents: result, seq, dryRun: false };
}

/** Ends the plan's transaction, so it commits nothing, carrying what it would have done. */
class DryRun extends Error {
  constructor(readonly documents: AppliedDocument[]) {
    super("dry run");
  }
}

/** `doc` with the host files it names read, a plugin's source loaded with the grants given. */
async function load(doc: ApplyDocument, source: DocumentSource): Promise<Loaded> {
  const read = async (path: string, field: string) => {
    try {
      return (await readHostFile(path)).bytes;
    } catch (e) {
      throw documentError(doc, source, field, e);
    }
  };
  switch (doc.kind) {
    case "mkdir":
      return doc;
    case "copy": {
      const from = `${HOST_PREFIX}${doc.from}`;
      let info: Deno.FileInfo;
      try {
        info = await Deno.stat(doc.from);
      } catch (e) {
        throw documentError(doc, source, "from", hostError(e, "read", from));
      }
      if (!info.isFile) {
        const problem = new PondError("NotAFile", `${from} is not a file; a copy takes one file`);
        throw documentError(doc, source, "from", problem);
      }
      return { ...doc, size: info.size };
    }
    case "mknod": {
      const configBytes = "text" in doc.config
        ? new TextEncoder().encode(doc.config.text)
        : await read(doc.config.file, "config_file");
      return { ...doc, configBytes };
    }
    case "plugin": {
      const bytes = await read(doc.from, "from");
      let module: PluginModule;
      try {
        module = await loadPlugin(bytes, {
          grants: doc.grants,
          label: `${HOST_PREFIX}${doc.from}`,
        });
      } catch (e) {
        const field = isPondError(e, "PermissionNotGranted") ? "grants.net" : "from";
        throw documentError(doc, source, field, e);
      }
      return { ...doc, source: bytes, module };
    }
  }
}

async function applyOne(
  pond: Pond,
  root: WD,
  doc: Loaded,
  source: DocumentSource,
  options: ApplyOptions,
  plan: boolean,
): Promise<AppliedDocument> {
  try {
    switch (doc.kind) {
      case "mkdir":
        return await mkdir(root, doc);
      case "copy":
        return await copyIn(root, doc, plan);
      case "mknod":
        return await mknod(pond, root, doc, options.command);
      case "plugin":
        return await plugin(pond, doc, options.command);
    }
  } catch (e) {
    if (!isPondError(e) || isTinyFsError(e, "Conflict") || e.code === "DamagedLog") throw e;
    const missingParent = isTinyFsError(e, "NotFound") && "parents" in doc && !doc.parents;
    const hinted = missingParent
      ? new PondError("NotFound", `${e.message}; add parents: true to make it too`, { cause: e })
      : e;
    throw documentError(doc, source, faultyField(doc, hinted), hinted);
  }
}

async function mkdir(
  root: WD,
  doc: Extract<Loaded, { kind: "mkdir" }>,
): Promise<AppliedDocument> {
  const there = await root.exists(doc.path) && (await root.open(doc.path)).kind === "directory";
  if (!there) await root.createDirectory(doc.path, { parents: doc.parents });
  return applied(doc, doc.path, there ? "unchanged" : "create", `make directory ${doc.path}`);
}

/**
 * Copies `doc`'s host file in unless the newest version is the same; a plan stores no copy of
 * a large file (it would leave an unreferenced blob behind).
 */
async function copyIn(
  root: WD,
  doc: Extract<Loaded, { kind: "copy" }>,
  plan: boolean,
): Promise<AppliedDocument> {
  const from = `${HOST_PREFIX}${doc.from}`;
  const node = await root.exists(doc.path) ? await root.open(doc.path) : undefined;
  if (node?.kind === "directory") {
    throw new PondError(
      "IsADirectory",
      `${doc.path} is a directory; name the file to copy to (${doc.path.replace(/\/*$/, "/")}NAME)`,
    );
  }
  const detail = `copy ${from} to ${doc.path}`;
  if (node && await sameFile(root, doc, node.entryType)) {
    return applied(doc, doc.path, "unchanged", detail);
  }
  if (!plan || doc.size < INLINE_LIMIT) {
    await copy(root, [endpoint(from)], endpoint(doc.path), { entryType: doc.type });
  }
  return applied(doc, doc.path, node ? "update" : "create", detail);
}

/** Whether the newest version of the stored file at `doc.path` is the host file, of the type asked. */
async function sameFile(
  root: WD,
  doc: Extract<Loaded, { kind: "copy" }>,
  entryType: string,
): Promise<boolean> {
  const stored = entryType === "file:data" || entryType === "file:table" ||
    entryType === "file:series";
  if (!stored || (doc.type !== undefined && doc.type !== entryType)) return false;
  const meta = await root.metadata(doc.path);
  if (doc.size !== meta.size) return false;
  const [ours, theirs] = await Promise.all([
    root.read(doc.path, { version: meta.version }),
    Deno.readFile(doc.from),
  ]);
  return isDeepStrictEqual(ours, theirs);
}

async function mknod(
  pond: Pond,
  root: WD,
  doc: Extract<Loaded, { kind: "mknod" }>,
  command: readonly string[],
): Promise<AppliedDocument> {
  if (await isCollector(root, doc.plugin)) return await collector(root, doc);
  const kind = doc.file === undefined ? undefined : doc.file ? "file" : "directory";
  const existing = await dynamicAt(root, doc.path);
  const of = `of plugin ${doc.plugin}`;
  if (
    existing && existing.use.plugin === doc.plugin &&
    (kind === undefined ||
      kind === (existing.use.kind === "pattern" ? "directory" : existing.use.kind)) &&
    await sameConfig(existing.config, doc.configBytes)
  ) {
    return applied(doc, doc.path, "unchanged", `make ${useText(existing.use.kind)} ${of}`);
  }
  let made: MadeDynamic;
  try {
    made = await makeDynamic(pond, doc.plugin, doc.path, doc.configBytes, {
      parents: doc.parents,
      replace: existing !== undefined,
      kind,
      command,
    });
  } catch (e) {
    if (!isPondError(e, "KindNeeded")) throw e;
    throw new PondError(
      "KindNeeded",
      `plugin ${doc.plugin} provides both a dynamic directory and a dynamic file; ` +
        "choose one with file: true or file: false",
    );
  }
  const what = `${useText(made.made.kind)} ${of}`;
  if (!existing) return applied(doc, doc.path, "create", `make ${what}`);
  const old = existing.use;
  const why = old.plugin === doc.plugin ? " (its config differs)" : "";
  return applied(
    doc,
    doc.path,
    "replace",
    `replace ${useText(old.kind)} of plugin ${old.plugin} at ${doc.path} with ${what}${why}`,
    true,
  );
}

/** Whether `plugin` (built in, installed, or added earlier in the setup file) is a collector. */
async function isCollector(root: WD, plugin: string): Promise<boolean> {
  return (await listPlugins(root)).some((p) =>
    p.name === plugin && p.provides.includes("collector")
  );
}

/**
 * A `mknod` of a collector: its node made (or replaced) granted the hosts its config reaches,
 * which, like a plugin's grants, needs consent; the same plugin, config and hosts there already
 * is unchanged.
 */
async function collector(
  root: WD,
  doc: Extract<Loaded, { kind: "mknod" }>,
): Promise<AppliedDocument> {
  if (doc.file === false) {
    throw new PondError(
      "KindNotProvided",
      `plugin ${doc.plugin} is a collector: its node is a file (drop file: false)`,
    );
  }
  const net = await collectorHosts(root, doc.plugin, doc.configBytes);
  const { made, replaced, unchanged } = await createCollector(
    root,
    doc.plugin,
    doc.path,
    doc.configBytes,
    {
      net,
      parents: doc.parents,
      replace: true,
    },
  );
  const what = `a collector of plugin ${doc.plugin} reaching ${net.join(", ") || "no host"}`;
  if (unchanged) return applied(doc, made.path, "unchanged", `make ${what}`);
  if (!replaced) return applied(doc, made.path, "create", `make ${what}`, true);
  return applied(
    doc,
    made.path,
    "replace",
    `replace ${useText(replaced.kind)} of plugin ${replaced.plugin} at ${made.path} with ${what}`,
    true,
  );
}

/** A kind of dynamic node in words. */
function useText(kind: PluginUse["kind"]): string {
  return kind === "pattern" ? "a dynamic directory at every match" : `a dynamic ${kind}`;
}

/** The dynamic node stored at `path`, or the registration of the pattern `path`, with its config. */
async function dynamicAt(
  root: WD,
  path: string,
): Promise<{ use: PluginUse; config: Uint8Array } | undefined> {
  if (isPattern(path)) {
    const spelled = path.replace(/\/+/g, "/").replace(/(.)\/$/, "$1");
    const r = (await root.registrations()).find((r) => r.pattern === spelled);
    return r && { use: { plugin: r.factory, kind: "pattern", path: r.pattern }, config: r.config };
  }
  let node;
  try {
    node = await root.open(path, { follow: false });
  } catch (e) {
    if (isTinyFsError(e, "NotFound") || isTinyFsError(e, "NotADirectory")) return undefined;
    throw e;
  }
  const [use, spec] = await Promise.all([storedUse(node), node.dynamic()]);
  return use && spec && { use, config: spec.config };
}

/** Whether two configs (YAML or JSON) hold the same values, however they are written. */
async function sameConfig(a: Uint8Array, b: Uint8Array): Promise<boolean> {
  const { parse } = await import("yaml");
  const text = new TextDecoder();
  try {
    return isDeepStrictEqual(parse(text.decode(a)) ?? {}, parse(text.decode(b)) ?? {});
  } catch {
    return false; // makeDynamic names what is wrong with the new one
  }
}

async function plugin(
  pond: Pond,
  doc: Extract<Loaded, { kind: "plugin" }>,
  command: readonly string[],
): Promise<AppliedDocument> {
  const { addition } = await addPlugin(pond, doc.source, {
    label: `${HOST_PREFIX}${doc.from}`,
    grants: doc.grants,
    command,
  });
  const { name, version, permissions } = doc.module.manifest;
  const net = permissions.net.length ? ` with network access to ${permissions.net.join(", ")}` : "";
  if (addition.unchanged) {
    return applied(doc, name, "unchanged", `add plugin ${name} ${version}`);
  }
  const replaces = addition.replaces?.manifest.version;
  return applied(
    doc,
    name,
    replaces === undefined ? "create" : "update",
    `add plugin ${name} ${version}${net}${
      replaces === undefined ? "" : ` (replacing ${replaces})`
    }`,
    true,
  );
}

function applied(
  doc: Loaded,
  path: string,
  action: ApplyAction,
  detail: string,
  consent = false,
): AppliedDocument {
  return { index: doc.index, kind: doc.kind, path, action, detail, consent };
}

/** The field of `doc` an error in applying it is about, by its code. */
function faultyField(doc: Loaded, e: PondError): string | undefined {
  const code = e.code;
  if (doc.kind === "mknod") {
    if (code === "PluginNotFound" || code === "KindNotProvided") return "plugin";
    if (code === "KindNeeded" || code === "PatternFile") return "file";
    if (code === "InvalidConfig") return "text" in doc.config ? "config" : "config_file";
    if (code === "UnknownField" || code === "MissingField") return "config";
    return "path";
  }
  if (doc.kind === "plugin") return "from";
  if (doc.kind === "copy") {
    const message = e.message;
    if (message.includes(`${HOST_PREFIX}${doc.from}`)) return "from";
    if (code === "InvalidSeries" || code === "InvalidTable") return "type";
  }
  return "path";
}

function documentError(
  doc: ApplyDocument,
  source: DocumentSource,
  field: string | undefined,
  e: unknown,
): DocumentError {
  const path = doc.kind === "plugin" ? `${HOST_PREFIX}${doc.from}` : doc.path;
  const message = e instanceof Error ? e.message : String(e);
  return new DocumentError(
    source.label,
    doc.index,
    { line: doc.line, kind: doc.kind, path },
    field,
    message.replace(/; nothing (was applied|changed)$/, ""),
    { cause: e },
  );
}
