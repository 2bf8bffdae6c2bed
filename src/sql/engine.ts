/** DuckDB, locked down: an in-memory database that reads only the files pond registered for one query. */
import type {
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBPreparedStatement,
  DuckDBType,
} from "@duckdb/node-api";
import { SqlError } from "./errors.ts";

/** One column of a result: its name and DuckDB type. */
export interface ResultColumn {
  readonly name: string;
  readonly type: DuckDBType;
}

/** A query's result as it streams out of DuckDB: its columns, then chunks of rows, column by column. */
export interface ResultStream {
  readonly columns: readonly ResultColumn[];
  /** The rows, about 2048 to a chunk; each chunk is released when the next is read. */
  chunks(): AsyncGenerator<DuckDBDataChunk>;
}

/** A column pond loads into a table of its own: its name and SQL type. */
export interface Column {
  readonly name: string;
  readonly type: "VARCHAR" | "BIGINT" | "TIMESTAMPTZ";
}

/** How DuckDB writes a result to a file. */
export type CopyFormat = "parquet" | "csv";

/** The statement type DuckDB gives a query (`StatementType.SELECT`). */
const SELECT_STATEMENT = 1;

let loading: Promise<typeof import("@duckdb/node-api")> | undefined;

/**
 * The DuckDB module, imported the first time a query runs (commands that do not query never
 * load it); `EngineMissing` where it is not installed (a bundle run outside the project).
 */
function duckdb(): Promise<typeof import("@duckdb/node-api")> {
  return loading ??= import("@duckdb/node-api").catch((e) => {
    loading = undefined;
    throw new SqlError(
      "EngineMissing",
      `DuckDB (@duckdb/node-api) cannot be loaded where pond runs: ${
        (e as Error).message.split("\n")[0]
      }; install it there with npm install @duckdb/node-api`,
      { cause: e },
    );
  });
}

/**
 * An in-memory DuckDB database for one query. Before any text a user or plugin wrote runs, it
 * allows exactly the `files` given (and `outputs`, for pond's own `COPY`), never a directory,
 * turns external access off (no other file, URL, extension or attached database) and locks
 * its configuration, so no `SET` can undo that. Pond defines its tables as views with
 * {@link define}; {@link query} then runs one SELECT over them.
 *
 * @example
 * ```ts
 * const engine = await SqlEngine.open(["/data/pond/blobs/ab/abcd…"]);
 * try {
 *   await engine.define("source", "SELECT * FROM read_parquet('/data/pond/blobs/ab/abcd…')");
 *   const result = await engine.query("SELECT count(*) AS n FROM source");
 * } finally {
 *   engine.close();
 * }
 * ```
 */
export class SqlEngine {
  readonly #instance: DuckDBInstance;
  readonly #connection: DuckDBConnection;
  readonly #tables: Set<string>;
  readonly #directory: string | undefined;

  private constructor(
    instance: DuckDBInstance,
    connection: DuckDBConnection,
    tables: readonly string[],
    directory: string | undefined,
  ) {
    this.#instance = instance;
    this.#connection = connection;
    this.#tables = new Set(tables);
    this.#directory = directory;
  }

  /**
   * Opens a database that may read `files` and write `outputs` (absolute host paths) and
   * nothing else; `tables` names the tables a query may read, for the message about one it
   * may not (those defined later are added). An engine given a `directory` may write files
   * in it ({@link exportTo}), and so runs no query text at all.
   *
   * @example
   * ```ts
   * const engine = await SqlEngine.open([], { outputs: ["/tmp/result.parquet"] });
   * ```
   */
  static async open(
    files: readonly string[],
    { outputs = [], tables = [], directory }: {
      outputs?: readonly string[];
      tables?: readonly string[];
      directory?: string;
    } = {},
  ): Promise<SqlEngine> {
    const { DuckDBInstance } = await duckdb();
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    const allowed = [...new Set([...files, ...outputs, ...(directory ? [directory] : [])])]
      .map(quoteText).join(", ");
    for (
      const setting of [
        "SET TimeZone = 'UTC'",
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        `SET allowed_paths = [${allowed}]`,
        ...(directory === undefined
          ? []
          : [`SET allowed_directories = [${quoteText(`${directory}/`)}]`]),
        "SET enable_external_access = false",
        "SET lock_configuration = true",
      ]
    ) await connection.run(setting);
    return new SqlEngine(instance, connection, tables, directory);
  }

  /** The tables a query may read. */
  get tables(): readonly string[] {
    return [...this.#tables];
  }

  /**
   * Defines the table `name` as pond's own `select` (a view, so nothing is read until a
   * query needs it).
   *
   * @example
   * ```ts
   * const engine = await SqlEngine.open([]);
   * await engine.define("nodes", "SELECT * FROM (VALUES ('/a', 1)) t(path, version)");
   * ```
   */
  async define(name: string, select: string): Promise<void> {
    await this.#duck(() =>
      this.#connection.run(`CREATE TEMP VIEW ${quoteName(name)} AS ${select}`)
    );
    this.#tables.add(name);
  }

  /**
   * Drops the table `name` pond defined with {@link define}, so later queries cannot read it.
   *
   * @example
   * ```ts
   * const engine = await SqlEngine.open([]);
   * await engine.define("nodes", "SELECT 1 AS n");
   * await engine.drop("nodes");
   * ```
   */
  async drop(name: string): Promise<void> {
    await this.#duck(() => this.#connection.run(`DROP VIEW IF EXISTS ${quoteName(name)}`));
    this.#tables.delete(name);
  }

  /**
   * Loads `rows` into a new table `name` with `columns` (strings, numbers, times as ms since
   * the epoch, or null), through DuckDB's appender: nothing goes through a file.
   *
   * @example
   * ```ts
   * const engine = await SqlEngine.open([]);
   * await engine.load("t", [{ name: "path", type: "VARCHAR" }], [["/a"], ["/b"]]);
   * ```
   */
  async load(
    name: string,
    columns: readonly Column[],
    rows: readonly (string | number | null)[][],
  ): Promise<void> {
    const { timestampTZValue } = await duckdb();
    const schema = columns.map((c) => `${quoteName(c.name)} ${c.type}`).join(", ");
    await this.#connection.run(`CREATE TABLE ${quoteName(name)} (${schema})`);
    const appender = await this.#connection.createAppender(name);
    for (const row of rows) {
      columns.forEach(({ type }, i) => {
        const value = row[i];
        if (value === null) appender.appendNull();
        else if (type === "VARCHAR") appender.appendVarchar(String(value));
        else if (type === "BIGINT") appender.appendBigInt(BigInt(value));
        else appender.appendTimestampTZ(timestampTZValue(BigInt(value) * 1000n));
      });
      appender.endRow();
    }
    appender.closeSync();
    this.#tables.add(name);
  }

  /**
   * Runs pond's own query (never user text) and returns its rows as JSON values.
   *
   * @example
   * ```ts
   * const engine = await SqlEngine.open([]);
   * const [[ms]] = await engine.rows("SELECT epoch_ms(TIMESTAMPTZ '2026-06-01')"); // "1780272000000"
   * ```
   */
  async rows(sql: string): Promise<unknown[][]> {
    const result = await this.#duck(() => this.#connection.run(sql));
    return (await result.getRowsJson()) as unknown[][];
  }

  /**
   * Runs `sql` — one SELECT (or `FROM …`, `WITH …`, `VALUES …`) — and streams its result.
   * Anything else, or several statements, is `NotAQuery`; text that does not parse is
   * `SqlSyntax`, a table not defined is `UnknownTable`, and whatever else DuckDB refuses is
   * `QueryFailed`, each with DuckDB's message on one line.
   *
   * @example
   * ```ts
   * const engine = await SqlEngine.open([]);
   * await engine.define("source", "SELECT * FROM (VALUES (1), (5)) t(value)");
   * const result = await engine.query("SELECT * FROM source WHERE value > 3");
   * for await (const chunk of result.chunks()) console.log(chunk.rowCount);
   * ```
   */
  async query(sql: string): Promise<ResultStream> {
    const prepared = await this.#prepare(sql);
    const result = await this.#duck(() => prepared.stream());
    const columns = result.columnNames().map((name, i) => ({ name, type: result.columnType(i) }));
    const duck = this.#duck.bind(this);
    return {
      columns,
      async *chunks() {
        for (;;) {
          const chunk = await duck(() => result.fetchChunk());
          if (!chunk || chunk.rowCount === 0) return;
          yield chunk;
        }
      },
    };
  }

  /**
   * Writes the result of the query `sql` (checked as {@link query} checks it) to `path`, one of
   * the `outputs` the engine was opened with, in `format`; returns the number of rows.
   *
   * @example
   * ```ts
   * const engine = await SqlEngine.open([], { outputs: ["/tmp/result.parquet"] });
   * await engine.define("source", "SELECT * FROM (VALUES (1), (5)) t(value)");
   * await engine.copy("SELECT * FROM source", "/tmp/result.parquet", "parquet"); // 2
   * ```
   */
  async copy(sql: string, path: string, format: CopyFormat): Promise<number> {
    await this.#prepare(sql);
    const text = sql.replace(/[\s;]+$/, "");
    const result = await this.#duck(() =>
      this.#connection.run(
        `COPY (\n${text}\n) TO ${quoteText(path)} (FORMAT ${format}, USE_TMP_FILE false)`,
      )
    );
    return result.rowsChanged;
  }

  /** Stops the query running now (it fails as `QueryFailed`, "INTERRUPT Error"). */
  interrupt(): void {
    this.#connection.interrupt();
  }

  /** Closes the database. */
  close(): void {
    this.#connection.closeSync();
    this.#instance.closeSync();
  }

  /**
   * Writes pond's own `select` as Parquet files into the engine's `directory`, Hive-style
   * partitioned by `partitionBy` (`COL=value/` directories) or, without, as `data.parquet`;
   * returns the number of rows.
   *
   * @example
   * ```ts
   * const engine = await SqlEngine.open([], { directory: "/tmp/export" });
   * await engine.define("source", "SELECT TIMESTAMPTZ '2026-06-01' AS timestamp, 1.5 AS value");
   * await engine.exportTo("SELECT *, year(timestamp) AS year FROM source", ["year"]); // 1
   * ```
   */
  async exportTo(select: string, partitionBy: readonly string[]): Promise<number> {
    if (this.#directory === undefined) throw new Error("exportTo needs an engine with a directory");
    const target = partitionBy.length ? this.#directory : `${this.#directory}/data.parquet`;
    const partitions = partitionBy.length
      ? `, PARTITION_BY (${partitionBy.map(quoteName).join(", ")})`
      : "";
    const result = await this.#duck(() =>
      this.#connection.run(
        `COPY (${select}) TO ${quoteText(target)} (FORMAT parquet${partitions})`,
      )
    );
    return result.rowsChanged;
  }

  async #prepare(sql: string): Promise<DuckDBPreparedStatement> {
    if (this.#directory !== undefined) {
      throw new Error("an engine that may write a directory runs no query text");
    }
    const statements = await this.#duck(() => this.#connection.extractStatements(sql));
    if (statements.count !== 1) {
      throw new SqlError(
        "NotAQuery",
        `the SQL holds ${statements.count} statements; give one query (SELECT …)`,
      );
    }
    const prepared = await this.#duck(() => statements.prepare(0));
    if (prepared.statementType !== SELECT_STATEMENT) {
      throw new SqlError(
        "NotAQuery",
        `only a query (SELECT …) runs here: '${firstWords(sql)}' is refused`,
      );
    }
    return prepared;
  }

  /** Runs a DuckDB call, turning what it throws into a {@link SqlError}. */
  async #duck<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      throw duckdbError(e, this.tables);
    }
  }
}

/**
 * DuckDB's error as one line: its first line, plus the position its caret marks.
 */
function duckdbError(e: unknown, tables: readonly string[]): SqlError {
  const text = e instanceof Error ? e.message : String(e);
  const lines = text.replace(/^Failed to extract statements: /, "").split("\n");
  const head = lines[0].trim();
  const unknown = head.match(/^Catalog Error: Table with name (.+?) does not exist/);
  if (unknown) {
    const known = tables.length ? tables.join(", ") : "none";
    return new SqlError(
      "UnknownTable",
      `the query reads a table '${unknown[1]}' that is not there; the tables are: ${known}`,
      { cause: e },
    );
  }
  const at = position(lines);
  const where = at ? ` (at line ${at.line}, column ${at.column})` : "";
  const code = head.startsWith("Parser Error") ? "SqlSyntax" : "QueryFailed";
  return new SqlError(code, `${head.replace(/!$/, "")}${where}`, { cause: e });
}

/** The position DuckDB's `LINE n: …` and caret lines point at. */
function position(lines: string[]): { line: number; column: number } | undefined {
  const i = lines.findIndex((l) => /^LINE \d+: /.test(l));
  if (i < 0 || !lines[i + 1]?.includes("^")) return undefined;
  const prefix = lines[i].match(/^LINE (\d+): /)!;
  return { line: Number(prefix[1]), column: lines[i + 1].indexOf("^") - prefix[0].length + 1 };
}

function firstWords(sql: string): string {
  const words = sql.trim().split(/\s+/).slice(0, 2).join(" ");
  return words.length > 40 ? `${words.slice(0, 40)}…` : words;
}

/**
 * A SQL string literal.
 *
 * @example
 * ```ts
 * quoteText("it's"); // "'it''s'"
 * ```
 */
export function quoteText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * A SQL identifier, quoted.
 *
 * @example
 * ```ts
 * quoteName('my "table"'); // '"my ""table"""'
 * ```
 */
export function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
