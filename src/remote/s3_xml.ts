/** The few S3 XML replies pond reads (ListObjectsV2, errors, multipart starts), read without an XML library. */

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/** Decodes XML character references and the five named entities. */
function unescape(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, ref: string) => {
    if (ref[0] !== "#") return ENTITIES[ref] ?? whole;
    return String.fromCodePoint(ref[1] === "x" ? parseInt(ref.slice(2), 16) : Number(ref.slice(1)));
  });
}

/**
 * The text of each `<tag>` element in `xml`, decoded (no nesting of the same tag).
 *
 * @example
 * ```ts
 * elements("<a><Key>x&amp;y</Key><Key>z</Key></a>", "Key"); // ["x&y", "z"]
 * ```
 */
export function elements(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g");
  for (const m of xml.matchAll(re)) out.push(unescape(m[1]));
  return out;
}

/** The text of the first `<tag>` element, or undefined. */
export function element(xml: string, tag: string): string | undefined {
  return elements(xml, tag)[0];
}

/** One object of a ListObjectsV2 page. */
export interface ListedObject {
  key: string;
  size: number;
  mtime: number;
}

/** One page of a ListObjectsV2 reply: its objects and the token of the next page, if any. */
export interface ListPage {
  objects: ListedObject[];
  next?: string;
}

/**
 * Reads one ListObjectsV2 reply.
 *
 * @example
 * ```ts
 * const page = listPage(
 *   "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a</Key>" +
 *     "<LastModified>2026-01-01T00:00:00.000Z</LastModified><Size>3</Size></Contents></ListBucketResult>",
 * );
 * page.objects[0].size; // 3
 * ```
 */
export function listPage(xml: string): ListPage {
  const objects = elements(xml, "Contents").map((c) => ({
    key: element(c, "Key") ?? "",
    size: Number(element(c, "Size") ?? 0),
    mtime: Date.parse(element(c, "LastModified") ?? "") || 0,
  }));
  const truncated = element(xml, "IsTruncated") === "true";
  const next = element(xml, "NextContinuationToken");
  return { objects, ...(truncated && next && { next }) };
}

/**
 * The body of a CompleteMultipartUpload request for parts 1..n with these ETags.
 *
 * @example
 * ```ts
 * completeBody(['"a1"', '"b2"']); // "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>…"
 * ```
 */
export function completeBody(etags: readonly string[]): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
  const parts = etags.map((etag, i) =>
    `<Part><PartNumber>${i + 1}</PartNumber><ETag>${esc(etag)}</ETag></Part>`
  );
  return `<CompleteMultipartUpload>${parts.join("")}</CompleteMultipartUpload>`;
}
