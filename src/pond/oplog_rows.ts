/** The oplog rows each transaction wrote, and the Delta data files that hold them. */
import { type AddFile, Table } from "../delta/mod.ts";
import { INLINE_LIMIT, PARTITION_COLUMN, RowReader } from "../oplog/mod.ts";
import { type EntryType, isDynamic, kindOf, type NodeVersion } from "../tinyfs/mod.ts";
import type { Pond } from "./pond.ts";

/** One oplog row (one version of one node), as `pond log --rows` shows it. */
export interface OplogRowInfo extends NodeVersion {
  /** The Delta data file holding the row, relative to the oplog table. */
  readonly file: string;
  /** The body's SHA-256, for files. */
  readonly hash: string | null;
  /**
   * Where a file's body is: in the row, or in the blob store (by the store's rule: bodies of
   * `INLINE_LIMIT` bytes or more go to the blob store); null for other nodes and dynamic files.
   */
  readonly storage: "inline" | "blob" | null;
  /** For directories: the version whose listing this row's changes apply to (null: a full listing). */
  readonly dirBase: number | null;
  /** For directories: the full listing the delta chain starts from. */
  readonly dirAnchor: number | null;
}

interface SeqRange {
  readonly file: AddFile;
  readonly min: number;
  readonly max: number;
}

/**
 * Finds a transaction's rows among the oplog's live data files. Every row records the
 * transaction that wrote it (`seq`), and every data file's Delta statistics say which
 * transactions its rows come from, so only the files that can hold a transaction's rows are
 * read — and only their row headers, never bodies. A file without statistics is read for
 * every transaction. Rows stay findable after the store merges data files together.
 *
 * @example
 * ```ts
 * import { Pond } from "./pond.ts";
 *
 * const pond = await Pond.open("/data/pond");
 * const rows = await OplogRows.open(pond);
 * for (const row of await rows.of(3)) console.log(row.nodeId, row.version, row.file);
 * ```
 */
export class OplogRows {
  readonly #reader: RowReader;
  readonly #bySeq = new Map<number, SeqRange[]>();
  readonly #spread: SeqRange[] = [];

  private constructor(pond: Pond, files: AddFile[]) {
    this.#reader = new RowReader(pond.store.table);
    for (const file of files) {
      const range = seqRange(file);
      if (range.min === range.max) {
        const list = this.#bySeq.get(range.min);
        if (list) list.push(range);
        else this.#bySeq.set(range.min, [range]);
      } else this.#spread.push(range);
    }
  }

  /**
   * The rows of the pond's oplog as of its newest transaction.
   *
   * @example
   * ```ts
   * import { Pond } from "./pond.ts";
   *
   * const rows = await OplogRows.open(await Pond.open("/data/pond"));
   * ```
   */
  static async open(pond: Pond): Promise<OplogRows> {
    const snapshot = await new Table(pond.store.table).snapshot({ version: await pond.head() });
    return new OplogRows(pond, snapshot.files());
  }

  /**
   * The rows transaction `seq` wrote, ordered by data file path, then row.
   *
   * @example
   * ```ts
   * import { Pond } from "./pond.ts";
   *
   * const pond = await Pond.open("/data/pond");
   * const rows = await OplogRows.open(pond);
   * (await rows.of(0)).map((r) => r.entryType); // ["directory"]: the root
   * ```
   */
  async of(seq: number): Promise<OplogRowInfo[]> {
    const ranges = [
      ...(this.#bySeq.get(seq) ?? []),
      ...this.#spread.filter((r) => r.min <= seq && seq <= r.max),
    ].sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0));
    const out: OplogRowInfo[] = [];
    for (const { file } of ranges) {
      const part = file.partitionValues[PARTITION_COLUMN] ?? "";
      for (const h of await this.#reader.headers(file.path, part, file.size)) {
        if (h.seq !== seq) continue;
        const entryType = h.entryType as EntryType;
        out.push({
          file: h.file,
          partId: h.partId,
          nodeId: h.nodeId,
          version: h.version,
          seq: h.seq,
          timestamp: h.timestamp,
          entryType,
          size: h.size,
          hash: h.hash,
          storage: kindOf(entryType) === "file" && !isDynamic(entryType)
            ? (h.size >= INLINE_LIMIT ? "blob" : "inline")
            : null,
          dirBase: h.dirBase,
          dirAnchor: h.dirAnchor,
          ...(h.target !== null && { target: h.target }),
          ...(h.factory !== null &&
            { dynamic: { factory: h.factory, config: h.config ?? new Uint8Array() } }),
        });
      }
    }
    return out;
  }
}

/** The transactions a data file's rows come from, by its statistics; all of them when it has none. */
function seqRange(file: AddFile): SeqRange {
  const stats = parseStats(file.stats);
  const min = Number(stats?.minValues?.seq);
  const max = Number(stats?.maxValues?.seq);
  return Number.isInteger(min) && Number.isInteger(max)
    ? { file, min, max }
    : { file, min: -Infinity, max: Infinity };
}

function parseStats(
  text: string | null | undefined,
): { minValues?: { seq?: unknown }; maxValues?: { seq?: unknown } } | undefined {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
