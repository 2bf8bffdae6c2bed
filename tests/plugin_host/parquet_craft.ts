/** Hand-made Parquet files for tests: BOOLEAN columns each one RLE run, with whatever counts their headers claim. */

/** A Thrift compact-protocol writer, enough for Parquet's footer and page headers. */
class Thrift {
  readonly bytes: number[] = [];
  #last: number[] = [0];

  varint(n: number): this {
    let v = n;
    while (v >= 0x80) {
      this.bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.bytes.push(v);
    return this;
  }

  #header(id: number, type: number): void {
    const last = this.#last.at(-1)!;
    const delta = id - last;
    if (delta > 0 && delta <= 15) this.bytes.push((delta << 4) | type);
    else {
      this.bytes.push(type);
      this.varint(id * 2);
    }
    this.#last[this.#last.length - 1] = id;
  }

  int(id: number, value: number, type = 5): this {
    this.#header(id, type);
    return this.varint(value * 2);
  }

  long(id: number, value: number): this {
    return this.int(id, value, 6);
  }

  string(id: number, text: string): this {
    this.#header(id, 8);
    const bytes = new TextEncoder().encode(text);
    this.varint(bytes.length);
    this.bytes.push(...bytes);
    return this;
  }

  struct(id: number, body: (t: this) => void): this {
    this.#header(id, 12);
    this.#last.push(0);
    body(this);
    this.bytes.push(0);
    this.#last.pop();
    return this;
  }

  /** A list of structs (`items` bodies) or of i32s (`ints`). */
  list(id: number, items: ((t: this) => void)[] | { ints: number[] }): this {
    this.#header(id, 9);
    const n = Array.isArray(items) ? items.length : items.ints.length;
    const type = Array.isArray(items) ? 12 : 5;
    if (n < 15) this.bytes.push((n << 4) | type);
    else {
      this.bytes.push(0xf0 | type);
      this.varint(n);
    }
    if (Array.isArray(items)) {
      for (const body of items) {
        this.#last.push(0);
        body(this);
        this.bytes.push(0);
        this.#last.pop();
      }
    } else for (const v of items.ints) this.varint(v * 2);
    return this;
  }

  stringList(id: number, texts: string[]): this {
    this.#header(id, 9);
    this.bytes.push((texts.length << 4) | 8);
    for (const text of texts) {
      const bytes = new TextEncoder().encode(text);
      this.varint(bytes.length);
      this.bytes.push(...bytes);
    }
    return this;
  }

  end(): number[] {
    this.bytes.push(0);
    return this.bytes;
  }
}

/** What a crafted file's headers claim. */
export interface Claims {
  /** BOOLEAN columns, each stored as one RLE run of `true`. */
  readonly columns: number;
  /** Rows the footer (and its one row group) says the file has. */
  readonly rows: number;
  /** Values each data page says it holds (by default `rows`). */
  readonly pageValues?: number;
}

/**
 * A Parquet file of `claims.columns` required BOOLEAN columns, each one data page holding a
 * single RLE run of `true` as long as the page claims: a few dozen bytes a column, whatever
 * the counts.
 *
 * @example
 * ```ts
 * const bomb = craftParquet({ columns: 8, rows: 120_000_000 }); // under a kilobyte
 * ```
 */
export function craftParquet(claims: Claims): Uint8Array {
  const pageValues = claims.pageValues ?? claims.rows;
  const out: number[] = [...new TextEncoder().encode("PAR1")];
  const chunks: { offset: number; size: number }[] = [];
  for (let c = 0; c < claims.columns; c++) {
    const run = new Thrift().varint(pageValues * 2).bytes; // RLE header: count << 1
    const data = [run.length + 1, 0, 0, 0, ...run, 1]; // 4-byte length, the run, its value
    const header = new Thrift()
      .int(1, 0) // DATA_PAGE
      .int(2, data.length)
      .int(3, data.length)
      .struct(5, (t) => t.int(1, pageValues).int(2, 3).int(3, 3).int(4, 3)) // RLE
      .end();
    chunks.push({ offset: out.length, size: header.length + data.length });
    out.push(...header, ...data);
  }
  const names = Array.from({ length: claims.columns }, (_, c) => `b${c}`);
  const footer = new Thrift()
    .int(1, 1)
    .list(2, [
      (t) => t.string(4, "schema").int(5, claims.columns),
      ...names.map((name) => (t: Thrift) => t.int(1, 0).int(3, 0).string(4, name)),
    ])
    .long(3, claims.rows)
    .list(4, [(t) =>
      t.list(
        1,
        chunks.map(({ offset, size }, c) => (u: Thrift) =>
          u.long(2, offset).struct(3, (m) =>
            m.int(1, 0).list(2, { ints: [3] }).stringList(3, [names[c]]).int(4, 0)
              .long(5, pageValues).long(6, size).long(7, size).long(9, offset))
        ),
      ).long(
        2,
        chunks.reduce((n, c) =>
          n + c.size, 0),
      ).long(3, claims.rows)])
    .end();
  out.push(...footer);
  const length = footer.length;
  out.push(length & 0xff, (length >> 8) & 0xff, (length >> 16) & 0xff, length >>> 24);
  out.push(...new TextEncoder().encode("PAR1"));
  return new Uint8Array(out);
}
