/** A pond on disk: its directory layout, opening and creating it, transactions with retry, time travel. */
import { AsyncLocalStorage } from "node:async_hooks";
import { userInfo } from "node:os";
import {
  commitHistory,
  type CommitTimestamp,
  type DeltaError,
  isDeltaError,
  readableHistory,
  versionAtTimestamp,
} from "../delta/mod.ts";
import { BlobStore, OplogStore, type PondCommitInfo } from "../oplog/mod.ts";
import type { PluginHost, PluginModule } from "../plugin_host/mod.ts";
import {
  type Factories,
  FS,
  isTinyFsError,
  type ReadView,
  type TransactionMeta,
  type WD,
} from "../tinyfs/mod.ts";
import { PondError } from "../errors.ts";
import { HostError, hostError } from "./host_error.ts";
import { isEmptyHostDirectory } from "./host_files.ts";
import { pondCache } from "./store_cache.ts";
import {
  createMarker,
  hasLog,
  POND_FORMAT,
  POND_MARKER,
  type PondMarker,
  type PondStores,
  readMarker,
  storesOf,
} from "./layout.ts";
import { PluginTrees } from "./plugin_trees.ts";

/** How many times a transaction is re-run after losing a race to another writer. */
const RETRIES = 20;

/** Which committed state to read: a transaction number, or the newest one at or before a time. */
export type PondAt = { seq: number } | { time: number };

/** One pond transaction as the log records it. */
export interface TransactionRecord {
  seq: number;
  /** When it committed, in ms since the epoch. */
  timestamp: number;
  /** The command that ran, as typed. */
  command: readonly string[];
  /** Who ran it. */
  user: string | null;
  /** For a collector's run (`pond run`): the plugin, its version, and what it wrote. */
  collector?: CollectorRecord;
}

/** What a collector's run records in its commit. */
export interface CollectorRecord {
  /** The collector node's path. */
  readonly node: string;
  readonly plugin: string;
  readonly version: string;
  /** SHA-256 of the plugin's source. */
  readonly hash: string;
  /** Each series it appended to: its path, rows, and their first and last event times (ISO 8601). */
  readonly series: readonly {
    readonly path: string;
    readonly rows: number;
    readonly first: string;
    readonly last: string;
  }[];
}

/** A transaction whose commit is missing or does not read. */
export interface DamagedTransaction {
  seq: number;
  /** What is wrong, naming the commit file relative to the pond. */
  problem: string;
}

/** How to open a pond. */
export interface PondOptions {
  /** Dynamic directory factories by name, beside the plugins' (tests and scripts add their own). */
  factories?: Factories;
  /**
   * Runs the pond's plugins, which compute dynamic directories and files: the built-in plugins
   * and those installed in the pond (as of the state read). The caller closes it. Without it,
   * `Pond.open` makes a host with the default limits and the pond's cache store
   * ({@link PondStores.cache}) when a tree is first read, and {@link Pond.close} closes it. A
   * function making the host is called when a plugin first computes (a command that meets no
   * dynamic node never makes one); what it makes is the caller's to close too.
   */
  plugins?: PluginHost | (() => Promise<PluginHost>);
}

/** How to run a transaction. */
export interface TransactOptions {
  /**
   * Plugins the transaction adds (loaded with what they are granted): dynamic nodes it makes
   * compute with these before they are committed, as with the installed ones afterwards.
   */
  plugins?: readonly PluginModule[];
  /** More of what the transaction did, kept in its commit beside the command (e.g. a collector's run). */
  record?: Readonly<Record<string, unknown>>;
}

/**
 * A pond: its marker `pond.json`, the operation log (a Delta table) and large bodies, each in
 * a store of its {@link PondStores} — in a directory, `oplog/` and `blobs/` beside the marker.
 * Reads go through {@link root}; every change goes through {@link transact}, which is one
 * atomic Delta commit, retried on the new state when another process committed first.
 *
 * @example
 * ```ts
 * const pond = await Pond.open("/data/pond");
 * await pond.transact(["example"], (root) => root.write("/notes.txt", "hello"));
 * console.log(new TextDecoder().decode(await (await pond.root()).read("/notes.txt")));
 * ```
 *
 * @example
 * ```ts
 * import { LocalStore } from "../delta/mod.ts";
 *
 * const pond = await Pond.open({ // any Store holds a part: here the bodies on another disk
 *   location: "/data/pond",
 *   root: new LocalStore("/data/pond"),
 *   oplog: new LocalStore("/data/pond/oplog"),
 *   blobs: new LocalStore("/mnt/big/pond-blobs"),
 *   cache: new LocalStore("/var/cache/pond"),
 * });
 * ```
 */
export class Pond implements AsyncDisposable {
  readonly #plugins: PluginTrees | undefined;
  readonly #host: PondHost | undefined;
  /** The root of the transaction whose body is running, in that body's async context. */
  readonly #open = new AsyncLocalStorage<WD>();

  private constructor(
    /** The stores the pond keeps its bytes in. */
    readonly stores: PondStores,
    readonly store: OplogStore,
    /** The tree with the `factories` the pond was opened with, without its plugins. */
    readonly fs: FS,
    plugins?: PluginTrees,
    host?: PondHost,
  ) {
    this.#plugins = plugins;
    this.#host = host;
  }

  /** Where the pond is, as messages name it: a local pond's directory, as given. */
  get location(): string {
    return this.stores.location;
  }

  /**
   * Creates a pond in `pond` — a directory (made if missing), or the stores of one (see
   * {@link PondStores}). Refuses a pond that exists (`PondExists`) — also when another init
   * made it meanwhile: the log's first commit and the marker are each created only if absent —
   * and, unless `force`, a directory that holds anything else (`NotEmpty`).
   *
   * @example
   * ```ts
   * const pond = await Pond.init("/data/pond", { command: ["init", "/data/pond"] });
   * ```
   */
  static async init(
    pond: string | PondStores,
    meta: TransactionMeta = { command: ["init"] },
    options: PondOptions & { force?: boolean } = {},
  ): Promise<Pond> {
    const stores = storesOf(pond);
    const existing = await existingPond(stores);
    if (existing) throw existing;
    const dir = stores.host?.root;
    if (dir !== undefined) {
      await Deno.mkdir(dir, { recursive: true });
      if (!options.force && !(await isEmptyHostDirectory(dir))) {
        // what another init, running at the same time, wrote there already is its pond
        throw await existingPond(stores) ?? new PondError(
          "NotEmpty",
          `${stores.location} is not empty; pick an empty directory, or pass --force to make a pond there anyway`,
        );
      }
    }
    const store = OplogStore.empty(stores.oplog, new BlobStore(stores.blobs));
    const fs = await FS.init(store, { factories: options.factories, meta: transactionMeta(meta) })
      .catch((e) => {
        throw isTinyFsError(e, "Conflict") ? madeMeanwhile(stores) : e;
      });
    if (!(await createMarker(stores, new Date()))) throw madeMeanwhile(stores);
    return new Pond(stores, store, fs);
  }

  /**
   * Opens the pond in `pond` — a directory, or the stores of one (see {@link PondStores});
   * `NotAPond` when there is none. Its dynamic directories and files work: {@link root} and
   * {@link transact} compute them with the plugins of the state they read, run on `plugins`
   * or, without it, on a host of the pond's own (see {@link PondOptions.plugins}).
   *
   * @example
   * ```ts
   * await using pond = await Pond.open("/data/pond");
   * await (await pond.root()).list("/views/csv"); // a `visit` directory, computed
   * ```
   *
   * @example
   * ```ts
   * import { PluginHost } from "../plugin_host/mod.ts";
   *
   * await using host = new PluginHost({ deadlineMs: 1000 });
   * const pond = await Pond.open(Deno.env.get("POND")!, { plugins: host });
   * ```
   */
  static async open(pond: string | PondStores, options: PondOptions = {}): Promise<Pond> {
    const stores = storesOf(pond);
    const path = stores.location;
    const repair = repairAdvice(stores);
    let marker: PondMarker | undefined;
    try {
      marker = await readMarker(stores);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotADirectory)) {
        const location = stores.root.locate(POND_MARKER);
        throw unreadableMarker(e, location, (await hasLog(stores)) ? repair : undefined);
      } // else the pond's path runs through a file: no marker
    }
    if (marker === undefined) {
      throw new PondError(
        "NotAPond",
        (await hasLog(stores))
          ? `${path} holds a pond's log (oplog/) but no ${POND_MARKER}; ${repair}`
          : `${path} is not a pond (it has no ${POND_MARKER}); create one with 'pond init ${path}'`,
      );
    }
    if (marker.format !== POND_FORMAT) {
      throw new PondError(
        "UnsupportedFormat",
        `${path} is a pond of format ${marker.format}; this pond reads format ${POND_FORMAT}`,
      );
    }
    const store = await OplogStore.open(stores.oplog, new BlobStore(stores.blobs)).catch((e) => {
      throw isDamage(e) ? damagedLog(e) : e;
    });
    const fs = await FS.open(store, { factories: options.factories });
    const host = new PondHost(options.plugins, stores);
    const plugins = new PluginTrees(store, () => host.get(), options.factories);
    return new Pond(stores, store, fs, plugins, host);
  }

  /**
   * Stops the plugin host `Pond.open` made for this pond, if it made one (a host passed in
   * `plugins` is the caller's to close); reading dynamic nodes afterwards fails with `Closed`.
   *
   * @example
   * ```ts
   * const pond = await Pond.open("/data/pond");
   * try {
   *   await (await pond.root()).list("/views/csv");
   * } finally {
   *   await pond.close();
   * }
   * ```
   */
  async close(): Promise<void> {
    await this.#host?.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The newest committed transaction. */
  head(): Promise<number> {
    return this.fs.head();
  }

  /**
   * A read-only view of the pond: the newest state, or as of a transaction or a time. Its
   * dynamic directories compute with the plugins installed in that state.
   *
   * @example
   * ```ts
   * const pond = await Pond.open("/data/pond");
   * const yesterday = await pond.root({ time: Date.now() - 86_400_000 });
   * ```
   */
  async root(at?: PondAt): Promise<ReadView> {
    const seq = at === undefined ? undefined : "seq" in at ? at.seq : await this.seqAt(at.time);
    this.ensureReadable(seq);
    if (seq === undefined && !this.#plugins) return this.fs.root();
    const asOf = seq ?? await this.fs.head();
    const view = await this.fs.root({ asOf });
    return this.#plugins ? (await this.#plugins.tree(view)).root({ asOf }) : view;
  }

  /**
   * The transaction `at` names — a seq as given, a time as {@link seqAt} finds it — or the
   * newest when `at` is absent.
   *
   * @example
   * ```ts
   * const pond = await Pond.open("/data/pond");
   * const seq = await pond.seqOf({ time: Date.parse("2026-06-01T00:00Z") });
   * ```
   */
  async seqOf(at?: PondAt): Promise<number> {
    if (at === undefined) return await this.head();
    return "seq" in at ? at.seq : await this.seqAt(at.time);
  }

  /** The newest transaction committed at or before `time` (ms since the epoch). */
  async seqAt(time: number): Promise<number> {
    try {
      return await versionAtTimestamp(this.store.table, time);
    } catch (e) {
      throw isDamage(e) ? damagedLog(e) : e;
    }
  }

  /**
   * Throws `DamagedLog` — naming the transaction whose commit does not read and what to do —
   * when transaction `seq` (the newest when omitted) is at or after such a commit: the pond
   * opens at the transaction before the damage, so what came before stays readable with `--at`.
   *
   * @example
   * ```ts
   * const pond = await Pond.open("/data/pond");
   * pond.ensureReadable();      // before reading or changing the newest state
   * pond.ensureReadable(3);     // before reading as of transaction 3
   * ```
   */
  ensureReadable(seq?: number): void {
    const damage = this.store.damage;
    if (damage?.version === undefined || (seq !== undefined && seq < damage.version)) return;
    throw damagedLog(damage);
  }

  /**
   * Runs `body` as one transaction recording `command` (and `options.record`, more of what it
   * did, kept in its commit beside the command), and returns its result and the transaction's
   * seq (or null when it changed nothing). When another process commits first, the pond is
   * re-read and `body` runs again on the new state (so it must only read and write through the
   * root it is given). A `transact` of this pond called inside `body` (by `makeDynamic`,
   * `addPlugin`, …) joins it: its body runs on the same root with the outer `command` and
   * `options`, and it returns seq null, since the outer transaction commits everything at once —
   * so several operations make one transaction.
   *
   * @example
   * ```ts
   * const pond = await Pond.open("/data/pond");
   * const { seq } = await pond.transact(["mkdir", "/a"], (root) => root.createDirectory("/a"));
   * ```
   *
   * @example
   * ```ts
   * import { makeDynamic } from "./dynamic_nodes.ts";
   *
   * const pond = await Pond.open("/data/pond");
   * const command = Deno.args;
   * await pond.transact(command, async (root) => { // one commit for both
   *   await root.createDirectory("/views");
   *   await makeDynamic(pond, "visit", "/views/csv", "patterns: [/sites/*\u002f*.csv]\n", { command });
   * });
   * ```
   */
  async transact<T>(
    command: readonly string[],
    body: (root: WD) => Promise<T> | T,
    options: TransactOptions = {},
  ): Promise<{ result: T; seq: number | null }> {
    const open = this.#open.getStore();
    if (open) return { result: await body(open), seq: null };
    this.ensureReadable();
    for (let attempt = 0;; attempt++) {
      const before = await this.fs.head();
      try {
        const fs = this.#plugins
          ? await this.#plugins.tree(await this.fs.root(), options.plugins)
          : this.fs;
        const result = await fs.transact(
          transactionMeta({ ...options.record, command }),
          (root) => this.#open.run(root, () => body(root)),
        );
        const after = await this.fs.head();
        return { result, seq: after === before ? null : after };
      } catch (e) {
        if (!isTinyFsError(e, "Conflict") || attempt >= RETRIES) throw e;
        await this.store.refresh();
        await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
      }
    }
  }

  /**
   * Every transaction, oldest first, as recorded in the log.
   *
   * @example
   * ```ts
   * const pond = await Pond.open("/data/pond");
   * for (const t of await pond.history()) console.log(t.seq, t.command.join(" "));
   * ```
   */
  async history(): Promise<TransactionRecord[]> {
    this.ensureReadable();
    return (await commitHistory(this.store.table)).map(toRecord);
  }

  /**
   * Every transaction whose commit still reads, oldest first — past a commit that is missing
   * or does not read, unlike {@link history} — and each transaction whose commit is such.
   * The state after a damaged commit does not read, but who ran what and when still does.
   *
   * @example
   * ```ts
   * const pond = await Pond.open("/data/pond");
   * const { records, damaged } = await pond.readableHistory();
   * for (const d of damaged) console.error(`transaction ${d.seq}: ${d.problem}`);
   * ```
   */
  async readableHistory(): Promise<
    { records: TransactionRecord[]; damaged: DamagedTransaction[] }
  > {
    const { commits, damaged } = await readableHistory(this.store.table);
    return {
      records: commits.map(toRecord),
      damaged: damaged.map((e) => ({ seq: e.version!, problem: damageText(e) })),
    };
  }

  /**
   * When each transaction was committed (ms since the epoch), by seq: the time `pond log`
   * shows and `--at TIME` reads by, for timing a node's versions.
   *
   * @example
   * ```ts
   * const pond = await Pond.open("/data/pond");
   * const meta = await (await pond.root()).metadata("/sites/north/readings.csv");
   * const committed = await pond.commitTimes();
   * committed.get(meta.seq) ?? meta.modified.getTime();
   * ```
   */
  async commitTimes(): Promise<Map<number, number>> {
    return new Map((await this.history()).map((t) => [t.seq, t.timestamp]));
  }
}

/** The one-line error of a pond whose commit of `damage.version` does not read or is missing. */
function damagedLog(damage: DeltaError): PondError {
  const seq = damage.version!;
  const before = seq > 0 ? `; \`--at ${seq - 1}\` reads the pond as it was before it` : "";
  return new PondError(
    "DamagedLog",
    `transaction ${seq} of the pond is damaged (${
      damageText(damage)
    }); run \`pond check --repair\`, which sets a torn newest transaction aside and says what else can be done${before}`,
    { cause: damage },
  );
}

/** What is wrong with a damaged commit, naming its file relative to the pond. */
function damageText(damage: DeltaError): string {
  return damage.code === "VersionGap"
    ? `oplog/${damage.path} is missing`
    : `oplog/${damage.message}`;
}

/** True for the error of a commit, past version 0, that does not read or is missing. */
function isDamage(e: unknown): e is DeltaError {
  return (isDeltaError(e, "CorruptLog") || isDeltaError(e, "VersionGap")) &&
    e.version !== undefined;
}

function toRecord(c: CommitTimestamp): TransactionRecord {
  const pond = (c.commitInfo as { pond?: PondCommitInfo } | null)?.pond;
  const collector = pond?.collector as CollectorRecord | undefined;
  return {
    seq: c.version,
    timestamp: c.timestamp,
    command: pond?.command ?? [],
    user: typeof pond?.user === "string" ? pond.user : null,
    ...(typeof collector?.plugin === "string" && Array.isArray(collector.series)
      ? { collector }
      : {}),
  };
}

/**
 * What a commit records about who ran what: the command and the user running this process.
 *
 * @example
 * ```ts
 * transactionMeta({ command: ["maintain", "--compact"] }); // { user: "alice", command: [...] }
 * ```
 */
export function transactionMeta(meta: TransactionMeta): TransactionMeta {
  let user: string | null = null;
  try {
    user = userInfo().username;
  } catch {
    user = Deno.env.get("USER") ?? null;
  }
  return { user, ...meta };
}

/**
 * The `PondExists` refusal of stores that hold a pond already — its marker, or its log without
 * one (an init interrupted, or the marker lost) — or undefined when they hold none.
 */
async function existingPond(stores: PondStores): Promise<PondError | undefined> {
  const path = stores.location;
  const repair = repairAdvice(stores);
  const unreadable = `${path} is already a pond, but its ${POND_MARKER} is unreadable; ${repair}`;
  const marker = await readMarker(stores).catch((e) => {
    // a marker there that is garbled, a directory, or refused by the OS; anything else (the
    // path running through a file, the store failing, no permission to look) is thrown
    const there = e instanceof SyntaxError || e instanceof Deno.errors.IsADirectory ||
      e instanceof Deno.errors.PermissionDenied;
    if (!there) throw e;
    return null;
  });
  if (marker === null) return new PondError("PondExists", unreadable);
  if (marker !== undefined) {
    return new PondError(
      "PondExists",
      `${path} is already a pond; use it, or pick another directory`,
    );
  }
  if (!(await hasLog(stores))) return undefined;
  return new PondError(
    "PondExists",
    `${path} holds a pond's log (oplog/) but no ${POND_MARKER}: an init was interrupted or the ` +
      `marker was lost; ${repair}`,
  );
}

/** What writes a lost or garbled marker of the pond in `stores` again. */
function repairAdvice(stores: PondStores): string {
  return `\`pond check --repair --pond ${stores.location}\` writes it again from the log`;
}

/** The refusal of an init that another, running at the same time, beat to the pond. */
function madeMeanwhile(stores: PondStores): PondError {
  return new PondError(
    "PondExists",
    `${stores.location} was made a pond by another init running at the same time; use it`,
  );
}

/**
 * The one line of a `pond.json` that does not read: the OS's refusal as a host error, or a
 * marker that is no JSON naming its format (a `SyntaxError`); with `repair` (the log is
 * there), what to run (after moving aside what the OS cannot read as a file). Permissions are
 * for the user to fix, not for a repair to write over. Any other failure of the store is
 * returned as it came.
 */
function unreadableMarker(e: unknown, marker: string, repair: string | undefined): unknown {
  const host = hostError(e, "read", marker);
  if (host instanceof HostError) {
    if (repair === undefined || host.errno === "EACCES" || host.errno === "EPERM") return host;
    const message = `${host.message}; move it aside, then ${repair}`;
    return new HostError(host.errno, host.path, message, { cause: e });
  }
  if (!(e instanceof SyntaxError)) return e;
  return new PondError(
    "NotAPond",
    `${marker} is not a pond marker (JSON naming its format)${repair ? `; ${repair}` : ""}`,
    { cause: e },
  );
}

/**
 * The plugin host of an open pond: the caller's, or else one of its own, made on first use
 * (the plugin host loaded then) and closed with the pond.
 */
class PondHost {
  readonly #given: PondOptions["plugins"];
  readonly #stores: PondStores;
  #made: Promise<PluginHost> | undefined;
  #own: Promise<PluginHost> | undefined;

  constructor(given: PondOptions["plugins"], stores: PondStores) {
    this.#given = given;
    this.#stores = stores;
  }

  get(): Promise<PluginHost> {
    if (typeof this.#given === "function") return this.#made ??= this.#given();
    if (this.#given) return Promise.resolve(this.#given);
    this.#own ??= import("../plugin_host/mod.ts").then(({ PluginHost }) =>
      new PluginHost({ cache: pondCache(this.#stores) })
    );
    return this.#own;
  }

  async close(): Promise<void> {
    await (await this.#own)?.close();
  }
}
