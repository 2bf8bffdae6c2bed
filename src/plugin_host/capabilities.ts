/** The vetted work the host does for sandboxed plugins, which cannot import libraries: Parquet in and out. */

/** One column of a table as it crosses the sandbox boundary. */
export interface Column {
  readonly name: string;
  readonly values: readonly unknown[];
  /** A hyparquet-writer basic type; guessed from the values when absent. */
  readonly type?: string;
}

const COLUMN_TYPES = new Set([
  "BOOLEAN",
  "INT32",
  "INT64",
  "FLOAT",
  "DOUBLE",
  "STRING",
  "JSON",
  "TIMESTAMP",
]);

/** The capabilities by name: each takes the plugin's argument, checked here, and returns data. */
const CAPABILITIES: Readonly<Record<string, (args: unknown) => Promise<unknown>>> = {
  encodeParquet,
  decodeParquet,
};

/**
 * Runs capability `name` for a plugin. Unknown names and malformed arguments throw an `Error`
 * whose message goes back to the plugin (it is the plugin's mistake, and it may catch it).
 *
 * @example
 * ```ts
 * const bytes = await runCapability("encodeParquet", [{ name: "v", values: [1, 2] }]);
 * ```
 */
export async function runCapability(name: string, args: unknown): Promise<unknown> {
  if (!Object.hasOwn(CAPABILITIES, name)) {
    throw new Error(
      `the host has no capability ${JSON.stringify(name)}; it offers ${
        Object.keys(CAPABILITIES).join(", ")
      }`,
    );
  }
  return await CAPABILITIES[name](args);
}

/** Columns → Parquet bytes (hyparquet-writer, loaded on first use). */
async function encodeParquet(args: unknown): Promise<Uint8Array> {
  const columns = checkColumns(args);
  const { parquetWriteBuffer } = await import("hyparquet-writer");
  const buffer = parquetWriteBuffer({
    columnData: columns.map((c) => ({
      name: c.name,
      data: [...c.values],
      ...(c.type ? { type: c.type as "STRING" } : {}),
    })),
  });
  return new Uint8Array(buffer);
}

/** Parquet bytes → columns, in schema order (hyparquet, loaded on first use). */
async function decodeParquet(args: unknown): Promise<Column[]> {
  if (!(args instanceof Uint8Array)) {
    throw new Error("decodeParquet takes the Parquet file's bytes");
  }
  const [{ parquetMetadata, parquetRead, parquetSchema }, { compressors }] = await Promise.all([
    import("hyparquet"),
    import("hyparquet-compressors"),
  ]);
  const file = args.slice().buffer;
  const metadata = parquetMetadata(file);
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  let rows: unknown[][] = [];
  await parquetRead({ file, metadata, compressors, onComplete: (r) => (rows = r) });
  return names.map((name, i) => ({ name, values: rows.map((row) => row[i]) }));
}

function checkColumns(args: unknown): Column[] {
  const shape = 'encodeParquet takes a list of columns like [{ name: "t", values: [1, 2] }]';
  if (!Array.isArray(args) || args.length === 0) throw new Error(shape);
  const columns = args.map((c) => {
    if (
      typeof c !== "object" || c === null || typeof c.name !== "string" || !Array.isArray(c.values)
    ) {
      throw new Error(shape);
    }
    if (c.type !== undefined && !COLUMN_TYPES.has(c.type)) {
      throw new Error(
        `column ${c.name}: type ${JSON.stringify(c.type)} is not one of ${
          [...COLUMN_TYPES].join(", ")
        }`,
      );
    }
    return c as Column;
  });
  const rows = columns[0].values.length;
  const uneven = columns.find((c) => c.values.length !== rows);
  if (uneven) {
    throw new Error(
      `column ${uneven.name} has ${uneven.values.length} values, but ${
        columns[0].name
      } has ${rows}`,
    );
  }
  return columns;
}
