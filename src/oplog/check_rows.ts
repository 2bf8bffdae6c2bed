/** Checking every oplog row: bodies against their hashes, blobs chunk by chunk, each node's versions complete, and directory listings that decode and point at stored nodes — each problem a structured value. */
import { parquetMetadataAsync } from "hyparquet";
import type { AddFile, Snapshot, Store } from "../delta/mod.ts";
import { dataFilePath } from "../delta/mod.ts";
import { BLOB_CHUNK, type BlobFault, type BlobStore } from "./blob_store.ts";
import { bytesAsBuffer } from "./bytes_buffer.ts";
import { decodeChanges } from "./directory_codec.ts";
import { oplogRows } from "./row_scan.ts";
import type { OplogRow } from "./schema.ts";
import { timeColumn } from "./series_times.ts";
import { CRC_BYTES, HASH_BYTES } from "./verified_stream.ts";
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

/** What the row check counted, and the blobs the rows use. */
export interface RowsReport {
  rows: number;
  nodes: number;
  blobs: number;
  blobBytes: number;
  /** The hashes of the blobs the rows refer to. */
  referencedBlobs: Set<string>;
}

/** A node, by its id and, when the listings read, the path it was last seen at. */
export interface NodeName {
  id: string;
  path?: string;
}

/** One stored version of a node: its version, the transaction that wrote it, and its data file (relative to the table). */
export interface RowAt {
  version: number;
  seq: number;
  file: string;
}

/** The codes of {@link RowProblem}s. */
export type RowProblemCode =
  | "CorruptDataFile"
  | "BadRow"
  | "SeqMismatch"
  | "HashMismatch"
  | "MissingBlob"
  | "CorruptBlob"
  | "BadDirectory"
  | "DanglingEntry"
  | "DuplicateVersion"
  | "MissingVersion"
  | "MissingRoot"
  | "NotParquet";

/** One problem the row check found; `kind` says which details it carries. */
export type RowProblem =
  /** The rows of a data file (relative to the table) do not read. */
  | { kind: "unreadableFile"; code: "CorruptDataFile"; file: string; cause: unknown }
  /** One row on its own is wrong: `detail` says how (`does not match its hash: …`). */
  | {
    kind: "row";
    code: "BadRow" | "SeqMismatch" | "HashMismatch" | "BadDirectory";
    node: NodeName;
    at: RowAt;
    detail: string;
  }
  /** A version of a directory's listing does not rebuild: `detail` says how, `cause` why when an error said. */
  | {
    kind: "listing";
    code: "BadDirectory";
    node: NodeName;
    version: number;
    detail: string;
    cause?: unknown;
  }
  /** A directory version names `name` → `target`, which has no version at or before its transaction. */
  | {
    kind: "dangling";
    code: "DanglingEntry";
    node: NodeName;
    version: number;
    seq: number;
    name: string;
    target: { partId: string; nodeId: string };
  }
  /** A version stored twice, in `files` (relative to the table). */
  | {
    kind: "duplicate";
    code: "DuplicateVersion";
    node: NodeName;
    version: number;
    files: [string, string];
  }
  /** Version `version` is missing; `next` is the next stored. */
  | { kind: "missingVersion"; code: "MissingVersion"; node: NodeName; version: number; next: number }
  /** A version written by a transaction not newer than its previous version's. */
  | {
    kind: "order";
    code: "BadRow";
    node: NodeName;
    version: number;
    seq: number;
    previous: { version: number; seq: number };
  }
  /** The root directory has no version. */
  | { kind: "missingRoot"; code: "MissingRoot"; node: NodeName }
  /**
   * A blob (at `path` in the blob store) that is missing or damaged, with the first version
   * that uses it and how many others do. `setAside` (a damaged one) moves it aside (see
   * `BlobStore.setAside`) and returns its new path.
   */
  | {
    kind: "blob";
    code: "MissingBlob" | "CorruptBlob";
    hash: string;
    path: string;
    size: number;
    fault: BlobFault;
    user: { node: NodeName; version: number };
    others: number;
    setAside?: () => Promise<string>;
  }
  /** A `file:table` or `file:series` version whose body is not Parquet, or (a series) has no time column. */
  | {
    kind: "notParquet";
    code: "NotParquet";
    node: NodeName;
    at: RowAt;
    body: "table" | "series";
    why: { kind: "notParquet"; cause: unknown } | { kind: "noTime" };
  };

/** What a row check needs. */
export interface RowsInput {
  /** The oplog table. */
  store: Store;
  snapshot: Snapshot;
  /** The live files whose footers read (see `checkDataFiles`). */
  files: AddFile[];
  /** The version that added each data file with new rows, by decoded path. */
  addedAt: ReadonlyMap<string, number>;
  blobs: BlobStore;
  /** Called with each problem, in the order found. */
  problem: (problem: RowProblem) => void;
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

/** A problem of one node, made once the listings are read and the node can be named. */
interface Pending {
  key: string;
  make: (node: NodeName) => RowProblem;
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
  at: RowAt;
  kind: "table" | "series";
  content: Uint8Array | null;
  blob: string | null;
}

/** A node version that uses a blob, and the CRC-32s its row records for it (null: none). */
interface BlobUser {
  key: string;
  version: number;
  at: RowAt;
  crcs: Uint8Array | null;
}

/** A blob and the node versions that use it. */
interface BlobUse {
  size: number;
  chunks: Uint8Array;
  users: BlobUser[];
}

/** A row's own problem, before its node is named. */
type Note = (code: "BadRow" | "SeqMismatch" | "HashMismatch" | "BadDirectory", detail: string) => void;

const keyOf = (partId: string, nodeId: string) => `${partId}/${nodeId}`;
const ROOT = keyOf(ROOT_KEY.partId, ROOT_KEY.nodeId);

/**
 * Reads every row of `files` and checks it, reporting each problem: inline bodies match their
 * hash and size; blob bodies exist and match every chunk hash, every chunk CRC-32 their rows
 * record, and the whole hash; each node's versions run 1..n with rising seqs, each seq at or
 * before the log's version (and equal to the version of the commit that added the row);
 * directory rows decode through their
 * skip-delta chain, count their entries, and every entry they add names a node that has a
 * version in the named partition at or before the directory's seq. The checks across rows
 * (versions, listings) run only when every live file was read: a lost file would otherwise
 * be reported again through each of its consequences. Problems of nodes are reported once
 * all rows are read, each node named by the path it was last seen at.
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
  const pending: Pending[] = [];
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
    try {
      for await (const rows of oplogRows(input.store, input.snapshot, file)) {
        for (const row of rows) {
          report.rows++;
          const key = keyOf(row.part_id, row.node_id);
          const at = { version: row.version, seq: row.seq, file: path };
          const note: Note = (code, detail) =>
            pending.push({ key, make: (node) => ({ kind: "row", code, node, at, detail }) });
          await checkRow(row, input, input.addedAt.get(path), note);
          const kind = ENTRY_TYPES.has(row.entry_type)
            ? kindOf(row.entry_type as EntryType)
            : undefined;
          push(nodes, key, { version: row.version, seq: row.seq, kind, file: path });
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
              at,
              kind: row.entry_type === "file:table" ? "table" : "series",
              content: row.blob_chunks === null ? row.content ?? new Uint8Array() : null,
              blob: row.blob_chunks === null ? null : row.hash,
            });
          }
          if (row.blob_chunks !== null && row.hash !== null && HASH.test(row.hash)) {
            const use = blobs.get(row.hash) ??
              { size: row.size, chunks: row.blob_chunks, users: [] };
            use.users.push({ key, version: row.version, at, crcs: row.blob_crcs });
            blobs.set(row.hash, use);
          }
        }
      }
    } catch (e) {
      unreadable = true;
      input.problem({ kind: "unreadableFile", code: "CorruptDataFile", file: path, cause: e });
    }
  }
  report.nodes = nodes.size;
  const placements = new Map<string, Placement>();
  if (input.files.length === input.snapshot.files().length && !unreadable) {
    checkVersions(nodes, pending);
    checkDirectories(directories, nodes, placements, pending);
  }
  const name = namer(placements);
  for (const p of pending) input.problem(p.make(name(p.key)));
  const damagedBlobs = new Set<string>();
  for (const [hash, use] of blobs) {
    report.referencedBlobs.add(hash);
    const lists = crcLists(use.users);
    const ref = { hash, size: use.size, chunks: use.chunks };
    const fault = await input.blobs.verify({ ...ref, crcs: lists[0]?.crcs });
    report.blobs++;
    report.blobBytes += use.size;
    if (fault === undefined || checksumOf(fault) !== undefined) {
      // The bytes match their SHA-256s: what may differ is the CRC-32s some rows record.
      for (const [i, list] of lists.entries()) {
        const found = i === 0 ? fault : await input.blobs.verify({ ...ref, crcs: list.crcs });
        const chunk = found && checksumOf(found);
        if (chunk === undefined) continue;
        for (const user of list.users) input.problem(crcProblem(name(user.key), user.at, chunk));
      }
      continue;
    }
    damagedBlobs.add(hash);
    const missing = fault.kind === "body" && fault.fault.kind === "missing";
    const user = use.users[0];
    input.problem({
      kind: "blob",
      code: missing ? "MissingBlob" : "CorruptBlob",
      hash,
      path: input.blobs.objectPath(hash),
      size: use.size,
      fault,
      user: { node: name(user.key), version: user.version },
      others: use.users.length - 1,
      ...(!missing && { setAside: () => input.blobs.setAside(hash) }),
    });
  }
  for (const body of parquet) {
    if (body.blob !== null && (damagedBlobs.has(body.blob) || !blobs.has(body.blob))) continue;
    const why = await parquetProblem(input.blobs, body, blobs);
    if (why === undefined) continue;
    input.problem({
      kind: "notParquet",
      code: "NotParquet",
      node: name(body.key),
      at: body.at,
      body: body.kind,
      why,
    });
  }
  return report;
}

/** Why a table or series body does not read as one, or undefined when it does. */
async function parquetProblem(
  store: BlobStore,
  body: ParquetBody,
  blobs: Map<string, BlobUse>,
): Promise<{ kind: "notParquet"; cause: unknown } | { kind: "noTime" } | undefined> {
  const file = body.content !== null
    ? bytesAsBuffer(body.content)
    : store.byteRanges({ hash: body.blob!, ...blobs.get(body.blob!)! });
  let metadata;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    return { kind: "notParquet", cause: e };
  }
  if (body.kind === "series" && timeColumn(metadata) === undefined) return { kind: "noTime" };
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
  note: Note,
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

/** The users of a blob grouped by the CRC-32s their rows record (rows without any left out). */
function crcLists(users: BlobUser[]): { crcs: Uint8Array; users: BlobUser[] }[] {
  const lists = new Map<string, { crcs: Uint8Array; users: BlobUser[] }>();
  for (const user of users) {
    if (user.crcs === null) continue;
    const key = user.crcs.join(",");
    const list = lists.get(key) ?? { crcs: user.crcs, users: [] };
    list.users.push(user);
    lists.set(key, list);
  }
  return [...lists.values()];
}

/** A row whose recorded CRC-32 of `chunk` its blob's (intact) bytes do not have. */
function crcProblem(node: NodeName, at: RowAt, chunk: number): RowProblem {
  return {
    kind: "row",
    code: "BadRow",
    node,
    at,
    detail: `records a CRC-32 of chunk ${chunk} that its blob's bytes do not have, though ` +
      "they match their SHA-256: the row's checksum is damaged (reads fall back to the SHA-256)",
  };
}

/** The chunk whose recorded CRC-32 alone differs, when that is the fault. */
function checksumOf(fault: BlobFault): number | undefined {
  return fault.kind === "body" && fault.fault.kind === "checksum" ? fault.fault.chunk : undefined;
}

/** A file row's body: inline and matching its hash, or a well-formed blob reference. */
async function checkBody(row: OplogRow, note: Note): Promise<void> {
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
    if (row.blob_crcs !== null && row.blob_crcs.length !== chunks * CRC_BYTES) {
      note(
        "BadRow",
        `lists ${
          row.blob_crcs.length / CRC_BYTES
        } chunk CRC-32s for a ${row.size}-byte body, which has ${chunks} chunks`,
      );
    }
    return;
  }
  if (row.blob_crcs !== null) note("BadRow", "lists chunk CRC-32s but has no blob");
  const content = row.content ?? new Uint8Array();
  if (await sha256(content) !== row.hash) {
    note("HashMismatch", "does not match its hash: its bytes are damaged");
  } else if (content.length !== row.size) {
    note("BadRow", `holds ${content.length} bytes but says ${row.size}`);
  }
}

/** Each node's versions run 1..n, once each, written by rising transactions. */
function checkVersions(nodes: Map<string, Stored[]>, pending: Pending[]): void {
  if (!nodes.has(ROOT)) {
    pending.push({
      key: ROOT,
      make: (node) => ({ kind: "missingRoot", code: "MissingRoot", node }),
    });
  }
  for (const [key, versions] of nodes) {
    versions.sort((a, b) => a.version - b.version || a.seq - b.seq);
    for (let i = 0; i < versions.length; i++) {
      const v = versions[i];
      const previous = versions[i - 1];
      if (previous?.version === v.version) {
        const files: [string, string] = [previous.file, v.file];
        pending.push({
          key,
          make: (node) => ({
            kind: "duplicate",
            code: "DuplicateVersion",
            node,
            version: v.version,
            files,
          }),
        });
      } else if (v.version !== (previous?.version ?? 0) + 1) {
        const version = (previous?.version ?? 0) + 1;
        pending.push({
          key,
          make: (node) => ({
            kind: "missingVersion",
            code: "MissingVersion",
            node,
            version,
            next: v.version,
          }),
        });
      } else if (previous && v.seq <= previous.seq) {
        pending.push({
          key,
          make: (node) => ({
            kind: "order",
            code: "BadRow",
            node,
            version: v.version,
            seq: v.seq,
            previous: { version: previous.version, seq: previous.seq },
          }),
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
  pending: Pending[],
): void {
  for (const [dir, rows] of directories) {
    rows.sort((a, b) => a.version - b.version);
    const uses = new Map<number, number>();
    for (const r of rows) if (r.base !== null) uses.set(r.base, (uses.get(r.base) ?? 0) + 1);
    const kept = new Map<number, Map<string, DirEntry>>();
    for (const row of rows) {
      const bad = (detail: string, cause?: unknown) =>
        pending.push({
          key: dir,
          make: (node) => ({
            kind: "listing",
            code: "BadDirectory",
            node,
            version: row.version,
            detail,
            ...(cause !== undefined && { cause }),
          }),
        });
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
        bad("has entries that do not decode", e);
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
          pending.push({
            key: dir,
            make: (node) => ({
              kind: "dangling",
              code: "DanglingEntry",
              node,
              version: row.version,
              seq: row.seq,
              name: entry.name,
              target: { partId: entry.partId, nodeId: entry.nodeId },
            }),
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
function namer(placements: Map<string, Placement>): (key: string) => NodeName {
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
    return path === undefined ? { id } : { id, path };
  };
}

/** The SHA-256 of `bytes`, in hex (node:crypto loads with the first check that hashes). */
async function sha256(bytes: Uint8Array): Promise<string> {
  const { createHash } = await import("node:crypto");
  return createHash("sha256").update(bytes).digest("hex");
}
