/** The typed actions of the Delta log, parsed from and serialized to one JSON line each. */

import { DeltaError } from "./errors.ts";

/** `protocol`: the reader/writer versions and table features a client must implement. */
export interface Protocol {
  minReaderVersion: number;
  minWriterVersion: number;
  /** Only at reader version 3. */
  readerFeatures?: string[];
  /** Only at writer version 7. */
  writerFeatures?: string[];
}

/** `metaData.format`: the data file format (always `parquet`). */
export interface Format {
  provider: string;
  options?: Record<string, string>;
}

/** `metaData`: the table's identity, schema, partitioning and configuration. */
export interface Metadata {
  id: string;
  name?: string | null;
  description?: string | null;
  format: Format;
  /** The schema as Delta schema JSON (parse it with `parseSchema`). */
  schemaString: string;
  partitionColumns: string[];
  createdTime?: number | null;
  configuration: Record<string, string>;
}

/** A deletion vector descriptor (`add.deletionVector`, `remove.deletionVector`). */
export interface DeletionVectorDescriptor {
  /** `u` (relative path from a UUID), `i` (inline), `p` (absolute path). */
  storageType: string;
  pathOrInlineDv: string;
  /** Byte offset of the DV in its file (absent for inline DVs). */
  offset?: number | null;
  sizeInBytes: number;
  cardinality: number;
  maxRowIndex?: number | null;
}

/** `add`: a data file that is part of the table from this version on. */
export interface AddFile {
  /** URI-encoded path relative to the table root (or an absolute URI). */
  path: string;
  /** Partition values as strings; `null` means a null value. */
  partitionValues: Record<string, string | null>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  /** JSON string `{numRecords, minValues, maxValues, nullCount, tightBounds?}`. */
  stats?: string | null;
  tags?: Record<string, string | null> | null;
  deletionVector?: DeletionVectorDescriptor | null;
  baseRowId?: number | null;
  defaultRowCommitVersion?: number | null;
  clusteringProvider?: string | null;
}

/** `remove`: a data file that is no longer part of the table (a tombstone). */
export interface RemoveFile {
  path: string;
  deletionTimestamp?: number | null;
  dataChange: boolean;
  extendedFileMetadata?: boolean | null;
  partitionValues?: Record<string, string | null> | null;
  size?: number | null;
  stats?: string | null;
  tags?: Record<string, string | null> | null;
  deletionVector?: DeletionVectorDescriptor | null;
  baseRowId?: number | null;
  defaultRowCommitVersion?: number | null;
}

/** `txn`: the latest version an application committed (for idempotent writes). */
export interface Txn {
  appId: string;
  version: number;
  lastUpdated?: number | null;
}

/** `commitInfo`: free-form provenance; `timestamp`/`inCommitTimestamp` matter for time travel. */
export interface CommitInfo {
  timestamp?: number;
  inCommitTimestamp?: number;
  operation?: string;
  [key: string]: unknown;
}

/** `cdc`: a change-data file (not part of the table's data). */
export interface AddCdcFile {
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  dataChange: boolean;
  tags?: Record<string, string | null> | null;
}

/** `domainMetadata`: configuration of a named metadata domain. */
export interface DomainMetadata {
  domain: string;
  configuration: string;
  removed: boolean;
}

/** `checkpointMetadata`: the head of a v2 checkpoint. */
export interface CheckpointMetadata {
  version: number;
  tags?: Record<string, string> | null;
}

/** `sidecar`: a file in `_delta_log/_sidecars/` holding part of a v2 checkpoint's file actions. */
export interface Sidecar {
  path: string;
  sizeInBytes: number;
  modificationTime: number;
  tags?: Record<string, string> | null;
}

/** One action of the log, in the shape of its JSON line (`{"add": {...}}`). */
export type Action =
  | { protocol: Protocol }
  | { metaData: Metadata }
  | { add: AddFile }
  | { remove: RemoveFile }
  | { txn: Txn }
  | { commitInfo: CommitInfo }
  | { cdc: AddCdcFile }
  | { domainMetadata: DomainMetadata }
  | { checkpointMetadata: CheckpointMetadata }
  | { sidecar: Sidecar };

/** Where an action came from, for error messages: a log file and (for JSON) a 1-based line. */
export interface ActionSource {
  file: string;
  line?: number;
}

type Obj = Record<string, unknown>;

/** Reads typed fields of one action object, throwing `CorruptLog` naming the source on a bad one. */
class Fields {
  constructor(readonly obj: Obj, readonly action: string, readonly source: ActionSource) {}

  fail(field: string, want: string): never {
    const where = this.source.line === undefined
      ? this.source.file
      : `${this.source.file} line ${this.source.line}`;
    throw new DeltaError(
      "CorruptLog",
      `${where}: ${this.action}.${field} must be ${want}, got ${
        JSON.stringify(this.obj[field]) ?? "nothing"
      }`,
      { path: this.source.file },
    );
  }

  has(field: string): boolean {
    return this.obj[field] !== undefined && this.obj[field] !== null;
  }

  string(field: string): string {
    const v = this.obj[field];
    return typeof v === "string" ? v : this.fail(field, "a string");
  }

  number(field: string): number {
    const v = this.obj[field];
    return typeof v === "number" && Number.isFinite(v) ? v : this.fail(field, "a number");
  }

  boolean(field: string): boolean {
    const v = this.obj[field];
    return typeof v === "boolean" ? v : this.fail(field, "a boolean");
  }

  strings(field: string): string[] {
    const v = this.obj[field];
    return Array.isArray(v) && v.every((x) => typeof x === "string")
      ? v
      : this.fail(field, "an array of strings");
  }

  /** A string map whose values may be null (`partitionValues`, `tags`). */
  stringMap(field: string): Record<string, string | null> {
    const v = this.obj[field];
    if (isObject(v) && Object.values(v).every((x) => x === null || typeof x === "string")) {
      return v as Record<string, string | null>;
    }
    return this.fail(field, "an object of strings");
  }

  object(field: string): Obj {
    const v = this.obj[field];
    return isObject(v) ? v : this.fail(field, "an object");
  }

  optional<T>(field: string, read: (field: string) => T): T | undefined {
    return this.has(field) ? read.call(this, field) : undefined;
  }
}

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Copies only the defined entries of `o`, so optional fields absent from the log stay absent. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function deletionVector(f: Fields, field: string): DeletionVectorDescriptor {
  const d = new Fields(f.object(field), `${f.action}.${field}`, f.source);
  return compact({
    storageType: d.string("storageType"),
    pathOrInlineDv: d.string("pathOrInlineDv"),
    offset: d.optional("offset", d.number),
    sizeInBytes: d.number("sizeInBytes"),
    cardinality: d.number("cardinality"),
    maxRowIndex: d.optional("maxRowIndex", d.number),
  });
}

/**
 * Parsers of the known actions. Fields the protocol requires but that carry no table state
 * and that some writers (and checkpoints with null columns) leave out get neutral defaults:
 * `partitionValues` `{}`, `partitionColumns` `[]`, `modificationTime` 0, `dataChange` true
 * (false for `cdc`). Paths, sizes, versions and schemas stay required.
 */
const parsers: Record<string, (f: Fields) => Action> = {
  protocol: (f) => ({
    protocol: compact({
      minReaderVersion: f.number("minReaderVersion"),
      minWriterVersion: f.number("minWriterVersion"),
      readerFeatures: f.optional("readerFeatures", f.strings),
      writerFeatures: f.optional("writerFeatures", f.strings),
    }),
  }),
  metaData: (f) => {
    const format = new Fields(f.object("format"), "metaData.format", f.source);
    return {
      metaData: compact({
        id: f.string("id"),
        name: f.optional("name", f.string),
        description: f.optional("description", f.string),
        format: compact({
          provider: format.string("provider"),
          options: format.optional("options", format.stringMap) as
            | Record<string, string>
            | undefined,
        }),
        schemaString: f.string("schemaString"),
        partitionColumns: f.optional("partitionColumns", f.strings) ?? [],
        createdTime: f.optional("createdTime", f.number),
        configuration: (f.optional("configuration", f.stringMap) ?? {}) as Record<string, string>,
      }),
    };
  },
  add: (f) => ({
    add: compact({
      path: f.string("path"),
      partitionValues: f.optional("partitionValues", f.stringMap) ?? {},
      size: f.number("size"),
      modificationTime: f.optional("modificationTime", f.number) ?? 0,
      dataChange: f.optional("dataChange", f.boolean) ?? true,
      stats: f.optional("stats", f.string),
      tags: f.optional("tags", f.stringMap),
      deletionVector: f.has("deletionVector") ? deletionVector(f, "deletionVector") : undefined,
      baseRowId: f.optional("baseRowId", f.number),
      defaultRowCommitVersion: f.optional("defaultRowCommitVersion", f.number),
      clusteringProvider: f.optional("clusteringProvider", f.string),
    }),
  }),
  remove: (f) => ({
    remove: compact({
      path: f.string("path"),
      deletionTimestamp: f.optional("deletionTimestamp", f.number),
      dataChange: f.optional("dataChange", f.boolean) ?? true,
      extendedFileMetadata: f.optional("extendedFileMetadata", f.boolean),
      partitionValues: f.optional("partitionValues", f.stringMap),
      size: f.optional("size", f.number),
      stats: f.optional("stats", f.string),
      tags: f.optional("tags", f.stringMap),
      deletionVector: f.has("deletionVector") ? deletionVector(f, "deletionVector") : undefined,
      baseRowId: f.optional("baseRowId", f.number),
      defaultRowCommitVersion: f.optional("defaultRowCommitVersion", f.number),
    }),
  }),
  txn: (f) => ({
    txn: compact({
      appId: f.string("appId"),
      version: f.number("version"),
      lastUpdated: f.optional("lastUpdated", f.number),
    }),
  }),
  commitInfo: (f) => {
    if (f.has("timestamp")) f.number("timestamp");
    if (f.has("inCommitTimestamp")) f.number("inCommitTimestamp");
    return { commitInfo: f.obj as CommitInfo };
  },
  cdc: (f) => ({
    cdc: compact({
      path: f.string("path"),
      partitionValues: f.optional("partitionValues", f.stringMap) ?? {},
      size: f.number("size"),
      dataChange: f.optional("dataChange", f.boolean) ?? false,
      tags: f.optional("tags", f.stringMap),
    }),
  }),
  domainMetadata: (f) => ({
    domainMetadata: {
      domain: f.string("domain"),
      configuration: f.string("configuration"),
      removed: f.boolean("removed"),
    },
  }),
  checkpointMetadata: (f) => ({
    checkpointMetadata: compact({
      version: f.number("version"),
      tags: f.optional("tags", f.stringMap) as Record<string, string> | undefined,
    }),
  }),
  sidecar: (f) => ({
    sidecar: compact({
      path: f.string("path"),
      sizeInBytes: f.number("sizeInBytes"),
      modificationTime: f.number("modificationTime"),
      tags: f.optional("tags", f.stringMap) as Record<string, string> | undefined,
    }),
  }),
};

/**
 * Types one already-decoded action object (`{"add": {...}}`, or a checkpoint row with one
 * non-null action column). Returns `null` for actions the protocol does not define here
 * (they are ignored); throws `CorruptLog` naming `source` when a known action is malformed.
 *
 * @example
 * ```ts
 * const action = actionFromObject({ txn: { appId: "a", version: 3 } }, { file: "00000000000000000007.json", line: 2 });
 * ```
 */
export function actionFromObject(obj: Obj, source: ActionSource): Action | null {
  for (const [name, body] of Object.entries(obj)) {
    const parse = parsers[name];
    if (parse === undefined || body === null || body === undefined) continue;
    if (!isObject(body)) return new Fields(obj, "action", source).fail(name, "an object");
    return parse(new Fields(body, name, source));
  }
  return null;
}

/**
 * Parses one line of a commit file. Blank lines and unknown actions give `null`; unknown
 * fields are dropped; a line that is not a JSON object, or a known action missing a required
 * field, throws `CorruptLog` naming the file and line.
 *
 * @example
 * ```ts
 * const a = parseAction('{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}', { file: "_delta_log/00000000000000000000.json", line: 1 });
 * ```
 */
export function parseAction(line: string, source: ActionSource): Action | null {
  if (line.trim() === "") return null;
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (e) {
    const where = source.line === undefined ? source.file : `${source.file} line ${source.line}`;
    throw new DeltaError("CorruptLog", `${where} is not valid JSON: ${(e as Error).message}`, {
      path: source.file,
      cause: e,
    });
  }
  if (!isObject(obj)) {
    const where = source.line === undefined ? source.file : `${source.file} line ${source.line}`;
    throw new DeltaError("CorruptLog", `${where} is not a JSON object`, { path: source.file });
  }
  return actionFromObject(obj, source);
}

/**
 * The `commitInfo` field in which this writer records how many actions follow `commitInfo` in
 * the commit, so that a commit cut short at a line boundary — every line it kept still valid
 * JSON — is known for damaged.
 */
export const NUM_ACTIONS = "numActions";

/**
 * Parses a whole commit file (newline-delimited JSON), skipping unknown actions. A commit
 * always holds at least one action (every writer records `commitInfo`), so an empty or blank
 * file is `CorruptLog` too, and so is one holding fewer or more lines than its `commitInfo`
 * says ({@link NUM_ACTIONS}). Errors carry the commit's version when `file` is named like a
 * commit.
 *
 * @example
 * ```ts
 * const text = await Deno.readTextFile("/data/table/_delta_log/00000000000000000003.json");
 * const actions = parseCommit(text, "_delta_log/00000000000000000003.json");
 * ```
 */
export function parseCommit(text: string, file: string): Action[] {
  const version = /(\d{20})\.json$/.exec(file)?.[1];
  const details = { path: file, ...(version !== undefined && { version: Number(version) }) };
  const out: Action[] = [];
  const lines = text.split("\n");
  try {
    for (let i = 0; i < lines.length; i++) {
      const action = parseAction(lines[i], { file, line: i + 1 });
      if (action !== null) out.push(action);
    }
  } catch (e) {
    if (!(e instanceof DeltaError) || version === undefined) throw e;
    throw new DeltaError(e.code, e.message, { ...details, cause: e.cause });
  }
  if (text.trim() === "") {
    const what = text.length === 0 ? "is empty (0 bytes)" : "holds only blank lines";
    throw new DeltaError(
      "CorruptLog",
      `${file} ${what}: a commit holds at least one action, so the file is damaged`,
      details,
    );
  }
  const info = out.find((a): a is { commitInfo: CommitInfo } => "commitInfo" in a)?.commitInfo;
  const said = info?.[NUM_ACTIONS];
  const held = lines.filter((line) => line.trim() !== "").length - 1;
  if (typeof said === "number" && said !== held) {
    throw new DeltaError(
      "CorruptLog",
      `${file} holds ${held} actions after its commitInfo, which says ${said}: it was cut short or damaged`,
      details,
    );
  }
  return out;
}

/**
 * Decodes an action's URI-encoded `path` exactly once (`%253A` becomes `%3A`, not `:`).
 * A path that is not valid percent-encoding is returned as written.
 *
 * @example
 * ```ts
 * decodePath("ts=2021-09-08%2011%253A11%253A11/part-0.parquet"); // "ts=2021-09-08 11%3A11%3A11/part-0.parquet"
 * ```
 */
export function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Serializes one action to its JSON line (without the trailing newline).
 *
 * @example
 * ```ts
 * serializeAction({ txn: { appId: "a", version: 3 } }); // '{"txn":{"appId":"a","version":3}}'
 * ```
 */
export function serializeAction(action: Action): string {
  return JSON.stringify(action);
}

/**
 * Serializes actions to the content of a commit file: one JSON line each, `\n`-terminated.
 *
 * @example
 * ```ts
 * import { LocalStore, Table } from "./mod.ts";
 *
 * const store = new LocalStore("/data/table");
 * const snapshot = await new Table(store).snapshot();
 * const [add] = snapshot.files();
 * const text = serializeCommit([{ commitInfo: { timestamp: Date.now() } }, { add }]);
 * ```
 */
export function serializeCommit(actions: Action[]): string {
  return actions.map((a) => serializeAction(a) + "\n").join("");
}
