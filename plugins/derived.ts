/** Built-in plugin: tables derived from CSV inputs — all of them concatenated, or each one as Parquet. */

export const manifest = {
  name: "derived",
  version: "1.0.0",
  description:
    "Derives tables from CSV files: concatenates them into one CSV, or converts each to Parquet",
  provides: ["directory", "file"],
  config: {
    inputs: { type: "glob[]", required: true, description: "the CSV files, e.g. [/sondes/*.csv]" },
    transform: {
      type: "string",
      required: true,
      choices: ["concat-csv", "csv-to-parquet"],
      description:
        "concat-csv: one CSV of every input's rows; csv-to-parquet: one Parquet table per input",
    },
    name: {
      type: "string",
      description: "concat-csv: the table's name (default all.csv); " +
        "csv-to-parquet: a template of the captures (default $0.parquet)",
    },
  },
};

interface Match {
  path: string;
  captures: string[];
  kind: "file" | "directory";
}

interface Input extends Match {
  bytes: Uint8Array;
}

interface Config {
  transform: "concat-csv" | "csv-to-parquet";
  name?: string;
}

interface Column {
  name: string;
  values: (string | number | null)[];
  type: "float64" | "utf8" | "timestamp[ms, UTC]";
}

interface Host {
  expand(template: string, captures: string[]): string;
  encodeParquet(columns: Column[]): Promise<Uint8Array>;
}

/** One CSV of all inputs, or one Parquet table per input. */
export function entries(request: { config: Config; inputs: { inputs: Match[] } }, host: Host) {
  const { config } = request;
  const files = request.inputs.inputs.filter((match) => match.kind === "file");
  if (config.transform === "concat-csv") {
    return [{ name: config.name ?? "all.csv", compute: { inputs: files.map((f) => f.path) } }];
  }
  return files.map((file) => ({
    name: host.expand(config.name ?? "$0.parquet", file.captures),
    compute: { inputs: [file.path] },
    entryType: "file:table",
  }));
}

/** Computes one derived table from its inputs. */
export function read(request: { config: Config; inputs: Input[] }, host: Host) {
  const { config, inputs } = request;
  if (config.transform === "concat-csv") return concatCsv(inputs);
  if (inputs.length !== 1) {
    throw new Error(
      `csv-to-parquet converts one CSV file at a time, not ${inputs.length}; use it as a directory`,
    );
  }
  return host.encodeParquet(columnsOf(inputs[0]));
}

/** The header of the first input, then every input's rows; all headers must be the same. */
function concatCsv(inputs: Input[]): string {
  const tables = inputs.map((input) => ({ path: input.path, rows: parseCsv(input) }));
  const header = tables[0]?.rows[0] ?? [];
  const lines = [header];
  for (const { path, rows } of tables) {
    if (rows[0]?.join(",") !== header.join(",")) {
      throw new Error(
        `${path} has columns ${rows[0]?.join(",")}, but ${tables[0].path} has ${
          header.join(",")
        }; ` +
          "concatenate only CSV files with the same columns",
      );
    }
    lines.push(...rows.slice(1));
  }
  return lines.map((row) => row.map(quote).join(",")).join("\n") + "\n";
}

/** An ISO-8601 date and time, `T` or a space between them, with or without a zone. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** An ISO-8601 date and time as milliseconds since the epoch (UTC when it names no zone), or NaN. */
function instant(text: string): number {
  if (!DATE_TIME.test(text)) return NaN;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text.slice(10)) ? text : `${text}Z`;
  return Date.parse(zoned.replace(" ", "T"));
}

/**
 * The CSV's columns: numeric where every non-empty value is a number, timestamps (stored as
 * microseconds in UTC) where every one is an ISO-8601 date and time, else text; empty is null.
 */
function columnsOf(input: Input): Column[] {
  const [header = [], ...rows] = parseCsv(input);
  return header.map((name, j): Column => {
    const raw = rows.map((row) => row[j] ?? "");
    const filled = raw.filter((v) => v !== "");
    const as = (type: Column["type"], parse: (v: string) => string | number) => ({
      name,
      type,
      values: raw.map((v) => (v === "" ? null : parse(v))),
    });
    if (filled.every((v) => Number.isFinite(Number(v)))) return as("float64", Number);
    if (filled.every((v) => Number.isFinite(instant(v)))) return as("timestamp[ms, UTC]", instant);
    return as("utf8", (v) => v);
  });
}

/** RFC 4180 CSV: fields split by commas, rows by line breaks, `"` quoting with `""` escapes. */
function parseCsv(input: Input): string[][] {
  const text = new TextDecoder().decode(input.bytes);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (c === '"' && field === "") {
      quoted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else {
      field += c;
    }
  }
  if (quoted) throw new Error(`${input.path}: a quoted field is never closed`);
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}
