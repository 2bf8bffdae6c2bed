/** Checking every oplog row: bodies against their hashes, blobs chunk by chunk, each node's versions complete, and directory listings that decode and point at stored nodes. */
import { parquetMetadataAsync } from "hyparquet";
import type { AddFile, Snapshot, Store } from "../delta/mod.ts";
import { dataFilePath } from "../delta/mod.ts";
import { isPondError } from "../errors.ts";
import {
  BLOB_CHUNK,
  type BlobStore,
  bytesAsBuffer,
  decodeChanges,
  type OplogRow,
  timeColumn,
} from "../oplog/mod.ts";
import {
  applyChanges,
  type DirEntry,
  type EntryChange,
  type EntryType,
  isDynamic,
  kindOf,
  type NodeKind,
  ROOT_KEY,
} from "../tinyfs/mod.ts";
import { error, type Finding, type FindingCode, reason } from "./check_findings.ts";
import { OPLOG_SUBJECT } from "./check_log.ts";
import { oplogRows } from "./check_scan.ts";

const ENTRY_TYPES = new Set<string>([
  "directory",
  "directory:dynamic",
  "symlink",
  "file:data",
  "file:table",
  "file:series",
  "file:dynamic",
]);
const HASH = /^[0-9a-f]{64}$/;
const HASH_BYTES = 32;
const RESTORE = "restore the pond from a backup";
/** The blob store's read errors: `blob <hash> <what> (<file>); run \`pond check\`` — the check names the file itself. */
const BLOB_STORE_MESSAGE = /^blob [0-9a-f]{64} (.*) \([^()]*\)(?:; run `pond check`)?$/;

/** What the row check counted, and the blobs the rows use. */
export interface RowsReport {
  rows: number;
  nodes: number;
  blobs: number;
  blobBytes: number;
  /** The hashes of the blobs the rows refer to. */
  referencedBlobs: Set<string>;
}

/** What a row check needs. */
export interface RowsInput {
  store: Store;
  snapshot: Snapshot;
  /** The live files whose footers read (see `checkDataFiles`). */
  files: AddFile[];
  /** The version that added each data file with new rows, by decoded path. */
  addedAt: ReadonlyMap<string, number>;
  blobs: BlobStore;
  findings: Finding[];
}

/** One version of one node as the check keeps it. */
interface Stored {
  version: number;
  seq: number;
  kind: NodeKind | undefined;
  file: string;
}

/** A row of a plain directory, kept to rebuild its listings. */
interface DirectoryRow {
  version: number;
  seq: number;
  size: number;
  base: number | null;
  entries: Uint8Array | null;
}

/** A problem of one node version, named by path once the listings are read. */
interface RowProblem {
  code: FindingCode;
  key: string;
  text: string;
}

/** Where a node was last seen: in which directory, under which name. */
interface Placement {
  parent: string;
  name: string;
  seq: number;
}

/** A table or series version, whose body must read as Parquet. */
interface ParquetBody {
  key: string;
  text: string;
  kind: "table" | "series";
  content: Uint8Array | null;
  blob: string | null;
}

/** A blob and the node versions that use it. */
interface BlobUse {
  size: number;
  chunks: Uint8Array;
  users: { key: string; version: number }[];
}

const keyOf = (partId: string, nodeId: string) => `${partId}/${nodeId}`;
const ROOT = keyOf(ROOT_KEY.partId, ROOT_KEY.nodeId);

/**
 * Reads every row of `files` and checks it, adding findings: inline bodies match their hash
 * and size; blob bodies exist and match every chunk hash and the whole hash; each node's
 * versions run 1..n with rising seqs, each seq at or before the log's version (and equal to
 * the version of the commit that added the row); directory rows decode through their
 * skip-delta chain, count their entries, and every entry they add names a node that has a
 * version in the named partition at or before the directory's seq. The checks across rows
 * (versions, listings) run only when every live file was read: a lost file would otherwise
 * be reported again through each of its consequences.
 *
 * @example
 * ```ts
 * async function example(input: RowsInput) {
 *   const rows = await checkRows(input);
 *   console.log(`${rows.rows} rows, ${rows.blobs} blobs`);
 * }
 * ```
 */
export async function checkRows(input: RowsInput): Promise<RowsReport> {
  const nodes = new Map<string, Stored[]>();
  const directories = new Map<string, DirectoryRow[]>();
  const blobs = new Map<string, BlobUse>();
  const parquet: ParquetBody[] = [];
  const problems: RowProblem[] = [];
  const report: RowsReport = {
    rows: 0,
    nodes: 0,
    blobs: 0,
    blobBytes: 0,
    referencedBlobs: new Set(),
  };
  let unreadable = false;
  for (const file of input.files) {
    const path = dataFilePath(input.store, file.path);
    const where = `${OPLOG_SUBJECT}${path}`;
    try {
      for await (const rows of oplogRows(input.store, input.snapshot, file)) {
        for (const row of rows) {
          report.rows++;
          const note = (code: FindingCode, text: string) =>
            problems.push({
              code,
              key: keyOf(row.part_id, row.node_id),
              text: `version ${row.version} (transaction ${row.seq}, in ${where}) ${text}`,
            });
          await checkRow(row, input, input.addedAt.get(path), note);
          const key = keyOf(row.part_id, row.node_id);
          const kind = ENTRY_TYPES.has(row.entry_type)
            ? kindOf(row.entry_type as EntryType)
            : undefined;
          push(nodes, key, { version: row.version, seq: row.seq, kind, file: where });
          if (row.entry_type === "directory") {
            push(directories, key, {
              version: row.version,
              seq: row.seq,
              size: row.size,
              base: row.dir_base,
              entries: row.entries,
            });
          }
          if (row.entry_type === "file:table" || row.entry_type === "file:series") {
            parquet.push({
              key,
              text: `version ${row.version} (transaction ${row.seq}, in ${where})`,
              kind: row.entry_type === "file:table" ? "table" : "series",
              content: row.blob_chunks === null ? row.content ?? new Uint8Array() : null,
              blob: row.blob_chunks === null ? null : row.hash,
            });
          }
          if (row.blob_chunks !== null && row.hash !== null && HASH.test(row.hash)) {
            const use = blobs.get(row.hash) ??
              { size: row.size, chunks: row.blob_chunks, users: [] };
            use.users.push({ key, version: row.version });
            blobs.set(row.hash, use);
          }
        }
      }
    } catch (e) {
      unreadable = true;
      input.findings.push(error(
        "CorruptDataFile",
        where,
        `its rows do not read (${reason(e)}); restore it from a backup of the pond`,
      ));
    }
  }
  report.nodes = nodes.size;
  const placements = new Map<string, Placement>();
  if (input.files.length === input.snapshot.files().length && !unreadable) {
    checkVersions(nodes, problems);
    checkDirectories(directories, nodes, placements, problems);
  }
  const name = namer(placements);
  for (const p of problems) {
    input.findings.push(error(p.code, name(p.key), `${p.text}; ${RESTORE}`));
  }
  const damagedBlobs = new Set<string>();
  for (const [hash, use] of blobs) {
    report.referencedBlobs.add(hash);
    const failure = await verifyBlob(input.blobs, hash, use);
    report.blobs++;
    report.blobBytes += use.size;
    if (failure === undefined) continue;
    damagedBlobs.add(hash);
    const user = use.users[0];
    const others = use.users.length > 1 ? ` and ${use.users.length - 1} more versions` : "";
    const held = `${failure.text}; it holds version ${user.version} of ${name(user.key)}${others}`;
    input.findings.push(
      failure.code === "MissingBlob"
        ? error(
          failure.code,
          `blobs/${hash.slice(0, 2)}/${hash}`,
          `${held}; copy the original into the pond again, or restore the pond from a backup`,
        )
        : error(
          failure.code,
          `blobs/${hash.slice(0, 2)}/${hash}`,
          `${held}; \`pond check --repair\` moves it aside, so that copying the original into the pond again stores it afresh; or restore the pond from a backup`,
          () => setBlobAside(input.blobs, hash),
        ),
    );
  }
  for (const body of parquet) {
    if (body.blob !== null && (damagedBlobs.has(body.blob) || !blobs.has(body.blob))) continue;
    const why = await parquetProblem(input.blobs, body, blobs);
    if (why === undefined) continue;
    input.findings.push(error(
      "NotParquet",
      name(body.key),
      `${body.text} is a file:${body.kind} whose body ${why}, so it cannot be read as rows; copy the original again, or restore the pond from a backup`,
    ));
  }
  return report;
}

/** Why a table or series body does not read as one, or undefined when it does. */
async function parquetProblem(
  store: BlobStore,
  body: ParquetBody,
  blobs: Map<string, BlobUse>,
): Promise<string | undefined> {
  const file = body.content !== null
    ? bytesAsBuffer(body.content)
    : store.byteRanges({ hash: body.blob!, ...blobs.get(body.blob!)! });
  let metadata;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    return `is not Parquet (${reason(e)})`;
  }
  if (body.kind === "series" && timeColumn(metadata) === undefined) {
    return "has no timestamp column";
  }
  return undefined;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The checks of one row on its own. */
async function checkRow(
  row: OplogRow,
  input: RowsInput,
  addedAt: number | undefined,
  note: (code: FindingCode, text: string) => void,
): Promise<void> {
  const head = input.snapshot.version;
  if (row.seq > head) note("BadRow", `is dated after the log's newest version ${head}`);
  if (addedAt !== undefined && row.seq !== addedAt) {
    note("SeqMismatch", `was committed by version ${addedAt} of the log`);
  }
  if (!ENTRY_TYPES.has(row.entry_type)) {
    note("BadRow", `has an unknown entry type ${JSON.stringify(row.entry_type)}`);
    return;
  }
  const kind = kindOf(row.entry_type as EntryType);
  const ownPartition = row.part_id === row.node_id;
  if (kind === "directory" ? !ownPartition : ownPartition) {
    note("BadRow", `is a ${kind} stored in partition ${row.part_id}, against the layout`);
  }
  if (isDynamic(row.entry_type as EntryType)) {
    if (row.factory === null) note("BadRow", `is a dynamic ${kind} without a factory`);
  } else if (kind === "file") await checkBody(row, note);
  else if (kind === "symlink") {
    if (row.target === null) note("BadRow", "is a symlink without a target");
    else if (new TextEncoder().encode(row.target).length !== row.size) {
      note("BadRow", `is a symlink whose size ${row.size} is not its target's length`);
    }
  } else if (row.entry_type === "directory" && row.entries === null) {
    note("BadDirectory", "is a directory without entries");
  }
}

/** A file row's body: inline and matching its hash, or a well-formed blob reference. */
async function checkBody(
  row: OplogRow,
  note: (code: FindingCode, text: string) => void,
): Promise<void> {
  if (row.hash === null || !HASH.test(row.hash)) {
    note("BadRow", `has no valid hash (${JSON.stringify(row.hash)})`);
    return;
  }
  if (row.blob_chunks !== null) {
    const chunks = Math.max(1, Math.ceil(row.size / BLOB_CHUNK));
    if (row.blob_chunks.length !== chunks * HASH_BYTES) {
      note(
        "BadRow",
        `lists ${
          row.blob_chunks.length / HASH_BYTES
        } chunk hashes for a ${row.size}-byte body, which has ${chunks} chunks`,
      );
    }
    return;
  }
  const content = row.content ?? new Uint8Array();
  if (await sha256(content) !== row.hash) {
    note("HashMismatch", "does not match its hash: its bytes are damaged");
  } else if (content.length !== row.size) {
    note("BadRow", `holds ${content.length} bytes but says ${row.size}`);
  }
}

/** Each node's versions run 1..n, once each, written by rising transactions. */
function checkVersions(nodes: Map<string, Stored[]>, problems: RowProblem[]): void {
  if (!nodes.has(ROOT)) {
    problems.push({ code: "MissingRoot", key: ROOT, text: "the root directory has no version" });
  }
  for (const [key, versions] of nodes) {
    versions.sort((a, b) => a.version - b.version || a.seq - b.seq);
    for (let i = 0; i < versions.length; i++) {
      const v = versions[i];
      const previous = versions[i - 1];
      if (previous?.version === v.version) {
        problems.push({
          code: "DuplicateVersion",
          key,
          text: `version ${v.version} is stored twice (in ${previous.file} and ${v.file})`,
        });
      } else if (v.version !== (previous?.version ?? 0) + 1) {
        problems.push({
          code: "MissingVersion",
          key,
          text: `version ${
            (previous?.version ?? 0) + 1
          } is missing (the next stored is ${v.version})`,
        });
      } else if (previous && v.seq <= previous.seq) {
        problems.push({
          code: "BadRow",
          key,
          text:
            `version ${v.version} (transaction ${v.seq}) is not newer than version ${previous.version} (transaction ${previous.seq})`,
        });
      }
    }
  }
}

/**
 * Rebuilds every listing of every plain directory through its skip-delta chain, keeping a
 * listing only while later versions still use it as their base. Checks each version's entry
 * count, that removals name present entries, and that each entry added points at a stored
 * node of the same kind with a version at or before the directory's. Records where each
 * node was last placed, to name it.
 */
function checkDirectories(
  directories: Map<string, DirectoryRow[]>,
  nodes: Map<string, Stored[]>,
  placements: Map<string, Placement>,
  problems: RowProblem[],
): void {
  for (const [dir, rows] of directories) {
    rows.sort((a, b) => a.version - b.version);
    const uses = new Map<number, number>();
    for (const r of rows) if (r.base !== null) uses.set(r.base, (uses.get(r.base) ?? 0) + 1);
    const kept = new Map<number, Map<string, DirEntry>>();
    for (const row of rows) {
      const bad = (text: string) =>
        problems.push({ code: "BadDirectory", key: dir, text: `version ${row.version} ${text}` });
      let listing: Map<string, DirEntry> | undefined = new Map();
      if (row.base !== null) {
        const base = kept.get(row.base);
        listing = base && row.base < row.version ? new Map(base) : undefined;
        const left = (uses.get(row.base) ?? 1) - 1;
        uses.set(row.base, left);
        if (left === 0) kept.delete(row.base);
        if (!listing) {
          bad(`is stored as changes to version ${row.base}, which cannot be read`);
          continue;
        }
      }
      let changes: EntryChange[];
      try {
        changes = decodeChanges(row.entries ?? new Uint8Array());
      } catch (e) {
        bad(`has entries that do not decode (${reason(e)})`);
        continue;
      }
      for (const change of changes) {
        if (change.op === "del") {
          if (!listing.has(change.name)) {
            bad(`removes ${JSON.stringify(change.name)}, which version ${row.base} does not hold`);
          }
          continue;
        }
        const entry = change.entry;
        const target = keyOf(entry.partId, entry.nodeId);
        const stored = nodes.get(target);
        const first = stored?.find((s) => s.seq <= row.seq);
        if (!first) {
          problems.push({
            code: "DanglingEntry",
            key: dir,
            text: `version ${row.version} (transaction ${row.seq}) names ${
              JSON.stringify(entry.name)
            } → node ${entry.nodeId} in partition ${entry.partId}, which has no version at or before that transaction`,
          });
        } else if (
          ENTRY_TYPES.has(entry.entryType) && kindOf(entry.entryType) !== first.kind
        ) {
          bad(
            `names ${JSON.stringify(entry.name)} a ${
              kindOf(entry.entryType)
            }, but node ${entry.nodeId} is a ${first.kind}`,
          );
        }
        const placed = placements.get(target);
        if (!placed || placed.seq <= row.seq) {
          placements.set(target, { parent: dir, name: entry.name, seq: row.seq });
        }
      }
      applyChanges(listing, changes);
      if (listing.size !== row.size) {
        bad(`holds ${listing.size} entries but says ${row.size}`);
      }
      if (uses.get(row.version)) kept.set(row.version, listing);
    }
  }
}

/** Names a node by the path it was last seen at, with its id. */
function namer(placements: Map<string, Placement>): (key: string) => string {
  const pathOf = (key: string): string | undefined => {
    const parts: string[] = [];
    for (let at = key, depth = 0; at !== ROOT; depth++) {
      const placed = placements.get(at);
      if (!placed || depth > 4096) return undefined;
      parts.unshift(placed.name);
      at = placed.parent;
    }
    return "/" + parts.join("/");
  };
  return (key) => {
    const path = pathOf(key);
    const id = key.slice(key.indexOf("/") + 1);
    return path === undefined ? `node ${id}` : `${path} (node ${id})`;
  };
}

/**
 * Renames a damaged blob to `<hash>.damaged-<ms>` beside it (never deleted): the next put of
 * its body finds no blob of that name and stores it afresh, since a put checks only sizes.
 */
async function setBlobAside(blobs: BlobStore, hash: string): Promise<string> {
  const path = blobs.pathOf(hash);
  const aside = `${hash}.damaged-${Date.now()}`;
  await Deno.rename(path, `${path.slice(0, path.lastIndexOf("/"))}/${aside}`);
  return `moved aside as blobs/${
    hash.slice(0, 2)
  }/${aside}: copy the original into the pond again to store it afresh`;
}

/** Reads a blob through the blob store (which checks each chunk) and checks the whole hash. */
async function verifyBlob(
  store: BlobStore,
  hash: string,
  use: BlobUse,
): Promise<{ code: FindingCode; text: string } | undefined> {
  const { createHash } = await import("node:crypto");
  const whole = createHash("sha256");
  try {
    for await (const chunk of store.stream({ hash, size: use.size, chunks: use.chunks })) {
      whole.update(chunk);
    }
  } catch (e) {
    const code = isPondError(e, "MissingBlob") ? "MissingBlob" : "CorruptBlob";
    const text = reason(e);
    return { code, text: BLOB_STORE_MESSAGE.exec(text)?.[1] ?? text };
  }
  if (whole.digest("hex") !== hash) {
    return { code: "CorruptBlob", text: "does not match its name" };
  }
  return undefined;
}

/** The SHA-256 of `bytes`, in hex (node:crypto loads with the first check that hashes). */
async function sha256(bytes: Uint8Array): Promise<string> {
  const { createHash } = await import("node:crypto");
  return createHash("sha256").update(bytes).digest("hex");
}
